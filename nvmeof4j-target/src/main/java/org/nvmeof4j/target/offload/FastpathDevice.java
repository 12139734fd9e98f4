package org.nvmeof4j.target.offload;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import org.nvmeof4j.protocol.nvme.NvmeStatus;
import org.nvmeof4j.protocol.nvme.Opcodes;
import org.nvmeof4j.protocol.nvme.Sqe;
import org.nvmeof4j.target.backend.FileBackend;
import org.nvmeof4j.target.queue.Request;
import org.nvmeof4j.target.queue.TargetQueue;
import org.nvmeof4j.target.subsystem.Namespace;
import org.nvmeof4j.target.subsystem.Subsystem;

/**
 * The reference target offload device, {@code fastpath}: it runs on each connection's poller, beside the software
 * target, and serves the Reads, Writes and Flushes of mapped namespaces straight against their backend controllers.
 * With the data digest off, reads from a file backend go out of a read-only mapping of the file: the queue's gather
 * write copies the payload from the page cache into the socket (one copy, in the kernel, and the read batched with
 * the PDUs around it); reads of at least {@code zeroCopyMinBytes} the mapping cannot serve go out with zero copy
 * ({@link FileChannel#transferTo}: the C2HData header, then the payload from the page cache); the rest through a
 * staging chunk. Writes are
 * received into a chunk of the context's staging buffer and written to the backend from there. Everything else
 * (admin commands, other opcodes, unmapped namespaces, transfers above the context's {@code maxIoSz}) falls
 * through to the software target, or, on a device without {@code supportsNonOffloadedOps}, fails with Invalid
 * Opcode / Invalid Namespace and raises {@link OffloadEvent.Type#UNSUPPORTED_COMMAND}.
 *
 * <p>Backend failures complete the command, never leave it: a {@link BackendTimeoutException} with Internal Path
 * Error (NVMe Base 2.0 Figure 103, SCT 3h), a {@link BackendStatusException} with the backend's status, any other
 * {@link IOException} with Internal Error; each raises an event and counts an error on the namespace.
 */
public final class FastpathDevice extends TargetOffloadDevice
{
    /** The device name used by {@code --offload}. */
    public static final String NAME = "fastpath";

    /**
     * Default smallest Read served with zero copy: below it the device reads into a staging chunk and the read goes
     * out in the queue's gather write with the PDUs around it. A {@code transferTo} costs the read its own header
     * write, an {@code fstat} and a {@code sendfile}, which only the copy it saves pays for at large sizes
     * (measured with {@code nvmeof4j-bench/target-offload-compare.sh}: 3x the CPU per GiB at 4 KiB). Overridden by
     * the system property {@code nvmeof4j.fastpath.zeroCopyMinBytes}.
     */
    public static final int DEFAULT_ZERO_COPY_MIN_BYTES = 64 << 10;

    private final int zeroCopyMinBytes;
    private final boolean mappedReads;

    /** A device with the default capabilities ({@link OffloadCapabilities#builder()}). */
    public FastpathDevice()
    {
        this(OffloadCapabilities.builder().build());
    }

    /** A device with other capabilities (tests, or to restrict it). */
    public FastpathDevice(final OffloadCapabilities capabilities)
    {
        this(capabilities, Integer.getInteger("nvmeof4j.fastpath.zeroCopyMinBytes", DEFAULT_ZERO_COPY_MIN_BYTES),
            Boolean.parseBoolean(System.getProperty("nvmeof4j.fastpath.mappedReads", "true")));
    }

    /**
     * @param zeroCopyMinBytes the smallest Read sent with zero copy from a file backend (0: every Read, with the
     *                         data digest off).
     * @param mappedReads      whether reads go out of a mapping of a file backend first (system property
     *                         {@code nvmeof4j.fastpath.mappedReads}, default true): measured at 128 KiB on loopback,
     *                         one kernel copy from the mapping costs less CPU than {@code sendfile}'s page
     *                         references, its extra header write and {@code fstat}.
     */
    public FastpathDevice(final OffloadCapabilities capabilities, final int zeroCopyMinBytes,
        final boolean mappedReads)
    {
        super(NAME, capabilities);
        this.mappedReads = mappedReads;
        if (zeroCopyMinBytes < 0)
        {
            throw new IllegalArgumentException("zeroCopyMinBytes " + zeroCopyMinBytes);
        }
        this.zeroCopyMinBytes = zeroCopyMinBytes;
    }

    /** @return the smallest Read sent with zero copy. */
    public int zeroCopyMinBytes()
    {
        return zeroCopyMinBytes;
    }

    /**
     * Offload a subsystem's file namespaces: create its context with {@link OffloadContextAttributes#defaults},
     * attach one {@link FileBackendController} per namespace whose backend is a {@link FileBackend} and map it.
     * Other namespaces (RAM, null) stay with the software target. Any thread; on failure nothing stays attached.
     *
     * @param inlineDataSize the target's in-capsule data size on I/O queues (for the context's IOCCSZ).
     * @param backendQueues  submission queues per backend controller.
     */
    public OffloadContext offloadFileNamespaces(final Subsystem subsystem, final int inlineDataSize,
        final int backendQueues) throws OffloadException
    {
        return offloadFileNamespaces(subsystem, OffloadContextAttributes.defaults(capabilities(), inlineDataSize),
            backendQueues);
    }

    /** As {@link #offloadFileNamespaces(Subsystem, int, int)}, with the context's attributes given. */
    public OffloadContext offloadFileNamespaces(final Subsystem subsystem, final OffloadContextAttributes attributes,
        final int backendQueues) throws OffloadException
    {
        final OffloadContext ctx = createContext(subsystem, attributes);
        try
        {
            for (final Namespace ns : subsystem.namespaces())
            {
                if (ns.backend() instanceof FileBackend fb)
                {
                    final BackendController c = ctx.addBackendController(
                        new FileBackendController(fb, backendQueues, ctx.attributes().nvmeQueueDepth()));
                    mapFile(ctx, ns, c);
                }
            }
            return ctx;
        }
        catch (final OffloadException | RuntimeException e)
        {
            ctx.destroy();
            throw e;
        }
    }

    /**
     * Map one file namespace onto its own file backend controller, with {@code backendQueues} queues. Any thread.
     *
     * @return the mapping, or null when the namespace's backend is not a file.
     */
    public static NamespaceMapping offloadFileNamespace(final OffloadContext ctx, final Namespace ns,
        final int backendQueues) throws OffloadException
    {
        if (!(ns.backend() instanceof FileBackend fb))
        {
            return null;
        }
        final BackendController c = ctx.addBackendController(
            new FileBackendController(fb, backendQueues, ctx.attributes().nvmeQueueDepth()));
        return mapFile(ctx, ns, c);
    }

    private static NamespaceMapping mapFile(final OffloadContext ctx, final Namespace ns, final BackendController c)
        throws OffloadException
    {
        try
        {
            return ctx.mapNamespace(ns.nsid(), c, FileBackendController.NSID, ns.blockSize());
        }
        catch (final OffloadException e)
        {
            ctx.removeBackendController(c);
            throw e;
        }
    }

    @Override
    protected OffloadHook.Connection newConnection(final OffloadContext context, final TargetQueue queue)
    {
        return new FastpathConnection(context, queue, zeroCopyMinBytes, mappedReads);
    }

    /** The device's data path on one I/O queue; its poller thread only. */
    static final class FastpathConnection implements OffloadHook.Connection
    {
        private static final int NONE = -1;

        private final OffloadContext ctx;
        private final TargetQueue queue;
        private final StagingPool pool;
        private final boolean carriesNonOffloaded;
        private final OffloadType type;
        private final int maxIoSz;
        /** Staging chunk held by each request slot, or NONE. */
        private int[] slotChunk = new int[0];
        private int roundRobin;
        private final int poolHint;
        private final int zeroCopyMinBytes;
        private final boolean mappedReads;
        /** Per request slot: its own view of a mapping (a gather write takes one range per buffer object). */
        private ByteBuffer[] slotView = new ByteBuffer[0];
        private ByteBuffer[] slotViewOf = new ByteBuffer[0];
        private final int[] mappedIndex = new int[1];

        FastpathConnection(final OffloadContext ctx, final TargetQueue queue, final int zeroCopyMinBytes,
            final boolean mappedReads)
        {
            this.zeroCopyMinBytes = zeroCopyMinBytes;
            this.mappedReads = mappedReads;
            this.ctx = ctx;
            this.queue = queue;
            this.pool = ctx.staging();
            this.carriesNonOffloaded = ctx.capabilities().supportsNonOffloadedOps();
            this.type = ctx.attributes().offloadType();
            this.maxIoSz = ctx.attributes().maxIoSz();
            this.poolHint = (System.identityHashCode(queue) & 0x7FFFFFFF) % Math.max(1, pool.size());
        }

        @Override
        public boolean placeWrite(final Request r, final int length)
        {
            final NamespaceMapping m = ctx.mapping(r.sqe.nsid());
            if (m == null || !type.writes() || length > maxIoSz)
            {
                return false;
            }
            releaseChunk(r.index());
            final int chunk = pool.claim(poolHint);
            if (chunk == NONE)
            {
                return false; // the pool is in use: the software target stages this one, the device still writes it
            }
            slots(r.index());
            slotChunk[r.index()] = chunk;
            r.placeData(pool.chunk(chunk), 0);
            return true;
        }

        @Override
        public int execute(final Request r)
        {
            final int opcode = r.sqe.opcode();
            final NamespaceMapping m = ctx.mapping(r.sqe.nsid());
            if (m != null)
            {
                switch (opcode)
                {
                    case Opcodes.IO_READ:
                        if (type.reads() && r.sqe.sglLength() <= maxIoSz)
                        {
                            return read(r, m);
                        }
                        break;
                    case Opcodes.IO_WRITE:
                        if (type.writes() && r.dataLength() <= maxIoSz)
                        {
                            return write(r, m);
                        }
                        break;
                    case Opcodes.IO_FLUSH:
                        if (type.flushes())
                        {
                            return flush(r, m);
                        }
                        break;
                    default:
                        break;
                }
            }
            return notOffloaded(r, m, opcode);
        }

        private int notOffloaded(final Request r, final NamespaceMapping m, final int opcode)
        {
            if (carriesNonOffloaded)
            {
                return OffloadHook.NOT_OFFLOADED;
            }
            releaseChunk(r.index());
            ctx.raise(new OffloadEvent(OffloadEvent.Type.UNSUPPORTED_COMMAND, ctx.subsystem().nqn(), r.sqe.nsid(),
                m == null ? "-" : m.controller().name(), opcode, "opcode 0x" + Integer.toHexString(opcode) +
                    (m == null ? " for an unmapped namespace" : " not offloaded") +
                    " on a connection that carries no non-offloaded commands"));
            return m == null ? NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.status() : NvmeStatus.INVALID_OPCODE.status();
        }

        private BackendQueue nextQueue(final NamespaceMapping m)
        {
            final BackendController c = m.controller();
            final int n = c.queueCount();
            final int i = roundRobin;
            roundRobin = i + 1 >= n ? 0 : i + 1;
            return c.queue(i < n ? i : 0);
        }

        private int read(final Request r, final NamespaceMapping m)
        {
            final long start = System.nanoTime();
            if (r.sqe.sglIdentifier() != Sqe.SGL_TRANSPORT_DATA_BLOCK)
            {
                m.stats().error();
                return NvmeStatus.SGL_DESCRIPTOR_TYPE_INVALID.status();
            }
            final int status = queue.checkReadWrite(r, r.sqe.sglLength());
            if (status != 0)
            {
                m.stats().error();
                return status;
            }
            final int length = (int)r.sqe.sglLength();
            final BackendQueue bq = nextQueue(m);
            final long offset = r.byteOffset();
            try
            {
                // only where the kernel alone reads the mapping: a digest or TLS would read it in Java, where a
                // file cut under it faults (InternalError) instead of failing a write
                final ByteBuffer mapped = mappedReads && !queue.dataDigest() && queue.secureChannel() == null
                    ? bq.mappedSource(m.backendNsid(), offset, length, mappedIndex) : null;
                if (mapped != null)
                {
                    queue.completeWithData(r, view(r.index(), mapped), mappedIndex[0], length);
                    m.stats().mappedRead(length, System.nanoTime() - start);
                    return -1;
                }
                final FileChannel file = queue.dataDigest() || length < zeroCopyMinBytes ? null
                    : bq.zeroCopySource(m.backendNsid());
                if (file != null)
                {
                    queue.completeWithFile(r, file, offset, length);
                    m.stats().read(length, System.nanoTime() - start, true);
                    return -1;
                }
                ByteBuffer buf;
                releaseChunk(r.index());
                final int chunk = pool.claim(poolHint);
                if (chunk != NONE)
                {
                    slots(r.index());
                    slotChunk[r.index()] = chunk; // held until the data is on the wire (released())
                    buf = pool.chunk(chunk);
                }
                else
                {
                    buf = r.staging(length);
                }
                bq.read(m.backendNsid(), offset, buf, 0, length);
                queue.completeWithData(r, buf, 0, length);
                m.stats().read(length, System.nanoTime() - start, false);
                return -1;
            }
            catch (final IOException | RuntimeException e)
            {
                releaseChunk(r.index());
                return failed(r, m, Opcodes.IO_READ, e);
            }
        }

        private int write(final Request r, final NamespaceMapping m)
        {
            final long start = System.nanoTime();
            if (r.namespace() == null)
            {
                // in-capsule data: the range was not checked before the data came
                final int status = queue.checkReadWrite(r, r.dataLength());
                if (status != 0)
                {
                    releaseChunk(r.index());
                    m.stats().error();
                    return status;
                }
            }
            final boolean staged = chunkOf(r.index()) != NONE;
            try
            {
                final BackendQueue bq = nextQueue(m);
                bq.write(m.backendNsid(), r.byteOffset(), r.dataBuffer(), r.dataIndex(), r.dataLength());
                if (r.sqe.fua())
                {
                    bq.flush(m.backendNsid());
                }
                m.stats().write(r.dataLength(), System.nanoTime() - start, staged);
                return 0;
            }
            catch (final IOException | RuntimeException e)
            {
                return failed(r, m, Opcodes.IO_WRITE, e);
            }
            finally
            {
                releaseChunk(r.index());
            }
        }

        private int flush(final Request r, final NamespaceMapping m)
        {
            final long start = System.nanoTime();
            try
            {
                // a Flush must reach every queue's writes; positional file queues share one file, one call does
                final BackendController c = m.controller();
                c.queue(0).flush(m.backendNsid());
                m.stats().flush(System.nanoTime() - start);
                return 0;
            }
            catch (final IOException | RuntimeException e)
            {
                return failed(r, m, Opcodes.IO_FLUSH, e);
            }
        }

        private int failed(final Request r, final NamespaceMapping m, final int opcode, final Exception e)
        {
            m.stats().error();
            final OffloadEvent.Type t;
            final int status;
            if (e instanceof BackendTimeoutException)
            {
                t = OffloadEvent.Type.BACKEND_TIMEOUT;
                status = NvmeStatus.INTERNAL_PATH_ERROR.status();
            }
            else if (e instanceof BackendStatusException bse)
            {
                t = OffloadEvent.Type.BACKEND_ERROR;
                status = bse.status() != 0 ? bse.status() : NvmeStatus.INTERNAL_ERROR.status();
            }
            else
            {
                t = OffloadEvent.Type.BACKEND_ERROR;
                status = NvmeStatus.INTERNAL_ERROR.status();
            }
            ctx.raise(new OffloadEvent(t, ctx.subsystem().nqn(), m.feNsid(), m.controller().name(), opcode,
                String.valueOf(e.getMessage())));
            return status;
        }

        /** @return slot {@code index}'s view of {@code mapping}, made once per slot and mapping window. */
        private ByteBuffer view(final int index, final ByteBuffer mapping)
        {
            if (index >= slotView.length)
            {
                slotView = Arrays.copyOf(slotView, Math.max(index + 1, slotView.length * 2));
                slotViewOf = Arrays.copyOf(slotViewOf, slotView.length);
            }
            if (slotViewOf[index] != mapping)
            {
                slotView[index] = mapping.duplicate();
                slotViewOf[index] = mapping;
            }
            return slotView[index];
        }

        private void slots(final int index)
        {
            if (index >= slotChunk.length)
            {
                // once per queue (and slot count): the queue's slots are fixed after Connect
                final int old = slotChunk.length;
                slotChunk = Arrays.copyOf(slotChunk, Math.max(index + 1, old * 2));
                Arrays.fill(slotChunk, old, slotChunk.length, NONE);
            }
        }

        private int chunkOf(final int index)
        {
            return index < slotChunk.length ? slotChunk[index] : NONE;
        }

        private void releaseChunk(final int index)
        {
            if (index < slotChunk.length && slotChunk[index] != NONE)
            {
                pool.release(slotChunk[index]);
                slotChunk[index] = NONE;
            }
        }

        @Override
        public void released(final Request r)
        {
            releaseChunk(r.index());
        }

        @Override
        public void closed()
        {
            for (int i = 0; i < slotChunk.length; i++)
            {
                releaseChunk(i);
            }
        }
    }
}
