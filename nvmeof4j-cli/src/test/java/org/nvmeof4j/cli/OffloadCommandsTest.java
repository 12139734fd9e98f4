package org.nvmeof4j.cli;

import static org.nvmeof4j.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import org.nvmeof4j.cli.CliRun.Result;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nvmeof4j.target.Target;

/** The CLI with {@code -t tcp_offload} (the reference engine) and {@code nvmeof4j offload}. */
class OffloadCommandsTest
{
    private static final String NQN = "nqn.2014-08.org.nvmeof4j:offloadcli";
    private static Target target;

    @BeforeAll
    static void start() throws Exception
    {
        target = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().ramNamespace(1, 16L << 20)).build().start();
    }

    @AfterAll
    static void stop()
    {
        target.close();
    }

    /** {@code name -t TRANSPORT -a 127.0.0.1 -s PORT -n NQN more...} */
    private static String[] cmd(final String name, final String transport, final String... more)
    {
        final String[] base = {name, "-t", transport, "-a", "127.0.0.1", "-s", String.valueOf(target.boundPort()),
            "-n", NQN};
        final String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    private static JsonNode json(final String out) throws Exception
    {
        return new ObjectMapper().readTree(out.substring(out.indexOf('{')));
    }

    @Test
    void shouldRunAVerifiedPerfThroughTheEngineAndReportItsCpuApart() throws Exception
    {
        final Result r = run(cmd("perf", "tcp_offload", "-w", "randrw", "--verify", "-q", "8", "--time", "1",
            "--warmup", "0", "--json", "--range-mib", "8"));
        assertThat(r.status()).as(r.err() + r.out()).isZero();
        final JsonNode n = json(r.out());
        assertThat(n.get("transport").asText()).isEqualTo("tcp_offload");
        assertThat(n.get("ios").asLong()).isPositive();
        assertThat(n.get("errors").asLong()).isZero();
        assertThat(n.get("verify").get("reads_checked").asLong()).isPositive();
        assertThat(n.get("verify").get("mismatches").asLong()).isZero();
        final double app = n.get("app_cpu_seconds").asDouble();
        final double engine = n.get("engine_cpu_seconds").asDouble();
        assertThat(app).isPositive();
        assertThat(engine).isPositive();
        // host = application + engine, each rounded to the millisecond
        assertThat(n.get("host_cpu_seconds").asDouble()).isCloseTo(app + engine, org.assertj.core.data.Offset
            .offset(0.0021));
        final JsonNode lat = n.get("latency_us");
        assertThat(lat.get("p99_99").asDouble()).isGreaterThanOrEqualTo(lat.get("p99_9").asDouble())
            .isLessThanOrEqualTo(lat.get("max").asDouble());
    }

    @Test
    void shouldReportTheTcpTransportWithTheApplicationDoingAllTheHostWork() throws Exception
    {
        final Result r = run(cmd("perf", "tcp", "-w", "randread", "-q", "4", "--time", "0.5", "--warmup", "0",
            "--json", "--host-idle", "block", "--range-mib", "8"));
        assertThat(r.status()).as(r.err() + r.out()).isZero();
        final JsonNode n = json(r.out());
        assertThat(n.get("transport").asText()).isEqualTo("tcp");
        assertThat(n.get("app_cpu_seconds").asDouble()).isEqualTo(n.get("host_cpu_seconds").asDouble());
        assertThat(n.has("engine_cpu_seconds")).isFalse();
    }

    @Test
    void shouldRunTheNvmeCliCommandsThroughTheEngine(@TempDir final Path dir) throws Exception
    {
        final Result id = run(cmd("id-ctrl", "tcp_offload", "-o", "json"));
        assertThat(id.status()).as(id.err()).isZero();
        assertThat(new ObjectMapper().readTree(id.out()).get("subnqn").asText()).isEqualTo(NQN);
        final byte[] data = new byte[64 * 1024];
        new java.util.Random(9).nextBytes(data);
        final Path in = dir.resolve("in.bin");
        Files.write(in, data);
        final Result w = run(cmd("write", "tcp_offload", "--nsid", "1", "--start-block", "256", "--block-count",
            "128", "--data", in.toString(), "--offload-dev", "engine"));
        assertThat(w.status()).as(w.err()).isZero();
        final Path out = dir.resolve("out.bin");
        final Result rd = run(cmd("read", "tcp", "--nsid", "1", "--start-block", "256", "--block-count", "128",
            "--data", out.toString()));
        assertThat(rd.status()).as(rd.err()).isZero();
        assertThat(Files.readAllBytes(out)).as("written through the engine, read back through tcp").isEqualTo(data);
    }

    @Test
    void shouldRejectBadOffloadFlagsInOneLineWithStatus2()
    {
        final String[][] bad = {
            cmd("id-ctrl", "tcp", "--offload-threads", "2"),
            cmd("perf", "tcp_offload", "--offload-threads", "0"),
            cmd("perf", "tcp_offload", "--offload-threads", "65"),
            cmd("perf", "tcp_offload", "--offload-cpus", "3-1"),
            cmd("perf", "tcp_offload", "--offload-cpus", "x"),
            cmd("perf", "tcp_offload", "--offload-idle", "nap"),
            cmd("id-ctrl", "tcp_offload", "--offload-dev", "nic9"),
            {"perf", "-t", "tcp_offload", "--offload-threads", "0", "--time", "0.2"}, // embedded target started first
            {"offload", "stats", "-d", "nic9"},
        };
        for (final String[] args : bad)
        {
            final Result r = run(args);
            assertThat(r.status()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err().strip()).as(String.join(" ", args)).startsWith("nvmeof4j: ").doesNotContain("\n")
                .doesNotContain("Exception");
        }
        assertThat(run(cmd("id-ctrl", "tcp_offload", "--offload-dev", "nic9")).err()).contains("registered: engine");
    }

    @Test
    void shouldShowTheDevicesAndCountTheirRequests() throws Exception
    {
        final Result before = run("offload", "stats", "-d", "engine", "--json");
        assertThat(before.status()).as(before.err()).isZero();
        final long sent0 = json(before.out()).get("engine").get("nvme_tcp_ofld_reqs_sent").asLong();
        final Result r = run(cmd("perf", "tcp_offload", "-w", "randread", "-q", "4", "--time", "0.5", "--warmup",
            "0", "--json", "--range-mib", "8"));
        assertThat(r.status()).as(r.err()).isZero();
        final long ios = json(r.out()).get("ios").asLong();
        final JsonNode st = json(run("offload", "stats", "--json").out()).get("engine");
        assertThat(st.get("nvme_tcp_ofld_reqs_sent").asLong() - sent0).isGreaterThanOrEqualTo(ios);
        // every controller is closed: each request the device got was completed by it or aborted at a queue stop
        // (the admin queue's outstanding Asynchronous Event Requests)
        assertThat(st.get("nvme_tcp_ofld_reqs_completed").asLong() + st.get("nvme_tcp_ofld_reqs_aborted").asLong())
            .isEqualTo(st.get("nvme_tcp_ofld_reqs_sent").asLong());
        assertThat(st.get("nvme_tcp_ofld_reqs_aborted").asLong()).isPositive();
        assertThat(st.get("nvme_tcp_ofld_req_errors").asLong()).isZero();
        assertThat(st.get("nvme_tcp_ofld_claims").asLong()).isPositive();

        final Result devices = run("offload", "devices");
        assertThat(devices.status()).isZero();
        assertThat(devices.out()).contains("engine:").contains("max_hw_sectors").contains("allowed_opts")
            .contains("nvmeof4j reference offload engine").contains("nvmeof4j-engine-0");
    }

    @Test
    void shouldReadTheStatisticsOfAnotherProcessThroughJmx() throws Exception
    {
        // a connector server on this JVM's platform MBean server stands in for a running nvmeof4j process
        final JMXConnectorServer server = JMXConnectorServerFactory.newJMXConnectorServer(
            new JMXServiceURL("service:jmx:rmi://127.0.0.1"), null, ManagementFactory.getPlatformMBeanServer());
        server.start();
        try
        {
            final Result id = run(cmd("id-ctrl", "tcp_offload"));
            assertThat(id.status()).as(id.err()).isZero();
            final Result r = run("offload", "stats", "--jmx", server.getAddress().toString(), "--json");
            assertThat(r.status()).as(r.err()).isZero();
            final JsonNode st = json(r.out()).get("engine");
            assertThat(st.get("nvme_tcp_ofld_reqs_sent").asLong()).isPositive();
            assertThat(st.get("nvme_tcp_ofld_queues_created").asLong()).isPositive();
        }
        finally
        {
            server.stop();
        }
    }
}
