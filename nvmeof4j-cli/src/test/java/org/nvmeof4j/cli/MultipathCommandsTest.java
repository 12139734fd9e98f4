package org.nvmeof4j.cli;

import static org.nvmeof4j.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import org.nvmeof4j.cli.CliRun.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nvmeof4j.protocol.admin.AnaState;
import org.nvmeof4j.target.Target;

/** {@code --path} on read and write, and {@code list-subsys}, against a target with two ports. */
class MultipathCommandsTest
{
    private static final String NQN = "nqn.2024-01.org.nvmeof4j:cli-mpath";
    private static Target target;

    @BeforeAll
    static void start() throws Exception
    {
        target = Target.builder().listen("127.0.0.1", 0).listen("127.0.0.1", 0)
            .anaGroup(1, AnaState.NON_OPTIMIZED)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().ramNamespace(1, 4L << 20)).build().start();
    }

    @AfterAll
    static void stop()
    {
        target.close();
    }

    private static String path(final int i)
    {
        return "127.0.0.1:" + target.boundPort(i);
    }

    @Test
    void shouldListTheSubsystemsPathsWithTheirStates()
    {
        final Result r = run("list-subsys", "-n", NQN, "--path", path(0), "--path", path(1));
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("NQN=" + NQN, "iopolicy=numa",
            "trsvcid=" + target.boundPort(0) + " live optimized", "trsvcid=" + target.boundPort(1) + " live non-optimized");
        final Result j = run("list-subsys", "-n", NQN, "--path", path(0), "--path", path(1), "-o", "json",
            "--iopolicy", "round-robin");
        assertThat(j.status()).as(j.err()).isZero();
        assertThat(j.out().replace(" ", "")).contains("\"IOPolicy\":\"round-robin\"",
            "\"ANAState\":\"non-optimized\"", "\"State\":\"live\"");
    }

    @Test
    void shouldWriteThroughOnePathSetAndReadTheSameBlocksBack(@TempDir final Path dir) throws Exception
    {
        final Path in = dir.resolve("in.bin");
        final byte[] data = new byte[8 * 512];
        for (int i = 0; i < data.length; i++)
        {
            data[i] = (byte)(i * 7 + 3);
        }
        Files.write(in, data);
        final Result w = run("write", "-n", NQN, "--path", path(0), "--path", path(1), "-S", "16", "-c", "8", "-d",
            in.toString());
        assertThat(w.status()).as(w.err()).isZero();
        final Path out = dir.resolve("out.bin");
        // read through the second port only, as -a/-s plus nothing else: the same namespace
        final Result r = run("read", "-n", NQN, "--path", path(1), "--iopolicy", "queue-depth", "-S", "16", "-c", "8",
            "-d", out.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(data);
    }

    @Test
    void shouldRefuseBadPathsAndPathsOnOtherCommands()
    {
        final Result bad = run("list-subsys", "-n", NQN, "--path", "127.0.0.1");
        assertThat(bad.status()).isEqualTo(Nvmeof4j.EXIT_USAGE);
        assertThat(bad.err().trim()).doesNotContain("\n").contains("ADDR:PORT");
        final Result policy = run("list-subsys", "-n", NQN, "--path", path(0), "--iopolicy", "fastest");
        assertThat(policy.status()).isEqualTo(Nvmeof4j.EXIT_USAGE);
        assertThat(policy.err()).contains("--iopolicy");
        final Result idCtrl = run("id-ctrl", "-n", NQN, "-a", "127.0.0.1", "-s", String.valueOf(target.boundPort(0)),
            "--path", path(1));
        assertThat(idCtrl.status()).isEqualTo(Nvmeof4j.EXIT_USAGE);
        assertThat(idCtrl.err()).contains("--path");
        final Result down = run("list-subsys", "-n", NQN, "--path", "127.0.0.1:1");
        assertThat(down.status()).isEqualTo(Nvmeof4j.EXIT_FAILURE);
        assertThat(down.err().trim()).doesNotContain("\n").contains("no path");
    }
}
