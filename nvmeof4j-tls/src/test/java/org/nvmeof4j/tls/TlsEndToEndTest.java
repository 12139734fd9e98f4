package org.nvmeof4j.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.IoQueue;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.tcp.tls.ConfiguredPsk;
import org.nvmeof4j.tcp.tls.TlsProvider;
import org.nvmeof4j.tcp.tls.TlsPsk;
import org.nvmeof4j.tcp.tls.TlsPskHash;
import org.nvmeof4j.target.Target;

/** Java host ↔ Java target over NVMe/TCP TLS 1.3 with PSKs: data verified, and every bad-input case. */
class TlsEndToEndTest
{
    static final String NQN = "nqn.2014-08.org.nvmeof4j:tls-test";
    static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:0f4f4f4f-0000-4000-8000-000000000001";
    static final ConfiguredPsk KEY256 = ConfiguredPsk.generate(TlsPskHash.SHA_256, new SecureRandom());
    static final ConfiguredPsk KEY384 = ConfiguredPsk.generate(TlsPskHash.SHA_384, new SecureRandom());
    /** Host NQN → its configured PSK, as the target knows them. */
    static final Map<String, ConfiguredPsk> KEYS = new ConcurrentHashMap<>();
    static final AtomicInteger UNKNOWN = new AtomicInteger();
    private static Target target;
    private static Target plain;

    /** The target's lookup: derive from the configured key of the host the identity names (both versions). */
    static TlsPsk lookup(final String identity)
    {
        final String[] f = identity.split(" ");
        if (f.length >= 3 && KEYS.containsKey(f[1]))
        {
            for (int v = 0; v <= 1; v++)
            {
                final TlsPsk p = TlsPsk.derive(KEYS.get(f[1]), f[1], f[2], v);
                if (p.identity().equals(identity))
                {
                    return p;
                }
            }
        }
        UNKNOWN.incrementAndGet();
        return null;
    }

    @BeforeAll
    static void start() throws IOException
    {
        KEYS.put(HOST, KEY256);
        KEYS.put(HOST + "-384", KEY384);
        target = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().blockSize(512).ramNamespace(1, 64L << 20)).build().start();
        target.listeners().get(0).requireTls(TlsEndToEndTest::lookup);
        plain = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().blockSize(512).ramNamespace(1, 8L << 20)).build().start();
    }

    @AfterAll
    static void stop()
    {
        target.close();
        plain.close();
    }

    static ConnectOptions options(final String hostNqn, final ConfiguredPsk key)
    {
        return ConnectOptions.tcp("127.0.0.1", target.boundPort(), NQN).hostnqn(hostNqn).tlsKey(key).nrIoQueues(2)
            .nrPollQueues(1);
    }

    @Test
    void shouldFindTheBouncyCastleProvider()
    {
        assertThat(TlsProvider.get()).isInstanceOf(BcTlsProvider.class);
    }

    @ParameterizedTest(name = "sha384={0} identity v{1} digests={2}")
    @CsvSource({"false,0,false", "true,0,true", "false,1,true", "true,1,false"})
    void shouldWriteAndReadBackInsideTls(final boolean sha384, final int version, final boolean digests)
    {
        final ConnectOptions o = sha384 ? options(HOST + "-384", KEY384) : options(HOST, KEY256);
        o.tlsIdentityVersion(version).hdrDigest(digests).dataDigest(digests);
        try (NvmeController c = NvmeController.connect(o))
        {
            assertThat(c.identifyController().subnqn()).isEqualTo(NQN);
            final IoQueue q = c.openIoQueue();
            long lba = 0;
            for (final int size : new int[] {512, 4096, 65536, 1 << 20})
            {
                final ByteBuffer w = pattern(size, size + version);
                final ByteBuffer r = ByteBuffer.allocateDirect(size);
                assertThat(run(q, q.submitWrite(1, lba, size / 512, w, 1))).isZero();
                assertThat(run(q, q.submitRead(1, lba, size / 512, r, 2))).isZero();
                assertThat(r).as("read back %d bytes", size).isEqualTo(w);
                lba += size / 512;
            }
            q.close();
            // the async path (poller threads) over TLS as well
            final ByteBuffer w = pattern(8192, 77);
            c.write(1, 50_000, 16, w).join();
            final ByteBuffer r = ByteBuffer.allocateDirect(8192);
            c.readBlocking(1, 50_000, 16, r);
            assertThat(r).isEqualTo(w);
        }
    }

    @Test
    void shouldFailTheHandshakeForAnUnknownIdentityAndKeepOtherConnections()
    {
        try (NvmeController good = NvmeController.connect(options(HOST, KEY256)))
        {
            final int before = UNKNOWN.get();
            final ConfiguredPsk stranger = ConfiguredPsk.generate(TlsPskHash.SHA_256, new SecureRandom());
            assertThatThrownBy(() -> NvmeController.connect(options(HOST + "-unknown", stranger)
                .connectTimeout(java.time.Duration.ofSeconds(5))))
                .isInstanceOf(RuntimeException.class)
                .hasMessageContaining("TLS")
                .satisfies(e -> assertThat(String.valueOf(e.getMessage()) + e.getCause())
                    .doesNotContain(stranger.format().substring(16, 40)));
            assertThat(UNKNOWN.get()).isGreaterThan(before);
            final ByteBuffer r = ByteBuffer.allocateDirect(512);
            good.readBlocking(1, 0, 1, r); // the other connection is untouched
            assertThat(good.state()).isEqualTo(NvmeController.State.LIVE);
        }
    }

    @Test
    void shouldFailWithAWrongKeyForAKnownIdentity()
    {
        final ConfiguredPsk wrong = ConfiguredPsk.generate(TlsPskHash.SHA_256, new SecureRandom());
        assertThatThrownBy(() -> NvmeController.connect(options(HOST, wrong)
            .connectTimeout(java.time.Duration.ofSeconds(5))))
            .isInstanceOf(RuntimeException.class).hasMessageContaining("TLS");
    }

    @Test
    void shouldCloseAPlaintextIcReqOnATlsPort() throws IOException
    {
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", target.boundPort())))
        {
            final ByteBuffer icreq = ByteBuffer.allocate(128);
            icreq.put(0, (byte)0x00).put(2, (byte)128).putInt(4, Integer.reverseBytes(128)); // ICReq CH, PLEN 128
            ch.write(icreq);
            ch.socket().setSoTimeout(5000);
            final java.io.InputStream in = ch.socket().getInputStream();
            final byte[] got = in.readNBytes(200);
            // no ICResp (PDU type 0x01, 128 bytes) comes back: at most a TLS alert record (content type 21), then EOF
            assertThat(got.length).isLessThan(128);
            if (got.length > 0)
            {
                assertThat(got[0]).isEqualTo((byte)21);
            }
        }
        catch (final java.net.SocketException reset)
        {
            // a reset is a close too
        }
    }

    @Test
    void shouldNotConnectWithTlsToAPlainPort()
    {
        assertThatThrownBy(() -> NvmeController.connect(ConnectOptions.tcp("127.0.0.1", plain.boundPort(), NQN)
            .hostnqn(HOST).tlsKey(KEY256).connectTimeout(java.time.Duration.ofSeconds(5))))
            .isInstanceOf(RuntimeException.class);
    }

    @Test
    void shouldDiscoverOverTlsWithTreqRequiredAndTsasTls13()
    {
        final org.nvmeof4j.host.discovery.Discovery.Log log = org.nvmeof4j.host.discovery.Discovery.discover(
            ConnectOptions.tcp("127.0.0.1", target.boundPort(), org.nvmeof4j.protocol.fabrics.Nqn.DISCOVERY).hostnqn(HOST)
                .tlsKey(KEY256));
        assertThat(log.subsystems()).anySatisfy(e -> {
            assertThat(e.subnqn()).isEqualTo(NQN);
            assertThat(e.treq() & 3).isEqualTo(1); // secure channel required
            assertThat(e.sectype()).isEqualTo(2); // TLS 1.3
        });
        final org.nvmeof4j.host.discovery.Discovery.Log plainLog = org.nvmeof4j.host.discovery.Discovery.discover(
            ConnectOptions.tcp("127.0.0.1", plain.boundPort(), org.nvmeof4j.protocol.fabrics.Nqn.DISCOVERY).hostnqn(HOST));
        assertThat(plainLog.subsystems()).allSatisfy(e -> assertThat(e.sectype()).isZero());
    }

    @Test
    void shouldRefuseTlsWithoutAKey()
    {
        assertThatThrownBy(() -> NvmeController.connect(ConnectOptions.tcp("127.0.0.1", target.boundPort(), NQN)
            .hostnqn(HOST).tls(true))).isInstanceOf(RuntimeException.class).hasMessageContaining("--tls-key");
    }

    static ByteBuffer pattern(final int size, final long seed)
    {
        final ByteBuffer b = ByteBuffer.allocateDirect(size);
        long x = seed * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < size; i++)
        {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b.put(i, (byte)x);
        }
        return b;
    }

    static int run(final IoQueue q, final int slot)
    {
        if (slot < 0)
        {
            throw new IllegalStateException("queue full");
        }
        final int[] status = {-1};
        // one handler per I/O, not one per poll: what the spin allocates would follow how long the target takes
        final org.nvmeof4j.host.CompletionHandler done = (tag, st) -> status[0] = st;
        final long deadline = System.nanoTime() + 20_000_000_000L;
        while (status[0] < 0)
        {
            q.poll(done);
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("no completion within 20 s");
            }
        }
        return status[0];
    }
}
