package org.nvmeof4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Wireshark's NVMe/TCP dissector as a third opinion on the wire format: interop/wireshark-check.sh runs
 * {@code nvmeof4j target} and the host commands (plain and with both digests) under a loopback capture and fails on
 * malformed frames, NVMe warnings, bad digests or missing PDU types. The CLI runs from this module's test classpath,
 * so no jar is needed. Skipped when tshark cannot be installed or may not capture (script exit status 5).
 * Run with {@code mvn -Pinterop -pl nvmeof4j-cli -am verify}.
 */
@Tag("linux-interop")
class WiresharkInteropTest
{
    private static final int EXIT_NO_TSHARK = 5;

    @Test
    void wiresharkShouldFindNothingWrongWithOurPdus() throws Exception
    {
        final Path script = repositoryRoot().resolve("interop/wireshark-check.sh");
        final ProcessBuilder pb = new ProcessBuilder(script.toString()).redirectErrorStream(true);
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
        if (!p.waitFor(300, TimeUnit.SECONDS))
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
        assertThat(p.isAlive()).as("wireshark-check.sh did not finish within 300 s:\n" + output).isFalse();
        assumeTrue(p.exitValue() != EXIT_NO_TSHARK,
            () -> "tshark cannot be installed or may not capture on lo: " + lastLine(output));
        final String summary = output.lines().filter(l -> l.startsWith("WIRESHARK SUMMARY ")).reduce((a, b) -> b)
            .orElse("(no summary)");
        System.out.println("[wireshark] " + summary);
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(summary).matches("WIRESHARK SUMMARY passed=[1-9]\\d* failed=0");
    }

    private static String lastLine(final String output)
    {
        return output.lines().reduce((a, b) -> b).orElse("(no output)");
    }

    static Path repositoryRoot()
    {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("interop/wireshark-check.sh")))
        {
            p = p.getParent();
        }
        if (p == null)
        {
            throw new IllegalStateException("interop/wireshark-check.sh not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
