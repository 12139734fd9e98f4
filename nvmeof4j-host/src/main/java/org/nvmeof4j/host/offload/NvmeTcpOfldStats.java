package org.nvmeof4j.host.offload;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A device's counters, named in the style of the offload series ({@code nvme_tcp_ofld_*}). The I/O-path counters
 * live in each queue and are written by its owner thread alone with plain stores ({@link QueueCounters}); a reader
 * sums the live queues and what destroyed queues left behind, so a snapshot may lag the data path by a few
 * requests, never by more.
 */
public final class NvmeTcpOfldStats
{
    /** Requests handed to the device ({@code sendReq}). */
    public static final String REQS_SENT = "nvme_tcp_ofld_reqs_sent";
    /** Requests the device completed ({@code done}). */
    public static final String REQS_COMPLETED = "nvme_tcp_ofld_reqs_completed";
    /**
     * Requests still outstanding when their queue stopped (drained at a queue error, a reset or a close, such as the
     * admin queue's Asynchronous Event Requests): they were never completed by the device and went back to the ULP,
     * which re-drives or fails them. Sent = completed + aborted, once no queue is live.
     */
    public static final String REQS_ABORTED = "nvme_tcp_ofld_reqs_aborted";
    /** Completions with a non-zero NVMe status. */
    public static final String REQ_ERRORS = "nvme_tcp_ofld_req_errors";
    /** Queue errors: {@code reportQueueErr}, a failed {@code mapSg}/{@code sendReq}, an abort. */
    public static final String QUEUE_ERRORS = "nvme_tcp_ofld_queue_errors";
    /** {@code claimDev} calls that claimed a controller for this device. */
    public static final String CLAIMS = "nvme_tcp_ofld_claims";
    /** Queues created. */
    public static final String QUEUES_CREATED = "nvme_tcp_ofld_queues_created";
    /** Queues destroyed. */
    public static final String QUEUES_DESTROYED = "nvme_tcp_ofld_queues_destroyed";
    /** Calls of {@code done} for a request that was not outstanding (ignored: a driver bug, or a drained queue). */
    public static final String SPURIOUS_COMPLETIONS = "nvme_tcp_ofld_spurious_completions";

    /** Every counter name, in report order. */
    public static final List<String> NAMES = List.of(REQS_SENT, REQS_COMPLETED, REQS_ABORTED, REQ_ERRORS,
        QUEUE_ERRORS, CLAIMS, QUEUES_CREATED, QUEUES_DESTROYED, SPURIOUS_COMPLETIONS);

    static final int SENT = 0;
    static final int COMPLETED = 1;
    static final int ERRORS = 2;
    static final int ABORTED = 3;
    private static final int PER_QUEUE = 4;

    private final AtomicLongArray retired = new AtomicLongArray(PER_QUEUE);
    private final Set<QueueCounters> live = ConcurrentHashMap.newKeySet();
    private final AtomicLong queueErrors = new AtomicLong();
    private final AtomicLong claims = new AtomicLong();
    private final AtomicLong created = new AtomicLong();
    private final AtomicLong destroyed = new AtomicLong();
    private final AtomicLong spurious = new AtomicLong();

    NvmeTcpOfldStats()
    {
    }

    /** Per-queue I/O counters: one writer (the owner thread), lazily published. */
    static final class QueueCounters
    {
        private final AtomicLongArray v = new AtomicLongArray(PER_QUEUE);

        void add(final int counter, final long n)
        {
            v.lazySet(counter, v.get(counter) + n);
        }

        long get(final int counter)
        {
            return v.get(counter);
        }
    }

    QueueCounters queueCreated()
    {
        created.incrementAndGet();
        final QueueCounters c = new QueueCounters();
        live.add(c);
        return c;
    }

    void queueDestroyed(final QueueCounters c)
    {
        if (live.remove(c))
        {
            for (int i = 0; i < PER_QUEUE; i++)
            {
                retired.addAndGet(i, c.get(i));
            }
            destroyed.incrementAndGet();
        }
    }

    void queueError()
    {
        queueErrors.incrementAndGet();
    }

    void spuriousCompletion()
    {
        spurious.incrementAndGet();
    }

    void claimed()
    {
        claims.incrementAndGet();
    }

    private long sum(final int counter)
    {
        long n = retired.get(counter);
        for (final QueueCounters c : live)
        {
            n += c.get(counter);
        }
        return n;
    }

    /**
     * @param name one of {@link #NAMES}.
     * @throws IllegalArgumentException for another name.
     */
    public long get(final String name)
    {
        switch (name)
        {
            case REQS_SENT: return sum(SENT);
            case REQS_COMPLETED: return sum(COMPLETED);
            case REQS_ABORTED: return sum(ABORTED);
            case REQ_ERRORS: return sum(ERRORS);
            case QUEUE_ERRORS: return queueErrors.get();
            case CLAIMS: return claims.get();
            case QUEUES_CREATED: return created.get();
            case QUEUES_DESTROYED: return destroyed.get();
            case SPURIOUS_COMPLETIONS: return spurious.get();
            default: throw new IllegalArgumentException("unknown counter " + name);
        }
    }

    /** @return every counter, by name, in {@link #NAMES} order. */
    public Map<String, Long> snapshot()
    {
        final Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (final String n : NAMES)
        {
            m.put(n, get(n));
        }
        return m;
    }

    @Override
    public String toString()
    {
        return new TreeMap<>(snapshot()).toString();
    }
}
