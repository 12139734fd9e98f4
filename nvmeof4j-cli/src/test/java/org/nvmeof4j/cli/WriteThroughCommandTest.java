package org.nvmeof4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.target.Target;

/**
 * {@code nvmeof4j target --write-through} and nvmetcli's {@code device.write_through}: the file is opened with
 * O_DSYNC (seen in the target process's {@code /proc/PID/fdinfo}), a host sees VWC 0 in Identify Controller (through
 * {@code nvmeof4j id-ctrl} and the library), and a bad value is one line and exit status 2.
 */
class WriteThroughCommandTest
{
    /** O_DSYNC in /proc/PID/fdinfo's octal flags (asm-generic/fcntl.h). */
    private static final int O_DSYNC = 010000;
    private static final String NQN = TargetCommand.DEFAULT_NQN;

    @Test
    void shouldOpenTheFileWithODsyncAndReportVwc0ToAHost(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("wt.img");
        final CrashConsistencyTest.TargetProcess t = CrashConsistencyTest.TargetProcess.start(file, true, 512);
        try
        {
            assertThat(openFlags(t.process.pid(), file) & O_DSYNC).as("O_DSYNC on the namespace file").isNotZero();
            assertThat(vwcFromIdCtrl(t.port)).isZero();
            try (NvmeController c = NvmeController.connect(ConnectOptions.tcp("127.0.0.1", t.port, NQN)))
            {
                assertThat(c.identifyController().vwc()).isZero();
                // Flush is still accepted with no cache
                c.writeBlocking(1, 0, 8, ByteBuffer.allocateDirect(4096));
                c.flushBlocking(1);
            }
        }
        finally
        {
            t.stop();
        }
    }

    @Test
    void shouldKeepThePageCacheAndVwc1WithoutTheFlag(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("wb.img");
        final CrashConsistencyTest.TargetProcess t = CrashConsistencyTest.TargetProcess.start(file, false, 512);
        try
        {
            assertThat(openFlags(t.process.pid(), file) & O_DSYNC).as("no O_DSYNC").isZero();
            // bit 0: a volatile write cache is present; bits 2:1 (11b) say how a Flush to all namespaces behaves
            assertThat(vwcFromIdCtrl(t.port) & 1).isOne();
        }
        finally
        {
            t.stop();
        }
    }

    @Test
    void shouldExitWith2AndOneLineForABadWriteThroughFlag()
    {
        for (final String[] args : new String[][] {
            {"target", "--write-through"},                       // no --file
            {"target", "--ram-mib", "8", "--write-through"},     // a RAM namespace has no cache to bypass
            {"target", "--write-through=maybe"}})
        {
            final CliRun.Result r = CliRun.run(args);
            assertThat(r.status()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().trim()).as(String.join(" ", args)).isNotEmpty().doesNotContain("\n")
                .contains("write-through");
        }
    }

    private static String config(final Path file, final String writeThrough)
    {
        return "{ \"ports\": [ { \"portid\": 1, \"addr\": { \"trtype\": \"tcp\", \"traddr\": \"127.0.0.1\","
            + " \"trsvcid\": \"0\" }, \"subsystems\": [ \"" + NQN + "\" ] } ], \"subsystems\": [ { \"nqn\": \"" + NQN
            + "\", \"attr\": { \"allow_any_host\": \"1\" }, \"namespaces\": [ { \"nsid\": 1, \"device\": { \"path\": \""
            + file + "\", \"size_mib\": 8" + (writeThrough == null ? "" : ", \"write_through\": " + writeThrough)
            + " } } ] } ] }";
    }

    @Test
    void shouldReadDeviceWriteThroughFromNvmetcliJsonAndReportVwcToAHost(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("cfg.img");
        for (final String v : new String[] {"1", "true", "\"1\"", "\"true\"", "0", "false", "\"0\"", "null", null})
        {
            final boolean on = v != null && (v.contains("1") || v.contains("true"));
            final Target.Builder b = Target.builder();
            NvmetConfig.parse(config(file, v)).apply(b);
            try (Target t = b.build().start();
                 NvmeController c = NvmeController.connect(ConnectOptions.tcp("127.0.0.1",
                     t.listeners().get(0).address().getPort(), NQN)))
            {
                assertThat(c.identifyController().vwc() & 1).as("write_through %s", v).isEqualTo(on ? 0 : 1);
            }
        }
    }

    @Test
    void shouldNameDeviceWriteThroughWhenItsValueIsBad(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("bad.img");
        for (final String v : new String[] {"\"yes\"", "2", "-1", "\"\"", "[1]", "{}", "\"1\\n2\""})
        {
            assertThatThrownBy(() -> NvmetConfig.parse(config(file, v)).apply(Target.builder())).as(v)
                .isInstanceOf(Nvmeof4j.UsageException.class)
                .hasMessageContaining("subsystems[0].namespaces[0].device.write_through")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
        // on a RAM namespace it is refused, not ignored
        assertThatThrownBy(() -> NvmetConfig.parse(config(file, "1").replace(file.toString(), "ram:8"))
            .apply(Target.builder())).isInstanceOf(Nvmeof4j.UsageException.class)
            .hasMessageContaining("write_through");
        // and through the command: one line, exit status 2
        final Path json = dir.resolve("bad.json");
        Files.writeString(json, config(file, "\"yes\""));
        final CliRun.Result r = CliRun.run("target", "--config", json.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().trim()).doesNotContain("\n").contains("device.write_through");
    }

    private static int vwcFromIdCtrl(final int port) throws IOException
    {
        final CliRun.Result r = CliRun.run("id-ctrl", "-a", "127.0.0.1", "-s", String.valueOf(port), "-n", NQN,
            "-o", "json");
        assertThat(r.status()).as(r.err()).isZero();
        final JsonNode id = new ObjectMapper().readTree(r.out());
        assertThat(id.has("vwc")).as(r.out()).isTrue();
        return id.get("vwc").asInt();
    }

    /** The flags of the file descriptor of {@code pid} open on {@code file}, from /proc/PID/fdinfo (octal). */
    private static int openFlags(final long pid, final Path file) throws IOException
    {
        final Path real = file.toRealPath();
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd")))
        {
            for (final Path fd : (Iterable<Path>)fds::iterator)
            {
                try
                {
                    if (Files.readSymbolicLink(fd).equals(real))
                    {
                        final List<String> info = Files.readAllLines(
                            Path.of("/proc", String.valueOf(pid), "fdinfo", fd.getFileName().toString()));
                        for (final String l : info)
                        {
                            if (l.startsWith("flags:"))
                            {
                                return Integer.parseInt(l.substring(6).trim(), 8);
                            }
                        }
                    }
                }
                catch (final IOException gone)
                {
                    // a descriptor closed while we looked
                }
            }
        }
        throw new AssertionError("the target has no descriptor open on " + real);
    }
}
