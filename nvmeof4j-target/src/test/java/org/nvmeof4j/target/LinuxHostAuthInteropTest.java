package org.nvmeof4j.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nvmeof4j.protocol.auth.AuthHash;
import org.nvmeof4j.protocol.auth.DhGroup;
import org.nvmeof4j.protocol.auth.DhchapSecret;
import org.nvmeof4j.target.subsystem.HostAuth;

/**
 * The Linux kernel's NVMe/TCP host authenticating with DH-HMAC-CHAP to this target (interop/linux-host.sh
 * {@code --dhchap-secret} [{@code --dhchap-ctrl-secret}]): every check of the script (connect, id-ctrl, O_DIRECT
 * data, flush, concurrent reads, disconnect) inside authenticated queues; and a wrong secret refused.
 *
 * <p>Needs a guest kernel built with {@code CONFIG_NVME_HOST_AUTH}: Debian 6.1's is not, so it always boots the 6.12
 * guest ({@code --kernel 6.12}; {@code interop/setup.sh} prepares both). Alone: {@code mvn -Pinterop -pl
 * nvmeof4j-target -am verify -Dtest=LinuxHostAuthInteropTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("linux-interop")
class LinuxHostAuthInteropTest
{
    static final String NQN = "nqn.2024-01.org.nvmeof4j:interop-auth";
    /** interop/lib/common.sh's default host NQN. */
    static final String HOSTNQN = "nqn.2014-08.org.nvmexpress:uuid:6e766d65-6f66-3466-8a00-696e7465726f";

    @ParameterizedTest(name = "{0} {1} bidirectional={2} wrongKey={3}")
    @CsvSource({
        "hmac(sha256), null,      false, false",
        "hmac(sha512), ffdhe2048, true,  false",
        "hmac(sha384), ffdhe3072, true,  false",
        "hmac(sha256), null,      false, true",
    })
    void linuxHostShouldAuthenticate(final String hash, final String group, final boolean bidirectional,
        final boolean wrongKey) throws Exception
    {
        final SecureRandom random = new SecureRandom();
        final DhchapSecret key = DhchapSecret.generate(1, 32, null, HOSTNQN, random);
        final DhchapSecret ctrlKey = DhchapSecret.generate(2, 48, null, NQN, random);
        final HostAuth auth = new HostAuth(key, bidirectional ? ctrlKey : null, AuthHash.fromName(hash),
            DhGroup.fromName(group));
        try (Target target = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowHost(HOSTNQN, auth).ramNamespace(1, 64L << 20)).build().start())
        {
            final Path script = LinuxHostInteropTest.repositoryRoot().resolve("interop/linux-host.sh");
            final DhchapSecret given = wrongKey ? DhchapSecret.generate(1, 32, null, HOSTNQN, random) : key;
            final List<String> cmd = new ArrayList<>(List.of(script.toString(), "--kernel", "6.12", "--port",
                Integer.toString(target.boundPort()), "--nqn", NQN, "--hostnqn", HOSTNQN, "--nr-io-queues", "2",
                "--dhchap-secret", given.format()));
            if (bidirectional)
            {
                cmd.add("--dhchap-ctrl-secret");
                cmd.add(ctrlKey.format());
            }
            final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            final List<String> lines = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = r.readLine()) != null)
                {
                    System.out.println(line);
                    lines.add(line);
                }
            }
            assertThat(p.waitFor(400, TimeUnit.SECONDS)).isTrue();
            final String out = String.join("\n", lines);
            // the secrets never reach the console log the script prints from
            assertThat(out).doesNotContain(key.format()).doesNotContain(ctrlKey.format());
            if (wrongKey)
            {
                assertThat(out).contains("INTEROP FAIL connect");
                assertThat(target.authenticationsFailed()).isPositive();
                assertThat(target.authenticationsSucceeded()).isZero();
                return;
            }
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).matches("(?s).*INTEROP SUMMARY passed=\\d+ failed=0.*");
            // the admin queue and both I/O queues (the discovery controller needs none)
            assertThat(target.authenticationsSucceeded()).isGreaterThanOrEqualTo(3);
            assertThat(target.authenticationsFailed()).isZero();
        }
    }
}
