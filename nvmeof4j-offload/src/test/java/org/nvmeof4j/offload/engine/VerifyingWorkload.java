package org.nvmeof4j.offload.engine;

import java.nio.ByteBuffer;
import org.nvmeof4j.host.CompletionHandler;
import org.nvmeof4j.host.IoQueue;

/**
 * A verifying random read/write workload on one polled queue for the fault tests: every chunk (4 KiB) holds a known
 * version, a read checks it unless a write to the chunk is in flight, every request must complete exactly once, and a
 * buffer that completed is filled with a sentinel and checked again before its next use, so a device that wrote into
 * it after its completion is caught.
 */
final class VerifyingWorkload implements CompletionHandler
{
    static final int CHUNK = 4096;
    private static final byte SENTINEL = (byte)0xA5;

    private final IoQueue q;
    private final int depth;
    private final int chunks;
    private final long firstLba;
    private final ByteBuffer[] bufs;
    private final int[] bufOfTag;
    private final int[] versions;
    private final boolean[] busy;
    private final long[] tagChunk;
    private final boolean[] tagRead;
    private final int[] tagVersion;
    private final int[] completionsOfTag;
    private final boolean[] tagOutstanding;
    private long rng = 0x2545F4914F6CDD1DL;
    private int nextBuf;
    private boolean stopping;
    private final org.nvmeof4j.tcp.IdleStrategy idle = org.nvmeof4j.tcp.IdleStrategy.backoff(200, 0, 10_000_000L);
    private final org.nvmeof4j.tcp.IdleStrategy.Waiter waiter;
    long completed;
    long errors;
    long mismatches;
    long doubleCompletions;
    long sentinelBroken;
    int firstErrorStatus;

    VerifyingWorkload(final IoQueue q, final int depth, final int chunks, final long firstLba)
    {
        this.q = q;
        this.depth = depth;
        this.chunks = chunks;
        this.firstLba = firstLba;
        bufs = new ByteBuffer[depth * 4];
        for (int i = 0; i < bufs.length; i++)
        {
            bufs[i] = ByteBuffer.allocateDirect(CHUNK);
            fillSentinel(bufs[i]);
        }
        bufOfTag = new int[depth];
        versions = new int[chunks];
        busy = new boolean[chunks];
        tagChunk = new long[depth];
        tagRead = new boolean[depth];
        tagVersion = new int[depth];
        completionsOfTag = new int[depth];
        tagOutstanding = new boolean[depth];
        waiter = q::await;
    }

    private static void fillSentinel(final ByteBuffer b)
    {
        for (int i = 0; i < CHUNK; i++)
        {
            b.put(i, SENTINEL);
        }
    }

    private static boolean isSentinel(final ByteBuffer b)
    {
        for (int i = 0; i < CHUNK; i++)
        {
            if (b.get(i) != SENTINEL)
            {
                return false;
            }
        }
        return true;
    }

    private static void fill(final ByteBuffer b, final long chunk, final int version)
    {
        for (int i = 0; i < CHUNK; i += 8)
        {
            b.putLong(i, chunk * 1_000_003L + version * 31L + i);
        }
    }

    private static boolean check(final ByteBuffer b, final long chunk, final int version)
    {
        for (int i = 0; i < CHUNK; i += 8)
        {
            if (b.getLong(i) != chunk * 1_000_003L + version * 31L + i)
            {
                return false;
            }
        }
        return true;
    }

    private long next()
    {
        rng ^= rng << 13;
        rng ^= rng >>> 7;
        rng ^= rng << 17;
        return rng;
    }

    /** Prefill every chunk with version 1, then run until {@code ops} requests completed (or the deadline). */
    void run(final long ops, final long deadlineNanos, final Runnable atHalf)
    {
        for (int c = 0; c < chunks; c++)
        {
            versions[c] = 0;
        }
        for (int t = 0; t < depth; t++)
        {
            submit(t);
        }
        boolean half = false;
        while (completed < ops && System.nanoTime() < deadlineNanos && q.outstanding() > 0)
        {
            idle.idle(q.poll(this), waiter);
            if (!half && completed >= ops / 2)
            {
                half = true;
                if (atHalf != null)
                {
                    atHalf.run();
                }
            }
        }
        // let the last requests finish, submitting no more
        stopping = true;
        final long end = System.nanoTime() + 15_000_000_000L;
        while (q.outstanding() > 0 && System.nanoTime() < end)
        {
            idle.idle(q.poll(this), waiter);
        }
    }

    private void submit(final int tag)
    {
        final ByteBuffer b = bufs[nextBuf];
        bufOfTag[tag] = nextBuf;
        nextBuf = (nextBuf + 1) % bufs.length;
        if (!isSentinel(b))
        {
            sentinelBroken++;
        }
        long chunk = Long.remainderUnsigned(next(), chunks);
        for (int i = 0; i < chunks && busy[(int)chunk]; i++)
        {
            chunk = (chunk + 1) % chunks;
        }
        busy[(int)chunk] = true;
        final boolean read = versions[(int)chunk] > 0 && (next() & 1) == 0;
        tagChunk[tag] = chunk;
        tagRead[tag] = read;
        completionsOfTag[tag] = 0;
        tagOutstanding[tag] = true;
        final long lba = firstLba + chunk * (CHUNK / 512);
        final int r;
        if (read)
        {
            tagVersion[tag] = versions[(int)chunk];
            r = q.submitRead(1, lba, CHUNK / 512, b, tag);
        }
        else
        {
            tagVersion[tag] = versions[(int)chunk] + 1;
            fill(b, chunk, tagVersion[tag]);
            r = q.submitWrite(1, lba, CHUNK / 512, b, tag);
        }
        if (r < 0)
        {
            throw new IllegalStateException("queue full at depth " + depth);
        }
    }

    @Override
    public void onComplete(final long userTag, final int status)
    {
        final int tag = (int)userTag;
        if (!tagOutstanding[tag])
        {
            doubleCompletions++;
            return;
        }
        tagOutstanding[tag] = false;
        completed++;
        final ByteBuffer b = bufs[bufOfTag[tag]];
        final int chunk = (int)tagChunk[tag];
        if (status != 0)
        {
            errors++;
            if (firstErrorStatus == 0)
            {
                firstErrorStatus = status;
            }
        }
        else if (tagRead[tag])
        {
            if (!check(b, chunk, tagVersion[tag]))
            {
                mismatches++;
            }
        }
        else
        {
            versions[chunk] = tagVersion[tag];
        }
        busy[chunk] = false;
        fillSentinel(b);
        if (status == 0 && !stopping)
        {
            submit(tag);
        }
    }

    @Override
    public String toString()
    {
        return "completed=" + completed + " errors=" + errors + " mismatches=" + mismatches + " double=" +
            doubleCompletions + " sentinelBroken=" + sentinelBroken;
    }
}
