package org.nvmeof4j.target.fuzz;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Set;

/**
 * A socket channel without a socket: what the queue reads comes from {@link #offer}, and what it writes is appended
 * to an output buffer that {@link #takeOutput} hands back. The fuzz input also chooses the segmentation: a read
 * returns at most {@link #readChunk} bytes while it is in the first {@link #FINE} bytes of an offered buffer (the
 * PDU header, its digest and the start of its data), and at most {@code max(readChunk, COARSE)} bytes beyond, never
 * crossing into the next offered buffer. A PDU's header is thus still cut at any byte, but a 64 KiB payload read
 * one byte at a time no longer costs 64 Ki duty cycles (which made most of an input's time: the receive state
 * machine's own splits are fuzzed by PduReceiverFuzzTest). No file descriptor is opened, so millions of fuzz runs can each build
 * a fresh {@code TargetQueue} without exhausting ports or descriptors.
 */
final class MemorySocketChannel extends SocketChannel
{
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 4420);
    private static final InetSocketAddress REMOTE = new InetSocketAddress("127.0.0.1", 50000);

    /** Bytes from the start of an offered buffer that are read in chunks of at most {@link #readChunk}. */
    static final int FINE = 128;
    /** The most a read returns past {@link #FINE}, unless the chunk is larger. */
    static final int COARSE = 4096;

    private ByteBuffer input = ByteBuffer.allocate(0);
    /** Where each offered buffer starts in {@link #input}, ascending; only the one being read may lie before it. */
    private int[] starts = new int[8];
    private int startCount;
    private ByteBuffer output = ByteBuffer.allocate(4096);
    private int readChunk = Integer.MAX_VALUE;
    private boolean endOfStream;

    MemorySocketChannel()
    {
        super(SelectorProvider.provider());
    }

    /** Queue {@code bytes} for the reader (after what it has not read yet). */
    void offer(final byte[] bytes)
    {
        final int consumed = input.position();
        int keep = 0;
        for (int i = 0; i < startCount; i++)
        {
            // the buffer being read keeps its start (negative once its first bytes are gone)
            if (i + 1 < startCount && starts[i + 1] <= consumed)
            {
                continue;
            }
            starts[keep++] = starts[i] - consumed;
        }
        if (keep == starts.length)
        {
            starts = java.util.Arrays.copyOf(starts, keep * 2);
        }
        starts[keep++] = input.remaining();
        startCount = keep;
        final ByteBuffer b = ByteBuffer.allocate(input.remaining() + bytes.length);
        b.put(input).put(bytes).flip();
        input = b;
    }

    /** @return bytes offered but not read yet. */
    int unread()
    {
        return input.remaining();
    }

    /** The most one read returns (at least 1). */
    void readChunk(final int n)
    {
        readChunk = Math.max(1, n);
    }

    /** Make reads return end of stream once the input is consumed (an orderly close by the host). */
    void endOfStream()
    {
        endOfStream = true;
    }

    /** @return everything written since the last call, as a buffer to read from index 0. */
    ByteBuffer takeOutput()
    {
        output.flip();
        final ByteBuffer out = ByteBuffer.allocate(output.remaining());
        out.put(output).flip();
        output.clear();
        return out;
    }

    @Override
    public int read(final ByteBuffer dst)
    {
        if (!input.hasRemaining())
        {
            return endOfStream ? -1 : 0;
        }
        final int n = Math.min(Math.min(dst.remaining(), input.remaining()), chunkAt(input.position()));
        final ByteBuffer slice = input.slice(input.position(), n);
        dst.put(slice);
        input.position(input.position() + n);
        return n;
    }

    /** @return the most one read starting at index {@code at} of the input may return. */
    private int chunkAt(final int at)
    {
        int start = 0;
        int next = Integer.MAX_VALUE;
        for (int i = 0; i < startCount; i++)
        {
            if (starts[i] <= at)
            {
                start = starts[i];
            }
            else
            {
                next = starts[i];
                break;
            }
        }
        if (at - start < FINE)
        {
            return readChunk;
        }
        return Math.min(Math.max(readChunk, COARSE), next - at);
    }

    @Override
    public long read(final ByteBuffer[] dsts, final int offset, final int length)
    {
        long n = 0;
        for (int i = offset; i < offset + length; i++)
        {
            final int r = read(dsts[i]);
            if (r <= 0)
            {
                return n == 0 ? r : n;
            }
            n += r;
        }
        return n;
    }

    @Override
    public int write(final ByteBuffer src)
    {
        final int n = src.remaining();
        if (output.remaining() < n)
        {
            final ByteBuffer bigger = ByteBuffer.allocate(Math.max(output.capacity() * 2, output.position() + n));
            output.flip();
            bigger.put(output);
            output = bigger;
        }
        output.put(src);
        return n;
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
    public SocketChannel bind(final SocketAddress local)
    {
        return this;
    }

    @Override
    public <T> SocketChannel setOption(final SocketOption<T> name, final T value)
    {
        return this;
    }

    @Override
    public <T> T getOption(final SocketOption<T> name)
    {
        return null;
    }

    @Override
    public Set<SocketOption<?>> supportedOptions()
    {
        return Set.of();
    }

    @Override
    public SocketChannel shutdownInput()
    {
        return this;
    }

    @Override
    public SocketChannel shutdownOutput()
    {
        return this;
    }

    @Override
    public Socket socket()
    {
        return NoSocket.INSTANCE;
    }

    @Override
    public boolean isConnected()
    {
        return true;
    }

    @Override
    public boolean isConnectionPending()
    {
        return false;
    }

    @Override
    public boolean connect(final SocketAddress remote)
    {
        return true;
    }

    @Override
    public boolean finishConnect()
    {
        return true;
    }

    @Override
    public SocketAddress getRemoteAddress()
    {
        return REMOTE;
    }

    @Override
    public SocketAddress getLocalAddress()
    {
        return LOCAL;
    }

    @Override
    protected void implCloseSelectableChannel()
    {
    }

    @Override
    protected void implConfigureBlocking(final boolean block)
    {
    }

    /** The {@link Socket} view the connection sets TCP_NODELAY on: it has no descriptor and ignores options. */
    private static final class NoSocket extends Socket
    {
        static final NoSocket INSTANCE = create();

        private NoSocket() throws IOException
        {
            super((java.net.SocketImpl)null);
        }

        private static NoSocket create()
        {
            try
            {
                return new NoSocket();
            }
            catch (final IOException e)
            {
                throw new ExceptionInInitializerError(e);
            }
        }

        @Override
        public void setTcpNoDelay(final boolean on)
        {
        }
    }
}
