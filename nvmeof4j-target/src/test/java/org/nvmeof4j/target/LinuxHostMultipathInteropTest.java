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
import org.junit.jupiter.params.provider.ValueSource;
import org.nvmeof4j.protocol.admin.AnaState;

/**
 * The Linux kernel host's native NVMe multipath (in a QEMU guest, {@code interop/linux-host.sh --second-port})
 * against this target listening on two ports of 127.0.0.1 for one subsystem: both controllers must join one
 * namespace head with two paths whose {@code ana_state} shows in sysfs, and an O_DIRECT write + read-back workload
 * must keep running without an error while this test, on the guest's requests, makes ANA group 1 inaccessible on
 * port 1 and optimized again ({@link Listener#anaState}), then takes port 2 down and brings it back
 * ({@link Listener#disconnect()}, {@link Listener#reopen()}). The kernel's multipath and failover messages (its
 * {@code dmesg}) are printed at the end. Run with {@code mvn -Pinterop -pl nvmeof4j-target -am verify}.
 */
@Tag("linux-interop")
class LinuxHostMultipathInteropTest
{
    static final String NQN = "nqn.2024-01.org.nvmeof4j:multipath";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--nr-io-queues 2", "--nr-io-queues 2 --iopolicy numa"})
    void linuxNativeMultipathShouldFailOverWithoutErrors(final String options) throws Exception
    {
        final Path script = LinuxHostInteropTest.repositoryRoot().resolve("interop/linux-host.sh");
        final Path log = dir.resolve("guest.log");
        try (Target target = Target.builder()
            .listen("127.0.0.1", 0)
            .listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().ramNamespace(1, 64L << 20))
            .build().start())
        {
            final Listener port1 = target.listeners().get(0);
            final Listener port2 = target.listeners().get(1);
            final int tcpPort1 = port1.port();
            final int tcpPort2 = port2.port();
            final List<String> cmd = new ArrayList<>(List.of(script.toString(), "--port", Integer.toString(tcpPort1),
                "--second-port", Integer.toString(tcpPort2), "--nqn", NQN, "--log", log.toString(),
                "--timeout", "900"));
            for (final String o : options.trim().split("\\s+"))
            {
                if (!o.isEmpty())
                {
                    cmd.add(o);
                }
            }
            final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            final List<String> lines = new ArrayList<>();
            final List<String> requests = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = r.readLine()) != null)
                {
                    System.out.println(line);
                    lines.add(line);
                    final int at = line.indexOf("INTEROP REQUEST ");
                    if (at < 0)
                    {
                        continue;
                    }
                    final String request = line.substring(at + "INTEROP REQUEST ".length()).trim();
                    requests.add(request);
                    switch (request)
                    {
                        case "ana 1 inaccessible" -> assertThat(port1.anaState(1, AnaState.INACCESSIBLE)).isTrue();
                        case "ana 1 optimized" -> assertThat(port1.anaState(1, AnaState.OPTIMIZED)).isTrue();
                        case "port-down 2" -> port2.disconnect();
                        case "port-up 2" ->
                        {
                            port2.reopen();
                            assertThat(port2.port()).as("same TCP port after reopen").isEqualTo(tcpPort2);
                        }
                        default -> throw new AssertionError("unknown request from the guest: " + request);
                    }
                    System.out.println("[test] done: " + request + " (port 1 group 1 " + port1.anaGroups().state(1) +
                        ", port 2 " + (port2.isOpen() ? "open" : "closed") + ")");
                }
            }
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            printKernelMessages(log);
            final String summary = lines.stream().filter(l -> l.contains("INTEROP SUMMARY")).reduce((a, b) -> b)
                .orElse("(no summary)");
            System.out.println("[multipath " + options.trim() + "] " + summary);
            assertThat(requests).containsExactly("ana 1 inaccessible", "ana 1 optimized", "port-down 2", "port-up 2");
            assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
            assertThat(summary).matches(".*INTEROP SUMMARY passed=10 failed=0");
        }
    }

    /**
     * From the guest's console log: nvme list-subsys, how long each state change took to show in sysfs, the workload's
     * progress, and the kernel's nvme messages (error recovery and reconnects; 6.1 logs no line per failed-over I/O
     * or ANA change).
     */
    private static void printKernelMessages(final Path log) throws Exception
    {
        if (!Files.exists(log))
        {
            return;
        }
        boolean in = false;
        for (final String raw : Files.readAllLines(log, StandardCharsets.ISO_8859_1))
        {
            final String line = raw.replace("\r", "");
            if (line.equals("---- dmesg (nvme) ----"))
            {
                in = true;
            }
            if (in || line.startsWith("  workload") || line.startsWith("  | ") || line.contains("/state = ") ||
                line.contains("ana_state = ") || line.contains(" s after "))
            {
                System.out.println("[guest] " + line);
            }
            if (line.equals("---- end of dmesg ----"))
            {
                in = false;
            }
        }
    }
}
