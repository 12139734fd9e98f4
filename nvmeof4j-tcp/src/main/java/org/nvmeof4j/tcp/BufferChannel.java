package org.nvmeof4j.tcp;

import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;

/**
 * A gathering channel that takes every byte offered and drops it (or, with a capture buffer, appends it there): the
 * socket stand-in for encoding PDUs into memory with a {@link PduSender} (benchmarks, receive-path drivers, tools).
 * Allocates nothing.
 */
public final class BufferChannel implements GatheringByteChannel
{
    private final ByteBuffer capture;
    private long bytes;

    /** A channel that discards. */
    public BufferChannel()
    {
        this(null);
    }

    /** A channel that appends what it is given to {@code capture} (relative puts); null to discard. */
    public BufferChannel(final ByteBuffer capture)
    {
        this.capture = capture;
    }

    /** @return bytes written since creation. */
    public long bytes()
    {
        return bytes;
    }

    @Override
    public long write(final ByteBuffer[] srcs, final int offset, final int length)
    {
        long n = 0;
        for (int i = offset; i < offset + length; i++)
        {
            n += write(srcs[i]);
        }
        return n;
    }

    @Override
    public long write(final ByteBuffer[] srcs)
    {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public int write(final ByteBuffer src)
    {
        final int n = src.remaining();
        if (capture != null)
        {
            capture.put(src);
        }
        else
        {
            src.position(src.limit());
        }
        bytes += n;
        return n;
    }

    @Override
    public boolean isOpen()
    {
        return true;
    }

    @Override
    public void close()
    {
    }
}
