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
 * <p>A backend controller with an {@link AsyncBackendQueue} for the connection's poller (the gateway's NVMe/TCP
 * backend) is served asynchronously: the device submits the command and returns, the poller goes on with its other
 * work, and the backend completion, reaped in the same poller's duty cycle, completes the front-end command (a
 * Read's data goes out from where the backend placed it, a Write's received data went to the backend from where
 * the front end placed it: no copy in user space). Backends without one (files) are called in place.
 *
 * <p>Backend failures complete the command, never leave it: a {@link BackendTimeoutException} (or a
 * {@link BackendIo#TIMEOUT}) with Internal Path Error (NVMe Base 2.0 Figure 103, SCT 3h), a
 * {@link BackendStatusException} (or {@link BackendIo#STATUS}) with the backend's status, any other
 * {@link IOException} (or {@link BackendIo#ERROR}) with Internal Error; each raises an event and counts an error on
 * the namespace.
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

    /** @return whether reads of a file backend go out of its mapping first. */
    public boolean mappedReads()
    {
        return mappedReads;
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
        /** Per request slot: its backend command for asynchronous queues (made once per slot). */
        private FastpathIo[] slotIo = new FastpathIo[0];
        /** The asynchronous queue of each backend controller seen so far on this poller (null: it has none). */
        private BackendController[] asyncOf = new BackendController[0];
        private AsyncBackendQueue[] asyncQueues = new AsyncBackendQueue[0];
        /** Responses were queued by backend completions since the last flush. */
        private boolean responsesQueued;
        private boolean closed;

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
            final long offset = r.byteOffset();
            final AsyncBackendQueue aq = asyncQueue(m);
            if (aq != null)
            {
                return readAsync(r, m, aq, offset, length, start);
            }
            final BackendQueue bq = nextQueue(m);
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
                final ByteBuffer buf = readBuffer(r, length);
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
            final AsyncBackendQueue aq = asyncQueue(m);
            if (aq != null)
            {
                // the chunk (or the slot's staging) holding the data stays with the command until the backend is done
                final FastpathIo io = io(r.index()).bind(r, m, aq, start, staged, r.sqe.fua());
                submit(aq, io.prepare(Opcodes.IO_WRITE, m.backendNsid(), r.byteOffset(), r.dataBuffer(),
                    r.dataIndex(), r.dataLength()));
                return -1;
            }
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
            final AsyncBackendQueue aq = asyncQueue(m);
            if (aq != null)
            {
                // NVMe Flush covers every write the backend controller completed, whichever queue carried it
                final FastpathIo io = io(r.index()).bind(r, m, aq, start, false, false);
                submit(aq, io.prepare(Opcodes.IO_FLUSH, m.backendNsid(), 0, null, 0, 0));
                return -1;
            }
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
            final int outcome = e instanceof BackendTimeoutException ? BackendIo.TIMEOUT :
                e instanceof BackendStatusException ? BackendIo.STATUS : BackendIo.ERROR;
            return failed(m, opcode, outcome, e instanceof BackendStatusException bse ? bse.status() : 0,
                String.valueOf(e.getMessage()));
        }

        /** Count, raise the event, and @return the front-end status of a failed backend command. */
        private int failed(final NamespaceMapping m, final int opcode, final int outcome, final int backendStatus,
            final String detail)
        {
            m.stats().error();
            final OffloadEvent.Type t;
            final int status;
            if (outcome == BackendIo.TIMEOUT)
            {
                t = OffloadEvent.Type.BACKEND_TIMEOUT;
                status = NvmeStatus.INTERNAL_PATH_ERROR.status();
            }
            else if (outcome == BackendIo.STATUS)
            {
                t = OffloadEvent.Type.BACKEND_ERROR;
                status = backendStatus != 0 ? backendStatus : NvmeStatus.INTERNAL_ERROR.status();
            }
            else
            {
                t = OffloadEvent.Type.BACKEND_ERROR;
                status = NvmeStatus.INTERNAL_ERROR.status();
            }
            ctx.raise(new OffloadEvent(t, ctx.subsystem().nqn(), m.feNsid(), m.controller().name(), opcode,
                String.valueOf(detail)));
            return status;
        }

        // -------------------------------------------------------------------------------------------------------
        // asynchronous backends

        /** @return the poller's asynchronous queue of {@code m}'s controller, asked for once; null when none. */
        private AsyncBackendQueue asyncQueue(final NamespaceMapping m)
        {
            final BackendController c = m.controller();
            final BackendController[] of = asyncOf;
            for (int i = 0; i < of.length; i++)
            {
                if (of[i] == c)
                {
                    return asyncQueues[i];
                }
            }
            // once per backend controller and connection
            final org.nvmeof4j.tcp.Poller poller = queue.poller();
            final AsyncBackendQueue aq = poller == null ? null : c.asyncQueue(poller);
            asyncOf = Arrays.copyOf(of, of.length + 1);
            asyncOf[of.length] = c;
            asyncQueues = Arrays.copyOf(asyncQueues, of.length + 1);
            asyncQueues[of.length] = aq;
            return aq;
        }

        private FastpathIo io(final int index)
        {
            if (index >= slotIo.length)
            {
                slotIo = Arrays.copyOf(slotIo, Math.max(index + 1, slotIo.length * 2));
            }
            FastpathIo io = slotIo[index];
            if (io == null)
            {
                io = new FastpathIo(this); // once per slot
                slotIo[index] = io;
            }
            return io;
        }

        /**
         * Where a staged read lands: a chunk of the staging pool, held by the slot until the data is on the wire
         * ({@code released()}), or the request's own staging when the pool has none free.
         */
        private ByteBuffer readBuffer(final Request r, final int length)
        {
            releaseChunk(r.index());
            final int chunk = pool.claim(poolHint);
            if (chunk == NONE)
            {
                return r.staging(length);
            }
            slots(r.index());
            slotChunk[r.index()] = chunk;
            return pool.chunk(chunk);
        }

        private int readAsync(final Request r, final NamespaceMapping m, final AsyncBackendQueue aq,
            final long offset, final int length, final long start)
        {
            final ByteBuffer buf;
            try
            {
                buf = readBuffer(r, length);
            }
            catch (final RuntimeException e)
            {
                releaseChunk(r.index());
                return failed(r, m, Opcodes.IO_READ, e);
            }
            final FastpathIo io = io(r.index()).bind(r, m, aq, start, false, false);
            submit(aq, io.prepare(Opcodes.IO_READ, m.backendNsid(), offset, buf, 0, length));
            return -1;
        }

        private static void submit(final AsyncBackendQueue aq, final BackendIo io)
        {
            try
            {
                aq.submit(io);
            }
            catch (final RuntimeException e)
            {
                // the contract says it never throws; if it does, the command still completes, once
                io.complete(BackendIo.ERROR, 0, "backend queue: " + e);
            }
        }

        /** A backend command of this connection ended; poller thread (the backend queue's duty cycle). */
        void backendCompleted(final FastpathIo io)
        {
            final Request r = io.request;
            final NamespaceMapping m = io.mapping;
            if (closed)
            {
                releaseChunk(r.index()); // the front end is gone: nothing to answer, and the buffer is free now
                return;
            }
            responsesQueued = true;
            final long elapsed = System.nanoTime() - io.start;
            if (io.outcome() == BackendIo.OK)
            {
                switch (io.opcode())
                {
                    case Opcodes.IO_READ:
                        m.stats().read(io.length(), elapsed, false);
                        queue.completeWithData(r, io.buffer(), io.index(), io.length());
                        return;
                    case Opcodes.IO_WRITE:
                        releaseChunk(r.index());
                        if (io.fua)
                        {
                            // Force Unit Access: the write is acknowledged once a Flush after it completed
                            io.fua = false;
                            io.writtenBytes = io.length();
                            submit(io.backend, io.prepare(Opcodes.IO_FLUSH, m.backendNsid(), 0, null, 0, 0));
                            return;
                        }
                        m.stats().write(io.length(), elapsed, io.staged);
                        queue.complete(r, 0);
                        return;
                    default:
                        if (io.writtenBytes >= 0)
                        {
                            m.stats().write(io.writtenBytes, elapsed, io.staged);
                        }
                        else
                        {
                            m.stats().flush(elapsed);
                        }
                        queue.complete(r, 0);
                        return;
                }
            }
            releaseChunk(r.index());
            final int opcode = io.writtenBytes >= 0 ? Opcodes.IO_WRITE : io.opcode();
            queue.complete(r, failed(m, opcode, io.outcome(), io.status(), io.detail()));
        }

        /** The backend queue finished a batch that completed commands of this connection: send the responses. */
        void backendBatchDone()
        {
            if (responsesQueued)
            {
                responsesQueued = false;
                if (!closed)
                {
                    queue.flushPending();
                }
            }
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
            closed = true;
            for (int i = 0; i < slotChunk.length; i++)
            {
                // a chunk a backend command still reads into or sends from is released by its completion
                if (i >= slotIo.length || slotIo[i] == null || !slotIo[i].inFlight())
                {
                    releaseChunk(i);
                }
            }
        }
    }

    /** The backend command of one request slot of a {@link FastpathConnection}, made once and reused. */
    static final class FastpathIo extends BackendIo
    {
        private final FastpathConnection connection;
        Request request;
        NamespaceMapping mapping;
        AsyncBackendQueue backend;
        long start;
        boolean staged;
        /** A Write with FUA: a Flush follows before the front end hears of it. */
        boolean fua;
        /** The bytes of the Write a Flush in flight completes (FUA), or -1 for a plain Flush. */
        int writtenBytes;

        FastpathIo(final FastpathConnection connection)
        {
            this.connection = connection;
        }

        FastpathIo bind(final Request r, final NamespaceMapping m, final AsyncBackendQueue aq, final long start,
            final boolean staged, final boolean fua)
        {
            this.request = r;
            this.mapping = m;
            this.backend = aq;
            this.start = start;
            this.staged = staged;
            this.fua = fua;
            this.writtenBytes = -1;
            return this;
        }

        @Override
        protected void completed()
        {
            connection.backendCompleted(this);
        }

        @Override
        public void batchDone()
        {
            connection.backendBatchDone();
        }

        @Override
        public Object owner()
        {
            return connection;
        }
    }
}
