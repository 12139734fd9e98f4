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

/**
 * An agent thread that drives {@link PollerTask}s with a duty cycle, as Aeron's conductor and sender do: each
 * cycle calls every task's {@code doWork()} directly (no selector on the hot path), and an {@link IdleStrategy}
 * decides what to do when a cycle found no work. The strategy's last step blocks in a {@link Selector} on which
 * every task's channel is registered for reads (and for writes while a task's socket buffer is full), so an idle
 * poller sleeps in the kernel and wakes on the first byte or the first free byte of send buffer.
 *
 * <p>A task that throws is closed and dropped; the loop and every other task keep running.
 */
public final class Poller implements Runnable, AutoCloseable
{
    private final String name;
    private final IdleStrategy idleStrategy;
    private final Selector selector;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final ArrayList<PollerTask> tasks = new ArrayList<>();
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
                if (channel != null)
                {
                    task.selectionKey(channel.register(selector, SelectionKey.OP_READ, task));
                }
                tasks.add(task);
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
            for (int i = 0; i < tasks.size(); i++)
            {
                final PollerTask task = tasks.get(i);
                try
                {
                    work += task.doWork();
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
                if (!task.isActive())
                {
                    tasks.remove(i--);
                    work++;
                }
            }
            idleStrategy.idle(work, waiter);
        }
        for (final PollerTask task : tasks)
        {
            try
            {
                task.onError(new ClosedChannelException());
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
            if (!commands.isEmpty())
            {
                return;
            }
            final long ms = Math.max(1, maxNanos / 1_000_000);
            selector.select(ms);
            selector.selectedKeys().clear();
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
