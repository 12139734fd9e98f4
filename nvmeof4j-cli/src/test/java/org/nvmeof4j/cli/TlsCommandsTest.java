package org.nvmeof4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nvmeof4j.tcp.tls.ConfiguredPsk;
import org.nvmeof4j.tcp.tls.HostPskTable;
import org.nvmeof4j.target.Target;
import picocli.CommandLine;

/** gen-tls-key, the host commands' --tls/--tls-key and the target's --tls flags. */
class TlsCommandsTest
{
    private static final String NQN = "nqn.2014-08.org.nvmeof4j:clitls";
    private static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:cli-tls-host";
    private static Target target;
    private static String key;

    private record Result(int status, String out, String err)
    {
    }

    private static Result run(final String... args)
    {
        final CommandLine cl = Nvmeof4j.commandLine();
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        final java.io.PrintStream sysOut = System.out;
        final java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(captured, true));
        try
        {
            final int status = cl.execute(args);
            return new Result(status, out + captured.toString(), err.toString());
        }
        finally
        {
            System.setOut(sysOut);
        }
    }

    @BeforeAll
    static void start() throws Exception
    {
        final Result g = run("gen-tls-key", "--hmac", "2");
        assertThat(g.status).as(g.err).isZero();
        key = g.out.strip();
        target = Target.builder().listen("127.0.0.1", 0).listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().ramNamespace(1, 16L << 20)).build().start();
        target.listeners().get(1).requireTls(new HostPskTable().put(HOST, ConfiguredPsk.parse(key)));
    }

    @AfterAll
    static void stop()
    {
        target.close();
    }

    @Test
    void shouldGenerateKeysAndIdentitiesLikeNvmeCli()
    {
        assertThat(key).startsWith("NVMeTLSkey-1:02:").hasSize(89);
        assertThat(ConfiguredPsk.parse(key).key()).hasSize(48);
        final Result r = run("gen-tls-key", "-m", "1", "-s",
            "5512dbb6737d0106f65975b773dfb011ffc344bcf442e2dd6d8bc4870b5d5b03", "-q", HOST, "-n", NQN);
        assertThat(r.status).as(r.err).isZero();
        assertThat(r.out).contains("NVMeTLSkey-1:01:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ:")
            .contains("identity: NVMe0R01 " + HOST + " " + NQN);
        assertThat(run("gen-tls-key", "-m", "3").status).isEqualTo(2);
        assertThat(run("gen-tls-key", "-m", "1", "-s", "abcd").status).isEqualTo(2);
    }

    private static String[] addr(final int listener, final String... more)
    {
        final String[] base = {"-t", "tcp", "-a", "127.0.0.1", "-s",
            String.valueOf(target.listeners().get(listener).port()), "-n", NQN, "--hostnqn", HOST};
        final String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    private static String[] cmd(final String name, final int listener, final String... more)
    {
        final String[] a = addr(listener, more);
        final String[] all = new String[a.length + 1];
        all[0] = name;
        System.arraycopy(a, 0, all, 1, a.length);
        return all;
    }

    @Test
    void shouldIdentifyOverTlsWithAKeyOrAKeyFile(@TempDir final Path dir) throws Exception
    {
        final Result r = run(cmd("id-ctrl", 1, "--tls-key", key));
        assertThat(r.status).as(r.err).isZero();
        final Path f = dir.resolve("psk");
        Files.writeString(f, key + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        final Result r2 = run(cmd("id-ctrl", 1, "--tls", "--tls-key", f.toString()));
        assertThat(r2.status).as(r2.err).isZero();
    }

    @Test
    void shouldFailInOneLineWithoutTheKey()
    {
        final Result noKey = run(cmd("id-ctrl", 1, "--tls"));
        assertThat(noKey.status).isEqualTo(2);
        assertThat(noKey.err).contains("--tls-key");
        final String corrupted = key.substring(0, 20) + (key.charAt(20) == 'A' ? 'B' : 'A') + key.substring(21);
        final Result bad = run(cmd("id-ctrl", 1, "--tls-key", corrupted));
        assertThat(bad.status).isEqualTo(2);
        assertThat(bad.err.strip()).doesNotContain("\n").contains("CRC").doesNotContain(key.substring(16, 60));
        final Result plainToTls = run(cmd("id-ctrl", 1));
        assertThat(plainToTls.status).isNotZero();
    }
}
