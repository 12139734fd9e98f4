package org.nvmeof4j.target.backend;

import java.nio.ByteBuffer;

/**
 * Volatile memory backend: direct {@link ByteBuffer} chunks of 64 MiB, so capacities beyond 2 GiB work. Writes are
 * visible at once and nothing survives the process, so there is no volatile write cache to report and Flush does
 * nothing. Deallocated ranges read back as zeroes.
 *
 * <p>Queues read from and receive into the chunks directly through {@link #newMemoryView()} (no copy on the data
 * path when data digests are off).
 */
public final class RamBackend implements Backend
{
    /** log2 of the chunk size. */
    public static final int CHUNK_SHIFT = 26;
    public static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    private static final int CHUNK_MASK = CHUNK_SIZE - 1;
    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(1 << 20);

    private final long size;
    private final ByteBuffer[] chunks;

    /** @param size capacity in bytes (rounded by the caller to whole blocks). */
    public RamBackend(final long size)
    {
        if (size <= 0)
        {
            throw new IllegalArgumentException("RAM backend size must be positive: " + size);
        }
        this.size = size;
        final int n = (int)((size + CHUNK_SIZE - 1) >>> CHUNK_SHIFT);
        chunks = new ByteBuffer[n];
        for (int i = 0; i < n; i++)
        {
            final long left = size - ((long)i << CHUNK_SHIFT);
            chunks[i] = ByteBuffer.allocateDirect((int)Math.min(CHUNK_SIZE, left));
        }
    }

    @Override
    public long size()
    {
        return size;
    }

    @Override
    public void read(long offset, final ByteBuffer dst, int index, int length)
    {
        while (length > 0)
        {
            final ByteBuffer c = chunks[(int)(offset >>> CHUNK_SHIFT)];
            final int at = (int)(offset & CHUNK_MASK);
            final int n = Math.min(length, c.capacity() - at);
            dst.put(index, c, at, n);
            offset += n;
            index += n;
            length -= n;
        }
    }

    @Override
    public void write(long offset, final ByteBuffer src, int index, int length)
    {
        while (length > 0)
        {
            final ByteBuffer c = chunks[(int)(offset >>> CHUNK_SHIFT)];
            final int at = (int)(offset & CHUNK_MASK);
            final int n = Math.min(length, c.capacity() - at);
            c.put(at, src, index, n);
            offset += n;
            index += n;
            length -= n;
        }
    }

    @Override
    public void flush()
    {
        // memory is as durable as it gets
    }

    @Override
    public void writeZeroes(long offset, long length)
    {
        while (length > 0)
        {
            final int n = (int)Math.min(length, ZEROES.capacity());
            write(offset, ZEROES, 0, n);
            offset += n;
            length -= n;
        }
    }

    @Override
    public void deallocate(final long offset, final long length)
    {
        writeZeroes(offset, length);
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
        // duplicates are made on first use of a chunk: queues keep one view per request slot
        final ByteBuffer[] views = new ByteBuffer[chunks.length];
        return new MemoryView()
        {
            @Override
            public ByteBuffer buffer(final long offset, final int length)
            {
                final int c = (int)(offset >>> CHUNK_SHIFT);
                final int at = (int)(offset & CHUNK_MASK);
                if (at + length > chunks[c].capacity())
                {
                    return null;
                }
                ByteBuffer v = views[c];
                if (v == null)
                {
                    v = chunks[c].duplicate();
                    views[c] = v;
                }
                return v;
            }

            @Override
            public int index(final long offset)
            {
                return (int)(offset & CHUNK_MASK);
            }

            @Override
            public boolean writable()
            {
                return true;
            }
        };
    }

    @Override
    public String describe()
    {
        return "ram " + size + " bytes";
    }
}
