package org.nvmeof4j.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nvmeof4j.tcp.tls.ConfiguredPsk;
import org.nvmeof4j.tcp.tls.HostPskTable;
import org.nvmeof4j.tcp.tls.TlsPsk;
import org.nvmeof4j.tcp.tls.TlsPskHash;
import org.nvmeof4j.target.Target;

/**
 * The Linux 6.12 kernel's NVMe/TCP host connecting over TLS 1.3 with a configured PSK to this target
 * ({@code interop/linux-host.sh --kernel 6.12 --tls-key KEY}): the guest inserts the PSK into its {@code .nvme}
 * keyring with {@code nvme check-tls-key --insert} (for the subsystem and the discovery NQN), starts tlshd, and runs
 * every check of the script (discover, connect, id-ctrl, id-ns, O_DIRECT data at 4 KiB / 128 KiB / 1 MiB, buffered
 * write + flush, concurrent reads, disconnect) inside TLS. The target requires TLS on its only port, so a check that
 * passes went through a TLS session.
 *
 * <p>Alone: {@code mvn -q -o verify -Pinterop -pl nvmeof4j-tls -am -Dtest=LinuxHostTlsInteropTest
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("linux-interop")
class LinuxHostTlsInteropTest
{
    static final String NQN = "nqn.2024-01.org.nvmeof4j:interop-tls";
    static final String DISCOVERY_NQN = "nqn.2014-08.org.nvmexpress.discovery";
    /** interop/lib/common.sh's default host NQN. */
    static final String HOSTNQN = "nqn.2014-08.org.nvmexpress:uuid:6e766d65-6f66-3466-8a00-696e7465726f";

    @ParameterizedTest(name = "sha384={0} digests={1}")
    @CsvSource({"false, false", "true, true"})
    void linuxHostShouldConnectOverTls(final boolean sha384, final boolean digests) throws Exception
    {
        final ConfiguredPsk key = ConfiguredPsk.generate(sha384 ? TlsPskHash.SHA_384 : TlsPskHash.SHA_256,
            new SecureRandom());
        // the guest's nvme-cli 2.13 (libnvme 1.13) inserts the TLS PSK it derives with its non-RFC HkdfLabel
        final HostPskTable table = new HostPskTable().put(HOSTNQN, key, true);
        final Set<String> offered = ConcurrentHashMap.newKeySet();
        final Set<String> accepted = ConcurrentHashMap.newKeySet();
        final Target target = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().ramNamespace(1, 64L << 20)).build();
        target.requireTlsOnEveryPort(identity -> {
            offered.add(identity);
            final TlsPsk p = table.find(identity);
            if (p != null)
            {
                accepted.add(identity);
            }
            return p;
        });
        try (Target t = target.start())
        {
            final List<String> cmd = new ArrayList<>(List.of(repositoryRoot().resolve("interop/linux-host.sh")
                .toString(), "--kernel", "6.12", "--port", Integer.toString(t.boundPort()), "--nqn", NQN, "--hostnqn",
                HOSTNQN, "--nr-io-queues", "2", "--tls-key", key.format(), "--timeout", "420"));
            if (digests)
            {
                cmd.add("--hdr-digest");
                cmd.add("--data-digest");
            }
            final String out = run(cmd);
            // the key never reaches the console log the script prints from
            assertThat(out).doesNotContain(key.format());
            assertThat(out).matches("(?s).*INTEROP PASS discover\\b.*")
                .matches("(?s).*INTEROP PASS direct-1m\\b.*")
                .matches("(?s).*INTEROP SUMMARY passed=\\d+ failed=0.*");
            // the kernel offered the v0 identity of the retained PSK, for the discovery controller and the subsystem
            final String hh = sha384 ? "02" : "01";
            assertThat(accepted).contains("NVMe0R" + hh + " " + HOSTNQN + " " + NQN,
                "NVMe0R" + hh + " " + HOSTNQN + " " + DISCOVERY_NQN);
            assertThat(table.unknownIdentities()).as("identities offered: %s", offered).isZero();
        }
    }

    static String run(final List<String> cmd) throws Exception
    {
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = r.readLine()) != null)
            {
                System.out.println(line);
                lines.add(line);
            }
        }
        assertThat(p.waitFor(480, TimeUnit.SECONDS)).isTrue();
        return String.join("\n", lines);
    }

    static Path repositoryRoot()
    {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("interop/linux-host.sh")))
        {
            p = p.getParent();
        }
        if (p == null)
        {
            throw new IllegalStateException("interop/linux-host.sh not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
