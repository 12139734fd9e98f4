package org.nvmeof4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.DhchapKeys;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.protocol.auth.AuthHash;
import org.nvmeof4j.protocol.auth.DhGroup;
import org.nvmeof4j.protocol.auth.DhchapSecret;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.subsystem.Subsystem;
import picocli.CommandLine;

/** gen-dhchap-key, key files, and the target's DH-HMAC-CHAP settings from nvmetcli JSON. */
class DhchapCommandsTest
{
    private static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:cccccccc-0000-4000-8000-000000000001";

    private static String[] run(final String... args)
    {
        final CommandLine cl = Nvmeof4j.commandLine();
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        final int status = cl.execute(args);
        return new String[] {String.valueOf(status), out.toString().trim(), err.toString()};
    }

    @Test
    void shouldGenerateKeysAsNvmeCliDoes()
    {
        // nvme-cli 2.3: nvme gen-dhchap-key --secret=000102...1f --hmac=1 --nqn=nqn.2014-08.org.nvmexpress:uuid:test
        final String[] r = run("gen-dhchap-key", "--secret",
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "--hmac", "1", "--nqn",
            "nqn.2014-08.org.nvmexpress:uuid:test");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).isEqualTo("DHHC-1:01:WulleCBkG4oCs0iIC3Cit9gBDCLWiZ9PNXuhqytWkBIZkvGy:");
        final String[] random = run("gen-dhchap-key", "-m", "3", "-n", HOST);
        assertThat(DhchapSecret.parse(random[1]).length()).isEqualTo(64);
        assertThat(run("gen-dhchap-key", "-m", "1", "-l", "48")[0]).isNotEqualTo("0");
        assertThat(run("gen-dhchap-key", "-s", "zz")[2]).contains("hexadecimal");
    }

    @Test
    void shouldReadKeyFilesAndWarnWhenOthersMayReadThem(@TempDir final Path dir) throws Exception
    {
        final DhchapSecret k = DhchapSecret.generate(2, 48, null, HOST, new java.security.SecureRandom());
        final Path f = dir.resolve("key");
        Files.writeString(f, k.format() + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        final StringBuilder warnings = new StringBuilder();
        assertThat(DhchapKeys.read("--dhchap-secret", f.toString(), warnings::append)).isEqualTo(k);
        assertThat(warnings).isEmpty();
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(DhchapKeys.read("--dhchap-secret", f.toString(), warnings::append)).isEqualTo(k);
        assertThat(warnings.toString()).contains("readable by group or others").doesNotContain(k.format());
        Files.writeString(f, "DHHC-1:02:garbage:");
        final Throwable t = org.assertj.core.api.Assertions.catchThrowable(
            () -> DhchapKeys.read("--dhchap-secret", f.toString(), s -> { }));
        assertThat(t).hasMessageContaining(f.toString()).hasMessageNotContaining("garbage");
    }

    @Test
    void shouldTakeHostKeysFromNvmetcliJsonAndAuthenticate() throws Exception
    {
        final DhchapSecret key = DhchapSecret.generate(1, 32, null, HOST, new java.security.SecureRandom());
        final String json = "{ \"hosts\": [ { \"nqn\": \"" + HOST + "\", \"dhchap\": { \"key\": \"" + key.format() +
            "\", \"hash\": \"hmac(sha512)\", \"dhgroup\": \"ffdhe3072\" } } ],"
            + " \"ports\": [ { \"portid\": 1, \"addr\": { \"trtype\": \"tcp\", \"adrfam\": \"ipv4\","
            + " \"traddr\": \"127.0.0.1\", \"trsvcid\": \"0\" }, \"subsystems\": [ \"nqn.2024-01.x:a\" ] } ],"
            + " \"subsystems\": [ { \"nqn\": \"nqn.2024-01.x:a\", \"allowed_hosts\": [ \"" + HOST + "\" ],"
            + " \"namespaces\": [ { \"nsid\": 1, \"device\": { \"path\": \"ram:4\" } } ] } ] }";
        final Target.Builder b = Target.builder();
        NvmetConfig.parse(json).apply(b);
        try (Target t = b.build().start())
        {
            final Subsystem s = t.subsystem("nqn.2024-01.x:a");
            assertThat(s.hostAuth(HOST).hash()).isEqualTo(AuthHash.SHA512);
            assertThat(s.hostAuth(HOST).group()).isEqualTo(DhGroup.FFDHE3072);
            assertThat(s.hostAuth(HOST).toString()).doesNotContain(key.format());
            final ConnectOptions o = ConnectOptions.tcp("127.0.0.1", t.boundPort(), "nqn.2024-01.x:a").hostnqn(HOST)
                .nrIoQueues(1).dhchapSecret(key);
            try (NvmeController c = NvmeController.connect(o))
            {
                assertThat(c.state()).isEqualTo(NvmeController.State.LIVE);
            }
            assertThat(t.authenticationsSucceeded()).isEqualTo(2);
        }
    }

    @Test
    void shouldTieEachTargetDhchapFlagToItsAllowHost()
    {
        final DhchapSecret k = DhchapSecret.generate(0, 32, null, HOST, new java.security.SecureRandom());
        final CommandLine cl = Nvmeof4j.commandLine();
        final CommandLine.ParseResult pr = cl.parseArgs("target", "--allow-host", HOST, "--dhchap-key", k.format(),
            "--dhchap-hash", "hmac(sha384)", "--dhchap-dhgroup", "ffdhe4096", "--allow-host",
            "nqn.2014-08.org.nvmexpress:uuid:cccccccc-0000-4000-8000-000000000002");
        final TargetCommand t = (TargetCommand)pr.subcommand().commandSpec().userObject();
        assertThat(t.allowedHostGroups).hasSize(2);
        final org.nvmeof4j.target.subsystem.HostAuth a = t.allowedHostGroups.get(0).auth();
        assertThat(a.key()).isEqualTo(k);
        assertThat(a.hash()).isEqualTo(AuthHash.SHA384);
        assertThat(a.group()).isEqualTo(DhGroup.FFDHE4096);
        assertThat(t.allowedHostGroups.get(1).auth()).isNull();
    }

    @Test
    void shouldRejectBadTargetDhchapFlagsInOneLineWithoutTheKey()
    {
        final String bad = "DHHC-1:00:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaS:";
        final String[] r = run("target", "--allow-host", HOST, "--dhchap-key", bad);
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2].trim()).doesNotContain("\n").contains("CRC").doesNotContain("AAECAwQF");
        final String[] r2 = run("target", "--allow-host", HOST, "--dhchap-hash", "hmac(sha256)");
        assertThat(r2[0]).isEqualTo("2");
        assertThat(r2[2]).contains("need --dhchap-key");
        final String[] r3 = run("target", "--allow-host", HOST, "--dhchap-key",
            DhchapSecret.generate(0, 32, null, HOST, new java.security.SecureRandom()).format(), "--dhchap-dhgroup",
            "ecdh");
        assertThat(r3[0]).isEqualTo("2");
        assertThat(r3[2]).contains("unknown DH group");
    }

    @Test
    void shouldAuthenticateHostCommandsWithDhchapSecret() throws Exception
    {
        final DhchapSecret key = DhchapSecret.generate(3, 64, null, HOST, new java.security.SecureRandom());
        final DhchapSecret ctrl = DhchapSecret.generate(1, 32, null, "nqn.2024-01.x:b", new java.security.SecureRandom());
        try (Target t = Target.builder().listen("127.0.0.1", 0).subsystem(s -> s.nqn("nqn.2024-01.x:b")
            .ramNamespace(1, 4 << 20).allowHost(HOST, new org.nvmeof4j.target.subsystem.HostAuth(key, ctrl, null,
                DhGroup.FFDHE2048))).build().start())
        {
            final String port = String.valueOf(t.boundPort());
            final String[] ok = run("id-ctrl", "-t", "tcp", "-a", "127.0.0.1", "-s", port, "-n", "nqn.2024-01.x:b",
                "-q", HOST, "--dhchap-secret", key.format(), "--dhchap-ctrl-secret", ctrl.format(), "-o", "json");
            assertThat(ok[0]).as(ok[2]).isEqualTo("0");
            assertThat(ok[1]).contains("nqn.2024-01.x:b");
            final String[] none = run("id-ctrl", "-t", "tcp", "-a", "127.0.0.1", "-s", port, "-n", "nqn.2024-01.x:b",
                "-q", HOST);
            assertThat(none[0]).isNotEqualTo("0");
            assertThat(none[2]).contains("requires DH-HMAC-CHAP");
            final DhchapSecret wrong = DhchapSecret.generate(3, 64, null, HOST, new java.security.SecureRandom());
            final String[] bad = run("id-ctrl", "-t", "tcp", "-a", "127.0.0.1", "-s", port, "-n", "nqn.2024-01.x:b",
                "-q", HOST, "--dhchap-secret", wrong.format());
            assertThat(bad[0]).isNotEqualTo("0");
            assertThat(bad[2]).contains("AUTH_Failure1").doesNotContain(wrong.format()).doesNotContain(key.format());
            assertThat(t.authenticationsFailed()).isEqualTo(1);
        }
    }
}
