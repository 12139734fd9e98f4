package org.nvmeof4j.host.queue;

import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import org.nvmeof4j.host.CompletionHandler;
import org.nvmeof4j.host.IoQueue;
import org.nvmeof4j.host.NanoClock;
import org.nvmeof4j.protocol.nvme.LittleEndian;
import org.nvmeof4j.protocol.nvme.NvmeStatus;
import org.nvmeof4j.protocol.nvme.Opcodes;
import org.nvmeof4j.protocol.nvme.Sqe;
import org.nvmeof4j.host.spi.QueueOwner;
import org.nvmeof4j.host.spi.TransportQueue;

/**
 * The request layer of one NVMe queue, on any transport: request slots, splitting above MDTS, the pending FIFO,
 * timeouts, keep-alive (admin queue), and surviving reconnects. The wire side is a {@link TransportQueue} (for
 * NVMe/TCP a {@code TcpConnection}), which is replaced after a reconnect: requests that were in flight on a lost
 * connection are sent again on the new one (I/O queues; admin requests fail with a Host Pathing Error, the caller
 * decides). The analog of what blk-mq and the Linux host's per-queue code do above a transport's
 * {@code queue_rq}.
 *
 * <p>Owned by one thread (an application thread for {@link IoQueue}, a poller for the async API). Nothing on the
 * submit/poll path allocates: requests live in preallocated arrays indexed by slot, the SQE template of each
 * request in a preallocated direct buffer, completions go to a primitive {@link CompletionHandler}.
 */
public final class HostQueue implements IoQueue, QueueOwner
{
    private static final int MAX_NLB = Sqe.MAX_LOGICAL_BLOCKS;
    private static final CompletionHandler NO_HANDLER = (tag, status) -> { };

    private final int qid;
    private final int depth;
    private final QueueEvents events;
    private final NanoClock clock;
    private final long timeoutNanos;
    private final long timeoutCheckNanos;
    private final boolean retryOnReconnect;

    private volatile TransportQueue conn;
    private volatile TransportQueue pendingConn;
    /** The association {@link #conn} belongs to, and that of {@link #pendingConn}. */
    private volatile long connGeneration;
    private volatile long pendingGeneration;
    private volatile String failure;
    private volatile boolean closing;
    private String lostReason;

    // limits, set by the controller
    private int maxDataBytes = Integer.MAX_VALUE;
    private int inCapsuleMax;
    private int icdoff;
    private volatile int[] lbaShifts = new int[0];

    // requests
    private final RequestTable req;
    private final Sqe sqe = new Sqe();
    private final int[] fifo;
    private final int fifoMask;
    private long fifoHead;
    private long fifoTail;
    private int inflightCommands;

    // keep-alive (admin queue)
    private long keepAliveNanos;
    private long lastKeepAlive;
    private boolean keepAliveInFlight;
    private long keepAlivesSent;
    private final ByteBuffer keepAliveSqe = ByteBuffer.allocateDirect(Sqe.LENGTH);

    private long nextTimeoutCheck;
    private CompletionHandler handler = NO_HANDLER;
    private long completedResult;
    private int completions;

    /**
     * @param qid              queue ID.
     * @param queueSize        queue_size: request slots are queueSize − 1.
     * @param events           told about lost connections (may be null).
     * @param timeoutNanos     command timeout; 0 for none.
     * @param retryOnReconnect resend requests after a reconnect (I/O queues) instead of failing them.
     */
    public HostQueue(
        final int qid, final int queueSize, final QueueEvents events, final NanoClock clock, final long timeoutNanos,
        final boolean retryOnReconnect)
    {
        this.qid = qid;
        this.depth = queueSize - 1;
        this.events = events;
        this.clock = clock;
        this.timeoutNanos = timeoutNanos;
        this.timeoutCheckNanos = Math.max(1_000_000L, Math.min(100_000_000L, timeoutNanos / 10));
        this.retryOnReconnect = retryOnReconnect;
        this.inCapsuleMax = qid == 0 ? 8192 : 0;
        final int n = depth;
        req = new RequestTable(n);
        final int fifoSize = Integer.highestOneBit(Math.max(2, n - 1)) << 1;
        fifo = new int[fifoSize];
        fifoMask = fifoSize - 1;
        sqe.wrap(keepAliveSqe, 0).clear().opcode(Opcodes.ADMIN_KEEP_ALIVE);
    }

    // ------------------------------------------------------------------ configuration (controller)

    /**
     * Use {@code c} from now on (first connection, or the one a reconnect established). Owner thread only.
     *
     * @param generation the controller's association {@code c} belongs to, reported back on its loss.
     */
    public void adopt(final TransportQueue c, final long generation)
    {
        c.attach(this);
        c.icdoff(icdoff);
        connGeneration = generation;
        conn = c;
        lostReason = null;
        lastKeepAlive = clock.nanoTime();
        nextTimeoutCheck = lastKeepAlive + timeoutCheckNanos;
    }

    /** Hand over a connection from another thread (error recovery); the owner adopts it at its next poll. */
    public void offerConnection(final TransportQueue c, final long generation)
    {
        pendingGeneration = generation;
        pendingConn = c;
    }

    /** The controller gave up (ctrl_loss_tmo) or was deleted: fail everything from the owner's next poll on. */
    public void fail(final String reason)
    {
        failure = reason;
    }

    /** @return why the controller was lost, or null. */
    public String failure()
    {
        return failure;
    }

    /** @return why the last connection was lost, or null while connected. */
    public String lostReason()
    {
        return lostReason;
    }

    /** MDTS in bytes (0 or negative: no limit). */
    public void maxDataBytes(final long bytes)
    {
        maxDataBytes = bytes <= 0 || bytes > (1 << 30) ? 1 << 30 : (int)bytes;
    }

    /** Largest write sent in-capsule: IOCCSZ × 16 − 64 for I/O queues, 8192 for the admin queue. */
    public void inCapsuleMax(final int bytes)
    {
        inCapsuleMax = Math.max(0, bytes);
    }

    public void icdoff(final int icdoff)
    {
        this.icdoff = icdoff;
    }

    /** Block sizes per NSID, as log2 (index = NSID, -1 or 0 = unknown). */
    public void lbaShifts(final int[] shifts)
    {
        lbaShifts = shifts;
    }

    /** Send Keep Alive every {@code nanos} (KATO / 2); 0 for none. */
    public void keepAliveInterval(final long nanos)
    {
        keepAliveNanos = nanos;
    }

    public long keepAlivesSent()
    {
        return keepAlivesSent;
    }

    /** @return the connection in use (may be closed while reconnecting). */
    public TransportQueue connection()
    {
        return conn;
    }

    /** @return the channel a poller can wait on for the current connection, or null. */
    public SelectableChannel channel()
    {
        final TransportQueue c = conn;
        return c == null ? null : c.selectableChannel();
    }

    /** The owning poller is about to sleep: see {@link TransportQueue#armWakeup}. */
    public boolean armWakeup()
    {
        final TransportQueue c = conn;
        return c != null && !c.isClosed() && c.armWakeup();
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
        return req.activeCount();
    }

    @Override
    public int blockSize(final int nsid)
    {
        final int s = shift(nsid);
        return s <= 0 ? -1 : 1 << s;
    }

    private int shift(final int nsid)
    {
        final int[] s = lbaShifts;
        return nsid > 0 && nsid < s.length ? s[nsid] : -1;
    }

    // ------------------------------------------------------------------ submission

    private Sqe template(final int r)
    {
        return sqe.wrap(req.templates, r * Sqe.LENGTH).clear();
    }

    private int ioRequest(
        final int opcode, final int nsid, final long lba, final long blocks, final ByteBuffer buf, final long tag,
        final byte dir, final byte split)
    {
        final int shift = shift(nsid);
        if (shift <= 0)
        {
            throw new IllegalArgumentException("unknown namespace " + nsid + " on queue " + qid);
        }
        if (blocks <= 0)
        {
            throw new IllegalArgumentException("block count must be positive: " + blocks);
        }
        int length = 0;
        int index = 0;
        if (buf != null)
        {
            final long bytes = blocks << shift;
            if (bytes > buf.remaining())
            {
                throw new IllegalArgumentException(
                    blocks + " blocks need " + bytes + " bytes, the buffer has " + buf.remaining());
            }
            length = (int)bytes;
            index = buf.position();
        }
        final int r = req.alloc();
        if (r < 0)
        {
            return QUEUE_FULL;
        }
        template(r).opcode(opcode).nsid(nsid);
        req.split[r] = split;
        req.dir[r] = dir;
        req.buf[r] = buf;
        req.index[r] = index;
        req.length[r] = length;
        req.shift[r] = shift;
        req.slba[r] = lba;
        req.blocks[r] = blocks;
        req.userTag[r] = tag;
        enqueue(r);
        issuePending();
        return r;
    }

    @Override
    public int submitRead(final int nsid, final long lba, final int blocks, final ByteBuffer dst, final long userTag)
    {
        return ioRequest(Opcodes.IO_READ, nsid, lba, blocks, dst, userTag, TransportQueue.DIR_C2H, RequestTable.SPLIT_DATA);
    }

    @Override
    public int submitWrite(final int nsid, final long lba, final int blocks, final ByteBuffer src, final long userTag)
    {
        return ioRequest(Opcodes.IO_WRITE, nsid, lba, blocks, src, userTag, TransportQueue.DIR_H2C, RequestTable.SPLIT_DATA);
    }

    @Override
    public int submitWriteZeroes(final int nsid, final long lba, final long blocks, final long userTag)
    {
        return ioRequest(Opcodes.IO_WRITE_ZEROES, nsid, lba, blocks, null, userTag, TransportQueue.DIR_NONE,
            RequestTable.SPLIT_BLOCKS);
    }

    @Override
    public int submitFlush(final int nsid, final long userTag)
    {
        final int r = req.alloc();
        if (r < 0)
        {
            return QUEUE_FULL;
        }
        template(r).opcode(Opcodes.IO_FLUSH).nsid(nsid);
        return plain(r, TransportQueue.DIR_NONE, null, 0, 0, userTag);
    }

    @Override
    public int submitDeallocate(final int nsid, final long lba, final int blocks, final long userTag)
    {
        final int r = req.alloc();
        if (r < 0)
        {
            return QUEUE_FULL;
        }
        // Dataset Management: NR = 0 (one range), AD (bit 2 of CDW11); the range: context attributes, length, SLBA
        template(r).opcode(Opcodes.IO_DATASET_MANAGEMENT).nsid(nsid).cdw10(0).cdw11(1 << 2);
        final int a = r * 16;
        LittleEndian.putI32(req.aux, a, 0);
        LittleEndian.putI32(req.aux, a + 4, blocks);
        LittleEndian.putI64(req.aux, a + 8, lba);
        return plain(r, TransportQueue.DIR_H2C, req.aux, a, 16, userTag);
    }

    /**
     * Submit any command (admin commands, Fabrics commands): the 64-byte SQE at {@code sqeIndex} of {@code sqeBuf}
     * (CID and SGL are filled in), with {@code length} bytes of data at {@code index} of {@code buf} moving in
     * direction {@code dir} (0 none, 1 host to controller, 2 controller to host).
     *
     * @return a request slot, or {@link #QUEUE_FULL}.
     */
    public int submitCommand(
        final ByteBuffer sqeBuf, final int sqeIndex, final int dir, final ByteBuffer buf, final int index,
        final int length, final long userTag)
    {
        final int r = req.alloc();
        if (r < 0)
        {
            return QUEUE_FULL;
        }
        req.templates.put(r * Sqe.LENGTH, sqeBuf, sqeIndex, Sqe.LENGTH);
        return plain(r, (byte)dir, buf, index, length, userTag);
    }

    private int plain(final int r, final byte dir, final ByteBuffer buf, final int index, final int length,
        final long userTag)
    {
        req.split[r] = RequestTable.SPLIT_NONE;
        req.dir[r] = dir;
        req.buf[r] = buf;
        req.index[r] = index;
        req.length[r] = length;
        req.blocks[r] = 1;
        req.userTag[r] = userTag;
        enqueue(r);
        issuePending();
        return r;
    }

    private void enqueue(final int r)
    {
        fifo[(int)fifoTail++ & fifoMask] = r;
    }

    /** Turn queued requests into commands while CIDs are free. */
    private int issuePending()
    {
        final TransportQueue c = conn;
        if (c == null || c.isClosed() || !c.isReady())
        {
            return 0;
        }
        int issued = 0;
        final long now = clock.nanoTime();
        while (fifoHead != fifoTail && inflightCommands < depth && c.freeCommandSlots() > 0)
        {
            final int r = fifo[(int)fifoHead & fifoMask];
            issueOne(c, r, now);
            issued++;
            if (req.issuedAll[r])
            {
                fifoHead++;
            }
        }
        return issued;
    }

    private void issueOne(final TransportQueue c, final int r, final long now)
    {
        final byte split = req.split[r];
        final int t = r * Sqe.LENGTH;
        if (split == RequestTable.SPLIT_NONE)
        {
            final int len = req.length[r];
            req.issuedAll[r] = true;
            req.outstanding[r]++;
            inflightCommands++;
            c.sendCommand(r, req.templates, t, req.dir[r], req.buf[r], req.index[r], len,
                req.dir[r] == TransportQueue.DIR_H2C && len <= inCapsuleMax, now);
            return;
        }
        final int shift = req.shift[r];
        final long next = req.nextBlock[r];
        final long left = req.blocks[r] - next;
        final long maxBlocks = split == RequestTable.SPLIT_DATA ? Math.min(MAX_NLB, Math.max(1, maxDataBytes >> shift)) : MAX_NLB;
        final int n = (int)Math.min(left, maxBlocks);
        sqe.wrap(req.templates, t).startingLba(req.slba[r] + next).numberOfLogicalBlocks(n);
        req.nextBlock[r] = next + n;
        req.issuedAll[r] = next + n == req.blocks[r];
        req.outstanding[r]++;
        inflightCommands++;
        if (split == RequestTable.SPLIT_DATA)
        {
            final int offset = (int)(next << shift);
            final int len = n << shift;
            c.sendCommand(r, req.templates, t, req.dir[r], req.buf[r], req.index[r] + offset, len,
                req.dir[r] == TransportQueue.DIR_H2C && len <= inCapsuleMax, now);
        }
        else
        {
            c.sendCommand(r, req.templates, t, TransportQueue.DIR_NONE, null, 0, 0, false, now);
        }
    }

    // ------------------------------------------------------------------ completion

    /** From the connection: one command of request {@code r} ended. */
    @Override
    public void onCommandComplete(final int r, final int status, final long result)
    {
        inflightCommands--;
        req.outstanding[r]--;
        if (status != 0 && req.status[r] == 0)
        {
            req.status[r] = status;
        }
        req.result[r] = result;
        if (req.issuedAll[r] && req.outstanding[r] == 0)
        {
            completeRequest(r, req.status[r]);
        }
    }

    private void completeRequest(final int r, final int status)
    {
        final long tag = req.userTag[r];
        final boolean internal = req.internal[r];
        completedResult = req.result[r];
        req.release(r);
        if (internal)
        {
            keepAliveInFlight = false;
            return;
        }
        completions++;
        handler.onComplete(tag, status);
    }

    @Override
    public long completionResult()
    {
        return completedResult;
    }

    // ------------------------------------------------------------------ idle wait

    @Override
    public void await(final long maxNanos)
    {
        final TransportQueue c = conn;
        if (c == null || c.isClosed() || closing)
        {
            return;
        }
        c.await(maxNanos);
    }

    // ------------------------------------------------------------------ duty cycle

    @Override
    public int poll(final CompletionHandler h)
    {
        handler = h;
        completions = 0;
        TransportQueue c = conn;
        if (c == null || c.isClosed())
        {
            final TransportQueue p = pendingConn;
            if (p != null && failure == null)
            {
                pendingConn = null;
                adopt(p, pendingGeneration);
                c = p;
            }
            else
            {
                if (failure != null)
                {
                    failAll(STATUS_CONTROLLER_LOST);
                }
                else if (!retryOnReconnect && qid != 0 && fifoHead != fifoTail)
                {
                    // submitted while the connection is down: a multipath I/O fails over now rather than wait for
                    // the reconnect (Linux's nvmf_fail_nonready_command for REQ_NVME_MPATH requests)
                    failAll(NvmeStatus.HOST_PATHING_ERROR.status());
                }
                return completions;
            }
        }
        c.poll();
        return completions;
    }

    /** Called by the connection inside its duty cycle. */
    @Override
    public int onDuty(final TransportQueue c)
    {
        int work = issuePending();
        final long now = clock.nanoTime();
        if (keepAliveNanos > 0 && !keepAliveInFlight && now - lastKeepAlive >= keepAliveNanos)
        {
            final int r = req.alloc();
            if (r >= 0)
            {
                req.templates.put(r * Sqe.LENGTH, keepAliveSqe, 0, Sqe.LENGTH);
                req.internal[r] = true;
                keepAliveInFlight = true;
                lastKeepAlive = now;
                keepAlivesSent++;
                plain(r, TransportQueue.DIR_NONE, null, 0, 0, 0);
                work++;
            }
        }
        if (timeoutNanos > 0 && now - nextTimeoutCheck >= 0)
        {
            nextTimeoutCheck = now + timeoutCheckNanos;
            final int cid = c.expiredCommand(now, timeoutNanos);
            if (cid >= 0)
            {
                c.close("command timeout: CID " + cid + " on queue " + qid + " after " +
                    timeoutNanos / 1_000_000 + " ms", null);
                return work + 1;
            }
        }
        return work;
    }

    /** From the connection, on the owner thread: the connection is gone. */
    @Override
    public void onConnectionClosed(final TransportQueue c, final String reason, final Throwable cause)
    {
        if (c != conn)
        {
            return;
        }
        lostReason = reason;
        inflightCommands = 0;
        keepAliveInFlight = false;
        // requeue (or fail) everything that was active, in slot order
        fifoHead = 0;
        fifoTail = 0;
        for (int r = 0; r < depth; r++)
        {
            if (!req.active[r])
            {
                continue;
            }
            req.outstanding[r] = 0;
            req.nextBlock[r] = 0;
            req.issuedAll[r] = false;
            req.status[r] = 0;
            if (req.internal[r])
            {
                completeRequest(r, 0);
            }
            else if (!retryOnReconnect || closing)
            {
                completeRequest(r, NvmeStatus.HOST_PATHING_ERROR.status());
            }
            else
            {
                enqueue(r);
            }
        }
        if (!closing && events != null)
        {
            events.connectionLost(this, connGeneration, reason, cause);
        }
    }

    /** Complete every active request with {@code status} (the controller is lost). */
    private void failAll(final int status)
    {
        fifoHead = 0;
        fifoTail = 0;
        inflightCommands = 0;
        for (int r = 0; r < depth; r++)
        {
            if (req.active[r])
            {
                completeRequest(r, status);
            }
        }
    }

    /**
     * Drive the queue on the calling thread until {@code handler}'s request completes (setup commands).
     *
     * @return false if the deadline passed or the connection closed first.
     */
    public boolean pollUntil(final java.util.function.BooleanSupplier done, final CompletionHandler h,
        final long deadlineNanos)
    {
        while (!done.getAsBoolean())
        {
            final TransportQueue c = conn;
            if (c == null || c.isClosed() || failure != null)
            {
                return false;
            }
            if (poll(h) == 0 && !done.getAsBoolean())
            {
                if (clock.nanoTime() - deadlineNanos > 0)
                {
                    return false;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(20_000);
            }
        }
        return true;
    }

    @Override
    public void close()
    {
        closing = true;
        final TransportQueue c = conn;
        if (c != null)
        {
            c.close("queue closed", null);
        }
        final TransportQueue p = pendingConn;
        if (p != null)
        {
            p.close("queue closed", null);
        }
    }

    /** Close from another thread: close the socket; the owner notices at its next poll. */
    public void abortConnection()
    {
        final TransportQueue c = conn;
        if (c != null)
        {
            c.abort();
        }
    }

    public boolean isClosing()
    {
        return closing;
    }

    @Override
    public String toString()
    {
        return "HostQueue{qid=" + qid + ", depth=" + depth + ", outstanding=" + req.activeCount() + '}';
    }
}
