package org.nvmeof4j.cli;

import static org.nvmeof4j.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.nvmeof4j.cli.CliRun.Result;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nvmeof4j.cli.metrics.Nvmeof4jMetrics;
import org.nvmeof4j.cli.metrics.PrometheusParser;
import org.nvmeof4j.cli.metrics.PrometheusParser.Exposition;
import org.nvmeof4j.cli.metrics.PrometheusText;
import org.nvmeof4j.gateway.Gateway;
import org.nvmeof4j.gateway.NvmeTcpBackendController;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.host.NvmeException;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.offload.FastpathDevice;
import org.nvmeof4j.target.offload.OffloadContext;
import org.nvmeof4j.target.offload.OffloadContextAttributes;

/**
 * {@code nvmeof4j target-offload stats} against an embedded target: namespace 1 a file served by {@code fastpath},
 * namespace 2 passed through to a backend nvmeof4j target that goes away mid-run (a backend error event).
 */
class TargetOffloadCommandTest
{
    private static final String NQN = "nqn.2024-01.org.nvmeof4j:tocli";
    private static final String BACKEND_NQN = "nqn.2024-01.org.nvmeof4j:tocli-backend";

    @TempDir
    Path dir;

    private Target backend;
    private Target target;
    private OffloadContext ctx;

    @AfterEach
    void stop()
    {
        if (ctx != null)
        {
            ctx.destroy();
        }
        if (target != null)
        {
            target.close();
        }
        if (backend != null)
        {
            backend.close();
        }
    }

    /** Serve, do 2 reads, 1 write, 1 flush on the file namespace, and a failed read on the passthru one. */
    private void serveAndFailABackend() throws Exception
    {
        backend = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(BACKEND_NQN).allowAnyHost().ramNamespace(1, 4L << 20)).build().start();
        target = Target.builder().listen("127.0.0.1", 0).subsystem(s -> s.nqn(NQN).allowAnyHost()
            .fileNamespace(1, dir.resolve("ns1.img"), 4L << 20)).build();
        final FastpathDevice dev = new FastpathDevice();
        ctx = dev.offloadFileNamespaces(target.subsystem(NQN), OffloadContextAttributes.defaults(dev.capabilities(),
            target.inlineDataSize()), 1);
        Gateway.passthru(ctx, 2, NvmeTcpBackendController.connect(ConnectOptions.tcp("127.0.0.1",
            backend.boundPort(), BACKEND_NQN).ioTimeout(Duration.ofSeconds(2)).ctrlLossTmo(Duration.ofSeconds(1))
            .reconnectDelay(Duration.ofMillis(200)), 1), 1);
        target.start();
        try (NvmeController c = NvmeController.connect(ConnectOptions.tcp("127.0.0.1", target.boundPort(), NQN)
            .nrIoQueues(1).ioTimeout(Duration.ofSeconds(30))))
        {
            final ByteBuffer w = ByteBuffer.allocateDirect(16384);
            w.putLong(0, 42);
            c.writeBlocking(1, 0, 32, w);
            c.readBlocking(1, 0, 32, ByteBuffer.allocateDirect(16384));
            c.readBlocking(1, 0, 8, ByteBuffer.allocateDirect(4096));
            c.flushBlocking(1);
            backend.close();
            assertThatThrownBy(() -> c.readBlocking(2, 0, 8, ByteBuffer.allocateDirect(4096)))
                .isInstanceOf(NvmeException.class);
        }
    }

    private static JsonNode json(final String out) throws Exception
    {
        return new ObjectMapper().readTree(out);
    }

    @Test
    void shouldPrintEachMappedNamespacesCountersAndTheEventsAsJson() throws Exception
    {
        serveAndFailABackend();
        final Result r = run("target-offload", "stats", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        final JsonNode sub = json(r.out()).get("subsystems").get(NQN);
        assertThat(sub.get("device").asText()).isEqualTo("fastpath");
        assertThat(sub.get("offload_type").asText()).isEqualTo("read_write_flush");
        assertThat(sub.get("backend_controllers")).hasSize(2);
        assertThat(sub.get("events").get("backend_error").asLong() + sub.get("events").get("backend_timeout")
            .asLong()).isEqualTo(1);
        assertThat(sub.get("events").get("unsupported_command").asLong()).isZero();
        assertThat(sub.get("recent_events")).singleElement().asString().contains("nsid 2", "opcode 0x2");
        final JsonNode ns1 = sub.get("namespaces").get("1");
        assertThat(ns1.get("backend").asText()).startsWith("file:");
        assertThat(ns1.get("reads").asLong()).isEqualTo(2);
        assertThat(ns1.get("mapped_reads").asLong()).isEqualTo(2);
        assertThat(ns1.get("zero_copy_reads").asLong()).isZero();
        assertThat(ns1.get("writes").asLong()).isEqualTo(1);
        assertThat(ns1.get("flushes").asLong()).isEqualTo(1);
        assertThat(ns1.get("bytes_read").asLong()).isEqualTo(16384 + 4096);
        assertThat(ns1.get("bytes_written").asLong()).isEqualTo(16384);
        assertThat(ns1.get("errors").asLong()).isZero();
        final JsonNode lat = ns1.get("latency_us_upper_bound");
        assertThat(lat.get("samples").asLong()).isEqualTo(4);
        assertThat(lat.get("p50").asDouble()).isPositive().isLessThanOrEqualTo(lat.get("p99").asDouble());
        assertThat(lat.get("p99_9").asDouble()).isGreaterThanOrEqualTo(lat.get("p99").asDouble());
        final JsonNode ns2 = sub.get("namespaces").get("2");
        assertThat(ns2.get("backend").asText()).startsWith("nvme-tcp:127.0.0.1:" + backend.boundPort());
        assertThat(ns2.get("errors").asLong()).isEqualTo(1);
        assertThat(ns2.get("reads").asLong()).isZero();
    }

    /** The same counters on {@code target --metrics}, with the latency as a Prometheus histogram. */
    @Test
    void shouldExposeTheMappedNamespacesAndTheirLatencyHistogramOnMetrics() throws Exception
    {
        serveAndFailABackend();
        final PrometheusText p = new PrometheusText();
        Nvmeof4jMetrics.target(target, p);
        final Exposition e = PrometheusParser.parse(p.text());
        final String[] ns1 = {"subsystem", NQN, "nsid", "1", "device", "fastpath"};
        assertThat(e.types()).containsEntry("nvmeof4j_target_offload_latency_seconds", "histogram");
        assertThat(e.value("nvmeof4j_target_offload_commands_total", with(ns1, "op", "read"))).isEqualTo(2);
        assertThat(e.value("nvmeof4j_target_offload_commands_total", with(ns1, "op", "write"))).isEqualTo(1);
        assertThat(e.value("nvmeof4j_target_offload_commands_total", with(ns1, "op", "flush"))).isEqualTo(1);
        assertThat(e.value("nvmeof4j_target_offload_read_bytes_total", ns1)).isEqualTo(16384 + 4096);
        assertThat(e.value("nvmeof4j_target_offload_written_bytes_total", ns1)).isEqualTo(16384);
        assertThat(e.value("nvmeof4j_target_offload_errors_total", ns1)).isZero();
        assertThat(e.value("nvmeof4j_target_offload_latency_seconds_count", ns1)).isEqualTo(4);
        assertThat(e.value("nvmeof4j_target_offload_latency_seconds_bucket", with(ns1, "le", "+Inf"))).isEqualTo(4);
        assertThat(e.value("nvmeof4j_target_offload_latency_seconds_sum", ns1)).isPositive();
        final String[] ns2 = {"subsystem", NQN, "nsid", "2", "device", "fastpath"};
        assertThat(e.value("nvmeof4j_target_offload_errors_total", ns2)).isEqualTo(1);
        assertThat(e.value("nvmeof4j_target_offload_commands_total", with(ns2, "op", "read"))).isZero();
        // the software target's namespace counters did not see what the device served
        assertThat(e.value("nvmeof4j_target_namespace_commands_total", "subsystem", NQN, "nsid", "1", "op",
            "read")).isZero();
    }

    private static String[] with(final String[] labels, final String name, final String value)
    {
        final String[] l = java.util.Arrays.copyOf(labels, labels.length + 2);
        l[labels.length] = name;
        l[labels.length + 1] = value;
        return l;
    }

    @Test
    void shouldPrintTextThroughARemoteJmxAgentAndFilterBySubsystem() throws Exception
    {
        serveAndFailABackend();
        // a connector server on this JVM's platform MBean server stands in for a running target process
        final JMXConnectorServer server = JMXConnectorServerFactory.newJMXConnectorServer(
            new JMXServiceURL("service:jmx:rmi://127.0.0.1"), null, ManagementFactory.getPlatformMBeanServer());
        server.start();
        try
        {
            final String url = server.getAddress().toString();
            final Result r = run("target-offload", "stats", "--jmx", url, "-n", NQN);
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out()).startsWith(NQN + ": fastpath read_write_flush")
                .contains("  nsid 1 -> file:", "    reads 2 (0 zero-copy, 2 mapped), writes 1 (1 staged), flushes 1, errors 0",
                    "    bytes read 20480, bytes written 16384", "latency (4 commands, power-of-two buckets): p50 < ",
                    "  nsid 2 -> nvme-tcp:127.0.0.1:", "opcode 0x2")
                .containsPattern("events: backend_error [01], backend_timeout [01], unsupported_command 0");
            final Result none = run("target-offload", "stats", "--jmx", url, "-n", "nqn.2024-01.x:none");
            assertThat(none.status()).isEqualTo(2);
            assertThat(none.err().trim()).isEqualTo("nvmeof4j: no target offload context for subsystem " +
                "'nqn.2024-01.x:none'");
        }
        finally
        {
            server.stop();
        }
    }

    @Test
    void shouldFailWithOneLineForABadOrUnreachableJmxUrl()
    {
        final Result bad = run("target-offload", "stats", "--jmx", "http://x");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err().trim()).isEqualTo("nvmeof4j: --jmx: not a JMX service URL: http://x");
        final Result gone = run("target-offload", "stats", "--jmx",
            "service:jmx:rmi:///jndi/rmi://127.0.0.1:1/jmxrmi");
        assertThat(gone.status()).isEqualTo(1);
        assertThat(gone.err().trim()).doesNotContain("\n")
            .startsWith("nvmeof4j: cannot read the JMX agent at service:jmx:rmi:///jndi/rmi://127.0.0.1:1/jmxrmi: ");
    }

    @Test
    void shouldSaySoWhenNoContextExists() throws Exception
    {
        // other test classes of this JVM may have left a context behind: this check needs none
        org.junit.jupiter.api.Assumptions.assumeTrue(ManagementFactory.getPlatformMBeanServer().queryNames(
            new javax.management.ObjectName("org.nvmeof4j:type=TargetOffloadContext,*"), null).isEmpty());
        final Result r = run("target-offload", "stats");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out().trim()).isEqualTo("no target offload contexts");
    }
}
