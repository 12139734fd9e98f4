package org.nvmeof4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nvmeof4j.cli.CliRun.run;
import static org.nvmeof4j.cli.PerfMultipathTest.number;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.cli.CliRun.Result;
import org.nvmeof4j.host.LinuxTargetVm;

/**
 * The {@code nvmeof4j} commands of multipath ({@code perf --path A --path B --verify} and {@code list-subsys})
 * against the Linux kernel target (nvmet-tcp in a QEMU VM, {@code interop/linux-target.sh --second-port
 * --control-port}) with two ports of one subsystem: port 1's ANA group 1 optimized, port 2's non-optimized. While
 * perf writes and verifies through both paths, the guest sets port 1's group inaccessible ({@code echo inaccessible >
 * ports/1/ana_groups/1/ana_state}, through the control line), {@code list-subsys} must show it, and the group is made
 * optimized again; perf must end with 0 errors, 0 mismatches, failovers and its longest pause. Run with
 * {@code mvn -Pinterop -pl nvmeof4j-cli -am verify -Dtest=LinuxTargetMultipathCliInteropTest}.
 */
@Tag("linux-interop")
class LinuxTargetMultipathCliInteropTest
{
    private static final String NQN = "nqn.2014-08.org.nvmeof4j:linux-multipath-cli";
    /** Seconds perf measures; the flips land well inside, after connect, prefill and warm-up under TCG. */
    private static final int PERF_SECONDS = 30;

    private static String[] listSubsys(final LinuxTargetVm vm, final String... more)
    {
        final List<String> a = new ArrayList<>(List.of("list-subsys", "-n", NQN, "--path", "127.0.0.1:" + vm.port(),
            "--path", "127.0.0.1:" + vm.port2()));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    @Test
    void shouldRunPerfVerifiedThroughNvmetAnaChangesAndListItsPaths() throws Exception
    {
        try (LinuxTargetVm vm = LinuxTargetVm.startTwoPorts(NQN, 64, List.of("--ana-state", "2:1=non-optimized")))
        {
            final Result before = run(listSubsys(vm));
            System.out.print(before.out() + before.err());
            assertThat(before.status()).as(before.err()).isZero();
            assertThat(before.out()).contains("NQN=" + NQN)
                .contains("tcp traddr=127.0.0.1,trsvcid=" + vm.port() + " live optimized")
                .contains("tcp traddr=127.0.0.1,trsvcid=" + vm.port2() + " live non-optimized");
            final Result json = run(listSubsys(vm, "-o", "json"));
            assertThat(json.status()).as(json.err()).isZero();
            assertThat(json.out().replace(" ", "")).contains("\"ANAState\":\"optimized\"")
                .contains("\"ANAState\":\"non-optimized\"");

            final AtomicReference<Result> during = new AtomicReference<>();
            final AtomicReference<Throwable> flipError = new AtomicReference<>();
            final List<String> answers = new ArrayList<>();
            final Thread flip = new Thread(() ->
            {
                try
                {
                    Thread.sleep(10_000);
                    answers.add(vm.control("ana 1 1 inaccessible"));
                    Thread.sleep(3_000);
                    during.set(run(listSubsys(vm)));
                    Thread.sleep(3_000);
                    answers.add(vm.control("ana 1 1 optimized"));
                }
                catch (final Throwable e)
                {
                    flipError.set(e);
                }
            }, "nvmet-ana-flip");
            flip.start();
            final Result perf = run("perf", "-n", NQN, "--path", "127.0.0.1:" + vm.port(), "--path",
                "127.0.0.1:" + vm.port2(), "--verify", "-w", "randrw", "-M", "50", "-q", "8", "-o", "4096",
                "--range-mib", "4", "--time", String.valueOf(PERF_SECONDS), "--warmup", "1", "--host-idle", "backoff",
                "--no-progress", "--json");
            flip.join(120_000);
            System.out.println("perf --path x2 against nvmet, port 1 inaccessible at 10 s, optimized at 16 s: " +
                perf.out().trim() + perf.err());
            assertThat(flipError.get()).as("ANA flips").isNull();
            assertThat(answers).containsExactly("ok ana 1 1 inaccessible", "ok ana 1 1 optimized");
            System.out.print(during.get().out() + during.get().err());
            assertThat(during.get().status()).as(during.get().err()).isZero();
            assertThat(during.get().out())
                .contains("tcp traddr=127.0.0.1,trsvcid=" + vm.port() + " live inaccessible")
                .contains("tcp traddr=127.0.0.1,trsvcid=" + vm.port2() + " live non-optimized");

            assertThat(perf.status()).as(perf.out() + perf.err()).isZero();
            assertThat(number(perf.out(), "errors")).isZero();
            assertThat(number(perf.out(), "mismatches")).isZero();
            assertThat(number(perf.out(), "ios")).isPositive();
            assertThat(number(perf.out(), "reads_checked")).isPositive();
            assertThat(perf.out()).contains("\"max_pause_ms\"");
            // the I/O that came back inaccessible went again through port 2
            assertThat(number(perf.out(), "failovers")).isPositive();

            final Result after = run(listSubsys(vm));
            System.out.print(after.out());
            assertThat(after.out()).contains("trsvcid=" + vm.port() + " live optimized")
                .contains("trsvcid=" + vm.port2() + " live non-optimized");
        }
    }
}
