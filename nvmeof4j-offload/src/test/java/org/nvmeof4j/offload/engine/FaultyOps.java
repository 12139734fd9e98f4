package org.nvmeof4j.offload.engine;

import java.nio.channels.SelectableChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeTransportException;
import org.nvmeof4j.host.offload.NvmeTcpOfldCtrl;
import org.nvmeof4j.host.offload.NvmeTcpOfldDev;
import org.nvmeof4j.host.offload.NvmeTcpOfldOps;
import org.nvmeof4j.host.offload.NvmeTcpOfldQueue;
import org.nvmeof4j.host.offload.NvmeTcpOfldReq;

/**
 * A fault-injecting driver for the tests: the reference engine underneath, and on request a failing
 * {@code createQueue}, a queue error after a number of I/O requests, or a failing {@code sendReq}.
 */
final class FaultyOps implements NvmeTcpOfldOps<OffloadEngine.EngineCtrl, EngineQueue>
{
    final OffloadEngine inner;
    /** createQueue calls for I/O queues that fail, from now on. */
    final AtomicInteger failCreateQueue = new AtomicInteger();
    /** After this many more I/O sendReq calls, report a queue error on that queue (0: never). */
    final AtomicLong queueErrorAfter = new AtomicLong();
    /** After this many more I/O sendReq calls, refuse one (0: never). */
    final AtomicLong refuseSendAfter = new AtomicLong();
    final AtomicInteger injected = new AtomicInteger();
    final List<NvmeTcpOfldQueue> queues = new CopyOnWriteArrayList<>();

    FaultyOps(final OffloadEngine.Options o)
    {
        this.inner = OffloadEngine.create(o);
    }

    NvmeTcpOfldDev device(final String name)
    {
        return NvmeTcpOfldDev.builder().name(name).maxHwSectors(inner.dev().maxHwSectors())
            .maxSegments(inner.dev().maxSegments()).allowedOpts(OffloadEngine.ALLOWED_OPTS).ops(this).build();
    }

    @Override
    public boolean claimDev(final NvmeTcpOfldDev dev, final ConnectOptions options)
    {
        return inner.claimDev(inner.dev(), options);
    }

    @Override
    public OffloadEngine.EngineCtrl setupCtrl(final NvmeTcpOfldCtrl ctrl)
    {
        return inner.setupCtrl(ctrl);
    }

    @Override
    public void releaseCtrl(final OffloadEngine.EngineCtrl ctrl)
    {
        inner.releaseCtrl(ctrl);
    }

    @Override
    public EngineQueue createQueue(final OffloadEngine.EngineCtrl ctrl, final NvmeTcpOfldQueue queue, final int qid,
        final int queueSize, final long deadlineNanos)
    {
        if (qid > 0 && failCreateQueue.getAndUpdate(n -> Math.max(0, n - 1)) > 0)
        {
            injected.incrementAndGet();
            throw new NvmeTransportException("injected createQueue failure on queue " + qid);
        }
        queues.add(queue);
        return inner.createQueue(ctrl, queue, qid, queueSize, deadlineNanos);
    }

    @Override
    public void drainQueue(final EngineQueue q)
    {
        inner.drainQueue(q);
    }

    @Override
    public void destroyQueue(final EngineQueue q)
    {
        inner.destroyQueue(q);
    }

    @Override
    public int pollQueue(final EngineQueue q)
    {
        return inner.pollQueue(q);
    }

    @Override
    public void initReq(final EngineQueue q, final NvmeTcpOfldReq req)
    {
        inner.initReq(q, req);
    }

    @Override
    public int mapSg(final EngineQueue q, final NvmeTcpOfldReq req)
    {
        return inner.mapSg(q, req);
    }

    @Override
    public int sendReq(final EngineQueue q, final NvmeTcpOfldReq req)
    {
        if (q.uq.qid() > 0)
        {
            if (countdown(queueErrorAfter))
            {
                injected.incrementAndGet();
                final int rc = inner.sendReq(q, req);
                // as a device would, from its own thread: the queue broke while this request was in flight
                final Thread t = new Thread(() -> q.uq.reportQueueErr("injected queue error", null));
                t.start();
                return rc;
            }
            if (countdown(refuseSendAfter))
            {
                injected.incrementAndGet();
                return -5;
            }
        }
        return inner.sendReq(q, req);
    }

    private static boolean countdown(final AtomicLong n)
    {
        while (true)
        {
            final long v = n.get();
            if (v <= 0)
            {
                return false;
            }
            if (n.compareAndSet(v, v - 1))
            {
                return v == 1;
            }
        }
    }

    @Override
    public void commitRqs(final EngineQueue q)
    {
        inner.commitRqs(q);
    }

    @Override
    public void awaitQueue(final EngineQueue q, final long maxNanos)
    {
        inner.awaitQueue(q, maxNanos);
    }

    @Override
    public SelectableChannel queueChannel(final EngineQueue q)
    {
        return inner.queueChannel(q);
    }

    @Override
    public boolean armQueue(final EngineQueue q)
    {
        return inner.armQueue(q);
    }
}
