package org.nvmeof4j.ddp;

import java.nio.ByteBuffer;
import java.nio.channels.ScatteringByteChannel;
import java.util.SplittableRandom;

/**
 * A socket stand-in: serves a fixed byte stream in reads of random size (sometimes nothing, as a non-blocking
 * socket does), then end of stream. Or, with {@link #inTwoParts}, as much as each read asks for, the stream coming
 * in two parts. Counts the read calls.
 */
final class MemoryChannel implements ScatteringByteChannel
{
    private final byte[] stream;
    private final SplittableRandom random;
    private final int maxRead;
    private final int firstPart;
    private int at;
    private int reads;
    private boolean open = true;

    MemoryChannel(final byte[] stream, final long seed, final int maxRead)
    {
        this.stream = stream;
        this.random = new SplittableRandom(seed);
        this.maxRead = maxRead;
        this.firstPart = -1;
    }

    private MemoryChannel(final byte[] stream, final int firstPart)
    {
        this.stream = stream;
        this.random = null;
        this.maxRead = Integer.MAX_VALUE;
        this.firstPart = firstPart;
    }

    /** Reads as large as asked, but none crosses {@code firstPart}: the first part arrives alone, then the rest. */
    static MemoryChannel inTwoParts(final byte[] stream, final int firstPart)
    {
        return new MemoryChannel(stream, firstPart);
    }

    /** @return read calls so far. */
    int reads()
    {
        return reads;
    }

    private int budget()
    {
        reads++;
        if (at >= stream.length)
        {
            return -1;
        }
        if (random == null)
        {
            return (at < firstPart ? firstPart : stream.length) - at;
        }
        if (random.nextInt(8) == 0)
        {
            return 0;
        }
        return Math.min(stream.length - at, 1 + random.nextInt(random.nextBoolean() ? 64 : maxRead));
    }

    @Override
    public long read(final ByteBuffer[] dsts, final int offset, final int length)
    {
        int left = budget();
        if (left <= 0)
        {
            return left;
        }
        long n = 0;
        for (int i = offset; i < offset + length && left > 0; i++)
        {
            final int k = Math.min(left, dsts[i].remaining());
            dsts[i].put(stream, at, k);
            at += k;
            left -= k;
            n += k;
        }
        return n;
    }

    @Override
    public long read(final ByteBuffer[] dsts)
    {
        return read(dsts, 0, dsts.length);
    }

    @Override
    public int read(final ByteBuffer dst)
    {
        return (int)read(new ByteBuffer[] {dst}, 0, 1);
    }

    /** @return bytes served so far. */
    long position()
    {
        return at;
    }

    boolean atEnd()
    {
        return at >= stream.length;
    }

    @Override
    public boolean isOpen()
    {
        return open;
    }

    @Override
    public void close()
    {
        open = false;
    }
}
