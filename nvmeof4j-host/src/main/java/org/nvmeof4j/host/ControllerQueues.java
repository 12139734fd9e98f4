package org.nvmeof4j.host;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.nvmeof4j.host.queue.HostQueue;
import org.nvmeof4j.tcp.Poller;

/**
 * The queues of one controller and the threads that drive them: the admin queue and its poller, the I/O queues of
 * the async API with their pollers, and the polled queues handed to application threads. What error recovery does
 * to all of them at once (abort, hand over new connections, fail, wake) is here. The lists change under the
 * controller's lock.
 */
final class ControllerQueues
{
    HostQueue admin;
    AsyncQueue adminAsync;
    Poller adminPoller;
    final List<AsyncQueue> ioAsync = new ArrayList<>();
    final List<Poller> ioPollers = new ArrayList<>();
    final List<HostQueue> polled = new ArrayList<>();
    private final AtomicInteger roundRobin = new AtomicInteger();

    /** @return the next async I/O queue, round robin, or null if there is none. */
    AsyncQueue pick()
    {
        final int n = ioAsync.size();
        return n == 0 ? null : ioAsync.get(Math.floorMod(roundRobin.getAndIncrement(), n));
    }

    /** Every I/O queue a reconnect must connect again, async first, in qid order within each kind. */
    List<HostQueue> ioQueues()
    {
        polled.removeIf(HostQueue::isClosing); // queues the application closed stay closed
        final List<HostQueue> queues = new ArrayList<>();
        for (final AsyncQueue aq : ioAsync)
        {
            queues.add(aq.queue);
        }
        queues.addAll(polled);
        return queues;
    }

    /** Publish the LBA sizes to every I/O queue. */
    void lbaShifts(final int[] shifts)
    {
        for (final AsyncQueue aq : ioAsync)
        {
            aq.queue.lbaShifts(shifts);
        }
        for (final HostQueue q : polled)
        {
            q.lbaShifts(shifts);
        }
    }

    /** Close every queue's connection; each owner notices on its next poll and requeues its requests. */
    void abortAll()
    {
        admin.abortConnection();
        for (final AsyncQueue aq : ioAsync)
        {
            aq.queue.abortConnection();
            aq.poller.wakeup();
        }
        for (final HostQueue q : polled)
        {
            q.abortConnection();
        }
        adminPoller.wakeup();
    }

    /** The controller is lost: every queue fails its requests from its owner's next poll on. */
    void failAll(final String reason)
    {
        admin.fail(reason);
        for (final AsyncQueue aq : ioAsync)
        {
            aq.queue.fail(reason);
        }
        for (final HostQueue q : polled)
        {
            q.fail(reason);
        }
    }

    /** Run a duty cycle on every poller soon (new connections to adopt, failures to deliver). */
    void wakeAll()
    {
        adminPoller.execute(() -> { });
        for (final Poller p : ioPollers)
        {
            p.execute(() -> { });
        }
    }

    /** Stop the pollers and close every connection (the controller is deleted). */
    void shutdown(final String reason)
    {
        for (final Poller p : ioPollers)
        {
            p.close();
        }
        if (adminPoller != null)
        {
            adminPoller.close();
        }
        for (final HostQueue q : polled)
        {
            q.fail(reason);
            q.abortConnection();
        }
        if (admin != null)
        {
            admin.abortConnection();
        }
    }
}
