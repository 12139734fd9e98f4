package org.nvmeof4j.gateway;

import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import org.nvmeof4j.host.CompletionHandler;
import org.nvmeof4j.host.IoQueue;
import org.nvmeof4j.host.queue.HostQueue;
import org.nvmeof4j.protocol.nvme.NvmeStatus;
import org.nvmeof4j.protocol.nvme.Opcodes;
import org.nvmeof4j.target.offload.AsyncBackendQueue;
import org.nvmeof4j.target.offload.BackendIo;
import org.nvmeof4j.tcp.Poller;
import org.nvmeof4j.tcp.PollerTask;

/**
 * One polled host I/O queue to the backend controller, owned by one target poller: a task of that poller, so the
 * backend's completions are reaped in the same duty cycle as the front-end connections they answer, on the same
 * thread (no hand-off, no lock), and the backend socket is registered with the poller's selector so that a sleeping
 * poller wakes on a backend completion as it does on a front-end capsule.
 *
 * <p>Queue depth: at most {@link IoQueue#depth()} commands are outstanding at the backend; the rest wait here in
 * submission order and go out as completions free slots.
 *
 * <p>Faults: the host's own recovery runs underneath (a lost connection is reconnected and the commands in flight
 * are sent again, every {@code reconnect_delay} until {@code ctrl_loss_tmo}; then they fail). A command still
 * outstanding {@code io_timeout} plus a grace period after its submission times the queue out: the queue's
 * connection is closed (so nothing can land in a buffer any more) and every command on it completes with
 * {@link BackendIo#TIMEOUT}, as does a command that waited that long for a backend slot. A new queue is opened on
 * another thread (the poller never blocks for a connect); commands submitted meanwhile wait for it, within the same
 * timeout, and fail with {@link BackendIo#ERROR} if it cannot be opened.
 */
final class PolledBackendQueue implements AsyncBackendQueue, PollerTask, CompletionHandler
{
    /** How long after a failed open no new open is tried (the submissions meanwhile fail at once). */
    static final long REOPEN_BACKOFF_NANOS = 1_000_000_000L;

    private final NvmeTcpBackendController owner;
    private final Poller poller;
    private final String name;
    private final long timeoutNanos;
    private final long checkNanos;
    private IoQueue queue;
    private SelectableChannel registered;
    private BackendIo[] inflight = new BackendIo[0];
    private int[] freeTags = new int[0];
    private int freeTop;
    private int inflightCount;
    private BackendIo waitHead;
    private BackendIo waitTail;
    private int waitingCount;
    /** The owners that had completions in this batch, and one command of each (to call its batchDone). */
    private Object[] touchedOwners = new Object[4];
    private BackendIo[] touchedIos = new BackendIo[4];
    private int touchedCount;
    private long nextCheck;
    private long reopenNotBefore;
    private String lastOpenError;
    /** A new queue is being opened on another thread. */
    private boolean reopening;
    /** While the queue is being closed for a timeout: the commands it fails are reported as timed out. */
    private boolean closingForTimeout;
    private int maxInflight;
    private long waited;
    private long timeouts;
    private String shutdownReason;
    private volatile String closeRequested;
    private boolean closed;

    PolledBackendQueue(final NvmeTcpBackendController owner, final Poller poller, final IoQueue queue,
        final long timeoutNanos)
    {
        this.owner = owner;
        this.poller = poller;
        this.name = owner.name() + " queue " + queue.qid();
        this.timeoutNanos = timeoutNanos;
        this.checkNanos = Math.max(1_000_000L, Math.min(100_000_000L, timeoutNanos / 10));
        adopt(queue);
        this.nextCheck = System.nanoTime() + checkNanos;
    }

    private void adopt(final IoQueue q)
    {
        queue = q;
        registered = null;
        final int depth = q.depth();
        if (inflight.length != depth)
        {
            // once per queue size (the first queue; a reopened one has the same size): no allocation per I/O
            inflight = new BackendIo[depth];
            freeTags = new int[depth];
            for (int i = 0; i < depth; i++)
            {
                freeTags[i] = depth - 1 - i;
            }
            freeTop = depth;
        }
    }

    /** @return the poller that owns this queue. */
    Poller poller()
    {
        return poller;
    }

    // ------------------------------------------------------------------------------------------------------------
    // submission

    @Override
    public void submit(final BackendIo io)
    {
        if (closed || closeRequested != null)
        {
            io.complete(BackendIo.ERROR, 0, owner.name() + ": backend controller closed");
            return;
        }
        io.deadlineNanos(System.nanoTime() + timeoutNanos);
        if (waitHead != null || !trySend(io))
        {
            io.next(null);
            if (waitTail == null)
            {
                waitHead = io;
            }
            else
            {
                waitTail.next(io);
            }
            waitTail = io;
            waitingCount++;
            waited++;
        }
    }

    @Override
    public int outstanding()
    {
        return inflightCount + waitingCount;
    }

    /** @return commands outstanding at the backend now (at most its queue depth). */
    int inflightAtBackend()
    {
        return inflightCount;
    }

    /** @return commands waiting for a free backend slot. */
    int waiting()
    {
        return waitingCount;
    }

    /** @return the most commands that were outstanding at the backend at once. */
    int maxInflight()
    {
        return maxInflight;
    }

    /** @return commands that had to wait for a backend slot (or a new queue). */
    long waited()
    {
        return waited;
    }

    /** @return how many times a timeout closed the backend queue. */
    long timeouts()
    {
        return timeouts;
    }

    /** @return whether the poller holds an open backend queue now. */
    boolean connected()
    {
        return queue != null;
    }

    /** @return true when the command was sent or has completed (failed), false when the backend queue is full. */
    private boolean trySend(final BackendIo io)
    {
        final IoQueue q = openQueue();
        if (q == null)
        {
            if (reopening)
            {
                return false; // waits for the new queue
            }
            finish(io, BackendIo.ERROR, 0, name + ": no backend queue (" + lastOpenError + ")");
            return true;
        }
        if (freeTop == 0)
        {
            return false;
        }
        final int nsid = io.nsid();
        final int bs = q.blockSize(nsid);
        if (bs <= 0)
        {
            finish(io, BackendIo.STATUS, NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.status(),
                owner.name() + " has no namespace " + nsid);
            return true;
        }
        if (io.offset() % bs != 0 || io.length() % bs != 0)
        {
            finish(io, BackendIo.ERROR, 0, owner.name() + ": " + io.length() + " bytes at " + io.offset() +
                " are not whole " + bs + "-byte blocks");
            return true;
        }
        final int tag = freeTags[freeTop - 1];
        final int slot;
        final ByteBuffer b = io.buffer();
        final int pos = b == null ? 0 : b.position();
        final int lim = b == null ? 0 : b.limit();
        try
        {
            switch (io.opcode())
            {
                case Opcodes.IO_READ:
                    b.limit(io.index() + io.length()).position(io.index());
                    slot = q.submitRead(nsid, io.offset() / bs, io.length() / bs, b, tag);
                    break;
                case Opcodes.IO_WRITE:
                    b.limit(io.index() + io.length()).position(io.index());
                    slot = q.submitWrite(nsid, io.offset() / bs, io.length() / bs, b, tag);
                    break;
                case Opcodes.IO_FLUSH:
                    slot = q.submitFlush(nsid, tag);
                    break;
                default:
                    finish(io, BackendIo.STATUS, NvmeStatus.INVALID_OPCODE.status(),
                        owner.name() + ": opcode 0x" + Integer.toHexString(io.opcode()) + " not supported");
                    return true;
            }
        }
        catch (final RuntimeException e)
        {
            finish(io, BackendIo.ERROR, 0, name + ": " + e.getMessage());
            return true;
        }
        finally
        {
            if (b != null)
            {
                restore(b, pos, lim);
            }
        }
        if (slot < 0)
        {
            return false; // every host request slot is in use (the host's own queue full): wait for a completion
        }
        freeTop--;
        inflight[tag] = io;
        if (++inflightCount > maxInflight)
        {
            maxInflight = inflightCount;
        }
        return true;
    }

    /**
     * @return the host queue; null while a new one is being opened after a timeout closed the last one (then
     *         {@link #reopening}), or when it cannot be opened now.
     */
    private IoQueue openQueue()
    {
        if (queue != null)
        {
            return queue;
        }
        if (closed || reopening || System.nanoTime() - reopenNotBefore < 0)
        {
            return null;
        }
        reopening = true;
        // a connect blocks: on a thread of its own, so the poller serves everything else meanwhile (rare: after a
        // timeout only)
        final Thread t = new Thread(this::reopen, "nvmeof4j-gateway-reopen-" + poller.name());
        t.setDaemon(true);
        t.start();
        return null;
    }

    /** The reopen thread: open a queue and hand it, or the failure, to the poller. */
    private void reopen()
    {
        IoQueue q = null;
        String error = null;
        try
        {
            q = owner.controller().openIoQueue();
        }
        catch (final RuntimeException e)
        {
            error = String.valueOf(e.getMessage());
        }
        final IoQueue opened = q;
        final String failure = error;
        poller.execute(() -> reopened(opened, failure));
    }

    /** Poller thread: the reopen ended. */
    private void reopened(final IoQueue q, final String error)
    {
        reopening = false;
        if (q != null && (closed || closeRequested != null))
        {
            q.close();
            return;
        }
        if (q == null)
        {
            lastOpenError = error;
            reopenNotBefore = System.nanoTime() + REOPEN_BACKOFF_NANOS;
            // nothing to wait for any more: what waited for the queue fails now
            while (waitHead != null)
            {
                final BackendIo io = waitHead;
                unlinkWaiting(null, io);
                finish(io, BackendIo.ERROR, 0, name + ": no backend queue (" + error + ")");
            }
            batchDone();
            return;
        }
        adopt(q);
        drainWaiting();
        batchDone();
    }

    /** Send waiting commands while the backend has room, oldest first. */
    private int drainWaiting()
    {
        int n = 0;
        while (waitHead != null)
        {
            final BackendIo io = waitHead;
            waitHead = io.next();
            if (waitHead == null)
            {
                waitTail = null;
            }
            io.next(null);
            waitingCount--;
            if (!trySend(io))
            {
                // back to the front: it stays the oldest
                io.next(waitHead);
                waitHead = io;
                if (waitTail == null)
                {
                    waitTail = io;
                }
                waitingCount++;
                break;
            }
            n++;
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------------------------
    // completion

    @Override
    public void onComplete(final long userTag, final int status)
    {
        final int tag = (int)userTag;
        final BackendIo io = inflight[tag];
        if (io == null)
        {
            return; // not ours (cannot happen: every host request carries one of our tags)
        }
        inflight[tag] = null;
        freeTags[freeTop++] = tag;
        inflightCount--;
        if (status == 0)
        {
            finish(io, BackendIo.OK, 0, null);
        }
        else if (closingForTimeout)
        {
            // every command on a queue the backend stopped answering fails as timed out, the first late one's
            // companions included: the backend never answered them either, and they cannot complete any more
            finish(io, BackendIo.TIMEOUT, 0, name + ": no completion within " + timeoutNanos / 1_000_000 +
                " ms (queue closed)");
        }
        else if (shutdownReason != null)
        {
            finish(io, BackendIo.ERROR, 0, shutdownReason);
        }
        else if (status == IoQueue.STATUS_CONTROLLER_LOST)
        {
            finish(io, BackendIo.ERROR, 0, owner.name() + ": controller lost");
        }
        else if ((status & NvmeStatus.SCT_SC_MASK) == NvmeStatus.HOST_PATHING_ERROR.status())
        {
            finish(io, BackendIo.ERROR, 0, owner.name() + ": connection lost");
        }
        else
        {
            finish(io, BackendIo.STATUS, status & NvmeStatus.SCT_SC_MASK, owner.name() + ": " +
                NvmeStatus.describe(status));
        }
    }

    /** Complete one command and remember its owner for the end of the batch. */
    private void finish(final BackendIo io, final int outcome, final int status, final String detail)
    {
        final Object o = io.owner();
        int i = 0;
        while (i < touchedCount && touchedOwners[i] != o)
        {
            i++;
        }
        if (i == touchedCount)
        {
            if (i == touchedOwners.length)
            {
                touchedOwners = java.util.Arrays.copyOf(touchedOwners, i * 2);
                touchedIos = java.util.Arrays.copyOf(touchedIos, i * 2);
            }
            touchedOwners[i] = o;
            touchedIos[i] = io;
            touchedCount++;
        }
        io.complete(outcome, status, detail);
    }

    /** Tell each owner that had completions that the batch is over (it writes its responses), once each. */
    private void batchDone()
    {
        for (int i = 0; i < touchedCount; i++)
        {
            final BackendIo io = touchedIos[i];
            touchedOwners[i] = null;
            touchedIos[i] = null;
            try
            {
                io.batchDone();
            }
            catch (final RuntimeException ignore)
            {
                // one front connection's failure must not keep the others' responses back
            }
        }
        touchedCount = 0;
    }

    // ------------------------------------------------------------------------------------------------------------
    // duty cycle

    @Override
    public int doWork()
    {
        if (closeRequested != null && !closed)
        {
            shutdown(closeRequested);
            return 1;
        }
        int work = 0;
        final IoQueue q = queue;
        if (q != null)
        {
            work += q.poll(this);
            if (q instanceof HostQueue hq)
            {
                final SelectableChannel ch = hq.channel();
                if (ch != registered && ch != null && ch.isOpen())
                {
                    // a new connection (first use, or after a reconnect): wake this poller on its completions too
                    registered = ch;
                    poller.wakeOnRead(ch);
                }
            }
        }
        if (waitHead != null)
        {
            work += drainWaiting();
        }
        final long now = System.nanoTime();
        if (now - nextCheck >= 0)
        {
            nextCheck = now + checkNanos;
            work += checkTimeouts(now);
        }
        batchDone();
        return work;
    }

    /** Close the queue when a command outlived the timeout; @return a work count. */
    private int checkTimeouts(final long now)
    {
        boolean expired = false;
        for (int i = 0; i < inflight.length && !expired; i++)
        {
            expired = inflight[i] != null && now - inflight[i].deadlineNanos() >= 0;
        }
        for (BackendIo io = waitHead; io != null && !expired; io = io.next())
        {
            expired = now - io.deadlineNanos() >= 0;
        }
        if (!expired)
        {
            return 0;
        }
        closingForTimeout = true;
        timeouts++;
        try
        {
            closeQueue();
            // waiting commands that are late fail too; the others go out on a new queue
            BackendIo prev = null;
            for (BackendIo io = waitHead; io != null; )
            {
                final BackendIo next = io.next();
                if (now - io.deadlineNanos() >= 0)
                {
                    unlinkWaiting(prev, io);
                    finish(io, BackendIo.TIMEOUT, 0, name + ": waited " + timeoutNanos / 1_000_000 +
                        " ms for a backend slot");
                }
                else
                {
                    prev = io;
                }
                io = next;
            }
        }
        finally
        {
            closingForTimeout = false;
        }
        return 1;
    }

    private void unlinkWaiting(final BackendIo prev, final BackendIo io)
    {
        final BackendIo next = io.next();
        if (prev == null)
        {
            waitHead = next;
        }
        else
        {
            prev.next(next);
        }
        if (waitTail == io)
        {
            waitTail = prev;
        }
        io.next(null);
        waitingCount--;
    }

    /**
     * Close the host queue (its socket first, so the backend can no longer write into any command's buffer) and
     * complete every command that was on it.
     */
    private void closeQueue()
    {
        final IoQueue q = queue;
        queue = null;
        registered = null;
        if (q != null)
        {
            try
            {
                q.close();
                q.poll(this); // the host completes what it held (Host Pathing Error)
            }
            catch (final RuntimeException ignore)
            {
                // closing anyway: the commands are completed below
            }
        }
        for (int i = 0; i < inflight.length; i++)
        {
            final BackendIo io = inflight[i];
            if (io != null)
            {
                // the host kept it (waiting for a reconnect): its connection is closed, so it is ours to end
                onComplete(i, NvmeStatus.HOST_PATHING_ERROR.status());
            }
        }
    }

    /** Ask the owning poller to close this queue and fail what it holds (any thread). */
    void requestClose(final String reason)
    {
        closeRequested = reason;
        poller.wakeup();
    }

    /** Close for good: every command outstanding completes with {@link BackendIo#ERROR}. Owning thread. */
    private void shutdown(final String reason)
    {
        if (closed)
        {
            return;
        }
        closed = true;
        shutdownReason = reason;
        closeQueue();
        while (waitHead != null)
        {
            final BackendIo io = waitHead;
            unlinkWaiting(null, io);
            finish(io, BackendIo.ERROR, 0, reason);
        }
        batchDone();
        owner.released(this);
    }

    @Override
    public void onError(final Throwable error)
    {
        shutdown(owner.name() + ": poller stopped (" + error + ")");
    }

    @Override
    public boolean isActive()
    {
        return !closed;
    }

    @Override
    public boolean prepareToSleep()
    {
        final IoQueue q = queue;
        return closeRequested != null && !closed || q instanceof HostQueue hq && hq.armWakeup();
    }

    private static void restore(final ByteBuffer b, final int pos, final int lim)
    {
        if (pos > b.limit())
        {
            b.limit(lim).position(pos);
        }
        else
        {
            b.position(pos).limit(lim);
        }
    }

    @Override
    public String toString()
    {
        return name + " on " + poller.name();
    }
}
