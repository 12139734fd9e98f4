package org.nvmeof4j.tcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * An agent thread that drives {@link PollerTask}s with a duty cycle, as Aeron's conductor and sender do: each
 * cycle calls every task's {@code doWork()} directly (no selector on the hot path), and an {@link IdleStrategy}
 * decides what to do when a cycle found no work. The strategy's last step blocks in a {@link Selector} on which
 * every task's channel is registered for reads (and for writes while a task's socket buffer is full), so an idle
 * poller sleeps in the kernel and wakes on the first byte or the first free byte of send buffer. With many tasks
 * (more than {@link #DIRECT_POLL_THRESHOLD}) a cycle runs only the ready and the busy ones.
 *
 * <p>A task that throws is closed and dropped; the loop and every other task keep running.
 */
public final class Poller implements Runnable, AutoCloseable
{
    private final String name;
    private final IdleStrategy idleStrategy;
    private final Selector selector;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final ArrayList<Entry> tasks = new ArrayList<>();
    private long lastSweepNanos = System.nanoTime();
    private final Consumer<SelectionKey> markKeyReady = key -> ((Entry)key.attachment()).ready = true;
    private final AtomicBoolean sleeping = new AtomicBoolean();
    private final IdleStrategy.Waiter waiter = this::await;
    private volatile boolean running = true;
    private volatile long commandErrors;
    private volatile Throwable lastCommandError;
    private Thread thread;

    public Poller(final String name, final IdleStrategy idleStrategy)
    {
        this.name = name;
        this.idleStrategy = idleStrategy;
        try
        {
            this.selector = Selector.open();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    /** Start the poller on a new daemon thread. */
    public Poller start()
    {
        thread = new Thread(this, name);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    public String name()
    {
        return name;
    }

    /** @return whether the caller runs on this poller's thread. */
    public boolean inPollerThread()
    {
        return Thread.currentThread() == thread;
    }

    /**
     * Add a task; from any thread. Its channel (non-blocking) is registered for reads so that the poller wakes
     * when data arrives. The task's first {@code doWork()} runs on the poller thread.
     */
    public void add(final PollerTask task, final SelectableChannel channel)
    {
        execute(() ->
        {
            try
            {
                final Entry entry = new Entry(task, channel != null);
                if (channel != null)
                {
                    task.selectionKey(channel.register(selector, SelectionKey.OP_READ, entry));
                }
                tasks.add(entry);
            }
            catch (final ClosedChannelException | RuntimeException e)
            {
                task.onError(e); // the task learns it will never run, rather than waiting for ever
            }
        });
    }

    /** Run a command on the poller thread (before its next duty cycle), from any thread. */
    public void execute(final Runnable command)
    {
        commands.add(command);
        wakeup();
    }

    /** Wake the poller if it is blocked in its selector; cheap when it is not. */
    public void wakeup()
    {
        if (sleeping.get())
        {
            selector.wakeup();
        }
    }

    @Override
    public void run()
    {
        while (running)
        {
            int work = runCommands();
            // with many connections a read() per idle socket per cycle costs more than the work itself, so only
            // ready and busy tasks run, except in a sweep; a command from another thread (an AEN, a close) may have
            // left work for any task, so a cycle that ran commands is a sweep too
            final boolean sweep = tasks.size() <= DIRECT_POLL_THRESHOLD || markReady() || work > 0;
            for (int i = 0; i < tasks.size(); i++)
            {
                final Entry entry = tasks.get(i);
                final PollerTask task = entry.task;
                if (sweep || entry.hot || entry.ready || !entry.hasChannel)
                {
                    entry.ready = false;
                    try
                    {
                        final int w = task.doWork();
                        entry.hot = w > 0;
                        work += w;
                    }
                    catch (final Throwable t)
                    {
                        try
                        {
                            task.onError(t);
                        }
                        catch (final Throwable ignore)
                        {
                            // the task's own error handler failed: nothing left to tell it
                        }
                    }
                }
                if (!task.isActive())
                {
                    tasks.remove(i--);
                    work++;
                }
            }
            idleStrategy.idle(work, waiter);
        }
        for (final Entry entry : tasks)
        {
            try
            {
                entry.task.onError(new ClosedChannelException());
            }
            catch (final Throwable ignore)
            {
                // closing anyway
            }
        }
        tasks.clear();
        try
        {
            selector.close();
        }
        catch (final IOException ignore)
        {
            // nothing to do
        }
    }

    private int runCommands()
    {
        int n = 0;
        Runnable c;
        while ((c = commands.poll()) != null)
        {
            try
            {
                c.run();
            }
            catch (final RuntimeException e)
            {
                // a failing command must not take the poller, and every task on it, down with it
                lastCommandError = e;
                commandErrors++;
            }
            n++;
        }
        return n;
    }

    /** Commands ({@link #execute}) that threw; the poller carried on. */
    public long commandErrors()
    {
        return commandErrors;
    }

    /** The last exception a command threw, or null. */
    public Throwable lastCommandError()
    {
        return lastCommandError;
    }

    private void await(final long maxNanos)
    {
        sleeping.set(true);
        try
        {
            if (!commands.isEmpty() || anyTaskHasWork())
            {
                return;
            }
            // the action form adds nothing to the selected-key set: no allocation per wake-up
            selector.select(markKeyReady, Math.max(1, maxNanos / 1_000_000));
        }
        catch (final IOException ignore)
        {
            // a broken selector shows up again next cycle; the tasks still poll their sockets directly
        }
        finally
        {
            sleeping.set(false);
        }
    }

    /** Ask every task whether it has work that no channel will announce ({@link PollerTask#prepareToSleep}). */
    private boolean anyTaskHasWork()
    {
        boolean work = false;
        for (int i = 0; i < tasks.size(); i++)
        {
            try
            {
                work |= tasks.get(i).task.prepareToSleep();
            }
            catch (final RuntimeException e)
            {
                work = true; // the next duty cycle runs the task, and its doWork reports what is wrong
            }
        }
        return work;
    }

    /**
     * Above this many tasks a duty cycle asks the selector which sockets are ready ({@code selectNow}, one system
     * call) and runs only those tasks, the tasks whose last {@code doWork()} did work, the tasks without a channel,
     * every task in a cycle that ran commands, and every task once per {@link #SWEEP_NANOS} (timers: keep-alive,
     * connection deadlines). At or below it every
     * task runs every cycle, which is cheapest for a few busy connections (Aeron's TransportPoller does the same).
     */
    static final int DIRECT_POLL_THRESHOLD = 16;
    /** How often the selective mode still runs every task. */
    static final long SWEEP_NANOS = 50_000_000L;

    /** Selective mode: flag the tasks whose sockets are ready; return whether this cycle is a sweep. */
    private boolean markReady()
    {
        try
        {
            // the action form leaves the selected-key set alone, so no iterator is made per cycle
            selector.selectNow(markKeyReady);
        }
        catch (final IOException | RuntimeException e)
        {
            // a broken selector: fall back to running every task this cycle
            return true;
        }
        final long now = System.nanoTime();
        if (now - lastSweepNanos >= SWEEP_NANOS)
        {
            lastSweepNanos = now;
            return true;
        }
        return false;
    }

    /** One task and what the selective mode knows of it (poller thread only). */
    private static final class Entry
    {
        final PollerTask task;
        final boolean hasChannel;
        /** Its last doWork() did something: run it again next cycle, ready or not. */
        boolean hot = true;
        /** Its socket was reported ready. */
        boolean ready;

        Entry(final PollerTask task, final boolean hasChannel)
        {
            this.task = task;
            this.hasChannel = hasChannel;
        }
    }

    /** @return the number of tasks the poller drives (approximate when called from another thread). */
    public int taskCount()
    {
        return tasks.size();
    }

    @Override
    public void close()
    {
        running = false;
        selector.wakeup();
        if (thread != null && thread != Thread.currentThread())
        {
            try
            {
                thread.join(5000);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
