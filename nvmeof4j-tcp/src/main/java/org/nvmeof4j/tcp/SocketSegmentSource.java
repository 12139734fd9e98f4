package org.nvmeof4j.tcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * The software segment producer: one read into a direct receive buffer, handed whole to the receiver, which copies
 * what it keeps. The receiver never holds on to the buffer, so it is reused from index 0 on every read.
 */
public final class SocketSegmentSource implements SegmentSource
{
    /** Default receive buffer: big enough for a 128 KiB PDU and its header in one read. */
    public static final int DEFAULT_BUFFER = 256 * 1024;

    private final ByteBuffer buffer;
    private final Segment segment = new Segment();
    private long streamOffset;

    public SocketSegmentSource()
    {
        this(DEFAULT_BUFFER);
    }

    public SocketSegmentSource(final int bufferSize)
    {
        this.buffer = ByteBuffer.allocateDirect(bufferSize);
    }

    @Override
    public int receive(final ReadableByteChannel channel, final PduReceiver receiver) throws IOException
    {
        buffer.clear();
        final int n = channel.read(buffer);
        if (n > 0)
        {
            receiver.consume(segment.set(buffer, 0, n, streamOffset, false, false));
            streamOffset += n;
        }
        return n;
    }
}
