package org.nvmeof4j.offload.engine;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.CountDownLatch;
import org.nvmeof4j.host.offload.NvmeTcpOfldQueue;
import org.nvmeof4j.host.offload.NvmeTcpOfldReq;
import org.nvmeof4j.host.spi.QueueOwner;
import org.nvmeof4j.host.spi.TransportQueue;
import org.nvmeof4j.host.tcp.TcpConnection;
import org.nvmeof4j.tcp.PollerTask;

/**
 * One offloaded queue inside the engine: the NVMe/TCP connection the engine runs for it, and the two rings between
 * the application and the engine, as a NIC's send and completion queues.
 *
 * <pre>
 *   owner thread                                   engine thread
 *   sendReq:   subRing[subTail++] = req index  ──▶ onDuty: take, TcpConnection.sendCommand (capsule, ICD, R2T/H2CData)
 *   commitRqs: publish subTail, wake the engine     receive: C2HData into the caller's buffer, CapsuleResp
 *   pollQueue: take cplRing[cplHead++], done()  ◀── onCommandComplete: cplRing[cplTail++] = index; publish; interrupt
 * </pre>
 *
 * Each ring holds a request index at most once (a request is resubmitted only after its completion was taken), so
 * neither ring can overflow and no producer reads the consumer's index. Publication is release/acquire; the wake-up
 * in both directions is a Dekker handshake with volatile accesses (a flag set, then the ring read; the ring written,
 * then the flag read), so no wake-up is lost. The interrupt to a sleeping owner is a byte on a pipe, written only when
 * the owner armed it before sleeping.
 */
final class EngineQueue implements PollerTask, QueueOwner
{
    private static final VarHandle SUB_TAIL;
    private static final VarHandle CPL_TAIL;
    private static final VarHandle ARMED;

    static
    {
        try
        {
            final MethodHandles.Lookup l = MethodHandles.lookup();
            SUB_TAIL = l.findVarHandle(EngineQueue.class, "subTail", long.class);
            CPL_TAIL = l.findVarHandle(EngineQueue.class, "cplTail", long.class);
            ARMED = l.findVarHandle(EngineQueue.class, "armed", int.class);
        }
        catch (final ReflectiveOperationException e)
        {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final java.util.function.Consumer<SelectionKey> IGNORE_KEY = key -> { };

    final NvmeTcpOfldQueue uq;
    final TcpConnection conn;
    final EngineThread thread;
    private final int mask;

    // submission ring: owner writes, engine reads
    private final int[] subRing;
    private long subTailLocal;            // owner only
    @SuppressWarnings("unused")
    private volatile long subTail;        // published by commitRqs
    private long subHead;                 // engine only

    // completion ring: engine writes, owner reads
    private final int[] cplRing;
    private final int[] cplStatus;
    private final long[] cplResult;
    private long cplTailLocal;            // engine only
    private long cplPublished;            // engine only
    @SuppressWarnings("unused")
    private volatile long cplTail;
    private long cplHead;                 // owner only

    // interrupt
    private final Pipe irq;
    private final ByteBuffer irqByte = ByteBuffer.allocateDirect(1);
    private final ByteBuffer irqDrain = ByteBuffer.allocateDirect(64);
    @SuppressWarnings("unused")
    private volatile int armed;
    private volatile boolean irqFired;
    private Selector awaitSelector;       // owner only

    // teardown
    volatile boolean drainRequested;
    final CountDownLatch drained = new CountDownLatch(1);
    private volatile boolean stopped;
    private int appliedIcdoff = -1;

    EngineQueue(final NvmeTcpOfldQueue uq, final TcpConnection conn, final EngineThread thread) throws IOException
    {
        this.uq = uq;
        this.conn = conn;
        this.thread = thread;
        int cap = 1;
        while (cap < uq.queueSize())
        {
            cap <<= 1;
        }
        mask = cap - 1;
        subRing = new int[cap];
        cplRing = new int[cap];
        cplStatus = new int[uq.queueSize()];
        cplResult = new long[uq.queueSize()];
        irq = Pipe.open();
        irq.source().configureBlocking(false);
        irq.sink().configureBlocking(false);
        conn.attach(this);
    }

    // ------------------------------------------------------------------ owner thread

    void post(final NvmeTcpOfldReq req)
    {
        subRing[(int)subTailLocal++ & mask] = req.index();
    }

    void commit()
    {
        SUB_TAIL.setVolatile(this, subTailLocal);
        thread.wakeup();
    }

    int reap()
    {
        if (irqFired)
        {
            irqFired = false;
            drainIrq();
        }
        final long tail = (long)CPL_TAIL.getAcquire(this);
        int n = 0;
        while (cplHead != tail)
        {
            final int idx = cplRing[(int)cplHead++ & mask];
            n++;
            uq.req(idx).done(cplResult[idx], cplStatus[idx]);
        }
        if (n > 0)
        {
            ARMED.setOpaque(this, 0);
        }
        return n;
    }

    boolean arm()
    {
        ARMED.setVolatile(this, 1);
        return (long)CPL_TAIL.getVolatile(this) != cplHead || uq.error() != null;
    }

    void await(final long maxNanos)
    {
        if (arm())
        {
            return;
        }
        try
        {
            if (awaitSelector == null)
            {
                awaitSelector = Selector.open();
                irq.source().register(awaitSelector, SelectionKey.OP_READ);
            }
            awaitSelector.select(IGNORE_KEY, Math.max(1, maxNanos / 1_000_000)); // no selected-key set: no garbage
        }
        catch (final IOException | RuntimeException e)
        {
            // a closed pipe: the queue is being torn down and the next poll sees it
        }
    }

    Pipe.SourceChannel channel()
    {
        return irq.source();
    }

    private void drainIrq()
    {
        try
        {
            while (true)
            {
                irqDrain.clear();
                if (irq.source().read(irqDrain) <= 0)
                {
                    return;
                }
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // closed: nothing to drain
        }
    }

    /** Owner thread, after drain: free the pipe and the selector. */
    void destroy()
    {
        closeQuietly(awaitSelector);
        closeQuietly(irq.source());
        closeQuietly(irq.sink());
    }

    private static void closeQuietly(final java.io.Closeable c)
    {
        if (c == null)
        {
            return;
        }
        try
        {
            c.close();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
    }

    // ------------------------------------------------------------------ engine thread

    @Override
    public int doWork()
    {
        if (stopped)
        {
            return 0;
        }
        if (drainRequested)
        {
            if (!conn.isClosed())
            {
                conn.attach(null); // a drain is the owner's decision, not a queue error to report back
                conn.close("queue drained", null);
            }
            publish();
            stop();
            return 1;
        }
        final int icdoff = uq.icdoff();
        if (icdoff != appliedIcdoff)
        {
            appliedIcdoff = icdoff;
            conn.icdoff(icdoff);
        }
        if (conn.isClosed())
        {
            return 0;
        }
        final int work = conn.poll();
        publish();
        return work;
    }

    /** Engine thread: from here on nothing of this queue runs on the engine. */
    void stop()
    {
        stopped = true;
        drained.countDown();
    }

    /** The engine thread died: no code of the engine touches this queue again; fail it and let the owner drain. */
    void engineDied(final String reason)
    {
        conn.abort();
        uq.reportQueueErr(reason, null);
        stop();
        interrupt();
    }

    @Override
    public boolean isActive()
    {
        return !stopped;
    }

    @Override
    public void onError(final Throwable error)
    {
        // the poller dropped the task: the queue can make no more progress
        conn.close("offload engine task failed: " + error, error);
        uq.reportQueueErr("offload engine task failed: " + error, error);
        stop();
        interrupt();
    }

    @Override
    public void selectionKey(final SelectionKey key)
    {
        conn.selectionKey(key);
    }

    @Override
    public boolean prepareToSleep()
    {
        return drainRequested || (long)SUB_TAIL.getVolatile(this) != subHead;
    }

    /** Inside the connection's duty cycle: start every request the owner committed. */
    @Override
    public int onDuty(final TransportQueue c)
    {
        final long tail = (long)SUB_TAIL.getAcquire(this);
        int n = 0;
        if (subHead != tail)
        {
            final long now = System.nanoTime();
            while (subHead != tail)
            {
                final int idx = subRing[(int)subHead++ & mask];
                final NvmeTcpOfldReq r = uq.req(idx);
                conn.sendCommand(idx, r.sqe(), 0, r.dir(), r.data(), r.dataIndex(), r.dataLength(), r.inCapsule(),
                    now);
                n++;
            }
        }
        return n;
    }

    @Override
    public void onCommandComplete(final int request, final int status, final long result)
    {
        cplStatus[request] = status;
        cplResult[request] = result;
        cplRing[(int)cplTailLocal++ & mask] = request;
    }

    @Override
    public void onConnectionClosed(final TransportQueue c, final String reason, final Throwable cause)
    {
        publish();
        uq.reportQueueErr("offload engine: " + reason, cause);
        interrupt();
    }

    private void publish()
    {
        if (cplTailLocal == cplPublished)
        {
            return;
        }
        cplPublished = cplTailLocal;
        CPL_TAIL.setVolatile(this, cplTailLocal);
        if ((int)ARMED.getVolatile(this) == 1 && ARMED.compareAndSet(this, 1, 0))
        {
            interrupt();
        }
    }

    /** Raise the owner's interrupt: a byte on the pipe its selector waits on. Engine thread. */
    void interrupt()
    {
        irqFired = true;
        try
        {
            irqByte.clear();
            irq.sink().write(irqByte);
        }
        catch (final IOException | RuntimeException ignore)
        {
            // a full pipe already wakes the owner; a closed one has no owner left
        }
    }
}
