package org.nvmeof4j.host.offload;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectableChannel;
import java.util.function.Consumer;
import org.nvmeof4j.host.spi.QueueOwner;
import org.nvmeof4j.host.spi.TransportQueue;
import org.nvmeof4j.protocol.nvme.Opcodes;
import org.nvmeof4j.protocol.nvme.Sqe;

/**
 * One offloaded NVMe queue, the ULP's side (seed 002's {@code struct nvme_tcp_ofld_queue}): its requests, and the
 * {@link TransportQueue} the controller level drives ({@link #transportQueue()}). It works at the I/O level only: a
 * command becomes a request handed to the driver ({@code mapSg}, {@code sendReq}, {@code commitRqs} at the end of a
 * duty cycle), a completion comes back through {@link NvmeTcpOfldReq#done} inside {@code pollQueue}. Nothing in
 * between: no PDU, no socket, no digest.
 *
 * <p><b>Errors.</b> The driver reports a queue error with {@link #reportQueueErr} (any thread). The owner's next
 * duty cycle stops the queue ({@code drainQueue}, one last {@code pollQueue} for what the device had finished,
 * {@code destroyQueue}) and tells the controller level, whose error recovery reconnects and re-drives the requests
 * still outstanding. Because {@code drainQueue} returns only once the device will not complete anything or touch any
 * buffer again, a request is never completed twice and a caller's buffer is never written after its completion.
 */
public final class NvmeTcpOfldQueue
{
    private static final byte FREE = 0;
    private static final byte SENT = 1;
    /** Outstanding for the ULP, never handed to the device (the queue had failed, or mapSg/sendReq refused it). */
    private static final byte HELD = 2;

    private final NvmeTcpOfldCtrl ctrl;
    private final int qid;
    private final int queueSize;
    private final NvmeTcpOfldReq[] reqs;
    private final byte[] state;
    private final int[] ownerRequest;
    private final long[] sentAt;
    private final int[] free;
    private int freeTop;
    private final NvmeTcpOfldStats stats;
    private NvmeTcpOfldStats.QueueCounters counters;
    private Consumer<NvmeTcpOfldQueue> onStopped;
    private final View view = new View();
    private Binding<?> driver;
    private QueueOwner owner;
    private volatile int icdoff;
    private volatile String error;
    private volatile Throwable errorCause;
    private boolean closed;
    private String closeReason;
    private boolean batchOpen;
    private boolean inPoll;

    NvmeTcpOfldQueue(final NvmeTcpOfldCtrl ctrl, final int qid, final int queueSize)
    {
        this.ctrl = ctrl;
        this.qid = qid;
        this.queueSize = queueSize;
        this.stats = ctrl.dev().stats();
        final ByteBuffer sqes = ByteBuffer.allocateDirect(queueSize * Sqe.LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        reqs = new NvmeTcpOfldReq[queueSize];
        state = new byte[queueSize];
        ownerRequest = new int[queueSize];
        sentAt = new long[queueSize];
        free = new int[queueSize];
        for (int i = 0; i < queueSize; i++)
        {
            reqs[i] = new NvmeTcpOfldReq(this, i, sqes);
            free[i] = queueSize - 1 - i;
        }
        freeTop = queueSize;
    }

    /** The driver's queue, typed, with the ops that serve it. */
    private static final class Binding<Q>
    {
        final NvmeTcpOfldOps<?, Q> ops;
        final Q q;

        Binding(final NvmeTcpOfldOps<?, Q> ops, final Q q)
        {
            this.ops = ops;
            this.q = q;
        }
    }

    <Q> void bind(final NvmeTcpOfldOps<?, Q> ops, final Q q)
    {
        this.driver = new Binding<>(ops, q);
        this.counters = stats.queueCreated();
    }

    void onStopped(final Consumer<NvmeTcpOfldQueue> action)
    {
        this.onStopped = action;
    }

    /** @return the controller. */
    public NvmeTcpOfldCtrl ctrl()
    {
        return ctrl;
    }

    /** @return the queue ID (0: admin). */
    public int qid()
    {
        return qid;
    }

    /** @return the number of requests (command slots). */
    public int queueSize()
    {
        return queueSize;
    }

    /** @return request {@code index} (0 ≤ index &lt; queueSize). */
    public NvmeTcpOfldReq req(final int index)
    {
        return reqs[index];
    }

    /** @return ICDOFF from Identify Controller (in-capsule data offset, 16-byte units), for the driver's SGLs. */
    public int icdoff()
    {
        return icdoff;
    }

    /** @return the first error reported and not yet acted on, or null. */
    public String error()
    {
        return error;
    }

    /**
     * The device failed this queue (seed 002's {@code nvme_tcp_ofld_report_queue_err}): the TCP connection broke, the
     * target sent a TermReq, the engine died. Any thread, any number of times (the first reason is kept); never
     * blocks. The owner thread stops the queue at its next duty cycle and the controller level recovers. The driver
     * should also wake a sleeping owner (its interrupt).
     */
    public void reportQueueErr(final String reason, final Throwable cause)
    {
        if (error == null)
        {
            errorCause = cause;
            error = reason == null ? "queue error" : reason;
        }
    }

    /** @return the controller level's view of the queue. */
    TransportQueue transportQueue()
    {
        return view;
    }

    // ---------------------------------------------------------------- data path (owner thread)

    @SuppressWarnings("unchecked")
    private <Q> Binding<Q> d()
    {
        return (Binding<Q>)driver;
    }

    private int send(final int request, final ByteBuffer template, final int templateIndex, final byte dir,
        final ByteBuffer buf, final int index, final int length, final boolean inCapsule, final long nowNanos)
    {
        final int slot = free[--freeTop];
        final NvmeTcpOfldReq r = reqs[slot];
        final ByteBuffer sqe = r.sqe();
        sqe.put(0, template, templateIndex, Sqe.LENGTH);
        sqe.putShort(Sqe.CID_OFFSET, (short)slot);
        r.dir = dir;
        r.data = buf;
        r.dataIndex = index;
        r.dataLength = length;
        r.inCapsule = inCapsule;
        r.async = qid == 0 && (sqe.get(0) & 0xFF) == Opcodes.ADMIN_ASYNC_EVENT_REQUEST;
        ownerRequest[slot] = request;
        sentAt[slot] = nowNanos;
        state[slot] = SENT;
        if (closed || error != null)
        {
            state[slot] = HELD;
            return slot; // stays outstanding; re-driven once the queue is stopped
        }
        final Binding<Object> b = d();
        final int mapped = b.ops.mapSg(b.q, r);
        if (mapped < 0)
        {
            state[slot] = HELD;
            fail("mapSg failed (" + mapped + ") on queue " + qid);
            return slot;
        }
        final int rc = b.ops.sendReq(b.q, r);
        if (rc != 0)
        {
            state[slot] = HELD;
            fail("sendReq failed (" + rc + ") on queue " + qid);
            return slot;
        }
        counters.add(NvmeTcpOfldStats.SENT, 1);
        batchOpen = true;
        return slot;
    }

    private void fail(final String reason)
    {
        reportQueueErr(reason, null);
    }

    void onDone(final NvmeTcpOfldReq r, final long result, final int status)
    {
        final int slot = r.index();
        if (!inPoll || state[slot] != SENT)
        {
            stats.spuriousCompletion(); // rare: a driver bug, or a late call for a drained queue
            return;
        }
        state[slot] = FREE;
        r.data = null;
        free[freeTop++] = slot;
        counters.add(NvmeTcpOfldStats.COMPLETED, 1);
        if (status != 0)
        {
            counters.add(NvmeTcpOfldStats.ERRORS, 1);
        }
        owner.onCommandComplete(ownerRequest[slot], status, result);
    }

    private int commit()
    {
        if (!batchOpen)
        {
            return 0;
        }
        batchOpen = false;
        final Binding<Object> b = d();
        b.ops.commitRqs(b.q);
        return 1;
    }

    private int reap()
    {
        final Binding<Object> b = d();
        inPoll = true;
        try
        {
            return b.ops.pollQueue(b.q);
        }
        finally
        {
            inPoll = false;
        }
    }

    private int poll()
    {
        if (closed)
        {
            return 0;
        }
        try
        {
            if (error != null)
            {
                stop(error, errorCause, true);
                return 1;
            }
            int work = commit();
            work += reap();
            if (error == null && !closed)
            {
                work += owner.onDuty(view);
            }
            if (!closed)
            {
                work += commit();
            }
            return work;
        }
        catch (final Throwable t)
        {
            stop("error: " + t, t, true);
            return 1;
        }
    }

    private int expired(final long nowNanos, final long timeoutNanos)
    {
        for (int i = 0; i < queueSize; i++)
        {
            if (state[i] == SENT && !reqs[i].async && nowNanos - sentAt[i] > timeoutNanos)
            {
                return i;
            }
        }
        return -1;
    }

    /** Stop the queue once: drain, reap what was finished, destroy, tell the owner. */
    private void stop(final String reason, final Throwable cause, final boolean isError)
    {
        if (closed)
        {
            return;
        }
        closed = true;
        closeReason = reason;
        if (isError)
        {
            stats.queueError();
        }
        final Binding<Object> b = d();
        try
        {
            b.ops.drainQueue(b.q);
        }
        catch (final RuntimeException ignore)
        {
            // the contract says it does not throw; the queue is stopped either way
        }
        try
        {
            reap(); // completions the device posted before it stopped are real: deliver them once
        }
        catch (final RuntimeException ignore)
        {
            // a failing handler must not keep the queue from closing
        }
        int aborted = 0;
        for (int i = 0; i < queueSize; i++)
        {
            if (state[i] == SENT)
            {
                aborted++; // handed to the device, never completed by it
            }
            state[i] = FREE; // outstanding requests are the owner's to re-drive; late done() calls are ignored
            reqs[i].data = null;
        }
        freeTop = 0;
        counters.add(NvmeTcpOfldStats.ABORTED, aborted);
        try
        {
            b.ops.destroyQueue(b.q);
        }
        catch (final RuntimeException ignore)
        {
            // the contract says it does not throw
        }
        stats.queueDestroyed(counters);
        if (onStopped != null)
        {
            onStopped.accept(this);
        }
        final QueueOwner o = owner;
        if (o != null)
        {
            o.onConnectionClosed(view, reason, cause);
        }
    }

    @Override
    public String toString()
    {
        return "NvmeTcpOfldQueue{dev=" + ctrl.dev().name() + ", qid=" + qid + ", " + ctrl.address() + "}";
    }

    /** What the controller level sees: a {@link TransportQueue} like any other. */
    private final class View implements TransportQueue
    {
        @Override
        public int qid()
        {
            return qid;
        }

        @Override
        public int queueSize()
        {
            return queueSize;
        }

        @Override
        public void attach(final QueueOwner o)
        {
            owner = o;
        }

        @Override
        public void icdoff(final int v)
        {
            icdoff = v;
        }

        @Override
        public boolean isReady()
        {
            return !closed;
        }

        @Override
        public boolean isClosed()
        {
            return closed;
        }

        @Override
        public String closeReason()
        {
            return closeReason;
        }

        @Override
        public int freeCommandSlots()
        {
            return closed ? 0 : freeTop;
        }

        @Override
        public int sendCommand(final int request, final ByteBuffer template, final int templateIndex, final byte dir,
            final ByteBuffer buf, final int index, final int length, final boolean inCapsule, final long nowNanos)
        {
            return send(request, template, templateIndex, dir, buf, index, length, inCapsule, nowNanos);
        }

        @Override
        public int poll()
        {
            return NvmeTcpOfldQueue.this.poll();
        }

        @Override
        public int expiredCommand(final long nowNanos, final long timeoutNanos)
        {
            return expired(nowNanos, timeoutNanos);
        }

        @Override
        public void close(final String reason, final Throwable cause)
        {
            stop(reason, cause, reason != null && reason.startsWith("command timeout"));
        }

        @Override
        public void abort()
        {
            reportQueueErr("aborted", null);
        }

        @Override
        public void await(final long maxNanos)
        {
            if (closed || error != null)
            {
                return;
            }
            final Binding<Object> b = d();
            b.ops.awaitQueue(b.q, maxNanos);
        }

        @Override
        public boolean armWakeup()
        {
            if (closed)
            {
                return false;
            }
            final Binding<Object> b = d();
            return error != null || b.ops.armQueue(b.q);
        }

        @Override
        public SelectableChannel selectableChannel()
        {
            final Binding<Object> b = d();
            return b == null ? null : b.ops.queueChannel(b.q);
        }

        @Override
        public String toString()
        {
            return NvmeTcpOfldQueue.this.toString();
        }
    }
}
