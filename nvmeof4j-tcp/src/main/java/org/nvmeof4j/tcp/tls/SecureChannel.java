package org.nvmeof4j.tcp.tls;

import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;

/**
 * A TLS session over a non-blocking socket, seen by the NVMe/TCP engine as the socket itself: {@code read} returns
 * plaintext (0 while the handshake runs, -1 at the peer's close_notify or end of stream) and throws on a TLS alert;
 * gather {@code write} takes plaintext (0 until the handshake completed or while the socket is full). The handshake
 * is driven by these calls, so an ICReq queued before it completes leaves right after it.
 */
public interface SecureChannel extends ReadableByteChannel, GatheringByteChannel
{
    /** @return whether TLS records (handshake or data) wait for room in the socket. */
    boolean hasPendingOutput();

    /** Write what TLS records wait; @return bytes written. */
    int flushOutput() throws java.io.IOException;

    /** @return whether the TLS handshake completed. */
    boolean handshakeComplete();

    /** @return the negotiated cipher suite's name, or null before the handshake completed. */
    String cipherSuite();

    /** @return the PSK identity the handshake used, or null before it completed. */
    String pskIdentity();

    /** @return why the session failed, or null while it has not (set when {@code read} or {@code write} threw). */
    default TlsFailure failure()
    {
        return null;
    }

    /**
     * @return whether the connection still waits for its TLS handshake to finish: false once it completed, and false
     *         on a port where TLS is not required when the host spoke plaintext.
     */
    default boolean handshakePending()
    {
        return !handshakeComplete();
    }

    /** @return whether the host chose plaintext on a port where TLS is not required (no TLS session then). */
    default boolean plaintext()
    {
        return false;
    }

    /**
     * @return whether the host chose plaintext ({@link #plaintext()}) and every byte read before that was seen has
     *         been handed out: the connection may then read and write the socket itself and drop this channel.
     */
    default boolean passThroughDrained()
    {
        return false;
    }
}
