package org.nvmeof4j.tls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.bouncycastle.tls.TlsProtocol;
import org.nvmeof4j.tcp.tls.SecureChannel;

/**
 * A TLS session on a non-blocking socket with Bouncy Castle's non-blocking protocol API ({@code offerInput},
 * {@code readInput}, {@code writeApplicationData}, {@code readOutput}): ciphertext read from the socket is offered
 * to the protocol and plaintext is read back; plaintext written is encrypted into records kept in a direct buffer
 * until the socket takes them. Owned by one thread (the connection's), like the connection itself.
 */
final class BcSecureChannel implements SecureChannel
{
    /** Plaintext taken per write: four TLS records. */
    private static final int PLAIN_CHUNK = 64 * 1024;
    private static final int NET_IN = 64 * 1024;
    private static final int NET_OUT = 128 * 1024;

    private final SocketChannel socket;
    private final TlsProtocol protocol;
    private final BcTlsProvider.Session session;
    private final byte[] netIn = new byte[NET_IN];
    private final ByteBuffer netInBuffer = ByteBuffer.wrap(netIn);
    /** Records not yet written: [0, position). */
    private final ByteBuffer netOut = ByteBuffer.allocateDirect(NET_OUT);
    private final byte[] plain = new byte[PLAIN_CHUNK];
    private boolean endOfStream;
    private boolean open = true;

    BcSecureChannel(final SocketChannel socket, final TlsProtocol protocol, final BcTlsProvider.Session session)
    {
        this.socket = socket;
        this.protocol = protocol;
        this.session = session;
    }

    @Override
    public int read(final ByteBuffer dst) throws IOException
    {
        flushOutput();
        if (protocol.getAvailableInputBytes() == 0 && !endOfStream && !protocol.isClosed())
        {
            netInBuffer.clear();
            final int n = socket.read(netInBuffer);
            if (n < 0)
            {
                endOfStream = true;
            }
            else if (n > 0)
            {
                try
                {
                    protocol.offerInput(netIn, 0, n);
                }
                catch (final IOException e)
                {
                    // the protocol queued its alert (if it raised one): let it leave before the connection closes
                    flushQuietly();
                    throw new IOException("TLS: " + describe(e), e);
                }
                flushOutput();
            }
        }
        final int available = protocol.getAvailableInputBytes();
        if (available > 0 && dst.hasRemaining())
        {
            return protocol.readInput(dst, Math.min(available, dst.remaining()));
        }
        if (endOfStream || protocol.isClosed())
        {
            return available > 0 ? 0 : -1;
        }
        return 0;
    }

    private static String describe(final IOException e)
    {
        // Bouncy Castle's messages name the alert (e.g. "handshake_failure(40)"); they never hold key material
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    @Override
    public long write(final ByteBuffer[] srcs, final int offset, final int length) throws IOException
    {
        flushOutput();
        if (!session.handshakeComplete || netOut.position() > 0 || protocol.getAvailableOutputBytes() > 0)
        {
            return 0; // before the handshake, or the socket still holds back records: the sender keeps its PDUs
        }
        int n = 0;
        for (int i = offset; i < offset + length && n < plain.length; i++)
        {
            final ByteBuffer src = srcs[i];
            final int k = Math.min(src.remaining(), plain.length - n);
            src.get(plain, n, k);
            n += k;
        }
        if (n == 0)
        {
            return 0;
        }
        protocol.writeApplicationData(plain, 0, n);
        flushOutput();
        return n;
    }

    @Override
    public long write(final ByteBuffer[] srcs) throws IOException
    {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public int write(final ByteBuffer src) throws IOException
    {
        return (int)write(new ByteBuffer[] {src}, 0, 1);
    }

    @Override
    public boolean hasPendingOutput()
    {
        return netOut.position() > 0 || protocol.getAvailableOutputBytes() > 0;
    }

    @Override
    public int flushOutput() throws IOException
    {
        int total = 0;
        while (true)
        {
            final int available = protocol.getAvailableOutputBytes();
            if (available > 0 && netOut.hasRemaining())
            {
                protocol.readOutput(netOut, Math.min(available, netOut.remaining()));
            }
            if (netOut.position() == 0)
            {
                return total;
            }
            netOut.flip();
            final int w = socket.write(netOut);
            netOut.compact();
            total += w;
            if (w == 0)
            {
                return total;
            }
        }
    }

    private void flushQuietly()
    {
        try
        {
            flushOutput();
        }
        catch (final IOException | RuntimeException ignore)
        {
            // the peer may be gone already
        }
    }

    @Override
    public boolean handshakeComplete()
    {
        return session.handshakeComplete;
    }

    @Override
    public String cipherSuite()
    {
        return session.cipherSuite;
    }

    @Override
    public String pskIdentity()
    {
        return session.pskIdentity;
    }

    @Override
    public boolean isOpen()
    {
        return open;
    }

    /** Send close_notify if the session is up (best effort); the socket is closed by its owner. */
    @Override
    public void close()
    {
        if (!open)
        {
            return;
        }
        open = false;
        try
        {
            if (!protocol.isClosed())
            {
                protocol.close();
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // closing anyway
        }
        flushQuietly();
    }
}
