package org.nvmeof4j.offload.engine;

import java.util.ArrayList;
import java.util.List;
import org.nvmeof4j.tcp.IdleStrategy;
import org.nvmeof4j.tcp.Poller;

/**
 * One engine thread, the firmware core of the reference device: a {@link Poller} whose tasks are the queues placed
 * on it. If the thread dies (an {@link Error}, a failing idle strategy), every queue on it fails with a queue error
 * and the engine starts a fresh thread for the queues created after that, as firmware that resets.
 */
final class EngineThread implements Runnable
{
    private final String name;
    private final int cpu;
    private final Poller poller;
    private final Thread thread;
    private final List<EngineQueue> queues = new ArrayList<>();
    private volatile boolean closing;
    private volatile boolean dead;
    private volatile String deathReason;
    private volatile String pinning = "not pinned";

    EngineThread(final String name, final int cpu, final IdleStrategy idle)
    {
        this.name = name;
        this.cpu = cpu;
        this.poller = new Poller(name, idle);
        this.thread = new Thread(this, name);
        thread.setDaemon(true);
    }

    /** @return the Java thread that runs this engine thread (for CPU accounting). */
    Thread javaThread()
    {
        return thread;
    }

    EngineThread start()
    {
        thread.start();
        return this;
    }

    @Override
    public void run()
    {
        if (cpu >= 0)
        {
            final String why = ThreadAffinity.pinCurrentThread(cpu);
            pinning = why == null ? "cpu " + cpu : why;
        }
        Throwable failure = null;
        try
        {
            poller.run();
        }
        catch (final Throwable t)
        {
            failure = t;
        }
        finally
        {
            if (!closing)
            {
                died("offload engine thread " + name + " died: " + (failure == null ? "stopped" : failure));
            }
        }
    }

    private void died(final String reason)
    {
        final List<EngineQueue> snapshot;
        synchronized (queues)
        {
            dead = true;
            deathReason = reason;
            snapshot = new ArrayList<>(queues);
            queues.clear();
        }
        for (final EngineQueue q : snapshot)
        {
            q.engineDied(reason);
        }
    }

    /**
     * Place a queue on this thread.
     *
     * @return false if the thread has died (the caller picks another).
     */
    boolean add(final EngineQueue q)
    {
        synchronized (queues)
        {
            if (dead)
            {
                return false;
            }
            queues.add(q);
        }
        poller.add(q, q.conn.channel());
        return true;
    }

    void remove(final EngineQueue q)
    {
        synchronized (queues)
        {
            queues.remove(q);
        }
    }

    /** Wake the thread if it sleeps; cheap when it does not. */
    void wakeup()
    {
        poller.wakeup();
    }

    boolean isDead()
    {
        return dead;
    }

    String deathReason()
    {
        return deathReason;
    }

    /** @return "cpu N" when pinned, else why not. */
    String pinning()
    {
        return pinning;
    }

    String name()
    {
        return name;
    }

    /** @return queues placed on this thread and not yet destroyed. */
    int queueCount()
    {
        synchronized (queues)
        {
            return queues.size();
        }
    }

    void close()
    {
        closing = true;
        poller.close();
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
