package org.nvmeof4j.gateway;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.nvmeof4j.host.CompletionHandler;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.IoQueue;
import org.nvmeof4j.host.Namespace;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.protocol.nvme.NvmeStatus;
import org.nvmeof4j.target.backend.Backend;
import org.nvmeof4j.target.offload.BackendController;
import org.nvmeof4j.target.offload.BackendQueue;
import org.nvmeof4j.target.offload.BackendStatusException;
import org.nvmeof4j.target.offload.BackendTimeoutException;

/**
 * Backend kind 2 of the target offload (seed 004): a backend NVMe controller reached over NVMe/TCP through
 * nvmeof4j's own host, which turns the target into an NVMe-oF gateway (the analog of nvmet's passthru). Each backend
 * submission queue is one polled host {@link IoQueue}; the {@code fastpath} device round-robins over them. A Write's
 * data goes from the front connection's staging chunk straight into the backend queue's gather write (no copy); a
 * Read's data is received into the staging chunk and sent on from there.
 *
 * <p>Threads: a polled host queue belongs to one thread at a time, so each backend queue serializes its callers
 * (pollers that hit the same queue wait for each other). A call blocks its poller for one backend round trip, as a
 * file backend's pread does. A command that outlives {@code ioTimeout} plus a grace period fails with
 * {@link BackendTimeoutException}; its queue is then closed (no late completion can touch the buffer any more) and
 * reopened on the next call.
 */
public final class NvmeTcpBackendController implements BackendController
{
    private static final long GRACE_NANOS = 5_000_000_000L;

    private final NvmeController controller;
    private final String name;
    private final GatewayQueue[] queues;
    private final long timeoutNanos;

    /**
     * Connect to the backend controller. Blocking (TCP connect, Fabrics Connect, Identify).
     *
     * @param options the backend (traddr, trsvcid, subnqn, hostnqn, digests, ...); its poll queues are set to
     *                {@code queues}.
     * @param queues  backend submission queues, at least 1.
     */
    public static NvmeTcpBackendController connect(final ConnectOptions options, final int queues)
    {
        if (queues < 1)
        {
            throw new IllegalArgumentException("a backend controller needs at least one queue: " + queues);
        }
        return new NvmeTcpBackendController(NvmeController.connect(options.nrPollQueues(queues).nrIoQueues(1)),
            queues);
    }

    /** Take over a connected controller with at least {@code queues} poll queues (closed by {@link #close()}). */
    public NvmeTcpBackendController(final NvmeController controller, final int queues)
    {
        this.controller = controller;
        final ConnectOptions o = controller.options();
        this.name = "nvme-tcp:" + o.traddr() + ":" + o.trsvcid() + "/" + o.nqn();
        this.timeoutNanos = o.ioTimeout().toNanos() + GRACE_NANOS;
        this.queues = new GatewayQueue[queues];
        for (int i = 0; i < queues; i++)
        {
            this.queues[i] = new GatewayQueue(i);
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
        return queues.length;
    }

    @Override
    public BackendQueue queue(final int i)
    {
        return queues[i];
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

    @Override
    public void close()
    {
        for (final GatewayQueue q : queues)
        {
            q.shutdown();
        }
        controller.close();
    }

    @Override
    public String toString()
    {
        return name;
    }

    /** One backend submission queue: a polled host queue, used by one caller at a time. */
    private final class GatewayQueue implements BackendQueue, CompletionHandler
    {
        private final int index;
        private IoQueue queue;
        private int status;
        private boolean done;

        GatewayQueue(final int index)
        {
            this.index = index;
        }

        @Override
        public void onComplete(final long userTag, final int st)
        {
            status = st;
            done = true;
        }

        private IoQueue queue() throws IOException
        {
            if (queue == null)
            {
                try
                {
                    queue = controller.openIoQueue();
                }
                catch (final RuntimeException e)
                {
                    throw new IOException(name + " queue " + index + ": cannot open: " + e.getMessage(), e);
                }
            }
            return queue;
        }

        @Override
        public synchronized void read(final int nsid, final long offset, final ByteBuffer dst, final int index,
            final int length) throws IOException
        {
            final IoQueue q = queue();
            final int bs = q.blockSize(nsid);
            checkBlocks(nsid, bs, offset, length);
            final int pos = dst.position();
            final int lim = dst.limit();
            try
            {
                dst.limit(index + length).position(index);
                run(q, q.submitRead(nsid, offset / bs, length / bs, dst, 0), "Read");
            }
            finally
            {
                restore(dst, pos, lim);
            }
        }

        @Override
        public synchronized void write(final int nsid, final long offset, final ByteBuffer src, final int index,
            final int length) throws IOException
        {
            final IoQueue q = queue();
            final int bs = q.blockSize(nsid);
            checkBlocks(nsid, bs, offset, length);
            final int pos = src.position();
            final int lim = src.limit();
            try
            {
                src.limit(index + length).position(index);
                run(q, q.submitWrite(nsid, offset / bs, length / bs, src, 0), "Write");
            }
            finally
            {
                restore(src, pos, lim);
            }
        }

        @Override
        public synchronized void flush(final int nsid) throws IOException
        {
            final IoQueue q = queue();
            run(q, q.submitFlush(nsid, 0), "Flush");
        }

        private void checkBlocks(final int nsid, final int bs, final long offset, final int length)
            throws IOException
        {
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
        }

        private void run(final IoQueue q, final int slot, final String what) throws IOException
        {
            if (slot < 0)
            {
                // one caller at a time and one command each: the queue cannot be full unless it is broken
                throw new IOException(name + " queue " + index + ": " + what + " not accepted (queue full)");
            }
            done = false;
            final long deadline = System.nanoTime() + timeoutNanos;
            while (!done)
            {
                if (q.poll(this) == 0 && !done)
                {
                    if (System.nanoTime() - deadline > 0)
                    {
                        // the buffer may still be referenced by the request: close the queue so nothing lands later
                        shutdown();
                        throw new BackendTimeoutException(name + " queue " + index + ": " + what +
                            " not completed within " + timeoutNanos / 1_000_000 + " ms");
                    }
                    q.await(1_000_000L);
                }
            }
            if (status != 0)
            {
                if (status == IoQueue.STATUS_CONTROLLER_LOST)
                {
                    throw new IOException(name + ": controller lost");
                }
                final int sctSc = status & NvmeStatus.SCT_SC_MASK;
                throw new BackendStatusException(sctSc, name + ": " + what + " failed: " +
                    NvmeStatus.describe(status));
            }
        }

        synchronized void shutdown()
        {
            if (queue != null)
            {
                try
                {
                    queue.close();
                }
                catch (final RuntimeException ignore)
                {
                    // already gone
                }
                queue = null;
            }
        }
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
}
