package org.nvmeof4j.host;

import java.nio.ByteBuffer;
import org.nvmeof4j.host.queue.HostQueue;
import org.nvmeof4j.protocol.nvme.Opcodes;

/**
 * The operations of the thread-safe async API, one small class each: the caller's thread creates one (the only
 * allocation of an async request, with its future), the queue's poller thread submits it to its {@link HostQueue}.
 */
final class AsyncOps
{
    private AsyncOps()
    {
    }

    /** Read {@code blocks} at {@code lba} into {@code dst}. */
    static final class Read extends AsyncQueue.Op
    {
        private final int nsid;
        private final long lba;
        private final int blocks;
        private final ByteBuffer dst;

        Read(final int nsid, final long lba, final int blocks, final ByteBuffer dst)
        {
            super("Read", Opcodes.IO_READ);
            this.nsid = nsid;
            this.lba = lba;
            this.blocks = blocks;
            this.dst = dst;
        }

        @Override
        int submit(final HostQueue q, final long tag)
        {
            return q.submitRead(nsid, lba, blocks, dst, tag);
        }
    }

    /** Write {@code blocks} at {@code lba} from {@code src}. */
    static final class Write extends AsyncQueue.Op
    {
        private final int nsid;
        private final long lba;
        private final int blocks;
        private final ByteBuffer src;

        Write(final int nsid, final long lba, final int blocks, final ByteBuffer src)
        {
            super("Write", Opcodes.IO_WRITE);
            this.nsid = nsid;
            this.lba = lba;
            this.blocks = blocks;
            this.src = src;
        }

        @Override
        int submit(final HostQueue q, final long tag)
        {
            return q.submitWrite(nsid, lba, blocks, src, tag);
        }
    }

    /** Flush. */
    static final class Flush extends AsyncQueue.Op
    {
        private final int nsid;

        Flush(final int nsid)
        {
            super("Flush", Opcodes.IO_FLUSH);
            this.nsid = nsid;
        }

        @Override
        int submit(final HostQueue q, final long tag)
        {
            return q.submitFlush(nsid, tag);
        }
    }

    /** Write Zeroes ({@code blocks} may exceed one command's NLB: the queue splits). */
    static final class WriteZeroes extends AsyncQueue.Op
    {
        private final int nsid;
        private final long lba;
        private final long blocks;

        WriteZeroes(final int nsid, final long lba, final long blocks)
        {
            super("Write Zeroes", Opcodes.IO_WRITE_ZEROES);
            this.nsid = nsid;
            this.lba = lba;
            this.blocks = blocks;
        }

        @Override
        int submit(final HostQueue q, final long tag)
        {
            return q.submitWriteZeroes(nsid, lba, blocks, tag);
        }
    }

    /** Dataset Management, Deallocate, one range. */
    static final class Deallocate extends AsyncQueue.Op
    {
        private final int nsid;
        private final long lba;
        private final int blocks;

        Deallocate(final int nsid, final long lba, final int blocks)
        {
            super("Dataset Management", Opcodes.IO_DATASET_MANAGEMENT);
            this.nsid = nsid;
            this.lba = lba;
            this.blocks = blocks;
        }

        @Override
        int submit(final HostQueue q, final long tag)
        {
            return q.submitDeallocate(nsid, lba, blocks, tag);
        }
    }

    /** Any admin command; with {@code onlyGeneration} ≥ 0, sent only on that association. */
    static final class Admin extends AsyncQueue.Op
    {
        private final NvmeController controller;
        private final ByteBuffer sqe;
        private final int dir;
        private final ByteBuffer data;
        private final int length;
        private final long onlyGeneration;

        Admin(final NvmeController controller, final String name, final ByteBuffer sqe64, final int dir,
            final ByteBuffer data, final int length, final long onlyGeneration)
        {
            super(name, sqe64.get(sqe64.position()) & 0xFF);
            this.controller = controller;
            this.sqe = ByteBuffer.allocateDirect(org.nvmeof4j.protocol.nvme.Sqe.LENGTH);
            this.sqe.put(0, sqe64, sqe64.position(), org.nvmeof4j.protocol.nvme.Sqe.LENGTH);
            this.dir = dir;
            this.data = data;
            this.length = length;
            this.onlyGeneration = onlyGeneration;
        }

        @Override
        int submit(final HostQueue q, final long tag)
        {
            if (onlyGeneration >= 0 && !controller.isLive(onlyGeneration))
            {
                throw new NvmeTransportException(name + " not sent: the connection to " + controller.where() +
                    " was lost");
            }
            return q.submitCommand(sqe, 0, dir, data, data == null ? 0 : data.position(), length, tag);
        }
    }
}
