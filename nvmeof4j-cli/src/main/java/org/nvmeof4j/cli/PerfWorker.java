package org.nvmeof4j.cli;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.nvmeof4j.host.CompletionHandler;
import org.nvmeof4j.host.IoQueue;
import org.nvmeof4j.host.multipath.SubsystemIoQueue;
import org.nvmeof4j.protocol.nvme.NvmeStatus;
import org.nvmeof4j.target.offload.LatencyHistogram;
import org.nvmeof4j.tcp.IdleStrategy;

/**
 * One perf thread: owns a polled queue, keeps {@code depth} I/Os in flight; no allocation per I/O. This is perf's
 * workload generator: it picks each I/O's block and direction, paces submissions to {@code --rate}, records latency
 * while {@link #measure} is set and checks data under {@code --verify} (the scheme is in {@link PerfCommand}).
 */
final class PerfWorker implements Runnable, CompletionHandler
{
    final int id;
    private final IoQueue q;
    private final int nsid;
    private final int blocksPerIo;
    private final int ioSize;
    private final int depth;
    private final long firstChunk;
    private final long chunks;
    private final boolean random;
    private final int readPct;
    private final boolean verify;
    private final ByteBuffer[] bufs;
    private final long[] slotChunk;
    private final boolean[] slotRead;
    private final long[] slotStart;
    private final int[] versions;
    private final boolean[] busy;
    final Histogram histogram = new Histogram(3_600_000_000_000L, 3);
    /**
     * With --metrics: every completion's latency (prefill and warm-up included, as {@link #completed}), in
     * power-of-two buckets that the metrics thread may read while this one records; null without --metrics.
     */
    LatencyHistogram liveLatency;
    volatile boolean measure;
    volatile boolean stop;
    volatile long measuredIos;
    volatile long errors;
    /** Completions since the start, prefill and warm-up included (for --metrics; written by this thread only). */
    long completed;
    /** The host queue's QID. */
    final int qid;
    long verified;
    /**
     * With a multipath queue ({@link SubsystemIoQueue}): the longest gap between two completions while measuring, in
     * nanoseconds; -1 with a controller's own queue, which does not measure it.
     */
    volatile long maxPauseNanos;
    private final SubsystemIoQueue pauses;
    private boolean pausesReset;
    long mismatches;
    String firstError;
    private long seq;
    private boolean prefilling;
    private long prefillNext;
    /** Set once a verify prefill (if any) is done and the measured workload starts. */
    volatile boolean ready;
    private long rng;
    private int inflight;
    private final IdleStrategy idleStrategy;
    private final IdleStrategy.Waiter waiter;
    /** --rate: nanoseconds between submissions (0: none); slots wait in {@code deferred} for their turn. */
    private long rateInterval;
    private long nextSubmitAt;
    private final int[] deferred;
    private int deferredCount;

    /**
     * With a multipath queue: the I/Os it sent again on another path (read once the worker has stopped); -1 with a
     * controller's own queue.
     */
    long failovers()
    {
        return pauses != null ? pauses.failovers() : -1;
    }

    PerfWorker(final int id, final IoQueue q, final int nsid, final int blockSize, final int ioSize, final int depth,
        final long firstChunk, final long chunks, final boolean random, final int readPct, final boolean verify,
        final IdleStrategy idleStrategy)
    {
        this.id = id;
        this.q = q;
        this.qid = q.qid();
        this.pauses = q instanceof SubsystemIoQueue ? (SubsystemIoQueue)q : null;
        this.maxPauseNanos = pauses != null ? 0 : -1;
        this.idleStrategy = idleStrategy;
        this.waiter = q::await;
        this.nsid = nsid;
        this.blocksPerIo = ioSize / blockSize;
        this.ioSize = ioSize;
        this.depth = depth;
        this.firstChunk = firstChunk;
        this.chunks = chunks;
        this.random = random;
        this.readPct = readPct;
        this.verify = verify;
        this.bufs = new ByteBuffer[depth];
        this.deferred = new int[depth];
        for (int i = 0; i < depth; i++)
        {
            bufs[i] = ByteBuffer.allocateDirect(ioSize);
        }
        slotChunk = new long[depth];
        slotRead = new boolean[depth];
        slotStart = new long[depth];
        versions = verify ? new int[(int)Math.min(chunks, Integer.MAX_VALUE - 8)] : null;
        busy = verify ? new boolean[versions.length] : null;
        rng = 0x9E3779B97F4A7C15L * (id + 1);
    }

    private long next()
    {
        rng ^= rng << 13;
        rng ^= rng >>> 7;
        rng ^= rng << 17;
        return rng;
    }

    @Override
    public void run()
    {
        try
        {
            if (verify && readPct == 100)
            {
                // a read-only workload has nothing to check unless the range holds known data: write it first
                prefilling = true;
                for (int s = 0; s < depth; s++)
                {
                    submit(s);
                }
                while (inflight > 0)
                {
                    idleStrategy.idle(q.poll(this), waiter);
                }
                prefilling = false;
            }
            ready = true;
            nextSubmitAt = System.nanoTime();
            for (int s = 0; s < depth; s++)
            {
                submit(s);
            }
            while (inflight > 0 || deferredCount > 0)
            {
                final int work = q.poll(this) + releaseDeferred();
                if (deferredCount > 0 && work == 0)
                {
                    // paced: sleep towards the next turn (briefly, so completions are still reaped)
                    LockSupport.parkNanos(Math.min(50_000L, nextSubmitAt - System.nanoTime()));
                }
                else
                {
                    idleStrategy.idle(work, waiter);
                }
            }
        }
        catch (final RuntimeException e)
        {
            firstError = e.toString();
            errors++;
        }
        finally
        {
            q.close();
        }
    }

    void rateInterval(final long nanos)
    {
        rateInterval = nanos;
    }

    /** Submit deferred slots whose turn has come; drop them once stopping. */
    private int releaseDeferred()
    {
        if (deferredCount == 0)
        {
            return 0;
        }
        if (stop)
        {
            deferredCount = 0;
            return 0;
        }
        int n = 0;
        while (deferredCount > 0 && System.nanoTime() - nextSubmitAt >= 0)
        {
            submit(deferred[--deferredCount]);
            n++;
        }
        return n;
    }

    private void submit(final int slot)
    {
        if (stop)
        {
            return;
        }
        if (rateInterval > 0 && !prefilling)
        {
            final long now = System.nanoTime();
            if (now - nextSubmitAt < 0)
            {
                deferred[deferredCount++] = slot;
                return;
            }
            // one turn per interval; after a late wake-up, catch up by at most a queue depth of turns
            nextSubmitAt = Math.max(nextSubmitAt, now - rateInterval * depth) + rateInterval;
        }
        if (prefilling)
        {
            if (prefillNext >= chunks)
            {
                return;
            }
            final long chunk = prefillNext++;
            slotChunk[slot] = chunk;
            slotRead[slot] = false;
            busy[(int)chunk] = true;
            fill(bufs[slot], chunk, versions[(int)chunk] + 1);
            slotStart[slot] = System.nanoTime();
            if (q.submitWrite(nsid, (firstChunk + chunk) * blocksPerIo, blocksPerIo, bufs[slot], slot) < 0)
            {
                busy[(int)chunk] = false;
                prefillNext--;
                return;
            }
            inflight++;
            return;
        }
        long chunk;
        int tries = 0;
        do
        {
            chunk = random ? Long.remainderUnsigned(next(), chunks) : (seq++ % chunks);
        }
        while (verify && busy[(int)chunk] && ++tries < 64);
        if (verify && busy[(int)chunk])
        {
            return; // every candidate busy (tiny range): try again on the next completion
        }
        final boolean read = readPct == 100 || (readPct > 0 && Long.remainderUnsigned(next(), 100) < readPct);
        slotChunk[slot] = chunk;
        slotRead[slot] = read;
        final ByteBuffer b = bufs[slot];
        if (verify)
        {
            busy[(int)chunk] = true;
            if (!read)
            {
                fill(b, chunk, versions[(int)chunk] + 1);
            }
        }
        final long lba = (firstChunk + chunk) * blocksPerIo;
        slotStart[slot] = System.nanoTime();
        final int r = read ? q.submitRead(nsid, lba, blocksPerIo, b, slot) :
            q.submitWrite(nsid, lba, blocksPerIo, b, slot);
        if (r < 0)
        {
            if (verify)
            {
                busy[(int)chunk] = false;
            }
            return;
        }
        inflight++;
    }

    @Override
    public void onComplete(final long userTag, final int status)
    {
        final int slot = (int)userTag;
        inflight--;
        completed++;
        final long now = System.nanoTime();
        if (liveLatency != null)
        {
            liveLatency.record(now - slotStart[slot]);
        }
        if (measure)
        {
            histogram.recordValue(Math.max(0, now - slotStart[slot]));
            measuredIos++;
            if (pauses != null)
            {
                if (!pausesReset)
                {
                    // the gaps of the prefill and warm-up do not count; the first measured completion starts anew
                    pauses.resetLongestGap();
                    pausesReset = true;
                }
                maxPauseNanos = pauses.longestGapNanos();
            }
        }
        final int chunk = (int)slotChunk[slot];
        if (status != 0)
        {
            errors++;
            if (firstError == null)
            {
                firstError = (slotRead[slot] ? "read" : "write") + " status " +
                    NvmeStatus.describe(status, slotRead[slot] ? 0x02 : 0x01);
            }
        }
        else if (verify)
        {
            if (slotRead[slot])
            {
                final int v = versions[chunk];
                if (v != 0)
                {
                    verified++;
                    if (!check(bufs[slot], chunk, v))
                    {
                        mismatches++;
                        if (firstError == null)
                        {
                            firstError = "data mismatch at LBA " + (firstChunk + chunk) * blocksPerIo;
                        }
                    }
                }
            }
            else
            {
                versions[chunk]++;
            }
        }
        if (verify)
        {
            busy[chunk] = false;
        }
        submit(slot);
    }

    private static long word(final long chunk, final int version, final int i)
    {
        long x = (chunk << 20) ^ ((long)version << 44) ^ i * 0x9E3779B97F4A7C15L;
        x ^= x >>> 29;
        return x;
    }

    private void fill(final ByteBuffer b, final long chunk, final int version)
    {
        for (int i = 0; i + 8 <= ioSize; i += 8)
        {
            b.putLong(i, word(chunk, version, i));
        }
    }

    private boolean check(final ByteBuffer b, final long chunk, final int version)
    {
        for (int i = 0; i + 8 <= ioSize; i += 8)
        {
            if (b.getLong(i) != word(chunk, version, i))
            {
                return false;
            }
        }
        return true;
    }
}
