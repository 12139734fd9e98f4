package org.nvmeof4j.tcp.tls;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Makes TLS 1.3 PSK sessions for NVMe/TCP (TP 8011). The JDK's TLS cannot use external PSKs, so the implementation
 * lives in module {@code nvmeof4j-tls} (Bouncy Castle) and is found with {@link ServiceLoader}: the protocol module
 * and the plain tcp path never load it.
 */
public interface TlsProvider
{
    /** Looks up the TLS PSK a host offered by its identity; null for an unknown identity. */
    @FunctionalInterface
    interface PskLookup
    {
        TlsPsk find(String identity);

        /**
         * Every TLS PSK the identity may stand for, most likely first (e.g. one configured key derived both as the
         * spec and as libnvme 1.x do): the server keeps the one whose binder the client's ClientHello proves. The
         * default is {@link #find}'s answer alone; empty for an unknown identity.
         */
        default List<TlsPsk> candidates(final String identity)
        {
            final TlsPsk p = find(identity);
            return p == null ? List.of() : List.of(p);
        }
    }

    /** A client (host) session that offers these PSKs (in order of preference). */
    SecureChannel client(SocketChannel channel, List<TlsPsk> psks) throws IOException;

    /** A server (controller) session that accepts the PSKs {@code lookup} knows. */
    SecureChannel server(SocketChannel channel, PskLookup lookup) throws IOException;

    /**
     * A server session on a port where TLS is offered but not required (nvmet's {@code addr_tsas} "tls1.3" with
     * {@code addr_treq} "not required"): the first byte the host sends decides; a TLS handshake record starts TLS,
     * anything else (a plaintext ICReq) makes the channel pass bytes through untouched.
     */
    default SecureChannel server(final SocketChannel channel, final PskLookup lookup, final boolean plaintextAllowed)
        throws IOException
    {
        if (plaintextAllowed)
        {
            throw new UnsupportedOperationException("this TLS provider cannot serve TLS-optional ports");
        }
        return server(channel, lookup);
    }

    /**
     * @return the provider on the class path.
     * @throws IllegalStateException with a one-line message when none is there.
     */
    static TlsProvider get()
    {
        return ServiceLoader.load(TlsProvider.class).findFirst().orElseThrow(() -> new IllegalStateException(
            "TLS needs module nvmeof4j-tls (Bouncy Castle) on the class path"));
    }
}
