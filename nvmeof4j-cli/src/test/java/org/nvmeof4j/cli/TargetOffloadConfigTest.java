package org.nvmeof4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.offload.FastpathDevice;
import org.nvmeof4j.target.offload.OffloadContext;
import org.nvmeof4j.target.offload.OffloadType;
import org.nvmeof4j.target.subsystem.Subsystem;
import picocli.CommandLine;

/** {@code target --offload} and the nvmetcli JSON's {@code "offload"} object: start, bad mappings, reload. */
class TargetOffloadConfigTest
{
    private static final String NQN = "nqn.2024-01.x:offload";

    @TempDir
    Path dir;

    private static int run(final StringWriter err, final String... args)
    {
        final CommandLine cl = Nvmeof4j.commandLine();
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private String config(final String offload, final String namespaces)
    {
        return "{ \"ports\": [ { \"portid\": 1, \"addr\": { \"trtype\": \"tcp\", \"traddr\": \"127.0.0.1\","
            + " \"trsvcid\": \"0\" }, \"subsystems\": [ \"" + NQN + "\" ] } ], \"subsystems\": [ { \"nqn\": \"" + NQN
            + "\", \"attr\": { \"allow_any_host\": \"1\" }" + (offload == null ? "" : ", \"offload\": " + offload)
            + ", \"namespaces\": [ " + namespaces + " ] } ] }";
    }

    private String file(final int nsid, final Integer blockSize)
    {
        return "{ \"nsid\": " + nsid + (blockSize == null ? "" : ", \"block_size\": " + blockSize)
            + ", \"device\": { \"path\": \"" + dir.resolve("ns" + nsid + ".img") + "\", \"size_mib\": 4 } }";
    }

    private static String ram(final int nsid)
    {
        return "{ \"nsid\": " + nsid + ", \"device\": { \"path\": \"ram:4\" } }";
    }

    private int start(final String json, final StringWriter err) throws Exception
    {
        final Path p = dir.resolve("config.json");
        Files.writeString(p, json);
        return run(err, "target", "--config", p.toString());
    }

    @Test
    void shouldExitWith2AndOneLineForABadOffloadFlag()
    {
        final StringWriter err = new StringWriter();
        assertThat(run(err, "target", "--offload", "turbo", "--port", "0")).isEqualTo(2);
        assertThat(err.toString().trim()).doesNotContain("\n").contains("unknown target offload device 'turbo'");
        final StringWriter err2 = new StringWriter();
        assertThat(run(err2, "target", "--offload", "fastpath", "--offload-type", "zap", "--port", "0")).isEqualTo(2);
        assertThat(err2.toString().trim()).doesNotContain("\n").contains("unknown offload type 'zap'");
        final StringWriter err3 = new StringWriter();
        assertThat(run(err3, "target", "--offload-type", "read", "--port", "0")).isEqualTo(2);
        assertThat(err3.toString().trim()).contains("--offload-type needs --offload");
        final StringWriter err4 = new StringWriter();
        assertThat(run(err4, "target", "--offload", "fastpath", "--fastpath-zero-copy-min", "-1", "--port", "0"))
            .isEqualTo(2);
        assertThat(err4.toString().trim()).doesNotContain("\n").contains("--fastpath-zero-copy-min must be 0 or more");
        final StringWriter err5 = new StringWriter();
        assertThat(run(err5, "target", "--offload", "fastpath", "--fastpath-mapped-reads", "maybe", "--port", "0"))
            .isEqualTo(2);
        assertThat(err5.toString().trim()).doesNotContain("\n").contains("--fastpath-mapped-reads");
    }

    @Test
    void shouldChooseTheFastpathReadPathsFromTheFlags()
    {
        final FastpathDevice before = TargetOffloads.fastpath();
        try
        {
            TargetOffloads.readPaths(0, false);
            assertThat(TargetOffloads.fastpath().zeroCopyMinBytes()).isZero();
            assertThat(TargetOffloads.fastpath().mappedReads()).isFalse();
            TargetOffloads.readPaths(FastpathDevice.DEFAULT_ZERO_COPY_MIN_BYTES, true);
            assertThat(TargetOffloads.fastpath().zeroCopyMinBytes()).isEqualTo(FastpathDevice.DEFAULT_ZERO_COPY_MIN_BYTES);
            assertThat(TargetOffloads.fastpath().mappedReads()).isTrue();
        }
        finally
        {
            TargetOffloads.readPaths(before.zeroCopyMinBytes(), before.mappedReads());
        }
    }

    @Test
    void shouldExitWith2AndOneLineForABadMappingInTheConfig() throws Exception
    {
        final StringWriter err = new StringWriter();
        assertThat(start(config("{ \"device\": \"fastpath\" }", file(1, 8192)), err)).isEqualTo(2);
        assertThat(err.toString().trim()).doesNotContain("\n")
            .contains("subsystems[0].offload: fastpath cannot map namespace 1: LBA data size 8192 not supported");
        final StringWriter err2 = new StringWriter();
        assertThat(start(config("{ \"max_io_size\": 4194304 }", file(1, null)), err2)).isEqualTo(2);
        assertThat(err2.toString().trim()).doesNotContain("\n").contains("subsystems[0].offload: maxIoSz 4194304");
        final StringWriter err3 = new StringWriter();
        assertThat(start(config("{ \"device\": \"asic\" }", file(1, null)), err3)).isEqualTo(2);
        assertThat(err3.toString().trim()).contains("subsystems[0].offload.device: unknown target offload device");
        final StringWriter err4 = new StringWriter();
        assertThat(start(config("{ \"staging_buffer_size\": 4096 }", file(1, null)), err4)).isEqualTo(2);
        assertThat(err4.toString().trim()).contains("staging buffer of 4096 bytes is below the minimum");
    }

    @Test
    void shouldOffloadTheFileNamespacesOfAConfiguredSubsystemAndFollowReloads() throws Exception
    {
        final String offload = "{ \"device\": \"fastpath\", \"type\": \"read_write_flush\", \"backend_queues\": 2 }";
        final NvmetConfig a = NvmetConfig.parse(config(offload, file(1, null) + ", " + ram(2)));
        final Target.Builder b = Target.builder();
        a.apply(b);
        try (Target t = b.build())
        {
            final Subsystem s = t.subsystem(NQN);
            final List<String> lines = TargetOffloads.attach(s, a.offload(NQN), t.inlineDataSize());
            assertThat(lines).singleElement().asString().contains("offload fastpath read_write_flush: nsid 1 -> file:");
            t.start();
            final OffloadContext ctx = (OffloadContext)s.offload();
            assertThat(ctx.mappings()).hasSize(1);
            try (NvmeController c = NvmeController.connect(ConnectOptions.tcp("127.0.0.1", t.boundPort(), NQN)
                .nrIoQueues(1)))
            {
                final ByteBuffer w = ByteBuffer.allocateDirect(8192);
                for (int i = 0; i < 8192; i++)
                {
                    w.put(i, (byte)(i * 7));
                }
                c.writeBlocking(1, 0, 16, w);
                final ByteBuffer r = ByteBuffer.allocateDirect(8192);
                c.readBlocking(1, 0, 16, r);
                assertThat(r).isEqualTo(w);
            }
            assertThat(ctx.mapping(1).stats().getReads()).isEqualTo(1);
            assertThat(ctx.mapping(1).stats().getWrites()).isEqualTo(1);

            // a file namespace added on reload is mapped, a removed one unmapped
            final NvmetConfig more = NvmetConfig.parse(config(offload, file(1, null) + ", " + ram(2) + ", "
                + file(3, 4096)));
            assertThat(ConfigReload.apply(t, a, more)).contains(NQN + " +ns 3", NQN + " offload nsid 3 -> file:");
            assertThat(ctx.mapping(3)).isNotNull();
            assertThat(ctx.backendControllers()).hasSize(2);

            // rejected, nothing changed: a namespace the device cannot map
            final NvmetConfig bad = NvmetConfig.parse(config(offload, file(1, null) + ", " + ram(2) + ", "
                + file(3, 4096) + ", " + file(4, 8192)));
            assertThatThrownBy(() -> ConfigReload.apply(t, more, bad)).isInstanceOf(Nvmeof4j.UsageException.class)
                .hasMessageContaining("fastpath cannot map namespace 4");
            assertThat(s.namespace(4)).isNull();
            assertThat(ctx.mappings()).hasSize(2);

            final NvmetConfig fewer = NvmetConfig.parse(config(offload, file(1, null) + ", " + ram(2)));
            assertThat(ConfigReload.apply(t, more, fewer)).contains(NQN + " -ns 3");
            assertThat(ctx.mapping(3)).isNull();
            assertThat(ctx.backendControllers()).hasSize(1);

            // a changed offload object is applied: a new context with the new type, the old one destroyed
            final NvmetConfig readOnly = NvmetConfig.parse(config("{ \"type\": \"read\" }", file(1, null) + ", "
                + ram(2) + ", " + ram(5)));
            assertThat(ConfigReload.apply(t, fewer, readOnly)).contains(NQN + " +ns 5",
                NQN + " offload fastpath read: nsid 1 -> file:");
            assertThat(ctx.destroyed()).isTrue();
            final OffloadContext now = (OffloadContext)s.offload();
            assertThat(now).isNotSameAs(ctx);
            assertThat(now.attributes().offloadType()).isEqualTo(OffloadType.READ);
            assertThat(now.mappings()).singleElement().extracting(m -> m.feNsid()).isEqualTo(1);
            try (NvmeController c = NvmeController.connect(ConnectOptions.tcp("127.0.0.1", t.boundPort(), NQN)
                .nrIoQueues(1)))
            {
                final ByteBuffer w = ByteBuffer.allocateDirect(4096);
                w.putLong(0, 0xCAFEL);
                c.writeBlocking(1, 64, 8, w);
                final ByteBuffer r = ByteBuffer.allocateDirect(4096);
                c.readBlocking(1, 64, 8, r);
                assertThat(r).isEqualTo(w);
            }
            assertThat(now.mapping(1).stats().getReads()).as("reads offloaded").isEqualTo(1);
            assertThat(now.mapping(1).stats().getWrites()).as("writes in software now").isZero();

            // and back off: no offload object, no context
            final NvmetConfig plain = NvmetConfig.parse(config(null, file(1, null) + ", " + ram(2) + ", " + ram(5)));
            assertThat(ConfigReload.apply(t, readOnly, plain)).contains(NQN + " offload off");
            assertThat(s.offload()).isNull();
            assertThat(now.destroyed()).isTrue();
        }
    }

    @Test
    void shouldServeAPassthruNamespaceThroughABackendControllerAndKeepItAcrossReloads() throws Exception
    {
        try (Target backend = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn("nqn.2024-01.x:backend").allowAnyHost().ramNamespace(1, 8L << 20)).build().start())
        {
            final String pt = "{ \"nsid\": 1, \"passthru\": { \"traddr\": \"127.0.0.1\", \"trsvcid\": \""
                + backend.boundPort() + "\", \"subnqn\": \"nqn.2024-01.x:backend\", \"nsid\": 1, \"queues\": 2 } }";
            final NvmetConfig a = NvmetConfig.parse(config("{ }", pt + ", " + ram(2)));
            final Target.Builder b = Target.builder();
            a.apply(b);
            assertThat(a.passthru(NQN)).singleElement().extracting(TargetOffloads.Passthru::backendNsid).isEqualTo(1);
            try (Target t = b.build())
            {
                final Subsystem s = t.subsystem(NQN);
                TargetOffloads.attach(s, a.offload(NQN), t.inlineDataSize(), a.passthru(NQN));
                t.start();
                final OffloadContext ctx = (OffloadContext)s.offload();
                assertThat(ctx.mapping(1).controller().name()).startsWith("nvme-tcp:127.0.0.1:");
                try (NvmeController c = NvmeController.connect(ConnectOptions.tcp("127.0.0.1", t.boundPort(), NQN)
                    .nrIoQueues(1)))
                {
                    assertThat(c.namespace(1).sizeBytes()).isEqualTo(8L << 20);
                    final ByteBuffer w = ByteBuffer.allocateDirect(4096);
                    w.putLong(0, 0x1122334455667788L);
                    c.writeBlocking(1, 8, 8, w);
                    final ByteBuffer r = ByteBuffer.allocateDirect(4096);
                    c.readBlocking(1, 8, 8, r);
                    assertThat(r).isEqualTo(w);
                }
                assertThat(ctx.mapping(1).stats().getWrites()).isEqualTo(1);
                // an unchanged reload keeps the passthru namespace
                assertThat(ConfigReload.apply(t, a, NvmetConfig.parse(config("{ }", pt + ", " + ram(2)))))
                    .isEqualTo("no change");
                assertThat(s.namespace(1)).isNotNull();

                // a passthru entry pointing at an unreachable backend: rejected, nothing changed
                final NvmetConfig nowhere = NvmetConfig.parse(config("{ }", pt.replace("\"trsvcid\": \"" +
                    backend.boundPort(), "\"trsvcid\": \"1") + ", " + ram(2)));
                assertThatThrownBy(() -> ConfigReload.apply(t, a, nowhere)).isInstanceOf(Nvmeof4j.UsageException.class)
                    .hasMessageContaining("namespace 1: passthru to 127.0.0.1:1/");
                assertThat(s.offload()).isSameAs(ctx);
                assertThat(ctx.destroyed()).isFalse();
                assertThat(ctx.mapping(1).controller().queueCount()).isEqualTo(2);

                // a changed passthru entry is applied: a new backend controller (1 queue), the data still there
                final NvmetConfig moved = NvmetConfig.parse(config("{ }", pt.replace("\"queues\": 2", "\"queues\": 1")
                    + ", " + ram(2)));
                assertThat(ConfigReload.apply(t, a, moved)).contains(NQN + " offload fastpath read_write_flush: nsid 1");
                assertThat(ctx.destroyed()).isTrue();
                final OffloadContext now = (OffloadContext)s.offload();
                assertThat(now.mapping(1).controller().queueCount()).isEqualTo(1);
                try (NvmeController c = NvmeController.connect(ConnectOptions.tcp("127.0.0.1", t.boundPort(), NQN)
                    .nrIoQueues(1)))
                {
                    final ByteBuffer r = ByteBuffer.allocateDirect(4096);
                    c.readBlocking(1, 8, 8, r);
                    assertThat(r.getLong(0)).isEqualTo(0x1122334455667788L);
                }
                assertThat(now.mapping(1).stats().getReads()).isEqualTo(1);
                now.destroy();
            }
        }
    }

    @Test
    void shouldRaiseAPassthruEntrysQueuesToTheTargetsPollers() throws Exception
    {
        try (Target backend = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn("nqn.2024-01.x:backend").allowAnyHost().ramNamespace(1, 8L << 20)).build().start())
        {
            final String pt = "{ \"nsid\": 1, \"passthru\": { \"traddr\": \"127.0.0.1\", \"trsvcid\": \""
                + backend.boundPort() + "\", \"subnqn\": \"nqn.2024-01.x:backend\", \"nsid\": 1, \"queues\": 1 } }";
            final NvmetConfig a = NvmetConfig.parse(config("{ }", pt + ", " + ram(2)));
            final Target.Builder b = Target.builder().pollers(3);
            a.apply(b);
            try (Target t = b.build())
            {
                final Subsystem s = t.subsystem(NQN);
                // as `target --config` does at start: one polled backend queue per poller, whatever "queues" says
                TargetOffloads.attach(s, a.offload(NQN), t.inlineDataSize(),
                    TargetOffloads.withQueuesFor(a.passthru(NQN), t.pollerCount()));
                t.start();
                assertThat(((OffloadContext)s.offload()).mapping(1).controller().queueCount()).isEqualTo(3);
                // a reload that changes the entry (queues 2) connects a new backend controller, raised to 3 too
                final NvmetConfig next = NvmetConfig.parse(config("{ }", pt.replace("\"queues\": 1",
                    "\"queues\": 2") + ", " + ram(2)));
                assertThat(ConfigReload.apply(t, a, next)).contains(NQN + " offload fastpath");
                final OffloadContext now = (OffloadContext)s.offload();
                assertThat(now.mapping(1).controller().queueCount()).isEqualTo(3);
                // one host I/O queue on each poller: each is served through the namespace
                try (NvmeController c = NvmeController.connect(ConnectOptions.tcp("127.0.0.1", t.boundPort(), NQN)
                    .nrIoQueues(3)))
                {
                    final ByteBuffer w = ByteBuffer.allocateDirect(4096);
                    for (int i = 0; i < 6; i++)
                    {
                        w.putLong(0, 0x5EED0000L + i);
                        c.writeBlocking(1, 8L * i, 8, w);
                    }
                    final ByteBuffer r = ByteBuffer.allocateDirect(4096);
                    for (int i = 0; i < 6; i++)
                    {
                        c.readBlocking(1, 8L * i, 8, r);
                        assertThat(r.getLong(0)).isEqualTo(0x5EED0000L + i);
                    }
                }
                assertThat(now.mapping(1).stats().getWrites()).isEqualTo(6);
                assertThat(now.mapping(1).stats().getReads()).isEqualTo(6);
                now.destroy();
            }
        }
    }

    @Test
    void shouldExitWith2AndOneLineForAnUnreachableOrUnsupportedPassthruBackend() throws Exception
    {
        final String pt = "{ \"nsid\": 1, \"passthru\": { \"traddr\": \"127.0.0.1\", \"trsvcid\": \"1\","
            + " \"subnqn\": \"nqn.2024-01.x:nowhere\" } }";
        final StringWriter err = new StringWriter();
        assertThat(start(config("{ }", pt), err)).isEqualTo(2);
        assertThat(err.toString().trim()).doesNotContain("\n")
            .contains("namespace 1: passthru to 127.0.0.1:1/nqn.2024-01.x:nowhere");
        final StringWriter err2 = new StringWriter();
        assertThat(start(config(null, pt), err2)).isEqualTo(2);
        assertThat(err2.toString().trim()).contains("passthru namespaces need the subsystem's \"offload\" object");
    }
}
