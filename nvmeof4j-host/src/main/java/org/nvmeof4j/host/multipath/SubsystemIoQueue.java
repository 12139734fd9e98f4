package org.nvmeof4j.host.multipath;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.nvmeof4j.host.CompletionHandler;
import org.nvmeof4j.host.IoQueue;
import org.nvmeof4j.host.Namespace;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.host.queue.HostQueue;
import org.nvmeof4j.protocol.nvme.Cqe;
import org.nvmeof4j.protocol.nvme.NvmeStatus;

/**
 * The polled {@link IoQueue} of a multipath {@link NvmeSubsystem} ({@link NvmeSubsystem#openIoQueue}): the owning
 * thread holds one polled queue of every path's controller ({@link NvmeController#openIoQueue}, as a single-path
 * polled queue), picks the path of each I/O with the subsystem's policy and ANA states
 * ({@link NvmeSubsystem#select(int, int)}), and {@link #poll}s every path's queue itself: no thread hop, no sleep,
 * nothing allocated per I/O (request records are preallocated slots; the round-robin cursor is this queue's own).
 *
 * <p><b>Failover</b> follows the async path's rule ({@link NvmeSubsystem#pathFailed}): an attempt that comes back
 * with a path status (an ANA status; a host pathing error, which is what the path's queue reports for a command in
 * flight when its connection is lost, since a subsystem's paths fail such commands instead of resending them) is
 * sent again on another usable path, writes included; any other status completes the I/O. While no path is usable
 * the I/O waits here, tried again on every {@link #poll}, until a path is usable or every path's controller is lost
 * ({@code ctrl_loss_tmo}); then it completes with {@link #STATUS_CONTROLLER_LOST}. Each I/O completes exactly once.
 *
 * <p>A path that is not live when the queue opens (or never connected yet) gets its queue later: once its controller
 * is live, the queue is connected on the subsystem's background thread and taken over at the next {@link #poll}. A
 * path whose queue lost its connection gets a new one with its controller's reconnect, as any polled queue.
 *
 * <p>It also measures the longest gap between two completions ({@link #longestGapNanos}): the longest I/O pause the
 * owner saw, e.g. during a failover.
 *
 * <p>Thread model: submit, poll, await and close on the owning thread only.
 */
public final class SubsystemIoQueue implements IoQueue
{
    private static final byte READ = 0;
    private static final byte WRITE = 1;
    private static final byte FLUSH = 2;
    private static final byte WRITE_ZEROES = 3;
    private static final byte DEALLOCATE = 4;
    /** The status of an attempt that a path's queue refused at submission (its namespace unknown there). */
    private static final int STATUS_INVALID_NAMESPACE = NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.status() |
        Cqe.STATUS_DNR;
    /** Longest {@link #await} over a path queue that has no channel to select on (not a {@link HostQueue}). */
    private static final long FOREIGN_QUEUE_AWAIT_NANOS = 1_000_000L;
    private static final Consumer<SelectionKey> IGNORE_KEY = k -> { };

    private final NvmeSubsystem subsystem;
    private final List<NvmePath> paths;
    private final int qid;
    private final int depth;
    /** The polled queue of each path (by path index), null until opened. */
    private final IoQueue[] queues;
    /** A queue opened in the background for a path, taken over by the owner at its next poll. */
    private final PathOpener[] openers;
    private final PathHandler[] handlers;

    // request slots, by slot index
    private final byte[] op;
    private final int[] nsid;
    private final long[] lba;
    private final long[] blocks;
    private final ByteBuffer[] buffer;
    private final long[] userTag;
    /** The path index of the attempt in flight, -1 when none (waiting for a path or free). */
    private final int[] pathOf;
    private final long[] reconnectsAtSend;
    private final long[] waitingSince;
    private final int[] free;
    private int freeCount;
    /** Slots waiting for a usable path, in arrival order (a ring of depth entries). */
    private final int[] waiting;
    private int waitingHead;
    private int waitingCount;

    private CompletionHandler handler;
    private IoQueue current;
    private int completions;
    private int turn;
    private int outstanding;
    private long lastCompletionNanos;
    private long longestGapNanos;
    private final SelectableChannel[] registered;
    /**
     * Per path: a command was submitted to its queue outside that queue's own poll (by the application, by a
     * failover from another path's completion, by a waiting I/O sent again), so it is not on the wire until the queue
     * is polled again (a path's queue sends at its duty cycle). {@link #poll} polls such queues once more and
     * {@link #await} does not block while one is left.
     */
    private final boolean[] unflushed;
    /** The path whose queue is being polled now (its handlers' submissions go out at the end of its cycle), or -1. */
    private int polling = -1;
    private final java.util.concurrent.atomic.AtomicLong wakeups = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean closed;

    // counters: written by the owner thread only, read by any (NvmeSubsystem sums them) through opaque accesses
    static final int SUBMITTED = 0;
    static final int COMPLETED = 1;
    static final int ATTEMPTS = 2;
    static final int ATTEMPTS_DONE = 3;
    static final int FAILOVERS = 4;
    static final int QUEUED_NO_PATH = 5;
    static final int LONGEST_WAIT_NANOS = 6;
    static final int COUNTERS = 7;
    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);
    private final long[] counts = new long[COUNTERS];
    private final long[] attemptsPerPath;
    /** The owner waits for input or a {@link #wake} here (one selector over every path's connection). */
    private final Selector selector;

    SubsystemIoQueue(final NvmeSubsystem subsystem, final int qid, final int depth)
    {
        if (depth < 1)
        {
            throw new IllegalArgumentException("depth must be positive: " + depth);
        }
        this.subsystem = subsystem;
        this.paths = subsystem.paths();
        for (final NvmePath p : paths)
        {
            if (depth > p.options().queueSize() - 1)
            {
                throw new IllegalArgumentException("depth " + depth + " does not fit path " + p.address() +
                    " (queue_size " + p.options().queueSize() + ")");
            }
        }
        this.qid = qid;
        this.depth = depth;
        try
        {
            selector = Selector.open();
        }
        catch (final IOException e)
        {
            throw new java.io.UncheckedIOException("cannot open the selector of a polled multipath queue", e);
        }
        final int n = paths.size();
        queues = new IoQueue[n];
        openers = new PathOpener[n];
        handlers = new PathHandler[n];
        registered = new SelectableChannel[n];
        unflushed = new boolean[n];
        attemptsPerPath = new long[n];
        for (int i = 0; i < n; i++)
        {
            openers[i] = new PathOpener(paths.get(i));
            handlers[i] = new PathHandler(i);
        }
        op = new byte[depth];
        nsid = new int[depth];
        lba = new long[depth];
        blocks = new long[depth];
        buffer = new ByteBuffer[depth];
        userTag = new long[depth];
        pathOf = new int[depth];
        reconnectsAtSend = new long[depth];
        waitingSince = new long[depth];
        free = new int[depth];
        waiting = new int[depth];
        for (int s = 0; s < depth; s++)
        {
            free[s] = depth - 1 - s;
            pathOf[s] = -1;
        }
        freeCount = depth;
        try
        {
            for (int i = 0; i < n; i++)
            {
                final NvmeController c = paths.get(i).controller();
                if (c != null && c.state() == NvmeController.State.LIVE)
                {
                    try
                    {
                        queues[i] = c.openIoQueue();
                    }
                    catch (final org.nvmeof4j.host.NvmeTransportException e)
                    {
                        // lost meanwhile: opened later, once live again
                    }
                }
            }
        }
        catch (final RuntimeException e)
        {
            close();
            throw e;
        }
    }

    /** Opens the queue of one path on the subsystem's background thread; the owner takes it at its next poll. */
    private final class PathOpener implements Runnable
    {
        private final NvmePath path;
        /** Set by the background thread, taken (and cleared) by the owner. */
        volatile IoQueue opened;
        /** Whether an open is under way (set by the owner, cleared by the background thread). */
        volatile boolean busy;
        volatile long notBefore;

        PathOpener(final NvmePath path)
        {
            this.path = path;
        }

        @Override
        public void run()
        {
            try
            {
                final NvmeController c = path.controller();
                if (c != null && c.state() == NvmeController.State.LIVE && !closed && !subsystem.isClosed())
                {
                    final IoQueue q = c.openIoQueue();
                    opened = q;
                    if (closed && opened == q)
                    {
                        // closed meanwhile: close() may not have seen it (closing twice is harmless)
                        opened = null;
                        q.close();
                    }
                    else
                    {
                        wake(); // the owner takes it over at once, not at the end of its wait
                    }
                }
            }
            catch (final RuntimeException e)
            {
                path.lastError("polled queue: " + e.getMessage());
                notBefore = System.nanoTime() + path.options().reconnectDelay().toNanos();
            }
            finally
            {
                busy = false;
            }
        }
    }

    /** The completions of one path's queue: passes them to the I/O, or fails over. */
    private final class PathHandler implements CompletionHandler
    {
        private final int path;

        PathHandler(final int path)
        {
            this.path = path;
        }

        @Override
        public void onComplete(final long tag, final int status)
        {
            attemptDone((int)tag, path, status);
        }
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

    // ------------------------------------------------------------------ submission

    private int request(final byte o, final int ns, final long slba, final long nlb, final ByteBuffer buf,
        final long tag)
    {
        if (closed)
        {
            throw new IllegalStateException("queue " + qid + " is closed");
        }
        if (o != FLUSH)
        {
            if (nlb <= 0)
            {
                throw new IllegalArgumentException("block count must be positive: " + nlb);
            }
            final int bs = blockSizeOfOpenQueue(ns);
            if (bs == -1)
            {
                throw new IllegalArgumentException("unknown namespace " + ns + " on " + subsystem.nqn());
            }
            if (buf != null && bs > 0 && nlb * bs > buf.remaining())
            {
                throw new IllegalArgumentException(nlb + " blocks need " + nlb * bs + " bytes, the buffer has " +
                    buf.remaining());
            }
        }
        if (freeCount == 0)
        {
            return QUEUE_FULL;
        }
        final int s = free[--freeCount];
        op[s] = o;
        nsid[s] = ns;
        lba[s] = slba;
        blocks[s] = nlb;
        buffer[s] = buf;
        userTag[s] = tag;
        waitingSince[s] = 0;
        outstanding++;
        count(SUBMITTED);
        dispatch(s);
        return s;
    }

    /** The block size of {@code ns} as any open path queue knows it; 0 when no queue is open yet (checked later). */
    private int blockSizeOfOpenQueue(final int ns)
    {
        boolean any = false;
        for (final IoQueue q : queues)
        {
            if (q != null)
            {
                any = true;
                final int bs = q.blockSize(ns);
                if (bs > 0)
                {
                    return bs;
                }
            }
        }
        return any ? -1 : 0;
    }

    @Override
    public int submitRead(final int nsid, final long lba, final int blocks, final ByteBuffer dst, final long userTag)
    {
        return request(READ, nsid, lba, blocks, dst, userTag);
    }

    @Override
    public int submitWrite(final int nsid, final long lba, final int blocks, final ByteBuffer src, final long userTag)
    {
        return request(WRITE, nsid, lba, blocks, src, userTag);
    }

    @Override
    public int submitFlush(final int nsid, final long userTag)
    {
        return request(FLUSH, nsid, 0, 0, null, userTag);
    }

    @Override
    public int submitWriteZeroes(final int nsid, final long lba, final long blocks, final long userTag)
    {
        return request(WRITE_ZEROES, nsid, lba, blocks, null, userTag);
    }

    @Override
    public int submitDeallocate(final int nsid, final long lba, final int blocks, final long userTag)
    {
        return request(DEALLOCATE, nsid, lba, blocks, null, userTag);
    }

    /** Send slot {@code s} on the path the policy picks, or make it wait for one (or fail it: no path left). */
    private void dispatch(final int s)
    {
        while (true)
        {
            final NvmePath p = subsystem.select(nsid[s], turn++);
            final IoQueue q = p == null ? null : queues[p.index()];
            if (q == null)
            {
                if (p != null)
                {
                    openLater(p.index()); // usable, but its queue is not open yet
                }
                if (!subsystem.anyPathMayReturn() || closed)
                {
                    complete(s, STATUS_CONTROLLER_LOST);
                    return;
                }
                if (waitingSince[s] == 0)
                {
                    waitingSince[s] = System.nanoTime();
                    count(QUEUED_NO_PATH);
                }
                waiting[(waitingHead + waitingCount++) % depth] = s;
                return;
            }
            if (waitingSince[s] != 0)
            {
                final long waited = System.nanoTime() - waitingSince[s];
                if (waited > counts[LONGEST_WAIT_NANOS])
                {
                    COUNT.setOpaque(counts, LONGEST_WAIT_NANOS, waited);
                }
                waitingSince[s] = 0;
            }
            final int path = p.index();
            reconnectsAtSend[s] = p.controller().reconnects();
            int r;
            try
            {
                r = send(q, s);
            }
            catch (final IllegalArgumentException e)
            {
                // this path does not know the namespace (or its size changed): no other path will do better
                complete(s, STATUS_INVALID_NAMESPACE);
                return;
            }
            if (r < 0)
            {
                // the path's queue is full of other queues' commands? it is ours alone: cannot happen with the depth
                // check, but never lose the request
                p.markFailed(reconnectsAtSend[s]);
                continue;
            }
            pathOf[s] = path;
            if (path != polling)
            {
                unflushed[path] = true;
            }
            p.inflight.incrementAndGet();
            count(ATTEMPTS);
            attemptsPerPath[path]++;
            return;
        }
    }

    private int send(final IoQueue q, final int s)
    {
        final long tag = s;
        switch (op[s])
        {
            case READ:
                return q.submitRead(nsid[s], lba[s], (int)blocks[s], buffer[s], tag);
            case WRITE:
                return q.submitWrite(nsid[s], lba[s], (int)blocks[s], buffer[s], tag);
            case FLUSH:
                return q.submitFlush(nsid[s], tag);
            case WRITE_ZEROES:
                return q.submitWriteZeroes(nsid[s], lba[s], blocks[s], tag);
            default:
                return q.submitDeallocate(nsid[s], lba[s], (int)blocks[s], tag);
        }
    }

    // ------------------------------------------------------------------ completion

    private void attemptDone(final int s, final int path, final int status)
    {
        final NvmePath p = paths.get(path);
        p.inflight.decrementAndGet();
        count(ATTEMPTS_DONE);
        pathOf[s] = -1;
        if (status != 0 && !closed && subsystem.pathFailed(p, nsid[s], status, reconnectsAtSend[s]))
        {
            count(FAILOVERS);
            dispatch(s); // another path, or wait for one; never completes here synchronously except on no path left
            return;
        }
        complete(s, status);
    }

    private void complete(final int s, final int status)
    {
        final long tag = userTag[s];
        buffer[s] = null;
        free[freeCount++] = s;
        outstanding--;
        count(COMPLETED);
        completions++;
        final long now = System.nanoTime();
        if (lastCompletionNanos != 0)
        {
            longestGapNanos = Math.max(longestGapNanos, now - lastCompletionNanos);
        }
        lastCompletionNanos = now;
        handler.onComplete(tag, status);
    }

    @Override
    public int poll(final CompletionHandler h)
    {
        handler = h;
        completions = 0;
        if (waitingCount > 0)
        {
            retryWaiting(); // before the paths' polls, which send what it submits
        }
        for (int i = 0; i < queues.length; i++)
        {
            IoQueue q = queues[i];
            if (q == null)
            {
                final PathOpener o = openers[i];
                q = o.opened;
                if (q == null)
                {
                    continue;
                }
                o.opened = null;
                if (closed)
                {
                    q.close();
                    continue;
                }
                queues[i] = q;
            }
            pollPath(i, q);
        }
        if (waitingCount > 0)
        {
            retryWaiting(); // I/O that failed over during the polls and found no path yet, or a queue taken over
        }
        // what went to a queue after its poll (a failover from a later path's completion): on the wire now
        for (int i = 0; i < queues.length; i++)
        {
            if (unflushed[i] && queues[i] != null)
            {
                pollPath(i, queues[i]);
            }
        }
        return completions;
    }

    private void pollPath(final int i, final IoQueue q)
    {
        unflushed[i] = false;
        current = q;
        polling = i;
        try
        {
            q.poll(handlers[i]);
        }
        finally
        {
            polling = -1;
            current = null;
        }
    }

    private void retryWaiting()
    {
        final int n = waitingCount;
        for (int i = 0; i < n; i++)
        {
            final int s = waiting[waitingHead];
            waitingHead = (waitingHead + 1) % depth;
            waitingCount--;
            dispatch(s); // may add it back at the tail
        }
    }

    /** Path {@code i} is usable but has no queue here: open one in the background (once at a time). */
    private void openLater(final int i)
    {
        final PathOpener o = openers[i];
        if (o.busy || o.opened != null || System.nanoTime() - o.notBefore < 0)
        {
            return;
        }
        o.busy = true;
        subsystem.background(o);
    }

    @Override
    public long completionResult()
    {
        final IoQueue q = current;
        return q == null ? 0 : q.completionResult();
    }

    /**
     * Block until a path's connection has bytes to read, {@link #wake} is called, or {@code maxNanos} pass (at least
     * about a millisecond, as any queue's wait). One selector over every open path's connection (registered again
     * after a reconnect); with none open (every path down, I/O waiting) it still waits for a {@link #wake}: the
     * subsystem wakes every polled queue when a path changes (ANA log read, controller state, reconnect, a path's
     * queue opened in the background), so I/O waiting for a path is sent as soon as one is usable, not at the next
     * tick of a timer.
     */
    @Override
    public void await(final long maxNanos)
    {
        if (closed)
        {
            return;
        }
        long max = maxNanos;
        try
        {
            for (int i = 0; i < queues.length; i++)
            {
                final IoQueue q = queues[i];
                if (q != null && unflushed[i])
                {
                    return; // a command not sent yet: the next poll sends it
                }
                if (q == null)
                {
                    if (openers[i].opened != null)
                    {
                        return; // a queue opened in the background: take it over now
                    }
                    continue;
                }
                if (!(q instanceof HostQueue hq))
                {
                    max = Math.min(max, FOREIGN_QUEUE_AWAIT_NANOS); // nothing to select on: look again soon
                    continue;
                }
                if (hq.armWakeup())
                {
                    return; // completions already waiting (a device's ring): poll again
                }
                final SelectableChannel ch = hq.channel();
                if (ch != null && ch != registered[i] && ch.isOpen())
                {
                    ch.register(selector, SelectionKey.OP_READ);
                    registered[i] = ch;
                }
            }
            selector.select(IGNORE_KEY, Math.max(1, max / 1_000_000));
        }
        catch (final ClosedChannelException | java.nio.channels.CancelledKeyException e)
        {
            // a connection closed meanwhile: the next poll sees it
        }
        catch (final IOException e)
        {
            LockSupport.parkNanos(Math.max(1, Math.min(max, FOREIGN_QUEUE_AWAIT_NANOS)));
        }
    }

    /**
     * Make the owner's {@link #await} (the current one, or the next one if it is not waiting) return now: a path may
     * have become usable. Any thread.
     */
    void wake()
    {
        wakeups.incrementAndGet();
        selector.wakeup();
    }

    /** @return how many times {@link #wake} was called. */
    long wakeups()
    {
        return wakeups.get();
    }

    @Override
    public int blockSize(final int nsid)
    {
        final int bs = blockSizeOfOpenQueue(nsid);
        if (bs != 0)
        {
            return bs;
        }
        final Namespace ns = subsystem.namespace(nsid);
        return ns == null ? -1 : ns.blockSize();
    }

    // ------------------------------------------------------------------ counters

    /** Owner thread: one more of counter {@code i} (an opaque write: a reader on another thread sees whole values). */
    private void count(final int i)
    {
        COUNT.setOpaque(counts, i, counts[i] + 1);
    }

    /** @return counter {@code i} ({@link #SUBMITTED} ...); any thread. */
    long counter(final int i)
    {
        return (long)COUNT.getOpaque(counts, i);
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

    /** @return I/O submitted on this queue. */
    public long submitted()
    {
        return counter(SUBMITTED);
    }

    /** @return I/O completed to the handler (success or failure): each exactly once. */
    public long completed()
    {
        return counter(COMPLETED);
    }

    /** @return commands sent on a path (the first send and every failover). */
    public long attempts()
    {
        return counter(ATTEMPTS);
    }

    /** @return commands sent on a path that came back. */
    public long attemptsDone()
    {
        return counter(ATTEMPTS_DONE);
    }

    /** @return commands sent on path {@code index}. */
    public long attempts(final int index)
    {
        return attemptsPerPath[index];
    }

    /** @return I/O sent again on another path after a path error or a lost connection. */
    public long failovers()
    {
        return counter(FAILOVERS);
    }

    /** @return I/O that had to wait because no path was usable. */
    public long queuedNoPath()
    {
        return counter(QUEUED_NO_PATH);
    }

    /** @return the longest time an I/O waited for a usable path, in nanoseconds. */
    public long longestWaitNanos()
    {
        return counter(LONGEST_WAIT_NANOS);
    }

    /** @return how many paths have their queue open here. */
    public int openPaths()
    {
        int n = 0;
        for (final IoQueue q : queues)
        {
            n += q != null ? 1 : 0;
        }
        return n;
    }

    /** Close every path's queue; I/O still outstanding is not completed. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (int i = 0; i < queues.length; i++)
        {
            if (queues[i] != null)
            {
                queues[i].close();
                queues[i] = null;
            }
            final IoQueue late = openers[i].opened;
            if (late != null)
            {
                openers[i].opened = null;
                late.close();
            }
        }
        for (int s = 0; s < depth; s++)
        {
            if (pathOf[s] >= 0)
            {
                paths.get(pathOf[s]).inflight.decrementAndGet();
                pathOf[s] = -1;
            }
        }
        try
        {
            selector.close();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
        subsystem.polledQueueClosed(this);
    }

    @Override
    public String toString()
    {
        return "SubsystemIoQueue{qid=" + qid + ", depth=" + depth + ", outstanding=" + outstanding + ", paths=" +
            openPaths() + "/" + paths.size() + '}';
    }
}
