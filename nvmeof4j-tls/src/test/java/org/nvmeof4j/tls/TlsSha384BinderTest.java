package org.nvmeof4j.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Vector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.AbstractTlsClient;
import org.bouncycastle.tls.BasicTlsPSKExternal;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.PRFAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsPSKExternal;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.tcp.tls.ConfiguredPsk;
import org.nvmeof4j.tcp.tls.HostPskTable;
import org.nvmeof4j.tcp.tls.SecureChannel;
import org.nvmeof4j.tcp.tls.TlsPsk;
import org.nvmeof4j.tcp.tls.TlsPskHash;

/**
 * The target's TLS server with a SHA-384 PSK and the two kinds of client there are: one that binds the PSK to
 * SHA-384 as RFC 8446 says (our host, GnuTLS 3.8.11+), and GnuTLS before 3.8.11 (Debian 13's tlshd, which does the
 * Linux 6.12 host's handshake), which computes every external PSK's binder with HMAC-SHA256 and offers
 * TLS_AES_256_GCM_SHA384 and TLS_CHACHA20_POLY1305_SHA256 for a SHA-384 identity. Both must connect; a wrong key must
 * not, whichever binder it came with.
 */
class TlsSha384BinderTest
{
    static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:0f4f4f4f-0000-4000-8000-000000000384";
    static final String SUB = "nqn.2014-08.org.nvmeof4j:sha384";

    @ParameterizedTest(name = "client binder {0}, suites {1}")
    @CsvSource({
        "sha384, aes256, TLS_AES_256_GCM_SHA384",
        "sha256, aes256+chacha, TLS_CHACHA20_POLY1305_SHA256",
        "sha256, aes128+aes256, TLS_AES_128_GCM_SHA256"})
    void shouldAcceptASha384PskWithEitherBinder(final String binder, final String suites, final String expected)
        throws Exception
    {
        final TlsPsk psk = TlsPsk.derive(ConfiguredPsk.generate(TlsPskHash.SHA_384, new SecureRandom()), HOST, SUB, 0);
        assertThat(handshake(psk, psk, binder, suites)).isEqualTo(expected);
    }

    @Test
    void shouldConnectOurHostInCompatModeWithASha384KeyAsTlshdWould() throws Exception
    {
        final ConfiguredPsk key = ConfiguredPsk.generate(TlsPskHash.SHA_384, new SecureRandom());
        final HostPskTable table = new HostPskTable().put(HOST, key, true);
        try (Target target = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(SUB).allowAnyHost().blockSize(512).ramNamespace(1, 1L << 20)).build()
            .requireTlsOnEveryPort(table::find).start();
             NvmeController c = NvmeController.connect(ConnectOptions.tcp("127.0.0.1", target.boundPort(), SUB)
                 .hostnqn(HOST).tlsKey(key).tlsCompat(true).nrIoQueues(1)))
        {
            final ByteBuffer w = TlsEndToEndTest.pattern(65536, 384);
            c.writeBlocking(1, 0, 128, w);
            final ByteBuffer r = ByteBuffer.allocateDirect(65536);
            c.readBlocking(1, 0, 128, r);
            assertThat(r).isEqualTo(w);
        }
    }

    @Test
    void shouldNegotiateChaChaForOurClientWithASha256Binder() throws Exception
    {
        final TlsPsk psk = TlsPsk.deriveCompat(ConfiguredPsk.generate(TlsPskHash.SHA_384, new SecureRandom()), HOST,
            SUB, 0);
        assertThat(ourHandshake(psk.withSha256Binder(), psk)).containsExactly("TLS_CHACHA20_POLY1305_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256");
        assertThat(ourHandshake(psk, psk)).containsExactly("TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384");
    }

    /** Our client and our server channel, both non-blocking and driven here: @return both sides' suites. */
    private static String[] ourHandshake(final TlsPsk clientPsk, final TlsPsk serverPsk) throws Exception
    {
        try (ServerSocketChannel listen = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel a = SocketChannel.open(listen.getLocalAddress());
             SocketChannel b = listen.accept())
        {
            a.configureBlocking(false);
            b.configureBlocking(false);
            final BcTlsProvider provider = new BcTlsProvider();
            final SecureChannel client = provider.client(a, List.of(clientPsk));
            final SecureChannel server = provider.server(b, id -> id.equals(serverPsk.identity()) ? serverPsk : null);
            final ByteBuffer sink = ByteBuffer.allocate(256);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!(client.handshakeComplete() && server.handshakeComplete()) && System.nanoTime() < deadline)
            {
                client.read(sink.clear());
                server.read(sink.clear());
            }
            return new String[] {client.cipherSuite(), server.cipherSuite()};
        }
    }

    @ParameterizedTest(name = "client binder {0}")
    @CsvSource({"sha384", "sha256"})
    void shouldRefuseAWrongSha384KeyWithEitherBinder(final String binder) throws Exception
    {
        final TlsPsk right = TlsPsk.derive(ConfiguredPsk.generate(TlsPskHash.SHA_384, new SecureRandom()), HOST, SUB,
            0);
        final TlsPsk wrong = TlsPsk.derive(ConfiguredPsk.generate(TlsPskHash.SHA_384, new SecureRandom()), HOST, SUB,
            0);
        assertThat(handshake(right, wrong, binder, "aes256+chacha")).isNull();
    }

    /**
     * One handshake: our server channel (driven here, as the target's poller would) knows {@code serverPsk}; a
     * blocking Bouncy Castle client offers {@code clientPsk} with the given binder hash and suites, then sends "ping"
     * and expects "pong".
     *
     * @return the suite the server negotiated, or null when the handshake failed.
     */
    private static String handshake(final TlsPsk serverPsk, final TlsPsk clientPsk, final String binder,
        final String suites) throws Exception
    {
        try (ServerSocketChannel listen = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)))
        {
            final int port = ((InetSocketAddress)listen.getLocalAddress()).getPort();
            final CompletableFuture<Boolean> client = CompletableFuture.supplyAsync(() -> runClient(port, clientPsk,
                binder, suites));
            try (SocketChannel s = listen.accept())
            {
                s.configureBlocking(false);
                final SecureChannel ch = new BcTlsProvider().server(s, id -> id.equals(serverPsk.identity())
                    ? serverPsk : null);
                final ByteBuffer in = ByteBuffer.allocate(64);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                try
                {
                    while (in.position() < 4)
                    {
                        if (ch.read(in) < 0 || System.nanoTime() > deadline)
                        {
                            break;
                        }
                        Thread.onSpinWait();
                    }
                }
                catch (final IOException failed)
                {
                    assertThat(client.get(20, TimeUnit.SECONDS)).isFalse();
                    return null;
                }
                assertThat(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII)).isEqualTo("ping");
                final ByteBuffer pong = ByteBuffer.wrap("pong".getBytes(StandardCharsets.US_ASCII));
                while (pong.hasRemaining() || ch.hasPendingOutput())
                {
                    ch.write(pong);
                    ch.flushOutput();
                }
                assertThat(client.get(20, TimeUnit.SECONDS)).isTrue();
                assertThat(ch.pskIdentity()).isEqualTo(serverPsk.identity());
                return ch.cipherSuite();
            }
        }
    }

    private static boolean runClient(final int port, final TlsPsk psk, final String binder, final String suites)
    {
        try (Socket socket = new Socket("127.0.0.1", port))
        {
            socket.setSoTimeout(20_000);
            final TlsClientProtocol protocol = new TlsClientProtocol(socket.getInputStream(), socket.getOutputStream());
            protocol.connect(new PskClient(psk, binder.equals("sha256") ? PRFAlgorithm.tls13_hkdf_sha256
                : PRFAlgorithm.tls13_hkdf_sha384, suites));
            final OutputStream out = protocol.getOutputStream();
            out.write("ping".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final InputStream in = protocol.getInputStream();
            final byte[] got = in.readNBytes(4);
            protocol.close();
            return new String(got, StandardCharsets.US_ASCII).equals("pong");
        }
        catch (final IOException e)
        {
            return false;
        }
    }

    /** An external-PSK TLS 1.3 client whose binder hash and suites are chosen by the test. */
    private static final class PskClient extends AbstractTlsClient
    {
        private final TlsPsk psk;
        private final int prf;
        private final String suites;

        PskClient(final TlsPsk psk, final int prf, final String suites)
        {
            super(new BcTlsCrypto(new SecureRandom()));
            this.psk = psk;
            this.prf = prf;
            this.suites = suites;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions()
        {
            return ProtocolVersion.TLSv13.only();
        }

        @Override
        protected int[] getSupportedCipherSuites()
        {
            return switch (suites)
            {
                case "aes256" -> new int[] {CipherSuite.TLS_AES_256_GCM_SHA384};
                case "aes256+chacha" -> new int[] {CipherSuite.TLS_AES_256_GCM_SHA384,
                    CipherSuite.TLS_CHACHA20_POLY1305_SHA256};
                default -> new int[] {CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384};
            };
        }

        @Override
        public Vector getExternalPSKs()
        {
            final Vector<TlsPSKExternal> v = new Vector<>(List.of(new BasicTlsPSKExternal(
                psk.identity().getBytes(StandardCharsets.UTF_8), getCrypto().createSecret(psk.key()), prf)));
            return v;
        }

        @Override
        public TlsAuthentication getAuthentication() throws IOException
        {
            throw new TlsFatalAlert(org.bouncycastle.tls.AlertDescription.handshake_failure);
        }
    }
}
