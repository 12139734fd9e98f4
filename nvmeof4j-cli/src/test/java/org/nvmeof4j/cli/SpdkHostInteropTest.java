package org.nvmeof4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * SPDK's host tools as a peer: interop/spdk-host.sh runs {@code nvmeof4j target} and spdk_nvme_identify,
 * spdk_nvme_discover and six spdk_nvme_perf runs (4 KiB randread QD32, 8 KiB randrw 50/50 QD32 through R2T and
 * H2CData, 128 KiB writes QD8; plain and with header and data digests) against it. The CLI runs from this module's
 * test classpath. Skipped when SPDK's tools are not built (interop/spdk-setup.sh builds them; about 15 minutes, so
 * not in CI). Run with {@code mvn -Pinterop -pl nvmeof4j-cli -am verify}, or this test alone with
 * {@code mvn -Pinterop -DincludedTestGroups=spdk-interop -pl nvmeof4j-cli -am verify}.
 */
@Tag("spdk-interop")
class SpdkHostInteropTest
{
    private static final int EXIT_NO_SPDK = 5;

    @Test
    void spdkHostToolsShouldPassEveryCheck() throws Exception
    {
        final ProcessBuilder pb = new ProcessBuilder(
            WiresharkInteropTest.repositoryRoot().resolve("interop/spdk-host.sh").toString())
            .redirectErrorStream(true);
        pb.environment().put("NVMEOF4J_CLI_CLASSPATH", System.getProperty("java.class.path"));
        final Process p = pb.start();
        final List<String> lines = new ArrayList<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = r.readLine()) != null)
                {
                    System.out.println(line);
                    synchronized (lines)
                    {
                        lines.add(line);
                    }
                }
            }
            catch (final java.io.IOException e)
            {
                // the process was destroyed
            }
        });
        reader.start();
        if (!p.waitFor(600, TimeUnit.SECONDS))
        {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(10_000);
        final String output;
        synchronized (lines)
        {
            output = String.join("\n", lines);
        }
        assertThat(p.isAlive()).as("spdk-host.sh did not finish within 600 s:\n" + output).isFalse();
        assumeTrue(p.exitValue() != EXIT_NO_SPDK, () -> "SPDK's host tools are not available: " +
            output.lines().reduce((a, b) -> b).orElse("(no output)"));
        final String summary = output.lines().filter(l -> l.startsWith("SPDK SUMMARY ")).reduce((a, b) -> b)
            .orElse("(no summary)");
        assertThat(p.exitValue()).as(output).isZero();
        // identify, discover, six perf runs
        assertThat(summary).isEqualTo("SPDK SUMMARY passed=8 failed=0");
    }
}
