package org.nvmeof4j.target.queue;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.nvmeof4j.protocol.nvme.LittleEndian;
import org.nvmeof4j.protocol.nvme.NvmeStatus;
import org.nvmeof4j.protocol.nvme.Opcodes;
import org.nvmeof4j.protocol.nvme.Sqe;
import org.nvmeof4j.target.backend.Backend;
import org.nvmeof4j.target.subsystem.Namespace;
import org.nvmeof4j.target.subsystem.Subsystem;

/**
 * The NVM command set of one I/O queue (NVM Command Set Specification 1.0, 3.2): Read, Write, Compare, Flush, Write
 * Zeroes and Dataset Management against the namespace backends, on the queue's poller thread.
 *
 * <p>Reads are sent straight from backend memory and writes received straight into it when the backend exposes its
 * memory and data digests are off; each request slot has its own {@link Backend.MemoryView} per namespace, made once,
 * so nothing is allocated per command.
 */
final class NvmCommands
{
    private static final int COMPARE_CHUNK = 16384;

    private final TargetQueue queue;
    private int slots;
    private ByteBuffer compareScratch;
    private Namespace[] viewNamespaces;
    /** Per namespace, one memory view per request slot: PDUs of one write batch never share a buffer object. */
    private Backend.MemoryView[][] views;

    NvmCommands(final TargetQueue queue)
    {
        this.queue = queue;
    }

    /** The queue connected as an I/O queue with this many request slots. */
    void connected(final int slotCount)
    {
        slots = slotCount;
        viewNamespaces = new Namespace[Subsystem.MAX_NSID + 1];
        views = new Backend.MemoryView[Subsystem.MAX_NSID + 1][];
    }

    /**
     * Point a Write's host-to-controller data straight at backend memory, when the backend has it there.
     *
     * @return whether r.dataBuffer / r.dataIndex now address the blocks (r.staged false); else the caller stages.
     */
    boolean placeInBackend(final Request r, final int length)
    {
        final Backend.MemoryView view = view(r);
        if (view != null && view.writable())
        {
            final ByteBuffer b = view.buffer(r.byteOffset, length);
            if (b != null)
            {
                r.dataBuffer = b;
                r.dataIndex = view.index(r.byteOffset);
                r.staged = false;
                return true;
            }
        }
        return false;
    }

    // this queue's I/O counters: written on its poller thread only, read by others (a stale value, never a torn one)
    private long reads;
    private long writes;
    private long bytesRead;
    private long bytesWritten;

    long reads()
    {
        return reads;
    }

    long writes()
    {
        return writes;
    }

    long bytesRead()
    {
        return bytesRead;
    }

    long bytesWritten()
    {
        return bytesWritten;
    }

    /**
     * Execute and count: the queue's and the namespace's counters ({@link Namespace#counters()}) move by what
     * completed; a failure counts as a namespace error once the namespace is known.
     *
     * @return an NVMe status, 0 for success, or -1 when the command already completed (data sent).
     */
    int execute(final Request r) throws IOException
    {
        final int status;
        try
        {
            status = dispatch(r);
        }
        catch (final IOException | RuntimeException e)
        {
            countError(r);
            throw e;
        }
        final Namespace ns = r.namespace;
        if (status > 0)
        {
            countError(r);
            return status;
        }
        switch (r.sqe.opcode())
        {
            case Opcodes.IO_READ:
                reads++;
                bytesRead += r.sqe.sglLength();
                if (ns != null)
                {
                    ns.counters().read(r.sqe.sglLength());
                }
                break;
            case Opcodes.IO_WRITE:
                writes++;
                bytesWritten += r.dataLength;
                if (ns != null)
                {
                    ns.counters().written(r.dataLength);
                }
                break;
            case Opcodes.IO_FLUSH:
                if (ns != null)
                {
                    ns.counters().flushed();
                }
                break;
            default:
                if (ns != null)
                {
                    ns.counters().other();
                }
                break;
        }
        return status;
    }

    /** A failed command counts against its namespace, also when it failed the checks before r.namespace was set. */
    private void countError(final Request r)
    {
        final Namespace ns = r.namespace != null ? r.namespace :
            queue.controller().subsystem().namespace(r.sqe.nsid());
        if (ns != null)
        {
            ns.counters().error();
        }
    }

    private int dispatch(final Request r) throws IOException
    {
        final int opcode = r.sqe.opcode();
        switch (opcode)
        {
            case Opcodes.IO_READ:
                return read(r);
            case Opcodes.IO_WRITE:
                return write(r);
            case Opcodes.IO_FLUSH:
                return flush(r);
            case Opcodes.IO_WRITE_ZEROES:
                return writeZeroes(r);
            case Opcodes.IO_DATASET_MANAGEMENT:
                return datasetManagement(r);
            case Opcodes.IO_COMPARE:
                return compare(r);
            default:
                return NvmeStatus.INVALID_OPCODE.status();
        }
    }

    /**
     * The path status for I/O to {@code ns} through this queue's port (NVMe Base 2.0, 8.1.1.5; nvmet's
     * {@code nvmet_check_ana_state}): 0 when its ANA group is optimized or non-optimized there, else Asymmetric
     * Access Inaccessible, Persistent Loss or Transition. One volatile load, no allocation.
     */
    private int anaStatus(final Namespace ns)
    {
        final org.nvmeof4j.target.Listener port = queue.listener();
        if (port == null)
        {
            return 0;
        }
        switch (port.anaGroups().stateCode(ns.anaGrpId()))
        {
            case 0x01: // optimized
            case 0x02: // non-optimized
                return 0;
            case 0x04:
                return NvmeStatus.ASYMMETRIC_ACCESS_PERSISTENT_LOSS.status();
            case 0x0F:
                return NvmeStatus.ASYMMETRIC_ACCESS_TRANSITION.status();
            default:
                return NvmeStatus.ASYMMETRIC_ACCESS_INACCESSIBLE.status();
        }
    }

    /** Resolve the namespace and LBA range of a Read/Write/Write Zeroes into r.namespace / r.byteOffset. */
    private int checkRange(final Request r)
    {
        final Namespace ns = queue.controller().subsystem().namespace(r.sqe.nsid());
        if (ns == null)
        {
            return NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.status();
        }
        final int ana = anaStatus(ns);
        if (ana != 0)
        {
            return ana;
        }
        final long slba = r.sqe.startingLba();
        final int nlb = r.sqe.numberOfLogicalBlocks();
        // not slba + nlb > blocks: an SLBA near 2^63 would wrap the sum negative and pass
        if (slba < 0 || slba > ns.blocks() - nlb)
        {
            return NvmeStatus.LBA_OUT_OF_RANGE.status();
        }
        r.namespace = ns;
        r.byteOffset = slba << ns.blockShift();
        return 0;
    }

    /** Check the namespace, LBA range and transfer length of a Read/Write/Compare; sets r.namespace / r.byteOffset. */
    int checkRw(final Request r, final long transferLength)
    {
        final int status = checkRange(r);
        if (status != 0)
        {
            return status;
        }
        final long bytes = (long)r.sqe.numberOfLogicalBlocks() << r.namespace.blockShift();
        if (bytes > queue.target().maxTransferSize())
        {
            return NvmeStatus.INVALID_FIELD.status();
        }
        if (transferLength != bytes)
        {
            return NvmeStatus.DATA_SGL_LENGTH_INVALID.status();
        }
        return 0;
    }

    private int read(final Request r) throws IOException
    {
        if (r.sqe.sglIdentifier() != Sqe.SGL_TRANSPORT_DATA_BLOCK)
        {
            return NvmeStatus.SGL_DESCRIPTOR_TYPE_INVALID.status();
        }
        final int status = checkRw(r, r.sqe.sglLength());
        if (status != 0)
        {
            return status;
        }
        final int length = (int)r.sqe.sglLength();
        final Backend backend = r.namespace.backend();
        if (!queue.dataDigest())
        {
            final Backend.MemoryView view = view(r);
            if (view != null)
            {
                final ByteBuffer b = view.buffer(r.byteOffset, length);
                if (b != null)
                {
                    queue.completeWithData(r, b, view.index(r.byteOffset), length);
                    return -1;
                }
            }
        }
        final ByteBuffer staging = r.staging(length);
        backend.read(r.byteOffset, staging, 0, length);
        queue.completeWithData(r, staging, 0, length);
        return -1;
    }

    private int write(final Request r) throws IOException
    {
        if (r.namespace == null)
        {
            // in-capsule data: range not yet checked
            final int status = checkRw(r, r.dataLength);
            if (status != 0)
            {
                return status;
            }
        }
        if (r.staged)
        {
            r.namespace.backend().write(r.byteOffset, r.dataBuffer, r.dataIndex, r.dataLength);
        }
        if (r.sqe.fua() && r.namespace.backend().volatileWriteCache())
        {
            r.namespace.backend().flush();
        }
        return 0;
    }

    /** Compare (NVM Command Set 3.2.2): the host's data against the blocks, through a small per-queue buffer. */
    private int compare(final Request r) throws IOException
    {
        if (r.namespace == null)
        {
            final int status = checkRw(r, r.dataLength);
            if (status != 0)
            {
                return status;
            }
        }
        if (compareScratch == null)
        {
            compareScratch = ByteBuffer.allocateDirect(COMPARE_CHUNK);
        }
        final ByteBuffer data = r.dataBuffer;
        for (int done = 0; done < r.dataLength; done += COMPARE_CHUNK)
        {
            final int n = Math.min(COMPARE_CHUNK, r.dataLength - done);
            r.namespace.backend().read(r.byteOffset + done, compareScratch, 0, n);
            if (!equal(compareScratch, data, r.dataIndex + done, n))
            {
                return NvmeStatus.COMPARE_FAILURE.status();
            }
        }
        return 0;
    }

    private static boolean equal(final ByteBuffer a, final ByteBuffer b, final int bIndex, final int n)
    {
        int i = 0;
        for (; i + 8 <= n; i += 8)
        {
            if (a.getLong(i) != b.getLong(bIndex + i))
            {
                return false;
            }
        }
        for (; i < n; i++)
        {
            if (a.get(i) != b.get(bIndex + i))
            {
                return false;
            }
        }
        return true;
    }

    private int flush(final Request r) throws IOException
    {
        final int nsid = r.sqe.nsid();
        if (nsid == -1)
        {
            for (final Namespace ns : queue.controller().subsystem().namespaces())
            {
                ns.backend().flush();
            }
            return 0;
        }
        final Namespace ns = queue.controller().subsystem().namespace(nsid);
        if (ns == null)
        {
            return NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.status();
        }
        final int ana = anaStatus(ns);
        if (ana != 0)
        {
            return ana;
        }
        ns.backend().flush();
        return 0;
    }

    private int writeZeroes(final Request r) throws IOException
    {
        final int status = checkRange(r);
        if (status != 0)
        {
            return status;
        }
        final long bytes = (long)r.sqe.numberOfLogicalBlocks() << r.namespace.blockShift();
        final Backend b = r.namespace.backend();
        if (r.sqe.deallocate() && b.deallocatedReadsZeroes())
        {
            b.deallocate(r.byteOffset, bytes);
        }
        else
        {
            b.writeZeroes(r.byteOffset, bytes);
        }
        if (r.sqe.fua() && b.volatileWriteCache())
        {
            b.flush();
        }
        return 0;
    }

    /** Dataset Management (NVM Command Set 3.2.3): only the Deallocate attribute does anything. */
    private int datasetManagement(final Request r) throws IOException
    {
        final Namespace ns = queue.controller().subsystem().namespace(r.sqe.nsid());
        if (ns == null)
        {
            return NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.status();
        }
        final int ana = anaStatus(ns);
        if (ana != 0)
        {
            return ana;
        }
        final int ranges = r.sqe.numberOfRanges();
        if (r.dataLength < ranges * 16)
        {
            return NvmeStatus.DATA_SGL_LENGTH_INVALID.status();
        }
        final ByteBuffer d = r.data();
        for (int i = 0; i < ranges; i++)
        {
            final long nlb = LittleEndian.getU32(d, i * 16 + 4);
            final long slba = LittleEndian.getI64(d, i * 16 + 8);
            // written so that a huge SLBA cannot overflow past the check (slba + nlb wraps negative)
            if (slba < 0 || slba > ns.blocks() || nlb > ns.blocks() - slba)
            {
                return NvmeStatus.LBA_OUT_OF_RANGE.status();
            }
        }
        if ((r.sqe.cdw11() & 0x4) != 0)
        {
            for (int i = 0; i < ranges; i++)
            {
                final long nlb = LittleEndian.getU32(d, i * 16 + 4);
                final long slba = LittleEndian.getI64(d, i * 16 + 8);
                ns.backend().deallocate(slba << ns.blockShift(), nlb << ns.blockShift());
            }
        }
        return 0;
    }

    /**
     * The request slot's own view of its namespace's memory: the sender gathers many PDUs into one write, and a
     * buffer object can describe only one range per write, so views shared between slots would cut the batch at
     * every repeated buffer (a write syscall every few reads).
     */
    private Backend.MemoryView view(final Request r)
    {
        final Namespace ns = r.namespace;
        final int nsid = ns.nsid();
        if (viewNamespaces[nsid] != ns)
        {
            // first I/O to this namespace on this queue (or it was replaced): one-time allocation
            viewNamespaces[nsid] = ns;
            views[nsid] = new Backend.MemoryView[slots];
        }
        final Backend.MemoryView[] perSlot = views[nsid];
        Backend.MemoryView v = perSlot[r.index];
        if (v == null)
        {
            // first I/O of this slot to this namespace: one-time allocation
            v = ns.backend().newMemoryView();
            perSlot[r.index] = v;
        }
        return v;
    }
}
