package org.nvmeof4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.nvmeof4j.cli.CliRun.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.cli.CliRun.Result;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeAuthenticationException;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.host.NvmeException;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.tcp.tls.TlsFailure;

/**
 * {@code perf --dhchap-secret} and {@code perf --tls --tls-key} without {@code -a}: the embedded target requires
 * the same secret or PSK of perf's host, so such a run measures authentication or TLS, never a plain connection.
 */
class PerfSecurityTest
{
    private static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:perf-security-host";

    /** Made by {@code nvmeof4j gen-tls-key} and {@code nvmeof4j gen-dhchap-key}. */
    private static final String TLS_KEY = "NVMeTLSkey-1:01:u2PJcbSVUsYduBzP7d7GZ6zZwRDOyc/MrEugdjlv7s5QJlx2:";
    private static final String DHCHAP_KEY = "DHHC-1:00:ct6q78N9CHTtBu71guPAu1N736p6j9V0Oi8svAup34lpr5Gc:";

    /** perf's connect options as picocli fills them from these flags. */
    private static HostConnectOptions options(final String... flags)
    {
        return picocli.CommandLine.populateCommand(new HostConnectOptions(), flags);
    }

    private static ConnectOptions host(final Target t)
    {
        return ConnectOptions.tcp("127.0.0.1", t.boundPort(), TargetCommand.DEFAULT_NQN).hostnqn(HOST)
            .nrIoQueues(1).ioTimeout(Duration.ofSeconds(20)).ctrlLossTmo(Duration.ZERO);
    }

    @Test
    void shouldRequireTheDhchapSecretOfPerfsHost() throws Exception
    {
        final String secret = DHCHAP_KEY;
        final HostConnectOptions o = options("--dhchap-secret", secret);
        try (Target t = EmbeddedTarget.start(o, HOST, 1, 64, "block"))
        {
            assertThat(o.trsvcid).isEqualTo(t.boundPort());
            // a host without the secret is not let in; nor is another host NQN with it
            assertThatThrownBy(() -> NvmeController.connect(host(t)).close())
                .isInstanceOf(NvmeAuthenticationException.class).hasMessageContaining("requires DH-HMAC-CHAP");
            assertThatThrownBy(() -> NvmeController.connect(host(t).hostnqn(HOST + "-other")
                .dhchapSecret(org.nvmeof4j.host.DhchapKeys.read("k", secret, m -> { }))).close())
                .isInstanceOfAny(NvmeException.class, NvmeAuthenticationException.class);
            try (NvmeController c = NvmeController.connect(host(t)
                .dhchapSecret(org.nvmeof4j.host.DhchapKeys.read("k", secret, m -> { }))))
            {
                assertThat(c.namespace(1)).isNotNull();
            }
            assertThat(t.authenticationsSucceeded()).as("admin and I/O queue").isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void shouldRequireTlsWithThePskOfPerfsHost() throws Exception
    {
        final String key = TLS_KEY;
        final HostConnectOptions o = options("--tls", "--tls-key", key);
        try (Target t = EmbeddedTarget.start(o, HOST, 1, 64, "block"))
        {
            assertThatThrownBy(() -> NvmeController.connect(host(t)).close()).isInstanceOf(Exception.class);
            try (NvmeController c = NvmeController.connect(host(t).tls(true)
                .tlsKey(org.nvmeof4j.tcp.tls.ConfiguredPsk.parse(key))))
            {
                assertThat(c.namespace(1)).isNotNull();
            }
            assertThat(t.tlsFailures(TlsFailure.PLAINTEXT)).as("the plaintext attempt").isEqualTo(1);
        }
    }

    @Test
    void shouldRunPerfOverTlsAndWithDhchapOnTheEmbeddedTarget() throws Exception
    {
        final Result tls = run("perf", "--tls", "--tls-key", TLS_KEY, "--time", "1", "--warmup", "0",
            "-q", "4", "--range-mib", "8", "--json", "--no-progress");
        assertThat(tls.status()).as(tls.err()).isZero();
        final Result auth = run("perf", "--dhchap-secret", DHCHAP_KEY, "--time", "1", "--warmup",
            "0", "-q", "4", "--range-mib", "8", "--json", "--no-progress");
        assertThat(auth.status()).as(auth.err()).isZero();
        for (final Result r : new Result[] {tls, auth})
        {
            final var json = new ObjectMapper().readTree(r.out().substring(r.out().indexOf('{')));
            assertThat(json.get("ios").asLong()).isPositive();
            assertThat(json.get("errors").asLong()).isZero();
        }
    }
}
