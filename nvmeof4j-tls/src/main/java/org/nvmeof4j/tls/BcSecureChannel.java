package org.nvmeof4j.tls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsProtocol;
import org.nvmeof4j.tcp.tls.SecureChannel;
import org.nvmeof4j.tcp.tls.TlsFailure;

/**
 * A TLS session on a non-blocking socket with Bouncy Castle's non-blocking protocol API ({@code offerInput},
 * {@code readInput}, {@code writeApplicationData}, {@code readOutput}): ciphertext read from the socket is offered
 * to the protocol and plaintext is read back; plaintext written is encrypted into records kept in a direct buffer
 * until the socket takes them. Owned by one thread (the connection's), like the connection itself.
 *
 * <p>A server channel waits for the host's first bytes: a TLS handshake record (content type 22) starts TLS; anything
 * else is refused ({@link TlsFailure#PLAINTEXT}) on a port that requires TLS, or switches the channel to plain
 * pass-through on a port where TLS is not required (as nvmet peeks at the first PDU of a tls1.3 port). A failure is
 * classified once ({@link #failure()}) for the target's counters.
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

    /**
     * TLS record content types (RFC 8446 5.1): change_cipher_spec 20, alert 21, handshake 22 (every ClientHello),
     * application_data 23. No NVMe/TCP PDU type is in that range (they are 0x00..0x09), so the first byte tells a
     * TLS host from a plaintext one.
     */
    private static final int FIRST_CONTENT_TYPE = 20;
    private static final int LAST_CONTENT_TYPE = 23;
    /** Server side: no byte from the host yet. */
    private static final int UNDECIDED = 0;
    private static final int TLS = 1;
    /** A TLS-optional port whose host spoke plaintext: bytes pass through. */
    private static final int PLAIN = 2;

    private final boolean plaintextAllowed;
    private int mode;
    /** Plaintext bytes read before the switch to {@link #PLAIN}, still in {@link #netIn}: [plainPosition, plainLimit). */
    private int plainPosition;
    private int plainLimit;
    private TlsFailure failure;
    /** Server: reads the ClientHello's binder lengths for the PSK choice; null once read (or on a client). */
    private ClientHelloBinders clientHello;

    BcSecureChannel(final SocketChannel socket, final TlsProtocol protocol, final BcTlsProvider.Session session,
        final boolean server, final boolean plaintextAllowed)
    {
        this.socket = socket;
        this.protocol = protocol;
        this.session = session;
        this.mode = server ? UNDECIDED : TLS;
        this.plaintextAllowed = plaintextAllowed;
        this.clientHello = server ? new ClientHelloBinders() : null;
    }

    @Override
    public int read(final ByteBuffer dst) throws IOException
    {
        if (mode == PLAIN)
        {
            return readPlain(dst);
        }
        flushOutput();
        if (protocol.getAvailableInputBytes() == 0 && !endOfStream && !protocol.isClosed())
        {
            netInBuffer.clear();
            final int n;
            try
            {
                n = socket.read(netInBuffer);
            }
            catch (final IOException e)
            {
                leftMidHandshake(); // e.g. a reset
                throw e;
            }
            if (n < 0)
            {
                endOfStream = true;
                leftMidHandshake(); // the peer gave up
            }
            else if (n > 0)
            {
                if (mode == UNDECIDED)
                {
                    if (netIn[0] < FIRST_CONTENT_TYPE || netIn[0] > LAST_CONTENT_TYPE)
                    {
                        if (plaintextAllowed)
                        {
                            mode = PLAIN;
                            plainPosition = 0;
                            plainLimit = n;
                            return readPlain(dst);
                        }
                        failure = TlsFailure.PLAINTEXT;
                        throw new IOException("TLS: the host sent no TLS record (first byte 0x" +
                            Integer.toHexString(netIn[0] & 0xFF) + ") on a port that requires TLS");
                    }
                    mode = TLS;
                }
                if (clientHello != null)
                {
                    // before Bouncy Castle sees the bytes: it asks for the PSK while it processes them
                    clientHello.feed(netIn, 0, n);
                    if (clientHello.done())
                    {
                        session.binderLengths = clientHello.binderLengths();
                        session.clientHello = clientHello;
                        clientHello = null;
                    }
                }
                try
                {
                    protocol.offerInput(netIn, 0, n);
                }
                catch (final IOException e)
                {
                    failure = classify(e);
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

    /** The connection ended (reset or end of stream): a failure when it was still in the handshake. */
    private void leftMidHandshake()
    {
        if (mode == TLS && !session.handshakeComplete && failure == null)
        {
            failure = TlsFailure.OTHER;
        }
    }

    private int readPlain(final ByteBuffer dst) throws IOException
    {
        if (plainPosition < plainLimit)
        {
            final int k = Math.min(dst.remaining(), plainLimit - plainPosition);
            dst.put(netIn, plainPosition, k);
            plainPosition += k;
            return k;
        }
        return socket.read(dst);
    }

    /** What the protocol's exception says about why the session failed. */
    private TlsFailure classify(final IOException e)
    {
        if (session.unknownIdentity)
        {
            return TlsFailure.UNKNOWN_IDENTITY;
        }
        if (e instanceof TlsFatalAlertReceived)
        {
            return TlsFailure.ALERT_RECEIVED;
        }
        if (e instanceof TlsFatalAlert a && (a.getAlertDescription() == AlertDescription.decrypt_error ||
            a.getAlertDescription() == AlertDescription.bad_record_mac))
        {
            return TlsFailure.BAD_KEY; // a PSK binder that did not verify, or a record that did not authenticate
        }
        if (mode != UNDECIDED && e instanceof TlsFatalAlert && session.pskIdentity != null &&
            !session.handshakeComplete)
        {
            // our lookup knew the identity, yet the handshake failed before it completed: Bouncy Castle 1.78 drops
            // a PSK whose binder does not verify (a wrong key) and then finds no way to authenticate (internal_error)
            return TlsFailure.BAD_KEY;
        }
        return TlsFailure.OTHER;
    }

    @Override
    public TlsFailure failure()
    {
        return failure;
    }

    @Override
    public boolean handshakePending()
    {
        return mode != PLAIN && !session.handshakeComplete;
    }

    @Override
    public boolean plaintext()
    {
        return mode == PLAIN;
    }

    @Override
    public boolean passThroughDrained()
    {
        return mode == PLAIN && plainPosition >= plainLimit;
    }

    private static String describe(final IOException e)
    {
        // Bouncy Castle's messages name the alert (e.g. "handshake_failure(40)"); they never hold key material
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    @Override
    public long write(final ByteBuffer[] srcs, final int offset, final int length) throws IOException
    {
        if (mode == PLAIN)
        {
            return socket.write(srcs, offset, length);
        }
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
        try
        {
            protocol.writeApplicationData(plain, 0, n);
        }
        catch (final IOException e)
        {
            failure = failure == null ? classify(e) : failure;
            throw e;
        }
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
        if (mode != TLS)
        {
            return; // no TLS session: a close_notify record would land in a plaintext stream
        }
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
