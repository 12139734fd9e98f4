package org.nvmeof4j.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.IoQueue;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.host.discovery.Discovery;
import org.nvmeof4j.protocol.fabrics.Nqn;
import org.nvmeof4j.target.ConnectionLimits;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.tcp.tls.ConfiguredPsk;
import org.nvmeof4j.tcp.tls.HostPskTable;
import org.nvmeof4j.tcp.tls.TlsFailure;
import org.nvmeof4j.tcp.tls.TlsProvider;
import org.nvmeof4j.tcp.tls.TlsPsk;
import org.nvmeof4j.tcp.tls.TlsPskHash;

/**
 * The target's TLS failure counters, one case per reason (each made to fire by a host that fails that way), their
 * JMX view, and a port where TLS is offered but not required (plaintext and TLS hosts side by side).
 */
class TlsFailureCountersTest
{
    private static final String NQN = TlsEndToEndTest.NQN;
    private static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:0f4f4f4f-0000-4000-8000-0000000000c7";
    private static final ConfiguredPsk KEY = ConfiguredPsk.generate(TlsPskHash.SHA_256, new SecureRandom());
    private static Target target;

    @BeforeAll
    static void start() throws IOException
    {
        final HostPskTable psks = new HostPskTable().put(HOST, KEY);
        // port 0: TLS required; port 1: TLS not required. A short ICReq timeout for the timeout case.
        target = Target.builder()
            .connectionLimits(new ConnectionLimits(4096, 1024, 1500, 10_000))
            .listen("127.0.0.1", 0).tls(psks, true)
            .listen("127.0.0.1", 0).tls(psks, false)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().blockSize(512).ramNamespace(1, 8L << 20)).build().start();
    }

    @AfterAll
    static void stop()
    {
        target.close();
    }

    private static ConnectOptions options(final int port, final String host, final ConfiguredPsk key)
    {
        final ConnectOptions o = ConnectOptions.tcp("127.0.0.1", target.boundPort(port), NQN).hostnqn(host)
            .nrIoQueues(1).nrPollQueues(1).connectTimeout(Duration.ofSeconds(10));
        return key == null ? o : o.tlsKey(key);
    }

    /** Wait (bounded) for the poller thread to count what it saw: counting follows the host's failure. */
    private static void awaitIncrease(final LongSupplier counter, final long before)
    {
        final long deadline = System.nanoTime() + 20_000_000_000L;
        while (counter.getAsLong() <= before)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("counter stayed at " + before);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
        assertThat(counter.getAsLong()).isEqualTo(before + 1);
    }

    private static long n(final TlsFailure f)
    {
        return target.tlsFailures(f);
    }

    @Test
    void shouldCountAnUnknownIdentity()
    {
        final long before = n(TlsFailure.UNKNOWN_IDENTITY);
        final ConfiguredPsk stranger = ConfiguredPsk.generate(TlsPskHash.SHA_256, new SecureRandom());
        assertThatThrownBy(() -> NvmeController.connect(options(0, HOST + "-stranger", stranger)))
            .isInstanceOf(RuntimeException.class);
        awaitIncrease(() -> n(TlsFailure.UNKNOWN_IDENTITY), before);
    }

    @Test
    void shouldCountAWrongKeyForAKnownIdentity()
    {
        final long before = n(TlsFailure.BAD_KEY);
        final long unknown = n(TlsFailure.UNKNOWN_IDENTITY);
        final ConfiguredPsk wrong = ConfiguredPsk.generate(TlsPskHash.SHA_256, new SecureRandom());
        assertThatThrownBy(() -> NvmeController.connect(options(0, HOST, wrong))).isInstanceOf(RuntimeException.class);
        awaitIncrease(() -> n(TlsFailure.BAD_KEY), before);
        assertThat(n(TlsFailure.UNKNOWN_IDENTITY)).as("the identity was known").isEqualTo(unknown);
    }

    @Test
    void shouldCountAFatalAlertFromTheHost() throws IOException
    {
        final long before = n(TlsFailure.ALERT_RECEIVED);
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", target.boundPort(0))))
        {
            // a TLS alert record: content type 21, legacy version 3.3, length 2, fatal(2) handshake_failure(40)
            ch.write(ByteBuffer.wrap(new byte[] {21, 3, 3, 0, 2, 2, 40}));
            awaitIncrease(() -> n(TlsFailure.ALERT_RECEIVED), before);
        }
    }

    @Test
    void shouldCountAPlaintextIcReqOnATlsOnlyPort() throws IOException
    {
        final long before = n(TlsFailure.PLAINTEXT);
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", target.boundPort(0))))
        {
            ch.write(icReq());
            awaitIncrease(() -> n(TlsFailure.PLAINTEXT), before);
        }
    }

    @Test
    void shouldCountAHandshakeThatNeverComes() throws IOException
    {
        final long before = n(TlsFailure.TIMEOUT);
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", target.boundPort(0))))
        {
            awaitIncrease(() -> n(TlsFailure.TIMEOUT), before); // after the 1.5 s ICReq timeout
            ch.configureBlocking(true);
            assertThat(ch.read(ByteBuffer.allocate(16))).as("the target closed the connection").isEqualTo(-1);
        }
    }

    @Test
    void shouldCountAHostThatLeavesInTheMiddleOfTheHandshake() throws IOException
    {
        final long before = n(TlsFailure.OTHER);
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", target.boundPort(0))))
        {
            ch.configureBlocking(false);
            TlsProvider.get().client(ch, List.of(TlsPsk.derive(KEY, HOST, NQN, 0))); // sends the ClientHello
            ch.configureBlocking(true);
            ch.shutdownOutput();
            awaitIncrease(() -> n(TlsFailure.OTHER), before);
        }
    }

    @Test
    void shouldShowTheCountersOnJmx() throws Exception
    {
        final InetSocketAddress a = target.listeners().get(0).address();
        final ObjectName name = new ObjectName("org.nvmeof4j:type=TargetSecurity,name=" +
            ObjectName.quote(a.getAddress().getHostAddress() + ":" + a.getPort()));
        final long before = n(TlsFailure.PLAINTEXT);
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", target.boundPort(0))))
        {
            ch.write(icReq());
            awaitIncrease(() -> n(TlsFailure.PLAINTEXT), before);
        }
        final Object jmx = ManagementFactory.getPlatformMBeanServer().getAttribute(name, "TlsPlaintext");
        assertThat((Long)jmx).isEqualTo(n(TlsFailure.PLAINTEXT)).isGreaterThan(0);
        assertThat(ManagementFactory.getPlatformMBeanServer().getAttribute(name, "AuthenticationsFailed"))
            .isEqualTo(target.authenticationsFailed());
    }

    @Test
    void shouldServePlaintextAndTlsHostsOnAPortWhereTlsIsNotRequired()
    {
        final long failures = java.util.Arrays.stream(TlsFailure.values()).mapToLong(TlsFailureCountersTest::n).sum();
        for (final ConfiguredPsk key : new ConfiguredPsk[] {null, KEY})
        {
            try (NvmeController c = NvmeController.connect(options(1, HOST, key)))
            {
                final IoQueue q = c.openIoQueue();
                final ByteBuffer w = TlsEndToEndTest.pattern(4096, key == null ? 1 : 2);
                final ByteBuffer r = ByteBuffer.allocateDirect(4096);
                assertThat(TlsEndToEndTest.run(q, q.submitWrite(1, 8, 8, w, 1))).isZero();
                assertThat(TlsEndToEndTest.run(q, q.submitRead(1, 8, 8, r, 2))).isZero();
                assertThat(r).isEqualTo(w);
                // the plaintext host's queues run on the socket itself, the TLS host's inside TLS
                final org.nvmeof4j.target.controller.Controller ctrl = target.controllers().stream()
                    .filter(x -> x.cntlid() == c.cntlid()).findFirst().orElseThrow();
                final java.util.List<org.nvmeof4j.target.queue.TargetQueue> queues = new java.util.ArrayList<>(
                    ctrl.ioQueues());
                queues.add(ctrl.adminQueue());
                assertThat(queues).allSatisfy(tq -> {
                    assertThat(tq.secureChannel() == null).as("no TLS wrapper").isEqualTo(key == null);
                    assertThat(tq.plaintextOnTlsPort()).isEqualTo(key == null);
                });
                q.close();
            }
        }
        assertThat(java.util.Arrays.stream(TlsFailure.values()).mapToLong(TlsFailureCountersTest::n).sum())
            .as("no failure counted for the good hosts").isEqualTo(failures);
        // the TLS-only port still refuses a plaintext host
        assertThatThrownBy(() -> NvmeController.connect(options(0, HOST, null))).isInstanceOf(RuntimeException.class);
        final Discovery.Log log = Discovery.discover(ConnectOptions.tcp("127.0.0.1", target.boundPort(1),
            Nqn.DISCOVERY).hostnqn(HOST));
        assertThat(log.subsystems()).filteredOn(e -> e.trsvcid().equals(Integer.toString(target.boundPort(1))))
            .isNotEmpty().allSatisfy(e -> {
                assertThat(e.treq() & 3).as("TREQ: not required").isEqualTo(2);
                assertThat(e.sectype()).as("TSAS: TLS 1.3").isEqualTo(2);
            });
        assertThat(log.subsystems()).filteredOn(e -> e.trsvcid().equals(Integer.toString(target.boundPort(0))))
            .isNotEmpty().allSatisfy(e -> assertThat(e.treq() & 3).as("TREQ: required").isEqualTo(1));
    }

    private static ByteBuffer icReq()
    {
        final ByteBuffer icreq = ByteBuffer.allocate(128);
        icreq.put(0, (byte)0x00).put(2, (byte)128).putInt(4, Integer.reverseBytes(128)); // ICReq CH, PLEN 128
        return icreq;
    }
}
