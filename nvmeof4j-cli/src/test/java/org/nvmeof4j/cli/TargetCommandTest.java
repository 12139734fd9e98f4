package org.nvmeof4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.subsystem.Subsystem;
import picocli.CommandLine;

class TargetCommandTest
{
    private static int run(final StringWriter err, final String... args)
    {
        final CommandLine cl = Nvmeof4j.commandLine();
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void shouldExitWith2AndOneLineForABadFlag()
    {
        final StringWriter err = new StringWriter();
        assertThat(run(err, "target", "--port", "70000")).isEqualTo(2);
        assertThat(err.toString().trim()).doesNotContain("\n").contains("--port");
        final StringWriter err2 = new StringWriter();
        assertThat(run(err2, "target", "--idle", "nap")).isEqualTo(2);
        assertThat(err2.toString().trim()).doesNotContain("\n").contains("nap");
        final StringWriter err3 = new StringWriter();
        assertThat(run(err3, "target", "--nqn", "")).isEqualTo(2);
        final StringWriter err4 = new StringWriter();
        assertThat(run(err4, "target", "--frobnicate")).isEqualTo(2);
    }

    @Test
    void shouldExitWith2ForABadConfig(@TempDir final Path dir) throws Exception
    {
        final Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{ \"ports\": [ { \"addr\": { \"trtype\": \"rdma\", \"traddr\": \"1.2.3.4\", \"trsvcid\": \"4420\" } } ], \"subsystems\": [] }");
        final StringWriter err = new StringWriter();
        assertThat(run(err, "target", "--config", bad.toString())).isEqualTo(2);
        assertThat(err.toString().trim()).doesNotContain("\n").contains("trtype");
        Files.writeString(bad, "{ not json");
        final StringWriter err2 = new StringWriter();
        assertThat(run(err2, "target", "--config", bad.toString())).isEqualTo(2);
        assertThat(err2.toString().trim()).doesNotContain("\n");
    }

    @Test
    void shouldReadNvmetcliJson(@TempDir final Path dir) throws Exception
    {
        final Path img = dir.resolve("disk.img");
        final String json = new String(TargetCommandTest.class.getResourceAsStream("/nvmetcli-example.json")
            .readAllBytes()).replace("\"4420\"", "\"0\"").replace("\"8009\"", "\"0\"")
            .replace("/tmp/nvmeof4j-disk.img", img.toString()).replace("\"size_mib\": 512", "\"size_mib\": 8")
            .replace("ram:256", "ram:8");
        final Target.Builder b = Target.builder();
        NvmetConfig.parse(json).apply(b);
        try (Target t = b.build().start())
        {
            assertThat(t.listeners()).hasSize(2);
            final Subsystem fast = t.subsystem("nqn.2024-01.org.example:fast");
            assertThat(fast.allowAnyHost()).isTrue();
            assertThat(fast.namespaces()).hasSize(2);
            assertThat(fast.serial()).isEqualTo("nvmeof4j-fast-0001");
            final Subsystem disk = t.subsystem("nqn.2024-01.org.example:disk");
            assertThat(disk.allowAnyHost()).isFalse();
            assertThat(disk.isHostAllowed("nqn.2014-08.org.nvmexpress:uuid:6e766d65-6f66-3466-8a00-696e7465726f"))
                .isTrue();
            assertThat(disk.namespace(1).uuid().toString()).isEqualTo("2f1ac3c4-8a52-4a3c-9f5b-0d6b1c1f0a11");
            assertThat(Files.size(img)).isEqualTo(8L << 20);
        }
    }

    @Test
    void shouldServeTheReferralsOfAPortInItsDiscoveryLog() throws Exception
    {
        final String json = "{ \"ports\": [ { \"portid\": 1, \"addr\": { \"trtype\": \"tcp\", \"adrfam\": \"ipv4\","
            + " \"traddr\": \"127.0.0.1\", \"trsvcid\": \"0\" }, \"subsystems\": [ \"nqn.2024-01.x:r\" ],"
            + " \"referrals\": [ { \"name\": \"other\", \"portid\": 7, \"enable\": 1, \"addr\": { \"trtype\": \"tcp\","
            + " \"adrfam\": \"ipv4\", \"traddr\": \"192.0.2.10\", \"trsvcid\": \"8009\" } },"
            + " { \"name\": \"off\", \"portid\": 8, \"enable\": 0, \"addr\": { \"trtype\": \"tcp\","
            + " \"traddr\": \"192.0.2.11\", \"trsvcid\": \"8009\" } } ] } ],"
            + " \"subsystems\": [ { \"nqn\": \"nqn.2024-01.x:r\", \"attr\": { \"allow_any_host\": \"1\" },"
            + " \"namespaces\": [ { \"nsid\": 1, \"device\": { \"path\": \"ram:4\" } } ] } ] }";
        final Target.Builder b = Target.builder();
        NvmetConfig.parse(json).apply(b);
        try (Target t = b.build().start())
        {
            final org.nvmeof4j.host.ConnectOptions o =
                org.nvmeof4j.host.ConnectOptions.tcp("127.0.0.1", t.boundPort(), "nqn.2024-01.x:r");
            final java.util.concurrent.BlockingQueue<org.nvmeof4j.host.discovery.Discovery.Log> logs =
                new java.util.concurrent.LinkedBlockingQueue<>();
            try (org.nvmeof4j.host.NvmeController c = org.nvmeof4j.host.discovery.Discovery.persistent(o, logs::add))
            {
                final var first = logs.poll(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(first.referrals()).hasSize(1);
                final var ref = first.referrals().get(0);
                assertThat(ref.traddr()).isEqualTo("192.0.2.10");
                assertThat(ref.trsvcid()).isEqualTo("8009");
                assertThat(ref.portid()).isEqualTo(7);
                assertThat(ref.subnqn()).isEqualTo(org.nvmeof4j.protocol.fabrics.Nqn.DISCOVERY);
                assertThat(first.subsystems()).extracting(e -> e.subnqn()).containsExactly("nqn.2024-01.x:r");

                // a referral added at runtime reaches a persistent discovery controller as a log change
                t.listeners().get(0).addReferral(new org.nvmeof4j.target.Referral("fd00::1", 4420, 3));
                final var second = logs.poll(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(second).isNotNull();
                assertThat(second.referrals()).extracting(e -> e.traddr()).containsExactly("192.0.2.10", "fd00::1");
                assertThat(second.referrals().get(1).adrfam()).isEqualTo(2); // IPv6
            }
        }
    }

    @Test
    void shouldRejectABadReferral()
    {
        final String json = "{ \"ports\": [ { \"addr\": { \"trtype\": \"tcp\", \"traddr\": \"127.0.0.1\", \"trsvcid\": \"0\" },"
            + " \"referrals\": [ { \"addr\": { \"trtype\": \"tcp\", \"traddr\": \"10.0.0.1\", \"trsvcid\": \"99999\" } } ] } ],"
            + " \"subsystems\": [] }";
        assertThatThrownBy(() -> NvmetConfig.parse(json).apply(Target.builder()))
            .isInstanceOf(Nvmeof4j.UsageException.class)
            .hasMessageContaining("ports[0].referrals[0].addr");
    }

    @Test
    void shouldReadConnectionLimitsFromAPortsParamAndNameABadOne()
    {
        final String json = "{ \"ports\": [ { \"addr\": { \"trtype\": \"tcp\", \"traddr\": \"127.0.0.1\","
            + " \"trsvcid\": \"0\" }, \"param\": { \"max_connections_per_address\": \"64\","
            + " \"icreq_timeout_ms\": 2500 } } ], \"subsystems\": [] }";
        final Target.Builder b = Target.builder();
        NvmetConfig.parse(json).apply(b);
        assertThat(b.connectionLimits().maxConnectionsPerAddress()).isEqualTo(64);
        assertThat(b.connectionLimits().icReqTimeoutMillis()).isEqualTo(2500);
        // absent keys keep their defaults
        assertThat(b.connectionLimits().maxConnectionsPerPort()).isEqualTo(4096);
        assertThat(b.connectionLimits().connectTimeoutMillis()).isEqualTo(10_000);
        final String bad = json.replace("2500", "-1");
        assertThatThrownBy(() -> NvmetConfig.parse(bad).apply(Target.builder()))
            .isInstanceOf(Nvmeof4j.UsageException.class)
            .hasMessageContaining("ports[0].param.icreq_timeout_ms");
    }

    @Test
    void shouldReadThePerHostAndStagingLimitsFromAPortsParamAndNameABadOne()
    {
        final String json = "{ \"ports\": [ { \"addr\": { \"trtype\": \"tcp\", \"traddr\": \"127.0.0.1\","
            + " \"trsvcid\": \"0\" }, \"param\": { \"max_connections_per_host\": \"5\","
            + " \"staging_per_connection\": 32 } } ], \"subsystems\": [] }";
        final Target.Builder b = Target.builder();
        NvmetConfig.parse(json).apply(b);
        try (Target t = b.build())
        {
            assertThat(t.connectionLimits().maxConnectionsPerHost()).isEqualTo(5);
            assertThat(t.connectionLimits().stagingPerConnection()).isEqualTo(32);
            assertThat(t.stagingBudget()).isEqualTo(32L * t.maxH2cData());
            // absent keys keep their defaults
            assertThat(t.connectionLimits().maxConnectionsPerAddress()).isEqualTo(1024);
        }
        assertThatThrownBy(() -> NvmetConfig.parse(json.replace("\"5\"", "\"0\"")).apply(Target.builder()))
            .isInstanceOf(Nvmeof4j.UsageException.class)
            .hasMessageContaining("ports[0].param.max_connections_per_host");
        assertThatThrownBy(() -> NvmetConfig.parse(json.replace("32", "4097")).apply(Target.builder()))
            .isInstanceOf(Nvmeof4j.UsageException.class)
            .hasMessageContaining("ports[0].param.staging_per_connection");
        assertThatThrownBy(() -> NvmetConfig.parse(json.replace("32", "\"lots\"")).apply(Target.builder()))
            .isInstanceOf(Nvmeof4j.UsageException.class)
            .hasMessageContaining("ports[0].param.staging_per_connection");
    }

    @Test
    void shouldPassThePerHostAndStagingFlagsToTheTargetsConnectionLimits()
    {
        final CommandLine cl = Nvmeof4j.commandLine();
        final CommandLine.ParseResult r = cl.parseArgs("target", "--max-connections-per-host", "3",
            "--staging-per-connection", "64");
        final TargetCommand cmd = (TargetCommand)r.subcommand().commandSpec().userObject();
        try (Target t = Target.builder().connectionLimits(cmd.connectionLimits()).build())
        {
            assertThat(t.connectionLimits().maxConnectionsPerHost()).isEqualTo(3);
            assertThat(t.connectionLimits().stagingPerConnection()).isEqualTo(64);
            assertThat(t.stagingBudget()).isEqualTo(64L * t.maxH2cData());
            assertThat(t.connectionLimits().maxConnectionsPerPort()).isEqualTo(4096);
        }
        // the defaults are ConnectionLimits' own
        final CommandLine cl2 = Nvmeof4j.commandLine();
        final TargetCommand dflt = (TargetCommand)cl2.parseArgs("target").subcommand().commandSpec().userObject();
        assertThat(dflt.connectionLimits()).isEqualTo(org.nvmeof4j.target.ConnectionLimits.DEFAULT);
    }

    @Test
    void shouldExitWith2AndOneLineForABadPerHostOrStagingFlag()
    {
        for (final String[] args : new String[][] {
            {"target", "--max-connections-per-host", "0"},
            {"target", "--max-connections-per-host", "1000001"},
            {"target", "--max-connections-per-host", "many"},
            {"target", "--staging-per-connection", "0"},
            {"target", "--staging-per-connection", "4097"},
            {"target", "--staging-per-connection", "x"},
            // 1 x 4 KiB of staging cannot hold one command of the largest transfer size
            {"target", "--staging-per-connection", "1", "--max-h2c-data", "4096"}})
        {
            final StringWriter err = new StringWriter();
            assertThat(run(err, args)).as(String.join(" ", args)).isEqualTo(2);
            assertThat(err.toString().trim()).as(String.join(" ", args)).isNotEmpty().doesNotContain("\n");
        }
        final StringWriter err = new StringWriter();
        assertThat(run(err, "target", "--max-connections-per-host", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("per host");
        final StringWriter err2 = new StringWriter();
        assertThat(run(err2, "target", "--staging-per-connection", "4097")).isEqualTo(2);
        assertThat(err2.toString()).contains("staging per connection");
    }

    private static String reloadConfig(final String exported, final String subsystems)
    {
        return "{ \"ports\": [ { \"portid\": 1, \"addr\": { \"trtype\": \"tcp\", \"traddr\": \"127.0.0.1\","
            + " \"trsvcid\": \"0\" }, \"subsystems\": [ " + exported + " ] } ], \"subsystems\": [ " + subsystems
            + " ] }";
    }

    private static String q(final String s)
    {
        return "\"" + s + "\"";
    }

    private static String subsystem(final String nqn, final String namespaces)
    {
        return "{ \"nqn\": \"" + nqn + "\", \"attr\": { \"allow_any_host\": \"1\" }, \"namespaces\": [ "
            + namespaces + " ] }";
    }

    private static String ns(final int nsid, final String path, final Integer blockSize)
    {
        return "{ \"nsid\": " + nsid + (blockSize != null ? ", \"block_size\": " + blockSize : "")
            + ", \"device\": { \"path\": \"" + path + "\" } }";
    }

    @Test
    void shouldApplyAChangedConfigToARunningTarget() throws Exception
    {
        final String s1 = "nqn.2024-01.x:reload-one";
        final String s2 = "nqn.2024-01.x:reload-two";
        final String s3 = "nqn.2024-01.x:reload-three";
        final NvmetConfig a = NvmetConfig.parse(reloadConfig(q(s1) + ", " + q(s2), subsystem(s1, ns(1, "ram:4", null) + ", "
            + ns(2, "ram:4", null)) + ", " + subsystem(s2, ns(1, "ram:4", null))));
        final Target.Builder b = Target.builder();
        a.apply(b);
        try (Target t = b.build().start())
        {
            final org.nvmeof4j.host.ConnectOptions o =
                org.nvmeof4j.host.ConnectOptions.tcp("127.0.0.1", t.boundPort(), s1).nrIoQueues(1);
            try (org.nvmeof4j.host.NvmeController c = org.nvmeof4j.host.NvmeController.connect(o))
            {
                assertThat(c.namespace(2)).isNotNull();

                // ns 2 goes, ns 3 comes (4 KiB blocks), subsystem two goes, three comes
                final NvmetConfig next = NvmetConfig.parse(reloadConfig(q(s1) + ", " + q(s3), subsystem(s1,
                    ns(1, "ram:4", null) + ", " + ns(3, "ram:8", 4096)) + ", " + subsystem(s3, ns(1, "null:4", null))));
                final String summary = ConfigReload.apply(t, a, next);
                assertThat(summary).contains("-subsystem " + s2, "+subsystem " + s3, s1 + " -ns 2", s1 + " +ns 3",
                    "port 1 exports")
                    .doesNotContain("failed").doesNotContain("ns 1");
                assertThat(t.subsystem(s2)).isNull();
                assertThat(t.subsystem(s3).namespace(1)).isNotNull();
                final long deadline = System.nanoTime() + 10_000_000_000L;
                while ((c.namespace(2) != null || c.namespace(3) == null) && System.nanoTime() < deadline)
                {
                    Thread.sleep(10);
                }
                assertThat(c.namespace(2)).as("removed namespace, seen by the host through its AEN").isNull();
                assertThat(c.namespace(3).blockSize()).isEqualTo(4096);
                assertThat(c.namespace(3).sizeBytes()).isEqualTo(8L << 20);
                final java.util.List<String> nqns = org.nvmeof4j.host.discovery.Discovery.discover(o).subsystems()
                    .stream().map(e -> e.subnqn()).toList();
                assertThat(nqns).containsExactlyInAnyOrder(s1, s3);

                // a changed device replaces the namespace; an invalid config changes nothing
                final NvmetConfig grown = NvmetConfig.parse(reloadConfig(q(s1) + ", " + q(s3), subsystem(s1,
                    ns(1, "ram:16", null) + ", " + ns(3, "ram:8", 4096)) + ", " + subsystem(s3, ns(1, "null:4", null))));
                assertThat(ConfigReload.apply(t, next, grown)).isEqualTo(s1 + " ~ns 1");
                assertThat(t.subsystem(s1).namespace(1).blocks()).isEqualTo((16L << 20) / 512);
                final NvmetConfig broken = NvmetConfig.parse(reloadConfig(q(s1), subsystem(s1,
                    ns(1, "/nonexistent/dir/disk.img", null))));
                assertThatThrownBy(() -> ConfigReload.apply(t, grown, broken))
                    .isInstanceOf(Nvmeof4j.UsageException.class).hasMessageContaining("does not exist");
                assertThat(t.subsystem(s3)).isNotNull();
                assertThat(t.subsystem(s1).namespace(3)).isNotNull();
                assertThat(ConfigReload.apply(t, grown, grown)).isEqualTo("no change");
            }
        }
    }

    @Test
    void shouldMatchPortsToListenersWhenADiscoveryPortHasOnlyADisabledReferral() throws Exception
    {
        final String a = "nqn.2024-01.x:port-a";
        final String b = "nqn.2024-01.x:port-b";
        final java.util.function.Function<String, String> config = exported ->
            "{ \"ports\": [ { \"portid\": 1, \"addr\": { \"trtype\": \"tcp\", \"traddr\": \"127.0.0.1\","
            + " \"trsvcid\": \"8009\" }, \"referrals\": [ { \"enable\": 0, \"addr\": { \"traddr\": \"192.0.2.1\","
            + " \"trsvcid\": \"8009\" } } ] }, { \"portid\": 2, \"addr\": { \"trtype\": \"tcp\","
            + " \"traddr\": \"127.0.0.1\", \"trsvcid\": \"0\" }, \"subsystems\": [ " + exported + " ] } ],"
            + " \"subsystems\": [ " + subsystem(a, ns(1, "null:4", null)) + ", " + subsystem(b, ns(1, "null:4", null))
            + " ] }";
        final NvmetConfig before = NvmetConfig.parse(config.apply(q(a)));
        final Target.Builder builder = Target.builder();
        before.apply(builder);
        try (Target t = builder.build().start())
        {
            // the 8009 port (its only referral disabled) serves discovery only: the regular port is the first
            // non-discovery listener, and it is the one whose exports change
            ConfigReload.apply(t, before, NvmetConfig.parse(config.apply(q(a) + ", " + q(b))));
            final org.nvmeof4j.target.Listener regular = t.listeners().stream().filter(l -> !l.discoveryOnly())
                .findFirst().orElseThrow();
            assertThat(regular.subsystems()).containsExactlyInAnyOrder(a, b);
        }
    }

    @Test
    void shouldNameTheJsonPathOfAMistake()
    {
        final String json = "{ \"ports\": [ { \"addr\": { \"trtype\": \"tcp\", \"traddr\": \"127.0.0.1\", \"trsvcid\": \"0\" } } ],"
            + " \"subsystems\": [ { \"nqn\": \"nqn.2024-01.x:y\", \"namespaces\": [ { \"nsid\": 1, \"device\": { \"path\": \"ram:x\" } } ] } ] }";
        assertThatThrownBy(() -> NvmetConfig.parse(json).apply(Target.builder()))
            .isInstanceOf(Nvmeof4j.UsageException.class)
            .hasMessageContaining("subsystems[0].namespaces[0].device.path");
    }
}
