package org.nvmeof4j.cli;

import static org.nvmeof4j.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import org.nvmeof4j.cli.CliRun.Result;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nvmeof4j.target.Target;
import picocli.CommandLine;

/** The host commands of {@code nvmeof4j} against an embedded Java target. */
class HostCommandsTest
{
    private static final String NQN = "nqn.2014-08.org.nvmeof4j:clitest";
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

    private static String[] addr(final String... more)
    {
        final String[] base = {"-t", "tcp", "-a", "127.0.0.1", "-s", String.valueOf(target.boundPort()), "-n", NQN};
        final String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    private static String[] cmd(final String name, final String... more)
    {
        final String[] a = addr(more);
        final String[] all = new String[a.length + 1];
        all[0] = name;
        System.arraycopy(a, 0, all, 1, a.length);
        return all;
    }

    @Test
    void shouldDiscoverAsJson() throws Exception
    {
        final Result r = run("discover", "-t", "tcp", "-a", "127.0.0.1", "-s", String.valueOf(target.boundPort()),
            "-o", "json");
        assertThat(r.status()).as(r.err()).isZero();
        final JsonNode n = new ObjectMapper().readTree(r.out());
        assertThat(n.get("records").findValuesAsText("subnqn")).contains(NQN);
    }

    @Test
    void shouldWatchThePersistentDiscoveryLogUntilInterrupted() throws Exception
    {
        final CommandLine cl = Nvmeof4j.commandLine();
        final StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(new StringWriter(), true));
        final int[] status = {-1};
        final Thread watcher = new Thread(() -> status[0] = cl.execute("discover", "-t", "tcp", "-a", "127.0.0.1",
            "-s", String.valueOf(target.boundPort()), "--persistent", "-o", "json"));
        watcher.start();
        final String other = "nqn.2014-08.org.nvmeof4j:clitest-watch";
        try
        {
            awaitOutput(out, NQN, 1);
            target.addSubsystem(new org.nvmeof4j.target.subsystem.Subsystem(other, "w1", "watch").allowAnyHost(true));
            awaitOutput(out, other, 1);
            target.removeSubsystem(other);
            awaitOutput(out, "\"genctr\"", 3); // the initial log, the one with the new subsystem, the one without
        }
        finally
        {
            watcher.interrupt();
            watcher.join(10_000);
            target.removeSubsystem(other);
        }
        assertThat(watcher.isAlive()).isFalse();
        assertThat(status[0]).isZero();
        final java.util.List<JsonNode> logs = new ObjectMapper().readerFor(JsonNode.class)
            .<JsonNode>readValues(out.toString()).readAll();
        assertThat(logs).hasSize(3);
        assertThat(logs.get(0).get("records").findValuesAsText("subnqn")).contains(NQN).doesNotContain(other);
        assertThat(logs.get(1).get("records").findValuesAsText("subnqn")).contains(NQN, other);
        assertThat(logs.get(2).get("records").findValuesAsText("subnqn")).contains(NQN).doesNotContain(other);
        assertThat(logs.get(2).get("genctr").asLong()).isGreaterThan(logs.get(1).get("genctr").asLong());
    }

    private static void awaitOutput(final StringWriter out, final String text, final int times) throws Exception
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (out.toString().split(java.util.regex.Pattern.quote(text), -1).length - 1 < times)
        {
            assertThat(System.nanoTime() < deadline).as("waiting for %d× %s in:%n%s", times, text, out).isTrue();
            Thread.sleep(20);
        }
    }

    @Test
    void shouldPaceSubmissionsWithRate() throws Exception
    {
        final Result r = run(cmd("perf", "-w", "randread", "-q", "4", "--time", "1", "--warmup", "0", "--json",
            "--rate", "300", "--host-idle", "block", "--no-progress"));
        assertThat(r.status()).as(r.err()).isZero();
        final JsonNode n = new ObjectMapper().readTree(r.out().substring(r.out().indexOf('{')));
        assertThat(n.get("errors").asLong()).isZero();
        // an upper bound only: a slow machine may do fewer, never a paced run more (burst ≤ queue depth)
        assertThat(n.get("ios").asLong()).isBetween(1L, 300L + 4 + 30);
        assertThat(run(cmd("perf", "--rate", "-5")).status()).isEqualTo(2);
    }

    @Test
    void shouldIdentify() throws Exception
    {
        final Result ctrl = run(cmd("id-ctrl", "-o", "json"));
        assertThat(ctrl.status()).as(ctrl.err()).isZero();
        assertThat(new ObjectMapper().readTree(ctrl.out()).get("subnqn").asText()).isEqualTo(NQN);
        final Result ns = run(cmd("id-ns", "--nsid", "1"));
        assertThat(ns.status()).as(ns.err()).isZero();
        assertThat(ns.out()).contains("nsze").contains("(in use)");
        final Result list = run(cmd("list-ns"));
        assertThat(list.out()).contains("[   0]:0x1");
    }

    @Test
    void shouldWriteThenReadAFile(@TempDir final Path dir) throws Exception
    {
        final Path in = dir.resolve("in.bin");
        final byte[] data = new byte[8192];
        new java.util.Random(3).nextBytes(data);
        Files.write(in, data);
        final Result w = run(cmd("write", "--nsid", "1", "--start-block", "64", "--block-count", "16", "--data",
            in.toString()));
        assertThat(w.status()).as(w.err()).isZero();
        final Path out = dir.resolve("out.bin");
        final Result r = run(cmd("read", "--nsid", "1", "--start-block", "64", "--block-count", "16", "--data",
            out.toString()));
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(data);
        assertThat(run(cmd("flush")).status()).isZero();
    }

    @Test
    void shouldFailWithTheStatusName()
    {
        final Result r = run(cmd("read", "--start-block", String.valueOf((16L << 20) / 512), "--block-count", "1"));
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("LBA out of range (0x80)");
    }

    @Test
    void shouldRejectBadFlagsWithStatus2()
    {
        assertThat(run(cmd("perf", "-w", "sideways")).status()).isEqualTo(2);
        assertThat(run("id-ctrl", "-n", NQN).status()).isEqualTo(2);
        assertThat(run(cmd("id-ctrl", "-o", "yaml")).status()).isEqualTo(2);
    }

    @Test
    void shouldRunAVerifiedPerfAgainstTheEmbeddedTargetAsJson() throws Exception
    {
        final Result r = run("perf", "--time", "1", "--warmup", "0.2", "--json", "-q", "8", "--idle", "backoff");
        assertThat(r.status()).as(r.err() + r.out()).isZero();
        final JsonNode n = new ObjectMapper().readTree(r.out());
        assertThat(n.get("iops").asDouble()).isPositive();
        assertThat(n.get("mib_per_s").asDouble()).isPositive();
        for (final String k : new String[] {"avg", "p50", "p99", "p99_9", "max"})
        {
            assertThat(n.get("latency_us").get(k).asDouble()).as(k).isPositive();
        }
        assertThat(n.get("cpu_seconds").get("user").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(n.get("cpu_seconds").has("system")).isTrue();
        assertThat(n.get("verify").get("mismatches").asLong()).isZero();
        assertThat(n.get("errors").asLong()).isZero();
    }

    @Test
    void shouldReportTheDdpDeviceInPerf() throws Exception
    {
        for (final String dev : new String[] {"soft", "model"})
        {
            final Result r = run("perf", "-w", "randread", "-o", "131072", "-q", "4", "--time", "1", "--warmup", "0",
                "--json", "--no-progress", "--idle", "backoff", "--host-idle", "block", "--ddp", dev,
                "--ddp-loss", dev.equals("model") ? "0.01" : "0");
            assertThat(r.status()).as(dev + ": " + r.err()).isZero();
            final JsonNode n = new ObjectMapper().readTree(r.out().substring(r.out().indexOf('{')));
            assertThat(n.get("verify").get("mismatches").asLong()).isZero();
            final JsonNode ddp = n.get("ddp");
            assertThat(ddp.get("device").asText()).isNotEmpty();
            final JsonNode st = ddp.get("stats");
            assertThat(st.get("rx_nvme_tcp_setup").asLong()).as(dev).isPositive()
                .isEqualTo(st.get("rx_nvme_tcp_teardown").asLong());
            assertThat(st.get("rx_nvme_tcp_bytes").asLong()).as(dev).isPositive();
            if (dev.equals("model"))
            {
                assertThat(ddp.get("packets_seen").asLong()).isPositive();
                assertThat(ddp.has("gaps_bridged")).isTrue();
                assertThat(ddp.get("resync_confirmed").asLong()).isLessThanOrEqualTo(st.get("rx_nvme_tcp_resync").asLong());
            }
            else
            {
                assertThat(ddp.has("gaps_bridged")).isFalse();
            }
        }
    }

    @Test
    void shouldRunPerfAgainstARemoteTarget()
    {
        final Result r = run(cmd("perf", "-w", "randread", "-o", "4096", "-q", "4", "--time", "1", "--warmup", "0",
            "--queues", "2", "--range-mib", "8"));
        assertThat(r.status()).as(r.err() + r.out()).isZero();
        assertThat(r.out()).contains("IOPS").contains("p99.9").contains("CPU (s)");
    }
}
