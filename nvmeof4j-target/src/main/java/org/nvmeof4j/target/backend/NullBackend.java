package org.nvmeof4j.target.backend;

import java.nio.ByteBuffer;

/**
 * Discards writes and reads zeroes, like Linux's null_blk or SPDK's null bdev: for measuring the transport alone.
 * Reads are served zero-copy from one shared zero buffer.
 */
public final class NullBackend implements Backend
{
    private static final int ZERO_SIZE = 1 << 20;
    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(ZERO_SIZE);

    private final long size;

    public NullBackend(final long size)
    {
        if (size <= 0)
        {
            throw new IllegalArgumentException("null backend size must be positive: " + size);
        }
        this.size = size;
    }

    @Override
    public long size()
    {
        return size;
    }

    @Override
    public void read(final long offset, final ByteBuffer dst, int index, int length)
    {
        while (length > 0)
        {
            final int n = Math.min(length, ZERO_SIZE);
            dst.put(index, ZEROES, 0, n);
            index += n;
            length -= n;
        }
    }

    @Override
    public void write(final long offset, final ByteBuffer src, final int index, final int length)
    {
        // discarded
    }

    @Override
    public void flush()
    {
    }

    @Override
    public void writeZeroes(final long offset, final long length)
    {
    }

    @Override
    public void deallocate(final long offset, final long length)
    {
    }

    @Override
    public boolean volatileWriteCache()
    {
        return false;
    }

    @Override
    public boolean deallocatedReadsZeroes()
    {
        return true;
    }

    @Override
    public MemoryView newMemoryView()
    {
        final ByteBuffer view = ZEROES.duplicate();
        return new MemoryView()
        {
            @Override
            public ByteBuffer buffer(final long offset, final int length)
            {
                return length <= ZERO_SIZE ? view : null;
            }

            @Override
            public int index(final long offset)
            {
                return 0;
            }

            @Override
            public boolean writable()
            {
                return false;
            }
        };
    }

    @Override
    public String describe()
    {
        return "null " + size + " bytes";
    }
}
