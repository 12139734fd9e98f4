package org.nvmeof4j.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nvmeof4j.target.backend.RamBackend;
import org.nvmeof4j.target.subsystem.Namespace;

/**
 * The Linux kernel's NVMe/TCP host (in a QEMU guest, interop/linux-host.sh) against this target running in-process
 * on an ephemeral port: discover, connect, id-ctrl, id-ns, O_DIRECT data at several block sizes, buffered write +
 * flush, concurrent readers, disconnect; with {@code --ns-events}, a namespace added and removed at runtime (AEN,
 * Changed Namespace List, the kernel's rescan). Run with {@code mvn -Pinterop -pl nvmeof4j-target -am verify}.
 */
@Tag("linux-interop")
class LinuxHostInteropTest
{
    static final String NQN = "nqn.2024-01.org.nvmeof4j:interop";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "ram  | --ns-events --referral 192.0.2.10:8009",
        "ram  | --hdr-digest --data-digest",
        "ram  | --nr-io-queues 2 --queue-size 64",
        "file | ''",
        "file | --hdr-digest --data-digest --ns-events",
    })
    void linuxHostShouldPassEveryCheck(final String backend, final String options) throws Exception
    {
        final Path script = repositoryRoot().resolve("interop/linux-host.sh");
        final Path image = dir.resolve("ns1.img");
        // --referral: this port refers hosts to another discovery service (TEST-NET-1, unreachable from the guest)
        final java.util.List<Referral> referrals = options.contains("--referral")
            ? java.util.List.of(new Referral("192.0.2.10", 8009, 2)) : java.util.List.of();
        try (Target target = Target.builder().listen("127.0.0.1", 0, null, referrals)
            .subsystem(s ->
            {
                s.nqn(NQN).allowAnyHost();
                if (backend.equals("file"))
                {
                    s.fileNamespace(1, image, 64L << 20);
                }
                else
                {
                    s.ramNamespace(1, 64L << 20);
                }
            })
            .build().start())
        {
            final List<String> cmd = new ArrayList<>(List.of(script.toString(), "--port",
                Integer.toString(target.boundPort()), "--nqn", NQN));
            for (final String o : options.trim().split("\\s+"))
            {
                if (!o.isEmpty())
                {
                    cmd.add(o);
                }
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
                    // --ns-events: the guest asks for a namespace to come and go while it is connected
                    if (line.contains("INTEROP REQUEST add-ns 2"))
                    {
                        target.subsystem(NQN).addNamespace(new Namespace(2, new RamBackend(16L << 20), 4096, null,
                            NQN));
                    }
                    else if (line.contains("INTEROP REQUEST remove-ns 2"))
                    {
                        target.subsystem(NQN).removeNamespace(2);
                    }
                }
            }
            assertThat(p.waitFor(400, TimeUnit.SECONDS)).isTrue();
            final String summary = lines.stream().filter(l -> l.contains("INTEROP SUMMARY")).reduce((a, b) -> b)
                .orElse("(no summary)");
            System.out.println("[" + backend + " " + options.trim() + "] " + summary);
            assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
            assertThat(summary).matches(".*INTEROP SUMMARY passed=\\d+ failed=0");
        }
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
