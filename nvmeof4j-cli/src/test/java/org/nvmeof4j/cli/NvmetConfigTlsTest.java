package org.nvmeof4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nvmeof4j.cli.Nvmeof4j.UsageException;
import org.nvmeof4j.cli.metrics.Nvmeof4jMetrics;
import org.nvmeof4j.cli.metrics.PrometheusParser;
import org.nvmeof4j.cli.metrics.PrometheusText;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.tcp.tls.ConfiguredPsk;
import org.nvmeof4j.tcp.tls.TlsFailure;
import org.nvmeof4j.tcp.tls.TlsPskHash;

/**
 * TLS in the nvmetcli JSON: a port's {@code addr.tsas} / {@code addr.treq}, the hosts' {@code tls_key}; bad values as
 * one line; what a reload (SIGHUP) changes (the PSKs) and what it rejects with nothing changed (a port's TLS).
 */
class NvmetConfigTlsTest
{
    private static final String NQN = "nqn.2014-08.org.nvmeof4j:tls-config";
    private static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:0f4f4f4f-0000-4000-8000-0000000000d1";
    private static final String KEY_A = ConfiguredPsk.generate(TlsPskHash.SHA_256, new SecureRandom()).format();
    private static final String KEY_B = ConfiguredPsk.generate(TlsPskHash.SHA_384, new SecureRandom()).format();

    @TempDir
    Path dir;

    private static String config(final String tsas, final String treq, final String key, final String extraNs)
    {
        return "{\"hosts\": [{\"nqn\": \"" + HOST + "\"" + (key == null ? "" : ", \"tls_key\": \"" + key + "\"") +
            "}], \"ports\": [{\"portid\": 1, \"addr\": {\"trtype\": \"tcp\", \"adrfam\": \"ipv4\", \"traddr\": " +
            "\"127.0.0.1\", \"trsvcid\": \"0\"" + (tsas == null ? "" : ", \"tsas\": \"" + tsas + "\"") +
            (treq == null ? "" : ", \"treq\": \"" + treq + "\"") + "}, \"subsystems\": [\"" + NQN + "\"]}], " +
            "\"subsystems\": [{\"nqn\": \"" + NQN + "\", \"attr\": {\"allow_any_host\": \"1\"}, \"namespaces\": " +
            "[{\"nsid\": 1, \"device\": {\"path\": \"ram:8\"}}" + extraNs + "]}]}";
    }

    private static Target start(final NvmetConfig c) throws IOException
    {
        final Target.Builder b = Target.builder();
        c.apply(b);
        return b.build().start();
    }

    private static ConnectOptions options(final Target t, final String key)
    {
        final ConnectOptions o = ConnectOptions.tcp("127.0.0.1", t.boundPort(), NQN).hostnqn(HOST)
            .nrIoQueues(1).nrPollQueues(1).connectTimeout(Duration.ofSeconds(10));
        return key == null ? o : o.tlsKey(ConfiguredPsk.parse(key));
    }

    private static void read(final Target t, final String key)
    {
        try (NvmeController c = NvmeController.connect(options(t, key)))
        {
            c.readBlocking(1, 0, 1, ByteBuffer.allocateDirect(512));
        }
    }

    @Test
    void shouldRequireTlsOnATls13PortWithTheHostsKeyAndCountAPlaintextHostOnMetrics() throws Exception
    {
        try (Target t = start(NvmetConfig.parse(config("tls1.3", null, KEY_A, ""))))
        {
            read(t, KEY_A);
            assertThatThrownBy(() -> read(t, null)).isInstanceOf(RuntimeException.class);
            final long deadline = System.nanoTime() + 20_000_000_000L;
            while (t.tlsFailures(TlsFailure.PLAINTEXT) == 0 && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            final PrometheusText p = new PrometheusText();
            Nvmeof4jMetrics.target(t, p);
            final PrometheusParser.Exposition e = PrometheusParser.parse(p.text());
            assertThat(e.value("nvmeof4j_target_tls_failures_total", "reason", "plaintext")).isEqualTo(1.0);
            assertThat(e.value("nvmeof4j_target_tls_failures_total", "reason", "unknown_identity")).isZero();
            assertThat(e.value("nvmeof4j_target_authentications_total", "result", "failure")).isZero();
        }
    }

    @Test
    void shouldServeBothKindsOfHostWhenTlsIsNotRequired() throws IOException
    {
        try (Target t = start(NvmetConfig.parse(config("tls1.3", "not required", KEY_A, ""))))
        {
            read(t, KEY_A);
            read(t, null);
            assertThat(t.listeners().get(0).tlsRequired()).isFalse();
        }
    }

    @Test
    void shouldReadTheKeyFromAFile() throws IOException
    {
        final Path f = dir.resolve("psk");
        Files.writeString(f, KEY_B + "\n");
        try (Target t = start(NvmetConfig.parse(config("tls1.3", "required", f.toString(), ""))))
        {
            read(t, KEY_B);
        }
    }

    /** Found by NvmetConfigFuzzTest: a tls_key with a NUL in it escaped the loader as an InvalidPathException. */
    @Test
    void shouldRejectATlsKeyThatIsNoFileNameInOneLine()
    {
        final String config = config(null, null, "J1\\u0000\\u00c8x", "");
        assertThatThrownBy(() -> NvmetConfig.parse(config).subsystemSpecs())
            .isInstanceOf(UsageException.class)
            .hasMessageContaining("hosts[0].tls_key")
            .hasMessageContaining("neither a key in interchange format nor a file name")
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("J1"));
        assertThatThrownBy(() -> TlsKeys.read("/tmp/\0key", "--tls-key")).isInstanceOf(UsageException.class)
            .hasMessage("--tls-key: neither a key in interchange format nor a file name");
    }

    @ParameterizedTest(name = "tsas={0} treq={1} key={2}")
    @CsvSource(nullValues = "-", value = {
        "tls1.2,-,A,ports[0].addr.tsas", "TLS1.3,-,A,ports[0].addr.tsas", "tls1.3,sometimes,A,ports[0].addr.treq",
        "none,required,A,ports[0].addr.treq", "-,required,A,ports[0].addr.treq", "tls1.3,-,-,no host has a tls_key",
        "tls1.3,-,bad,hosts[0].tls_key", "tls1.3,-,damaged,hosts[0].tls_key"})
    void shouldRejectABadTlsValueInOneLine(final String tsas, final String treq, final String key, final String where)
    {
        final String k = key == null ? null : switch (key)
        {
            case "A" -> KEY_A;
            case "damaged" -> KEY_A.substring(0, KEY_A.length() - 6) + "AAAA=:";
            default -> "/no/such/key/file";
        };
        assertThatThrownBy(() -> start(NvmetConfig.parse(config(tsas, treq, k, ""))))
            .isInstanceOf(UsageException.class)
            .hasMessageContaining(where)
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain(KEY_A.substring(16, 40)));
    }

    @Test
    void shouldExitWith2ForABadTsasFromTheCommandLine() throws IOException
    {
        final Path f = dir.resolve("bad.json");
        Files.writeString(f, config("tls1.2", null, KEY_A, ""));
        assertThat(Nvmeof4j.commandLine().execute("target", "--config", f.toString())).isEqualTo(2);
        final Path g = dir.resolve("good.json");
        Files.writeString(g, config("tls1.3", null, KEY_A, ""));
        assertThat(Nvmeof4j.commandLine().execute("target", "--config", g.toString(), "--tls")).isEqualTo(2);
    }

    @Test
    void shouldApplyNewKeysOnReloadAndRejectAChangedPortTlsWithNothingChanged() throws IOException
    {
        final NvmetConfig first = NvmetConfig.parse(config("tls1.3", null, KEY_A, ""));
        try (Target t = start(first))
        {
            read(t, KEY_A);
            // the host's key changes: new connections need the new key
            final NvmetConfig second = NvmetConfig.parse(config("tls1.3", null, KEY_B, ""));
            assertThat(ConfigReload.apply(t, first, second)).contains("tls keys of 1 host(s)");
            read(t, KEY_B);
            assertThatThrownBy(() -> read(t, KEY_A)).isInstanceOf(RuntimeException.class);
            // TLS off on the port, and a new namespace in the same edit: rejected, and neither applied
            final NvmetConfig third = NvmetConfig.parse(config("none", null, KEY_B,
                ", {\"nsid\": 2, \"device\": {\"path\": \"ram:8\"}}"));
            assertThatThrownBy(() -> ConfigReload.apply(t, second, third)).isInstanceOf(UsageException.class)
                .hasMessageContaining("addr.tsas");
            assertThat(t.subsystem(NQN).namespaces()).hasSize(1);
            assertThat(t.listeners().get(0).tls()).isNotNull();
            assertThatThrownBy(() -> read(t, null)).isInstanceOf(RuntimeException.class);
            // TLS made optional: rejected as well
            assertThatThrownBy(() -> ConfigReload.apply(t, second,
                NvmetConfig.parse(config("tls1.3", "not required", KEY_B, "")))).isInstanceOf(UsageException.class);
            read(t, KEY_B);
            // a reload that drops the last key of a TLS-required port is refused before anything changes
            assertThatThrownBy(() -> ConfigReload.apply(t, second,
                NvmetConfig.parse(config("tls1.3", null, null, "")))).isInstanceOf(UsageException.class)
                .hasMessageContaining("no host has a tls_key");
            read(t, KEY_B);
        }
    }

    @Test
    void shouldKeepTheTlsPortWhenAPlaintextProbeArrives() throws IOException
    {
        try (Target t = start(NvmetConfig.parse(config("tls1.3", null, KEY_A, "")));
             SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", t.boundPort())))
        {
            ch.write(ByteBuffer.wrap(new byte[128]));
            read(t, KEY_A); // the good host is untouched
        }
    }
}
