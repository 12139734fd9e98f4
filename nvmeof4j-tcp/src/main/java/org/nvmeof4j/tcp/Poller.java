package org.nvmeof4j.tcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
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
    private final java.util.function.LongSupplier clock;
    private long lastSweepNanos;
    /** A command other than {@link #add} ran this cycle: it may have left work for any task. */
    private boolean commandRan;
    private final Consumer<SelectionKey> markKeyReady = key -> queue((Entry)key.attachment());
    /** Selective mode: the tasks the next cycle runs (ready, hot, new, or without a channel), each once. */
    private ArrayList<Entry> due = new ArrayList<>();
    /** The list {@link #due} was, reused for the cycle after. */
    private ArrayList<Entry> spare = new ArrayList<>();
    private final AtomicBoolean sleeping = new AtomicBoolean();
    private final IdleStrategy.Waiter waiter = this::await;
    private volatile boolean running = true;
    private volatile long commandErrors;
    private volatile Throwable lastCommandError;
    private Thread thread;
    /** The receive buffer of the connections this poller drives; see {@link #receiveBuffer()}. */
    private ByteBuffer receiveBuffer;

    public Poller(final String name, final IdleStrategy idleStrategy)
    {
        this(name, idleStrategy, System::nanoTime);
    }

    /** A poller whose sweeps ({@link #SWEEP_NANOS}) follow {@code clock} (tests). */
    Poller(final String name, final IdleStrategy idleStrategy, final java.util.function.LongSupplier clock)
    {
        this.name = name;
        this.idleStrategy = idleStrategy;
        this.clock = clock;
        this.lastSweepNanos = clock.getAsLong();
        try
        {
            this.selector = Selector.open();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The direct buffer that every connection this poller drives reads its socket into, one connection at a time
     * ({@link SocketSegmentSource#SocketSegmentSource(java.util.function.Supplier)}): the receiver copies what it
     * keeps, so nothing of the buffer lives past a read. A connection then holds no receive memory of its own, and
     * closing one leaves none behind for a GC to find (a flood of peers that each send a few KiB used to cost each
     * 256 KiB of direct memory until the next GC). Allocated at the first call, {@link
     * SocketSegmentSource#DEFAULT_BUFFER} bytes. Poller thread only.
     */
    public ByteBuffer receiveBuffer()
    {
        ByteBuffer b = receiveBuffer;
        if (b == null)
        {
            b = ByteBuffer.allocateDirect(SocketSegmentSource.DEFAULT_BUFFER);
            receiveBuffer = b;
        }
        return b;
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
     * Register a channel for reads only so that its data wakes this poller when it sleeps, with no task of its own:
     * for a queue that another task on this poller already polls (a host queue inside a gateway's backend queue or
     * an async facade). From any thread; call it again after the channel changes (a reconnect).
     */
    public void wakeOnRead(final SelectableChannel channel)
    {
        add(REGISTRATION_ONLY, channel);
    }

    /** The task of {@link #wakeOnRead}: it never runs and leaves at the next sweep; its key stays registered. */
    private static final PollerTask REGISTRATION_ONLY = new PollerTask()
    {
        @Override
        public int doWork()
        {
            return 0;
        }

        @Override
        public void onError(final Throwable error)
        {
        }

        @Override
        public boolean isActive()
        {
            return false;
        }
    };

    /**
     * Add a task; from any thread. Its channel (non-blocking) is registered for reads so that the poller wakes
     * when data arrives. The task's first {@code doWork()} runs on the poller thread.
     */
    public void add(final PollerTask task, final SelectableChannel channel)
    {
        execute(new AddTask(task, channel));
    }

    /**
     * The command {@link #add} posts. Unlike other commands it leaves no work for the tasks already there (the new
     * entry starts hot, so it runs next cycle anyway), so it does not make the cycle a sweep: a target that accepts
     * thousands of connections in a burst would otherwise call every task's doWork() once per accept.
     */
    private final class AddTask implements Runnable
    {
        private final PollerTask task;
        private final SelectableChannel channel;

        AddTask(final PollerTask task, final SelectableChannel channel)
        {
            this.task = task;
            this.channel = channel;
        }

        @Override
        public void run()
        {
            try
            {
                final Entry entry = new Entry(task, channel != null);
                if (channel != null)
                {
                    task.selectionKey(channel.register(selector, SelectionKey.OP_READ, entry));
                }
                tasks.add(entry);
                queue(entry);
            }
            catch (final ClosedChannelException | RuntimeException e)
            {
                task.onError(e); // the task learns it will never run, rather than waiting for ever
            }
        }
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
            commandRan = false;
            int work = runCommands();
            // with many connections a read() per idle socket per cycle costs more than the work itself, so only
            // ready and busy tasks run, except in a sweep; a command from another thread (an AEN, a close) may have
            // left work for any task, so a cycle that ran such a command is a sweep too (an add is not one)
            final boolean sweep = tasks.size() <= DIRECT_POLL_THRESHOLD || markReady() || commandRan;
            work += sweep ? runAll() : runDue();
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

    /**
     * A sweep: every task runs; the closed ones leave the list (in one pass, keeping the order), and the hot ones and
     * those without a channel are due next cycle.
     */
    private int runAll()
    {
        for (int i = 0; i < due.size(); i++)
        {
            due.get(i).queued = false;
        }
        due.clear();
        int work = 0;
        int kept = 0;
        for (int i = 0; i < tasks.size(); i++)
        {
            final Entry entry = tasks.get(i);
            work += runTask(entry);
            if (entry.task.isActive())
            {
                tasks.set(kept++, entry);
                if (entry.hot || !entry.hasChannel)
                {
                    queue(entry);
                }
            }
            else
            {
                work++;
            }
        }
        for (int i = tasks.size() - 1; i >= kept; i--)
        {
            tasks.remove(i);
        }
        return work;
    }

    /**
     * A selective cycle: only the due tasks run, so its cost follows the tasks with something to do, not the tasks
     * held (2,000 silent connections cost a scan of 2,000 entries per cycle before). A task that closes stays in
     * the list, skipped, until the next sweep removes it (at most {@link #SWEEP_NANOS} later).
     */
    private int runDue()
    {
        final ArrayList<Entry> batch = due;
        due = spare;
        spare = batch;
        int work = 0;
        for (int i = 0; i < batch.size(); i++)
        {
            final Entry entry = batch.get(i);
            entry.queued = false;
            if (!entry.task.isActive())
            {
                continue;
            }
            work += runTask(entry);
            if (!entry.task.isActive())
            {
                work++;
            }
            else if (entry.hot || !entry.hasChannel)
            {
                queue(entry);
            }
        }
        batch.clear();
        return work;
    }

    private static int runTask(final Entry entry)
    {
        final PollerTask task = entry.task;
        try
        {
            final int w = task.doWork();
            entry.hot = w > 0;
            return w;
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
            return 0;
        }
    }

    /** Make {@code entry} due next selective cycle (once, however often it is asked). Poller thread. */
    private void queue(final Entry entry)
    {
        if (!entry.queued)
        {
            entry.queued = true;
            due.add(entry);
        }
    }

    private int runCommands()
    {
        int n = 0;
        Runnable c;
        while ((c = commands.poll()) != null)
        {
            commandRan |= !(c instanceof AddTask);
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
     * call) and runs only those tasks, the tasks whose last {@code doWork()} did work, new tasks and the tasks without
     * a channel (kept in a due list, so a cycle costs what its due tasks cost, not a scan of every task), every task
     * in a cycle that ran a command other than {@link #add}, and every task once per {@link #SWEEP_NANOS} (timers:
     * keep-alive, connection deadlines). At or below it every
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
        final long now = clock.getAsLong();
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
        /** It is in {@code due}. */
        boolean queued;

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
