package org.nvmeof4j.tcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.function.Supplier;

/**
 * The software segment producer: one read into a direct receive buffer, handed whole to the receiver, which copies
 * what it keeps. The receiver never holds on to the buffer, so it is reused from index 0 on every read.
 *
 * <p>The buffer is allocated on the first read, so a connection whose receive side a DDP device takes over (or
 * that closes before any byte arrives) never pays for it, and it starts small ({@link #INITIAL_BUFFER}): it grows
 * to its full size once, the first time a read fills it (more bytes were waiting than it holds). A peer that sends
 * an ICReq a byte at a time, or never more than a few commands at once, so costs 4 KiB of direct memory, not 256
 * KiB: 2,000 slowloris connections held 500 MiB before. Connections driven one after the other on one thread
 * may share one buffer ({@link #SocketSegmentSource(ByteBuffer)}, or lent at each read by {@link
 * #SocketSegmentSource(Supplier)}, as a {@link Poller} lends its {@link Poller#receiveBuffer()}): nothing of it is
 * kept between reads.
 */
public final class SocketSegmentSource implements SegmentSource
{
    /** Default receive buffer: big enough for a 128 KiB PDU and its header in one read. */
    public static final int DEFAULT_BUFFER = 256 * 1024;

    /** The first buffer of a source that owns its buffer: an ICReq, a Connect and its data fit in one read. */
    public static final int INITIAL_BUFFER = 4096;

    /** The size an owned buffer grows to; unused when the buffer is lent. */
    private final int bufferSize;
    /** Lends the buffer for each read; null when the source owns (allocates and grows) its buffer. */
    private final Supplier<ByteBuffer> lender;
    /** The owned buffer, allocated at the first read. */
    private ByteBuffer buffer;
    private final Segment segment = new Segment();
    private long streamOffset;

    public SocketSegmentSource()
    {
        this(DEFAULT_BUFFER);
    }

    /** @param bufferSize the size of the direct receive buffer, allocated on the first read. */
    public SocketSegmentSource(final int bufferSize)
    {
        if (bufferSize <= 0)
        {
            throw new IllegalArgumentException("receive buffer size must be positive, not " + bufferSize);
        }
        this.bufferSize = bufferSize;
        this.lender = null;
    }

    /**
     * Read into the caller's buffer, which may be shared by sources that are never read at the same time (one
     * thread); each read uses it from index 0 to its capacity.
     */
    public SocketSegmentSource(final ByteBuffer buffer)
    {
        this(lent(buffer));
    }

    /**
     * Read into the buffer {@code lender} gives at each read (its whole capacity, from index 0): the source holds
     * no memory of its own between reads. The lender is called on the reading thread, and what it lends must not
     * be in use by another read at the same time, as with a {@link Poller#receiveBuffer()} lent to the connections
     * that poller drives.
     */
    public SocketSegmentSource(final Supplier<ByteBuffer> lender)
    {
        this.bufferSize = DEFAULT_BUFFER;
        this.lender = lender;
    }

    private static Supplier<ByteBuffer> lent(final ByteBuffer buffer)
    {
        if (buffer.capacity() == 0)
        {
            throw new IllegalArgumentException("receive buffer has no room");
        }
        return () -> buffer;
    }

    @Override
    public int receive(final ReadableByteChannel channel, final PduReceiver receiver) throws IOException
    {
        final boolean owned = lender == null;
        if (owned && buffer == null)
        {
            buffer = ByteBuffer.allocateDirect(Math.min(INITIAL_BUFFER, bufferSize));
        }
        final ByteBuffer b = owned ? buffer : lender.get();
        b.clear();
        final int n = channel.read(b);
        if (n > 0)
        {
            receiver.consume(segment.set(b, 0, n, streamOffset, false, false));
            streamOffset += n;
            if (owned && n == b.capacity() && n < bufferSize)
            {
                // the receiver copied what it keeps: nothing of the small buffer is needed any more
                buffer = ByteBuffer.allocateDirect(bufferSize);
            }
        }
        return n;
    }
}
