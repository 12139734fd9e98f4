package org.nvmeof4j.host.multipath;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.nvmeof4j.host.CompletionHandler;
import org.nvmeof4j.host.IoQueue;
import org.nvmeof4j.host.Namespace;
import org.nvmeof4j.host.NvmeException;

/**
 * The polled {@link IoQueue} shape over a multipath {@link NvmeSubsystem} ({@link NvmeSubsystem#openIoQueue}): the
 * owning thread submits and {@link #poll}s, completions are handed to it in {@link #poll}. Underneath, each I/O takes
 * the subsystem's async path (so failover and queueing work the same); it allocates per I/O and costs a thread hop
 * per completion, unlike a controller's own polled queue. It also measures the longest gap between two completions
 * ({@link #longestGapNanos}): the longest I/O pause the owner saw, e.g. during a failover.
 *
 * <p>Thread model: submit, poll, await and close on the owning thread only; completions arrive from any thread.
 */
public final class SubsystemIoQueue implements IoQueue
{
    private final NvmeSubsystem subsystem;
    private final int qid;
    private final int depth;
    private final ConcurrentLinkedQueue<long[]> done = new ConcurrentLinkedQueue<>();
    private volatile Thread owner;
    private int outstanding;
    private long lastCompletionNanos;
    private long longestGapNanos;

    SubsystemIoQueue(final NvmeSubsystem subsystem, final int qid, final int depth)
    {
        if (depth < 1)
        {
            throw new IllegalArgumentException("depth must be positive: " + depth);
        }
        this.subsystem = subsystem;
        this.qid = qid;
        this.depth = depth;
    }

    @Override
    public int qid()
    {
        return qid;
    }

    @Override
    public int depth()
    {
        return depth;
    }

    @Override
    public int outstanding()
    {
        return outstanding;
    }

    private int track(final CompletableFuture<Void> f, final long userTag)
    {
        outstanding++;
        f.whenComplete((v, e) ->
        {
            done.add(new long[] {userTag, statusOf(e)});
            final Thread t = owner;
            if (t != null)
            {
                LockSupport.unpark(t);
            }
        });
        return 0;
    }

    /** The NVMe status of a failed I/O; a lost subsystem or a transport failure as Controller Lost. */
    static int statusOf(final Throwable error)
    {
        if (error == null)
        {
            return 0;
        }
        final Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() :
            error;
        return e instanceof NvmeException ne ? ne.status() : STATUS_CONTROLLER_LOST;
    }

    @Override
    public int submitRead(final int nsid, final long lba, final int blocks, final ByteBuffer dst, final long userTag)
    {
        if (outstanding >= depth)
        {
            return QUEUE_FULL;
        }
        return track(subsystem.read(nsid, lba, blocks, dst), userTag);
    }

    @Override
    public int submitWrite(final int nsid, final long lba, final int blocks, final ByteBuffer src, final long userTag)
    {
        if (outstanding >= depth)
        {
            return QUEUE_FULL;
        }
        return track(subsystem.write(nsid, lba, blocks, src), userTag);
    }

    @Override
    public int submitFlush(final int nsid, final long userTag)
    {
        if (outstanding >= depth)
        {
            return QUEUE_FULL;
        }
        return track(subsystem.flush(nsid), userTag);
    }

    /** Not offered on a multipath subsystem yet. */
    @Override
    public int submitWriteZeroes(final int nsid, final long lba, final long blocks, final long userTag)
    {
        throw new UnsupportedOperationException("Write Zeroes is not offered on a multipath subsystem yet");
    }

    /** Not offered on a multipath subsystem yet. */
    @Override
    public int submitDeallocate(final int nsid, final long lba, final int blocks, final long userTag)
    {
        throw new UnsupportedOperationException("Deallocate is not offered on a multipath subsystem yet");
    }

    @Override
    public int poll(final CompletionHandler handler)
    {
        int n = 0;
        long[] c;
        while ((c = done.poll()) != null)
        {
            outstanding--;
            final long now = System.nanoTime();
            if (lastCompletionNanos != 0)
            {
                longestGapNanos = Math.max(longestGapNanos, now - lastCompletionNanos);
            }
            lastCompletionNanos = now;
            handler.onComplete(c[0], (int)c[1]);
            n++;
        }
        return n;
    }

    @Override
    public long completionResult()
    {
        return 0;
    }

    @Override
    public void await(final long maxNanos)
    {
        owner = Thread.currentThread();
        if (done.isEmpty())
        {
            LockSupport.parkNanos(Math.max(1_000_000L, maxNanos));
        }
    }

    @Override
    public int blockSize(final int nsid)
    {
        final Namespace ns = subsystem.namespace(nsid);
        return ns == null ? -1 : ns.blockSize();
    }

    /** @return the longest time between two completions delivered by {@link #poll}, in nanoseconds. */
    public long longestGapNanos()
    {
        return longestGapNanos;
    }

    /** Forget the gaps measured so far (e.g. after a warm-up). */
    public void resetLongestGap()
    {
        longestGapNanos = 0;
        lastCompletionNanos = 0;
    }

    /** Nothing to close: the subsystem owns the connections. I/O still outstanding completes unseen. */
    @Override
    public void close()
    {
        owner = null;
    }
}
