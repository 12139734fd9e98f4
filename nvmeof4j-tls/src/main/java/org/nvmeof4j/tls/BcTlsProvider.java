package org.nvmeof4j.tls;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Vector;
import org.bouncycastle.tls.AbstractTlsClient;
import org.bouncycastle.tls.AbstractTlsServer;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.BasicTlsPSKExternal;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.PRFAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.PskIdentity;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsPSK;
import org.bouncycastle.tls.TlsPSKExternal;
import org.bouncycastle.tls.TlsServerProtocol;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.nvmeof4j.tcp.tls.SecureChannel;
import org.nvmeof4j.tcp.tls.TlsProvider;
import org.nvmeof4j.tcp.tls.TlsPsk;
import org.nvmeof4j.tcp.tls.TlsPskHash;

/**
 * NVMe/TCP TLS (TP 8011) with Bouncy Castle's TLS API: TLS 1.3 only, external PSKs only (psk_dhe_ke), cipher suites
 * TLS_AES_128_GCM_SHA256 (for SHA-256 PSKs) and TLS_AES_256_GCM_SHA384 (for SHA-384 PSKs). A handshake without a
 * PSK both sides know ends with a handshake_failure alert (no certificates are ever offered).
 */
public final class BcTlsProvider implements TlsProvider
{
    private static final int[] SUITES = {CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_AES_128_GCM_SHA256};
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final System.Logger LOG = System.getLogger("org.nvmeof4j.tls");

    /** The record protection and key schedule through the JDK's providers ({@link JdkTlsCrypto}). */
    private static TlsCrypto crypto()
    {
        return new JdkTlsCrypto(RANDOM);
    }

    /** What a handshake learned, shared by the protocol callbacks and the channel. */
    static final class Session
    {
        volatile boolean handshakeComplete;
        volatile String cipherSuite;
        volatile String pskIdentity;
        /** The server found no PSK for any identity the client offered. */
        volatile boolean unknownIdentity;
        /** The fatal alert raised or received, for logs and exception messages; null while none. */
        volatile String alert;
        /** Server: the binder lengths of the ClientHello's offered PSKs ({@link ClientHelloBinders}); null: unknown. */
        volatile int[] binderLengths;
        /** Server: the ClientHello as read before Bouncy Castle (its binders and truncated message); null: unknown. */
        volatile ClientHelloBinders clientHello;
    }

    @Override
    public SecureChannel client(final SocketChannel channel, final List<TlsPsk> psks) throws IOException
    {
        if (psks.isEmpty())
        {
            throw new IllegalArgumentException("TLS needs at least one PSK");
        }
        final Session session = new Session();
        final TlsClientProtocol protocol = new TlsClientProtocol();
        protocol.connect(new Client(crypto(), List.copyOf(psks), session));
        final BcSecureChannel c = new BcSecureChannel(channel, protocol, session, false, false);
        c.flushOutput(); // the ClientHello
        return c;
    }

    @Override
    public SecureChannel server(final SocketChannel channel, final PskLookup lookup) throws IOException
    {
        return server(channel, lookup, false);
    }

    @Override
    public SecureChannel server(final SocketChannel channel, final PskLookup lookup, final boolean plaintextAllowed)
        throws IOException
    {
        final Session session = new Session();
        final TlsServerProtocol protocol = new TlsServerProtocol();
        protocol.accept(new Server(crypto(), lookup, session));
        return new BcSecureChannel(channel, protocol, session, true, plaintextAllowed);
    }

    /**
     * A fatal alert this side raised: logged once (WARNING) with Bouncy Castle's reason, which never holds key
     * material, and kept for the exception that closes the connection.
     */
    static void alertRaised(final Session session, final String role, final short level, final short description,
        final String message, final Throwable cause)
    {
        if (level != AlertLevel.fatal)
        {
            return;
        }
        Throwable root = cause;
        while (root != null && root.getCause() != null && root.getCause() != root)
        {
            root = root.getCause();
        }
        final String what = "TLS " + role + " raised " + AlertDescription.getText(description) +
            (message == null ? "" : ": " + message) + (root == null ? "" : " (" + root.getClass().getSimpleName() +
            (root.getMessage() == null ? "" : ": " + root.getMessage()) + ")");
        session.alert = what;
        LOG.log(System.Logger.Level.WARNING, what);
    }

    /** A fatal alert from the peer: logged once (WARNING) and kept like {@link #alertRaised}. */
    static void alertReceived(final Session session, final String role, final short level, final short description)
    {
        if (level != AlertLevel.fatal)
        {
            return;
        }
        final String what = "TLS " + role + " received " + AlertDescription.getText(description) + " from the peer";
        session.alert = what;
        LOG.log(System.Logger.Level.WARNING, what);
    }

    static int prf(final TlsPskHash hash)
    {
        return hash == TlsPskHash.SHA_384 ? PRFAlgorithm.tls13_hkdf_sha384 : PRFAlgorithm.tls13_hkdf_sha256;
    }

    private static String suiteName(final int suite)
    {
        switch (suite)
        {
            case CipherSuite.TLS_AES_128_GCM_SHA256:
                return "TLS_AES_128_GCM_SHA256";
            case CipherSuite.TLS_AES_256_GCM_SHA384:
                return "TLS_AES_256_GCM_SHA384";
            case CipherSuite.TLS_CHACHA20_POLY1305_SHA256:
                return "TLS_CHACHA20_POLY1305_SHA256";
            default:
                return "0x" + Integer.toHexString(suite);
        }
    }

    private static final class Client extends AbstractTlsClient
    {
        private final List<TlsPsk> psks;
        private final Session session;

        Client(final TlsCrypto crypto, final List<TlsPsk> psks, final Session session)
        {
            super(crypto);
            this.psks = psks;
            this.session = session;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions()
        {
            return ProtocolVersion.TLSv13.only();
        }

        @Override
        protected int[] getSupportedCipherSuites()
        {
            // only the suites whose hash some PSK has: a PSK is bound to its hash (RFC 8446 4.2.11), and a server
            // picking TLS_AES_256_GCM_SHA384 for a SHA-256 PSK would fail the handshake (illegal_parameter)
            final boolean sha256 = psks.stream().anyMatch(p -> p.hash() == TlsPskHash.SHA_256 || p.sha256Binder());
            final boolean sha384 = psks.stream().anyMatch(p -> p.hash() == TlsPskHash.SHA_384 && !p.sha256Binder());
            final boolean chacha = psks.stream().anyMatch(TlsPsk::sha256Binder);
            if (chacha)
            {
                // a SHA-384 PSK bound to SHA-256 (GnuTLS < 3.8.11 peers): their SHA-384 suites list has only
                // TLS_CHACHA20_POLY1305_SHA256 of SHA-256
                return sha384 ? new int[] {CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
                    CipherSuite.TLS_AES_128_GCM_SHA256} : new int[] {CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
                    CipherSuite.TLS_AES_128_GCM_SHA256};
            }
            return sha256 && sha384 ? SUITES.clone() : new int[] {sha384 ? CipherSuite.TLS_AES_256_GCM_SHA384 :
                CipherSuite.TLS_AES_128_GCM_SHA256};
        }

        @Override
        public Vector getExternalPSKs()
        {
            final Vector<TlsPSKExternal> v = new Vector<>();
            for (final TlsPsk p : psks)
            {
                v.add(new BasicTlsPSKExternal(p.identity().getBytes(StandardCharsets.UTF_8),
                    getCrypto().createSecret(p.key()), p.sha256Binder() ? PRFAlgorithm.tls13_hkdf_sha256
                    : prf(p.hash())));
            }
            return v;
        }

        @Override
        public void notifySelectedPSK(final TlsPSK selectedPSK) throws IOException
        {
            if (selectedPSK == null)
            {
                throw new TlsFatalAlert(AlertDescription.handshake_failure); // the target took none of our PSKs
            }
            session.pskIdentity = new String(selectedPSK.getIdentity(), StandardCharsets.UTF_8);
        }

        @Override
        public TlsAuthentication getAuthentication() throws IOException
        {
            // only reached when the server did not select a PSK: NVMe/TCP TLS here is PSK only
            throw new TlsFatalAlert(AlertDescription.handshake_failure);
        }

        @Override
        public void notifyAlertRaised(final short alertLevel, final short alertDescription, final String message,
            final Throwable cause)
        {
            alertRaised(session, "client", alertLevel, alertDescription, message, cause);
        }

        @Override
        public void notifyAlertReceived(final short alertLevel, final short alertDescription)
        {
            alertReceived(session, "client", alertLevel, alertDescription);
        }

        @Override
        public void notifyHandshakeComplete() throws IOException
        {
            super.notifyHandshakeComplete();
            session.cipherSuite = suiteName(context.getSecurityParametersConnection().getCipherSuite());
            session.handshakeComplete = true;
        }
    }

    /**
     * The server's suites: the two of NVMe/TCP TLS and TLS_CHACHA20_POLY1305_SHA256, which only a SHA-384 PSK whose
     * binder a client computed with SHA-256 gets (see {@link Server#getExternalPSK}).
     */
    private static final int[] SERVER_SUITES = {CipherSuite.TLS_AES_256_GCM_SHA384,
        CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_CHACHA20_POLY1305_SHA256};

    private static final class Server extends AbstractTlsServer
    {
        private final PskLookup lookup;
        private final Session session;
        /** The PRF of the PSK selected, or -1 before one is. */
        private int selectedPrf = -1;
        /** The selected PSK is a SHA-384 one whose binder the client computed with SHA-256. */
        private boolean sha256Binder;

        Server(final TlsCrypto crypto, final PskLookup lookup, final Session session)
        {
            super(crypto);
            this.lookup = lookup;
            this.session = session;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions()
        {
            return ProtocolVersion.TLSv13.only();
        }

        @Override
        protected int[] getSupportedCipherSuites()
        {
            return SERVER_SUITES.clone();
        }

        @Override
        public TlsCredentials getCredentials()
        {
            return null; // no certificate: a ClientHello without a known PSK fails with handshake_failure
        }

        /**
         * The PSK of the first identity the lookup knows, with the hash its binder was computed with. A SHA-384 PSK
         * is bound to SHA-384 (RFC 8446 4.2.11), but GnuTLS before 3.8.11 (Debian 13's tlshd, the Linux 6.12 host's
         * handshake agent) computes every external PSK's binder with HMAC-SHA256 and can then only use a SHA-256
         * suite: a 32-byte binder for a SHA-384 PSK selects that PSK with SHA-256 (and a SHA-256 suite,
         * {@link #getSelectedCipherSuite}). The binder is still verified, so the key must be right either way.
         */
        @Override
        public TlsPSKExternal getExternalPSK(final Vector identities)
        {
            final int[] binders = session.binderLengths;
            for (int i = 0; i < identities.size(); i++)
            {
                final byte[] id = ((PskIdentity)identities.elementAt(i)).getIdentity();
                final String identity = new String(id, StandardCharsets.UTF_8);
                final TlsPsk psk = choose(lookup.candidates(identity), identity, i, binders);
                if (psk != null && psk.identity().equals(identity))
                {
                    session.pskIdentity = identity;
                    sha256Binder = psk.hash() == TlsPskHash.SHA_384 && binders != null && i < binders.length &&
                        binders[i] == TlsPskHash.SHA_256.length();
                    selectedPrf = sha256Binder ? PRFAlgorithm.tls13_hkdf_sha256 : prf(psk.hash());
                    return new BasicTlsPSKExternal(id, getCrypto().createSecret(psk.key()), selectedPrf);
                }
            }
            session.unknownIdentity = true;
            return null;
        }

        /**
         * Of several candidate PSKs for one identity (one configured key derived both ways), the one whose binder the
         * ClientHello carries; the first when only one is given, when the ClientHello could not be read, or when none
         * matches (Bouncy Castle then fails the binder: a wrong key).
         */
        private TlsPsk choose(final java.util.List<TlsPsk> candidates, final String identity, final int index,
            final int[] binders)
        {
            if (candidates.isEmpty())
            {
                return null;
            }
            final ClientHelloBinders hello = session.clientHello;
            if (candidates.size() == 1 || hello == null || hello.truncatedClientHello() == null)
            {
                return candidates.get(0);
            }
            final byte[] binder = hello.binder(index);
            final byte[] truncated = hello.truncatedClientHello();
            for (final TlsPsk c : candidates)
            {
                if (!c.identity().equals(identity))
                {
                    continue;
                }
                final boolean sha384 = c.hash() == TlsPskHash.SHA_384 && binder != null &&
                    binder.length == TlsPskHash.SHA_384.length();
                final byte[] key = c.key();
                final boolean match = PskBinder.matches(sha384, key, truncated, binder);
                java.util.Arrays.fill(key, (byte)0);
                if (match)
                {
                    return c;
                }
            }
            return candidates.get(0);
        }

        /**
         * The client's most preferred suite whose hash is the selected PSK's: TLS_AES_256_GCM_SHA384 for a SHA-384
         * PSK, TLS_AES_128_GCM_SHA256 (or TLS_CHACHA20_POLY1305_SHA256 for a SHA-384 PSK with a SHA-256 binder)
         * for SHA-256. Bouncy Castle's own choice ignores the PSK, and a suite of the other hash fails the handshake.
         */
        @Override
        public int getSelectedCipherSuite() throws IOException
        {
            if (selectedPrf < 0 || offeredCipherSuites == null)
            {
                return super.getSelectedCipherSuite();
            }
            for (final int suite : offeredCipherSuites)
            {
                final boolean fits = selectedPrf == PRFAlgorithm.tls13_hkdf_sha384
                    ? suite == CipherSuite.TLS_AES_256_GCM_SHA384
                    : suite == CipherSuite.TLS_AES_128_GCM_SHA256 ||
                        (sha256Binder && suite == CipherSuite.TLS_CHACHA20_POLY1305_SHA256);
                if (fits && selectCipherSuite(suite))
                {
                    return suite;
                }
            }
            throw new TlsFatalAlert(AlertDescription.handshake_failure, "no offered cipher suite fits the PSK's hash");
        }

        @Override
        public void notifyAlertRaised(final short alertLevel, final short alertDescription, final String message,
            final Throwable cause)
        {
            alertRaised(session, "server", alertLevel, alertDescription, message, cause);
        }

        @Override
        public void notifyAlertReceived(final short alertLevel, final short alertDescription)
        {
            alertReceived(session, "server", alertLevel, alertDescription);
        }

        @Override
        public void notifyHandshakeComplete() throws IOException
        {
            super.notifyHandshakeComplete();
            session.cipherSuite = suiteName(context.getSecurityParametersConnection().getCipherSuite());
            session.handshakeComplete = true;
        }
    }
}
