package org.nvmeof4j.gateway;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.IoQueue;
import org.nvmeof4j.host.Namespace;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.protocol.nvme.NvmeStatus;
import org.nvmeof4j.protocol.nvme.NvmeStatusException;
import org.nvmeof4j.target.backend.Backend;
import org.nvmeof4j.target.offload.AsyncBackendQueue;
import org.nvmeof4j.target.offload.BackendController;
import org.nvmeof4j.target.offload.BackendQueue;
import org.nvmeof4j.target.offload.BackendStatusException;
import org.nvmeof4j.tcp.Poller;

/**
 * Backend kind 2 of the target offload (seed 004): a backend NVMe controller reached over NVMe/TCP through
 * nvmeof4j's own host, which turns the target into an NVMe-oF gateway (the analog of nvmet's passthru).
 *
 * <p><b>Queues.</b> The controller connects with {@code queues} polled host I/O queues. Each target poller that
 * serves a mapped namespace takes one of them for its own ({@link #asyncQueue}): a {@link PolledBackendQueue}, a
 * task of that poller, so the front-end command is submitted to the backend and the poller goes on; the backend
 * completion is reaped in the same poller's duty cycle and completes the front-end command. A Write's received data
 * goes from the front connection's staging chunk straight into the backend queue's gather write, and a Read's data
 * is received into the staging chunk and sent on from there (no copy in user space). A poller beyond the
 * {@code queues}-th gets no queue of its own and is served by the blocking {@link #queue(int)}, which waits on the
 * host's thread-safe async API: give a gateway at least as many backend queues as the target has pollers.
 *
 * <p><b>Faults.</b> See {@link PolledBackendQueue}: the host reconnects underneath; a command outstanding longer than
 * {@code io_timeout} plus a grace period completes with a backend timeout, and one whose backend is lost
 * ({@code ctrl_loss_tmo}) or closed with a backend error. Every front-end command completes, once.
 */
public final class NvmeTcpBackendController implements BackendController
{
    private static final long GRACE_NANOS = 5_000_000_000L;

    private final NvmeController controller;
    private final String name;
    private final int queueCount;
    private volatile long timeoutNanos;
    private final BlockingQueue blocking = new BlockingQueue();
    /** Opened polled queues no poller has taken yet. */
    private final ArrayDeque<IoQueue> spare = new ArrayDeque<>();
    private final Map<Poller, PolledBackendQueue> byPoller = new IdentityHashMap<>();
    private boolean closed;

    /**
     * Connect to the backend controller. Blocking (TCP connect, Fabrics Connect, Identify, the queues' connects).
     *
     * @param options the backend (traddr, trsvcid, subnqn, hostnqn, digests, ...); its poll queues are set to
     *                {@code queues}.
     * @param queues  backend I/O queues, at least 1: one per target poller.
     */
    public static NvmeTcpBackendController connect(final ConnectOptions options, final int queues)
    {
        if (queues < 1)
        {
            throw new IllegalArgumentException("a backend controller needs at least one queue: " + queues);
        }
        final NvmeController c = NvmeController.connect(options.nrPollQueues(queues).nrIoQueues(1));
        try
        {
            return new NvmeTcpBackendController(c, queues);
        }
        catch (final RuntimeException e)
        {
            c.close();
            throw e;
        }
    }

    /**
     * Take over a connected controller with at least {@code queues} poll queues (closed by {@link #close()}); opens
     * them now, so that no poller blocks for a connect when it first serves the namespace.
     */
    public NvmeTcpBackendController(final NvmeController controller, final int queues)
    {
        this.controller = controller;
        final ConnectOptions o = controller.options();
        this.name = "nvme-tcp:" + o.traddr() + ":" + o.trsvcid() + "/" + o.nqn();
        this.timeoutNanos = o.ioTimeout().toNanos() + GRACE_NANOS;
        this.queueCount = queues;
        try
        {
            for (int i = 0; i < queues; i++)
            {
                spare.add(controller.openIoQueue());
            }
        }
        catch (final RuntimeException e)
        {
            spare.forEach(IoQueue::close);
            throw e;
        }
    }

    /** @return the host controller behind this backend. */
    public NvmeController controller()
    {
        return controller;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public int queueCount()
    {
        return queueCount;
    }

    /** The blocking queue, on the host's async API (for a poller without a polled queue of its own). */
    @Override
    public BackendQueue queue(final int i)
    {
        return blocking;
    }

    /**
     * The poller's own polled backend queue, taken from the queues opened at connect the first time the poller asks.
     * Poller thread.
     *
     * @return the queue, or null when every queue belongs to another poller (or the controller is closed).
     */
    @Override
    public synchronized AsyncBackendQueue asyncQueue(final Poller poller)
    {
        PolledBackendQueue q = byPoller.get(poller);
        if (q == null && !closed && !spare.isEmpty())
        {
            q = new PolledBackendQueue(this, poller, spare.poll(), timeoutNanos);
            byPoller.put(poller, q);
            poller.add(q, null); // polls every cycle; its socket only wakes the poller
        }
        return q;
    }

    /**
     * Change the time after which a backend command counts as timed out (default: the host's {@code io_timeout}
     * plus 5 s); applies to queues a poller takes from now on. For tests.
     */
    void commandTimeout(final java.time.Duration timeout)
    {
        timeoutNanos = timeout.toNanos();
    }

    /** @return the polled queue {@code poller} took, or null. */
    synchronized PolledBackendQueue polledQueue(final Poller poller)
    {
        return byPoller.get(poller);
    }

    /** A polled queue closed for good (its poller stopped): it is nobody's any more. */
    synchronized void released(final PolledBackendQueue q)
    {
        byPoller.remove(q.poller(), q);
    }

    /** @return the pollers with a polled queue of their own now (tests, statistics). */
    public synchronized int pollersServed()
    {
        return byPoller.size();
    }

    @Override
    public int queueDepth()
    {
        return controller.options().queueSize();
    }

    @Override
    public long namespaceSize(final int nsid)
    {
        final Namespace ns = controller.namespace(nsid);
        return ns == null ? -1 : ns.sizeBytes();
    }

    @Override
    public int lbaDataSize(final int nsid)
    {
        final Namespace ns = controller.namespace(nsid);
        return ns == null ? 0 : ns.blockSize();
    }

    /**
     * @return a software-target backend for the front-end namespace of backend namespace {@code nsid}: the commands
     *         the device does not serve (Write Zeroes, Compare, Dataset Management, ...) reach the backend through it,
     *         on the host's thread-safe async API.
     * @throws IllegalArgumentException when the backend has no such namespace.
     */
    public Backend frontBackend(final int nsid)
    {
        final Namespace ns = controller.namespace(nsid);
        if (ns == null)
        {
            throw new IllegalArgumentException(name + " has no namespace " + nsid);
        }
        return new PassthruBackend(controller, nsid, ns.blockSize(), ns.sizeBytes(), name);
    }

    /**
     * Close the controller: every polled queue fails what it holds with a backend error on its poller's next cycle,
     * then the host controller is shut down. Blocking.
     */
    @Override
    public void close()
    {
        final List<PolledBackendQueue> owned;
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            owned = new ArrayList<>(byPoller.values());
            byPoller.clear();
        }
        for (final PolledBackendQueue q : owned)
        {
            q.requestClose(name + ": backend controller closed");
        }
        for (final IoQueue q : spare)
        {
            q.close();
        }
        spare.clear();
        controller.close();
    }

    @Override
    public String toString()
    {
        return name;
    }

    /**
     * The blocking backend queue: each call waits on the host's thread-safe async API (one small allocation per call,
     * the fallback path), bounded by the host's {@code io_timeout} and {@code ctrl_loss_tmo}.
     */
    private final class BlockingQueue implements BackendQueue
    {
        @Override
        public void read(final int nsid, final long offset, final ByteBuffer dst, final int index, final int length)
            throws IOException
        {
            final int bs = checkBlocks(nsid, offset, length);
            join(controller.read(nsid, offset / bs, length / bs, dst.slice(index, length)), "Read");
        }

        @Override
        public void write(final int nsid, final long offset, final ByteBuffer src, final int index, final int length)
            throws IOException
        {
            final int bs = checkBlocks(nsid, offset, length);
            join(controller.write(nsid, offset / bs, length / bs, src.slice(index, length)), "Write");
        }

        @Override
        public void flush(final int nsid) throws IOException
        {
            checkBlocks(nsid, 0, 0);
            join(controller.flush(nsid), "Flush");
        }

        private int checkBlocks(final int nsid, final long offset, final int length) throws IOException
        {
            final int bs = lbaDataSize(nsid);
            if (bs <= 0)
            {
                throw new BackendStatusException(NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.status(),
                    name + " has no namespace " + nsid);
            }
            if (offset % bs != 0 || length % bs != 0)
            {
                throw new IOException(name + ": " + length + " bytes at " + offset + " are not whole " + bs +
                    "-byte blocks");
            }
            return bs;
        }

        private void join(final CompletableFuture<Void> f, final String what) throws IOException
        {
            try
            {
                f.join();
            }
            catch (final CompletionException e)
            {
                final Throwable c = e.getCause() == null ? e : e.getCause();
                if (c instanceof NvmeStatusException se && (se.status() & NvmeStatus.SCT_SC_MASK) !=
                    NvmeStatus.HOST_PATHING_ERROR.status())
                {
                    throw new BackendStatusException(se.status() & NvmeStatus.SCT_SC_MASK, name + ": " + what +
                        " failed: " + c.getMessage());
                }
                throw new IOException(name + ": " + what + " failed: " + c.getMessage(), c);
            }
        }
    }
}
