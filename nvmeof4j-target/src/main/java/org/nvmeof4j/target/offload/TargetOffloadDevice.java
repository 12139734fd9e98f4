package org.nvmeof4j.target.offload;

import java.util.concurrent.atomic.AtomicInteger;
import org.nvmeof4j.target.queue.TargetQueue;
import org.nvmeof4j.target.subsystem.Subsystem;

/**
 * A target offload device (seed 004): something that serves Read/Write/Flush of mapped namespaces by itself,
 * talking straight to backend controllers, while every other command falls through to the software target. The
 * RFC's device with its {@code ibv_nvmf_caps}; this class holds the device-wide bookkeeping (capabilities, limits
 * over all contexts), a subclass supplies the data path ({@link #newConnection}).
 *
 * <p>Threads: control operations ({@link #createContext}, the context's map/unmap) may be called from any thread
 * and may block briefly (they take the context's lock, never a poller's); the data path runs on poller threads.
 */
public abstract class TargetOffloadDevice
{
    private final String name;
    private final OffloadCapabilities capabilities;
    private final AtomicInteger backendCtrls = new AtomicInteger();
    private final AtomicInteger namespaces = new AtomicInteger();

    protected TargetOffloadDevice(final String name, final OffloadCapabilities capabilities)
    {
        this.name = name;
        this.capabilities = capabilities;
    }

    /** @return the device name ({@code fastpath}). */
    public final String name()
    {
        return name;
    }

    /** @return what the device can do (the RFC's {@code ibv_query_device_ex} result). */
    public final OffloadCapabilities capabilities()
    {
        return capabilities;
    }

    /**
     * Create the offload context of a subsystem (the RFC's {@code ibv_create_srq_ex} with NVMe-oF attributes) and
     * attach it to the subsystem: I/O queues connected from now on are offered to it. Any thread.
     *
     * @throws OffloadException {@code INVALID_ARGUMENT} when an attribute is outside the capabilities (the message
     *                          names it), {@code NOT_SUPPORTED} for an offload type the device lacks,
     *                          {@code ALREADY_EXISTS} when the subsystem has an offload context already.
     */
    public final OffloadContext createContext(final Subsystem subsystem, final OffloadContextAttributes attributes)
        throws OffloadException
    {
        check(attributes);
        synchronized (subsystem)
        {
            if (subsystem.offload() != null)
            {
                throw new OffloadException(OffloadException.Reason.ALREADY_EXISTS,
                    "subsystem " + subsystem.nqn() + " has an offload context already");
            }
            final OffloadContext ctx = new OffloadContext(this, subsystem, attributes);
            subsystem.offload(ctx);
            ctx.registerContext();
            return ctx;
        }
    }

    /**
     * Check attributes against the capabilities without creating anything (a configuration's dry run), with the
     * staging buffer's size given instead of the buffer (which may be null). Any thread.
     *
     * @throws OffloadException as {@link #createContext} would.
     */
    public final void checkAttributes(final OffloadContextAttributes attributes, final long stagingBufSize)
        throws OffloadException
    {
        checkLimits(attributes);
        checkStaging(attributes, stagingBufSize);
    }

    private void check(final OffloadContextAttributes a) throws OffloadException
    {
        checkLimits(a);
        if (a.stagingBuffer() == null || !a.stagingBuffer().isDirect())
        {
            throw new OffloadException(OffloadException.Reason.INVALID_ARGUMENT,
                "the staging buffer must be direct memory");
        }
        checkStaging(a, a.stagingBuffer().capacity());
    }

    private void checkLimits(final OffloadContextAttributes a) throws OffloadException
    {
        final OffloadCapabilities c = capabilities;
        if (a.offloadType() == null || !c.supports(a.offloadType()))
        {
            throw new OffloadException(OffloadException.Reason.NOT_SUPPORTED, "offload type " + a.offloadType() +
                " not supported by " + name + " (it offers " + c.types() + ")");
        }
        range("maxNamespaces", a.maxNamespaces(), 1, c.maxSrqNamespaces());
        range("maxIoSz", a.maxIoSz(), 512, c.maxIoSz());
        range("nvmeQueueDepth", a.nvmeQueueDepth(), c.minNvmeQueueDepth(), c.maxNvmeQueueDepth());
        range("ioccsz", a.ioccsz(), c.minIoccsz(), c.maxIoccsz());
        range("icdoff", a.icdoff(), 0, c.maxIcdoff());
    }

    private void checkStaging(final OffloadContextAttributes a, final long size) throws OffloadException
    {
        final OffloadCapabilities c = capabilities;
        if (size < c.minStagingBufSize() || size < a.maxIoSz())
        {
            throw new OffloadException(OffloadException.Reason.INVALID_ARGUMENT, "staging buffer of " + size +
                " bytes is below the minimum " + Math.max(c.minStagingBufSize(), a.maxIoSz()) +
                " (minStagingBufSize " + c.minStagingBufSize() + ", maxIoSz " + a.maxIoSz() + ")");
        }
    }

    private static void range(final String what, final long v, final long min, final long max)
        throws OffloadException
    {
        if (v < min || v > max)
        {
            throw new OffloadException(OffloadException.Reason.INVALID_ARGUMENT,
                what + " " + v + " outside the device's " + min + ".." + max);
        }
    }

    /**
     * The device's data path on one I/O queue whose Connect succeeded (the RFC's {@code ibv_qp_set_nvmf}). Queue
     * thread; must not block.
     *
     * @return the connection, or null to leave the queue to software.
     */
    protected abstract OffloadHook.Connection newConnection(OffloadContext context, TargetQueue queue);

    /** Count a backend controller against {@code maxBackendCtrlsTotal}; @return false when it is reached. */
    final boolean reserveBackendCtrl()
    {
        return reserve(backendCtrls, capabilities.maxBackendCtrlsTotal());
    }

    final void releaseBackendCtrl()
    {
        backendCtrls.decrementAndGet();
    }

    /** Count a mapped namespace against {@code maxNamespaces}; @return false when it is reached. */
    final boolean reserveNamespace()
    {
        return reserve(namespaces, capabilities.maxNamespaces());
    }

    final void releaseNamespace()
    {
        namespaces.decrementAndGet();
    }

    /** @return backend controllers attached over all contexts. */
    public final int backendCtrlsInUse()
    {
        return backendCtrls.get();
    }

    /** @return namespaces mapped over all contexts. */
    public final int namespacesInUse()
    {
        return namespaces.get();
    }

    private static boolean reserve(final AtomicInteger counter, final int max)
    {
        while (true)
        {
            final int n = counter.get();
            if (n >= max)
            {
                return false;
            }
            if (counter.compareAndSet(n, n + 1))
            {
                return true;
            }
        }
    }

    @Override
    public String toString()
    {
        return name;
    }
}
