package org.nvmeof4j.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nvmeof4j.target.offload.FastpathDevice;
import org.nvmeof4j.target.offload.OffloadContext;
import org.nvmeof4j.target.offload.OffloadNamespaceStats;

/**
 * The Linux kernel's NVMe/TCP host (interop/linux-host.sh) against a file namespace served by the target offload's
 * {@code fastpath} device (seed 004): every check of the script, and the device's own counters prove that it, not
 * the software target, served the reads and writes (mapped or zero-copy reads only with the data digest off).
 */
@Tag("linux-interop")
class LinuxHostFastpathInteropTest
{
    static final String NQN = "nqn.2024-01.org.nvmeof4j:interop-fastpath";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "digests {0}")
    @ValueSource(booleans = {false, true})
    void linuxHostShouldPassEveryCheckThroughTheFastpath(final boolean digests) throws Exception
    {
        final Path image = dir.resolve("ns1.img");
        try (Target target = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().fileNamespace(1, image, 64L << 20)).build().start())
        {
            final OffloadContext ctx = new FastpathDevice().offloadFileNamespaces(target.subsystem(NQN), 8192, 2);
            final List<String> cmd = new ArrayList<>(List.of(
                LinuxHostInteropTest.repositoryRoot().resolve("interop/linux-host.sh").toString(),
                "--port", Integer.toString(target.boundPort()), "--nqn", NQN, "--nr-io-queues", "2"));
            if (digests)
            {
                cmd.add("--hdr-digest");
                cmd.add("--data-digest");
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
            final String summary = lines.stream().filter(l -> l.contains("INTEROP SUMMARY")).reduce((a, b) -> b)
                .orElse("(no summary)");
            System.out.println("[fastpath digests=" + digests + "] " + summary);
            assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
            assertThat(summary).matches(".*INTEROP SUMMARY passed=\\d+ failed=0");
            final OffloadNamespaceStats stats = ctx.mapping(1).stats();
            System.out.println("[fastpath digests=" + digests + "] reads " + stats.getReads() + " (zero-copy " +
                stats.getZeroCopyReads() + ", mapped " + stats.getMappedReads() + "), writes " + stats.getWrites() +
                ", flushes " + stats.getFlushes() + ", errors " + stats.getErrors());
            assertThat(stats.getReads()).isPositive();
            assertThat(stats.getWrites()).isPositive();
            assertThat(stats.getErrors()).isZero();
            if (digests)
            {
                assertThat(stats.getZeroCopyReads() + stats.getMappedReads()).isZero();
            }
            else
            {
                assertThat(stats.getZeroCopyReads() + stats.getMappedReads()).isPositive();
            }
        }
    }
}
