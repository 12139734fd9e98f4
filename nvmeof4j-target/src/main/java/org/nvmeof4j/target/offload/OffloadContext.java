package org.nvmeof4j.target.offload;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import javax.management.JMException;
import javax.management.ObjectName;
import org.nvmeof4j.target.MBeans;
import org.nvmeof4j.target.queue.TargetQueue;
import org.nvmeof4j.target.subsystem.Namespace;
import org.nvmeof4j.target.subsystem.Subsystem;

/**
 * The offload context of one subsystem: the RFC's SRQ with NVMe-oF offload attributes. It holds the attributes
 * (checked against the device's capabilities when created), the staging buffer (owned by the device from then on),
 * the backend controllers attached to it, and the front-end NSID map. Commands it does not offload, and every
 * command of a queue it was not enabled on, are served by the software target as without offload.
 *
 * <p>Threads: the control operations ({@link #addBackendController}, {@link #mapNamespace}, {@link #unmapNamespace},
 * {@link #destroy}) take this context's lock and may be called from any thread; they do not block on I/O. A map or
 * unmap is seen by the data path at the next command (the NSID table is replaced copy-on-write). The data path
 * ({@link #mapping}, events, counters) never locks.
 */
public final class OffloadContext implements OffloadHook
{
    /** How many of the latest events the context keeps for JMX and the CLI. */
    public static final int RECENT_EVENTS = 16;

    private static final System.Logger LOG = System.getLogger("org.nvmeof4j.target.offload");

    private final TargetOffloadDevice device;
    private final Subsystem subsystem;
    private final OffloadContextAttributes attributes;
    private final StagingPool staging;
    private final List<BackendController> controllers = new ArrayList<>();
    private final List<OffloadEvent.Listener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLongArray eventCounts = new AtomicLongArray(OffloadEvent.Type.values().length);
    /** The latest events as lines, a ring indexed by the event's sequence number; written wait-free. */
    private final AtomicReferenceArray<String> recentEvents = new AtomicReferenceArray<>(RECENT_EVENTS);
    private final AtomicLong eventSeq = new AtomicLong();
    private volatile NamespaceMapping[] mappings = new NamespaceMapping[Subsystem.MAX_NSID + 1];
    private volatile boolean destroyed;
    private int mapped;

    OffloadContext(final TargetOffloadDevice device, final Subsystem subsystem,
        final OffloadContextAttributes attributes)
    {
        this.device = device;
        this.subsystem = subsystem;
        this.attributes = attributes;
        this.staging = new StagingPool(attributes.stagingBuffer(), attributes.maxIoSz());
    }

    public TargetOffloadDevice device()
    {
        return device;
    }

    public Subsystem subsystem()
    {
        return subsystem;
    }

    public OffloadContextAttributes attributes()
    {
        return attributes;
    }

    /** @return the device's capabilities. */
    public OffloadCapabilities capabilities()
    {
        return device.capabilities();
    }

    StagingPool staging()
    {
        return staging;
    }

    /** @return staging chunks ({@code maxIoSz} bytes each) in use now, of {@link #stagingChunks()}. */
    public int stagingChunksInUse()
    {
        return staging.inUse();
    }

    /** @return the number of staging chunks. */
    public int stagingChunks()
    {
        return staging.size();
    }

    /**
     * Attach a backend controller (the RFC's {@code ibv_create_nvme_ctrl} on this SRQ). Any thread.
     *
     * @return {@code controller}.
     * @throws OffloadException {@code LIMIT_EXCEEDED} past {@code maxSrqBackendCtrls} or
     *                          {@code maxBackendCtrlsTotal}; {@code INVALID_ARGUMENT} for a queue depth outside the
     *                          device's min/max, no queues, or a controller attached already.
     */
    public synchronized BackendController addBackendController(final BackendController controller)
        throws OffloadException
    {
        checkLive();
        final OffloadCapabilities caps = device.capabilities();
        if (controllers.contains(controller))
        {
            throw new OffloadException(OffloadException.Reason.INVALID_ARGUMENT,
                "backend controller " + controller.name() + " is attached already");
        }
        if (controller.queueCount() < 1)
        {
            throw new OffloadException(OffloadException.Reason.INVALID_ARGUMENT,
                "backend controller " + controller.name() + " has no submission queue");
        }
        final int depth = controller.queueDepth();
        if (depth < caps.minNvmeQueueDepth() || depth > caps.maxNvmeQueueDepth())
        {
            throw new OffloadException(OffloadException.Reason.INVALID_ARGUMENT, "backend queue depth " + depth +
                " outside the device's " + caps.minNvmeQueueDepth() + ".." + caps.maxNvmeQueueDepth());
        }
        if (controllers.size() >= caps.maxSrqBackendCtrls())
        {
            throw new OffloadException(OffloadException.Reason.LIMIT_EXCEEDED,
                "offload context of " + subsystem.nqn() + " holds " + controllers.size() +
                    " backend controllers, the device's maxSrqBackendCtrls");
        }
        if (!device.reserveBackendCtrl())
        {
            throw new OffloadException(OffloadException.Reason.LIMIT_EXCEEDED,
                "device " + device.name() + " holds maxBackendCtrlsTotal (" + caps.maxBackendCtrlsTotal() +
                    ") backend controllers");
        }
        controllers.add(controller);
        return controller;
    }

    /**
     * Detach a backend controller that no mapping uses, and close it (the RFC's {@code ibv_destroy_nvme_ctrl}).
     * Any thread.
     *
     * @throws OffloadException {@code NOT_FOUND} when it is not attached; {@code INVALID_ARGUMENT} while a
     *                          namespace is mapped to it.
     */
    public synchronized void removeBackendController(final BackendController controller) throws OffloadException
    {
        if (!controllers.contains(controller))
        {
            throw new OffloadException(OffloadException.Reason.NOT_FOUND,
                "backend controller " + controller.name() + " is not attached");
        }
        for (final NamespaceMapping m : mappings())
        {
            if (m.controller() == controller)
            {
                throw invalid("backend controller " + controller.name() + " still backs namespace " + m.feNsid());
            }
        }
        controllers.remove(controller);
        device.releaseBackendCtrl();
        controller.close();
    }

    /**
     * Unmap a namespace and detach its backend controller when no other mapping uses it. Any thread.
     *
     * @return whether the namespace was mapped.
     */
    public synchronized boolean unmapNamespaceAndController(final int feNsid)
    {
        final NamespaceMapping m = mapping(feNsid);
        if (m == null)
        {
            return false;
        }
        try
        {
            unmapNamespace(feNsid);
            for (final NamespaceMapping other : mappings())
            {
                if (other.controller() == m.controller())
                {
                    return true;
                }
            }
            removeBackendController(m.controller());
        }
        catch (final OffloadException e)
        {
            // checked above under the same lock
        }
        return true;
    }

    /** @return the backend controllers attached, in order. */
    public synchronized List<BackendController> backendControllers()
    {
        return List.copyOf(controllers);
    }

    /**
     * Map a front-end namespace to a backend namespace (the RFC's {@code ibv_map_nvmf_nsid}). From the next command
     * on, the device serves the namespace's Reads, Writes and Flushes (those the context's offload type covers).
     * Any thread.
     *
     * @param feNsid      the fabric-facing NSID; the subsystem must export it, formatted with {@code lbaDataSize}.
     * @param controller  a controller attached to this context.
     * @param backendNsid its namespace, at least as large as the front-end one.
     * @param lbaDataSize bytes per LBA.
     * @return the mapping (its counters are registered with JMX).
     * @throws OffloadException {@code ALREADY_EXISTS} when {@code feNsid} is mapped; {@code NOT_SUPPORTED} for an
     *                          LBA data size the device does not map or that differs from the namespaces' format;
     *                          {@code LIMIT_EXCEEDED} past {@code maxNamespaces}; {@code INVALID_ARGUMENT} for a
     *                          controller not attached here, a missing namespace, or a backend namespace too small.
     */
    public synchronized NamespaceMapping mapNamespace(final int feNsid, final BackendController controller,
        final int backendNsid, final int lbaDataSize) throws OffloadException
    {
        checkLive();
        if (feNsid < 1 || feNsid > Subsystem.MAX_NSID)
        {
            throw invalid("front-end NSID " + feNsid + " outside 1.." + Subsystem.MAX_NSID);
        }
        if (mappings[feNsid] != null)
        {
            throw new OffloadException(OffloadException.Reason.ALREADY_EXISTS,
                "front-end NSID " + feNsid + " of " + subsystem.nqn() + " is mapped already (" + mappings[feNsid] +
                    ")");
        }
        if (!controllers.contains(controller))
        {
            throw invalid("backend controller " + controller.name() + " is not attached to this offload context");
        }
        if (!device.capabilities().lbaDataSizes().contains(lbaDataSize))
        {
            throw new OffloadException(OffloadException.Reason.NOT_SUPPORTED, "LBA data size " + lbaDataSize +
                " not supported by " + device.name() + " (it maps " + device.capabilities().lbaDataSizes() + ")");
        }
        final int backendLba = controller.lbaDataSize(backendNsid);
        if (backendLba != 0 && backendLba != lbaDataSize)
        {
            throw new OffloadException(OffloadException.Reason.NOT_SUPPORTED, "backend namespace " + backendNsid +
                " of " + controller.name() + " is formatted with " + backendLba + "-byte LBAs, not " + lbaDataSize);
        }
        final Namespace front = subsystem.namespace(feNsid);
        if (front == null)
        {
            throw invalid("subsystem " + subsystem.nqn() + " has no namespace " + feNsid + " to map");
        }
        if (front.blockSize() != lbaDataSize)
        {
            throw new OffloadException(OffloadException.Reason.NOT_SUPPORTED, "namespace " + feNsid + " of " +
                subsystem.nqn() + " has " + front.blockSize() + "-byte blocks, the mapping asks " + lbaDataSize);
        }
        final long backendSize = controller.namespaceSize(backendNsid);
        if (backendSize < 0)
        {
            throw invalid("backend controller " + controller.name() + " has no namespace " + backendNsid);
        }
        if (backendSize < front.blocks() * (long)lbaDataSize)
        {
            throw invalid("backend namespace " + backendNsid + " of " + controller.name() + " holds " + backendSize +
                " bytes, fewer than namespace " + feNsid + "'s " + front.blocks() * (long)lbaDataSize);
        }
        if (mapped >= attributes.maxNamespaces())
        {
            throw new OffloadException(OffloadException.Reason.LIMIT_EXCEEDED, "offload context of " +
                subsystem.nqn() + " maps " + mapped + " namespaces, its maxNamespaces");
        }
        if (!device.reserveNamespace())
        {
            throw new OffloadException(OffloadException.Reason.LIMIT_EXCEEDED, "device " + device.name() +
                " maps maxNamespaces (" + device.capabilities().maxNamespaces() + ") namespaces");
        }
        final NamespaceMapping m = new NamespaceMapping(feNsid, controller, backendNsid, lbaDataSize,
            new OffloadNamespaceStats(subsystem.nqn(), feNsid, controller.name() + " nsid " + backendNsid));
        final NamespaceMapping[] next = mappings.clone();
        next[feNsid] = m;
        mappings = next;
        mapped++;
        register(m);
        return m;
    }

    /**
     * Remove a mapping (the RFC's {@code ibv_unmap_nvmf_nsid}): the namespace's next commands go to the software
     * target; commands already being served finish. Any thread.
     *
     * @throws OffloadException {@code NOT_FOUND} when {@code feNsid} is not mapped.
     */
    public synchronized void unmapNamespace(final int feNsid) throws OffloadException
    {
        final NamespaceMapping m = feNsid < 1 || feNsid > Subsystem.MAX_NSID ? null : mappings[feNsid];
        if (m == null)
        {
            throw new OffloadException(OffloadException.Reason.NOT_FOUND,
                "front-end NSID " + feNsid + " of " + subsystem.nqn() + " is not mapped");
        }
        final NamespaceMapping[] next = mappings.clone();
        next[feNsid] = null;
        mappings = next;
        mapped--;
        device.releaseNamespace();
        unregister(m);
    }

    /** @return the mapping of a front-end NSID, or null. Any thread, lock-free (the data path's lookup). */
    public NamespaceMapping mapping(final int feNsid)
    {
        return feNsid < 1 || feNsid > Subsystem.MAX_NSID ? null : mappings[feNsid];
    }

    /** @return every mapping, by NSID. */
    public List<NamespaceMapping> mappings()
    {
        final List<NamespaceMapping> l = new ArrayList<>();
        for (final NamespaceMapping m : mappings)
        {
            if (m != null)
            {
                l.add(m);
            }
        }
        return l;
    }

    public void addEventListener(final OffloadEvent.Listener listener)
    {
        listeners.add(listener);
    }

    public void removeEventListener(final OffloadEvent.Listener listener)
    {
        listeners.remove(listener);
    }

    /** @return events of one type raised so far. */
    public long eventCount(final OffloadEvent.Type type)
    {
        return eventCounts.get(type.ordinal());
    }

    /** @return the latest events (at most {@link #RECENT_EVENTS}), oldest first, one line each. */
    public List<String> recentEvents()
    {
        final long end = eventSeq.get();
        final List<String> l = new ArrayList<>();
        for (long i = Math.max(0, end - RECENT_EVENTS); i < end; i++)
        {
            final String e = recentEvents.get((int)(i % RECENT_EVENTS));
            if (e != null)
            {
                l.add(e);
            }
        }
        return l;
    }

    /** Raise an event (from a device's data path): counted, logged, then given to the listeners. */
    void raise(final OffloadEvent event)
    {
        eventCounts.incrementAndGet(event.type().ordinal());
        final long seq = eventSeq.getAndIncrement();
        recentEvents.set((int)(seq % RECENT_EVENTS), java.time.Instant.now() + " " + event.type() + " nsid " +
            event.feNsid() + " opcode 0x" + Integer.toHexString(event.opcode()) + " (" + event.backend() + "): " +
            event.detail());
        LOG.log(System.Logger.Level.WARNING, () -> "target offload " + event.type() + " on " + event.subsystemNqn() +
            " nsid " + event.feNsid() + " (" + event.backend() + "): " + event.detail());
        for (final OffloadEvent.Listener l : listeners)
        {
            try
            {
                l.onEvent(event);
            }
            catch (final RuntimeException e)
            {
                // a listener's failure must not reach the data path
            }
        }
    }

    @Override
    public OffloadHook.Connection enable(final TargetQueue queue)
    {
        return destroyed ? null : device.newConnection(this, queue);
    }

    /** @return whether {@link #destroy()} ran. */
    public boolean destroyed()
    {
        return destroyed;
    }

    /**
     * Detach from the subsystem, unmap everything and close the backend controllers (the RFC's
     * {@code ibv_destroy_srq}). Queues enabled earlier serve their next commands in software. Any thread; closing
     * a controller may block.
     */
    public synchronized void destroy()
    {
        if (destroyed)
        {
            return;
        }
        destroyed = true;
        synchronized (subsystem)
        {
            if (subsystem.offload() == this)
            {
                subsystem.offload(null);
            }
        }
        unregisterContext();
        for (final NamespaceMapping m : mappings())
        {
            unregister(m);
            device.releaseNamespace();
        }
        mappings = new NamespaceMapping[Subsystem.MAX_NSID + 1];
        mapped = 0;
        for (final BackendController c : controllers)
        {
            device.releaseBackendCtrl();
            try
            {
                c.close();
            }
            catch (final RuntimeException e)
            {
                LOG.log(System.Logger.Level.WARNING, "closing backend " + c.name() + ": " + e);
            }
        }
        controllers.clear();
    }

    private void checkLive() throws OffloadException
    {
        if (destroyed)
        {
            throw invalid("the offload context of " + subsystem.nqn() + " was destroyed");
        }
    }

    private static OffloadException invalid(final String message)
    {
        return new OffloadException(OffloadException.Reason.INVALID_ARGUMENT, message);
    }

    /** @return the JMX object name of a mapped namespace's counters. */
    public static ObjectName objectName(final String subsystemNqn, final int feNsid)
    {
        try
        {
            return new ObjectName(OffloadNamespaceStatsMXBean.OBJECT_NAME_PREFIX + "subsystem=" +
                ObjectName.quote(subsystemNqn) + ",nsid=" + feNsid);
        }
        catch (final JMException e)
        {
            throw new IllegalArgumentException(e);
        }
    }

    /** @return the JMX object name of a subsystem's offload context. */
    public static ObjectName contextObjectName(final String subsystemNqn)
    {
        try
        {
            return new ObjectName(OffloadContextMXBean.OBJECT_NAME_PREFIX + "subsystem=" +
                ObjectName.quote(subsystemNqn));
        }
        catch (final JMException e)
        {
            throw new IllegalArgumentException(e);
        }
    }

    /** Register the context's JMX view (by the device, once the context is attached to its subsystem). */
    void registerContext()
    {
        // JMX is a view: a failure to register must not stop the offload
        MBeans.replace(contextObjectName(subsystem.nqn()), new View());
    }

    private void unregisterContext()
    {
        MBeans.unregister(contextObjectName(subsystem.nqn()));
    }

    /** The context as JMX sees it: a separate object so the context's own API keeps no getters for JMX's sake. */
    private final class View implements OffloadContextMXBean
    {
        @Override
        public String getSubsystemNqn()
        {
            return subsystem.nqn();
        }

        @Override
        public String getDevice()
        {
            return device.name();
        }

        @Override
        public String getOffloadType()
        {
            return attributes.offloadType().name().toLowerCase(java.util.Locale.ROOT);
        }

        @Override
        public int getMaxIoSz()
        {
            return attributes.maxIoSz();
        }

        @Override
        public int[] getMappedNamespaces()
        {
            return mappings().stream().mapToInt(NamespaceMapping::feNsid).toArray();
        }

        @Override
        public String[] getBackendControllers()
        {
            return backendControllers().stream().map(BackendController::name).toArray(String[]::new);
        }

        @Override
        public int getStagingChunks()
        {
            return stagingChunks();
        }

        @Override
        public int getStagingChunksInUse()
        {
            return stagingChunksInUse();
        }

        @Override
        public long getBackendErrorEvents()
        {
            return eventCount(OffloadEvent.Type.BACKEND_ERROR);
        }

        @Override
        public long getBackendTimeoutEvents()
        {
            return eventCount(OffloadEvent.Type.BACKEND_TIMEOUT);
        }

        @Override
        public long getUnsupportedCommandEvents()
        {
            return eventCount(OffloadEvent.Type.UNSUPPORTED_COMMAND);
        }

        @Override
        public String[] getRecentEvents()
        {
            return recentEvents().toArray(new String[0]);
        }
    }

    private void register(final NamespaceMapping m)
    {
        // JMX is a view: a failure to register must not stop the mapping
        MBeans.replace(objectName(subsystem.nqn(), m.feNsid()), m.stats());
    }

    private void unregister(final NamespaceMapping m)
    {
        MBeans.unregister(objectName(subsystem.nqn(), m.feNsid()));
    }

    @Override
    public String toString()
    {
        return "offload context " + subsystem.nqn() + " on " + device.name() + " (" + attributes.offloadType() +
            ", " + mappings().size() + " namespaces)";
    }
}
