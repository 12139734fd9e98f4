package org.nvmeof4j.host;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.nvmeof4j.host.queue.HostQueue;
import org.nvmeof4j.host.queue.QueueEvents;
import org.nvmeof4j.host.spi.TransportQueue;

/**
 * A controller's error recovery, after the Linux host's ({@code nvme_tcp_error_recovery_work},
 * {@code nvme_tcp_reconnect_ctrl_work}), on any transport: when any queue loses its connection the controller goes
 * to RECONNECTING, every queue's connection is closed, and a new association is tried every
 * {@code reconnect_delay} (the first attempt after one delay). Requests in flight wait in their queues and are
 * resent on the new connections; when {@code ctrl_loss_tmo} expires the controller is DEAD and every request fails.
 * Reconnects run on the recovery thread.
 */
final class ErrorRecovery implements QueueEvents
{
    private final NvmeController controller;
    private final ConnectOptions options;
    private final NanoClock clock;
    private final ScheduledExecutorService thread;
    private long lossStartNanos;
    private int reconnectAttempts;
    private volatile long reconnects;

    ErrorRecovery(final NvmeController controller, final ConnectOptions options, final int instance)
    {
        this.controller = controller;
        this.options = options;
        this.clock = options.clock();
        this.thread = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread t = new Thread(r, "nvmeof4j-recovery-" + instance);
            t.setDaemon(true);
            return t;
        });
    }

    long reconnects()
    {
        return reconnects;
    }

    void shutdown()
    {
        thread.shutdownNow();
    }

    @Override
    public void connectionLost(final HostQueue queue, final long generation, final String reason,
        final Throwable cause)
    {
        synchronized (controller.lock)
        {
            if (!controller.isLive(generation))
            {
                return;
            }
            controller.state(NvmeController.State.RECONNECTING);
            controller.lastError("queue " + queue.qid() + ": " + reason);
            lossStartNanos = clock.nanoTime();
            reconnectAttempts = 0;
            controller.nextGeneration();
            controller.queues().abortAll();
            schedule();
        }
    }

    private void schedule()
    {
        try
        {
            thread.schedule(this::reconnect, options.reconnectDelay().toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (final RejectedExecutionException ignore)
        {
            // shutting down
        }
    }

    private void reconnect()
    {
        synchronized (controller.lock)
        {
            if (controller.state() != NvmeController.State.RECONNECTING)
            {
                return;
            }
            reconnectAttempts++;
        }
        final ControllerQueues queues = controller.queues();
        final List<TransportQueue> opened = new ArrayList<>();
        try
        {
            final AssociationSetup.AdminSession s = controller.setup().establishAdmin();
            opened.add(s.queue);
            final List<HostQueue> io;
            final int pollQueuesInUse;
            synchronized (controller.lock)
            {
                io = queues.ioQueues();
                pollQueuesInUse = controller.ioQueuesInUse();
            }
            if (s.grantedQueues < pollQueuesInUse)
            {
                throw new NvmeTransportException("controller now grants only " + s.grantedQueues + " I/O queues");
            }
            final List<TransportQueue> connections = new ArrayList<>();
            for (final HostQueue q : io)
            {
                final TransportQueue c = controller.setup().establishIo(q.qid(), s.cntlid);
                opened.add(c);
                connections.add(c);
            }
            final long gen;
            synchronized (controller.lock)
            {
                if (controller.state() != NvmeController.State.RECONNECTING)
                {
                    throw new NvmeTransportException("controller is " + controller.state());
                }
                controller.cntlid(s.cntlid);
                gen = controller.generation();
                queues.admin.offerConnection(s.queue, gen);
                for (int i = 0; i < io.size(); i++)
                {
                    io.get(i).offerConnection(connections.get(i), gen);
                }
                controller.state(NvmeController.State.LIVE);
                reconnects++;
                queues.wakeAll();
            }
            // a new association: namespaces may have changed while we were away, and AERs/features are per controller
            controller.events().afterReconnectLater(gen);
        }
        catch (final RuntimeException e)
        {
            for (final TransportQueue c : opened)
            {
                c.abort();
            }
            synchronized (controller.lock)
            {
                controller.lastError(e.getMessage());
                if (controller.state() != NvmeController.State.RECONNECTING)
                {
                    return;
                }
                final long tmo = options.ctrlLossTmo().toNanos();
                if (tmo >= 0 && clock.nanoTime() - lossStartNanos + options.reconnectDelay().toNanos() > tmo)
                {
                    controller.giveUp("ctrl_loss_tmo (" + options.ctrlLossTmo().toSeconds() + " s) expired after " +
                        reconnectAttempts + " reconnect attempt(s); last error: " + controller.lastError());
                }
                else
                {
                    schedule();
                }
            }
        }
    }
}
