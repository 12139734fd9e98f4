package org.nvmeof4j.cli;

import static org.nvmeof4j.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import org.nvmeof4j.cli.CliRun.Result;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.protocol.admin.AnaState;
import org.nvmeof4j.target.Target;

/** {@code perf --path A --path B}: workers on {@code NvmeSubsystem.openIoQueue}, verified, with a failover. */
class PerfMultipathTest
{
    private static final String NQN = "nqn.2024-01.org.nvmeof4j:cli-perf-mpath";

    private static Target twoPorts() throws Exception
    {
        return Target.builder().listen("127.0.0.1", 0).listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().ramNamespace(1, 16L << 20)).build().start();
    }

    private static String[] args(final Target t)
    {
        return new String[] {"perf", "-n", NQN, "--path", "127.0.0.1:" + t.boundPort(0), "--path",
            "127.0.0.1:" + t.boundPort(1), "--iopolicy", "round-robin", "--time", "2", "--warmup", "0.2", "-q", "8",
            "--range-mib", "8", "--host-idle", "backoff", "--verify", "--json"};
    }

    static long number(final String json, final String key)
    {
        final String compact = json.replace(" ", "");
        final int i = compact.indexOf("\"" + key + "\":");
        assertThat(i).as(key + " in " + json).isNotNegative();
        int j = i + key.length() + 3;
        int k = j;
        while (k < compact.length() && (Character.isDigit(compact.charAt(k)) || compact.charAt(k) == '.' ||
            compact.charAt(k) == '-'))
        {
            k++;
        }
        return (long)Double.parseDouble(compact.substring(j, k));
    }

    @Test
    void shouldRunVerifiedOverTwoPaths() throws Exception
    {
        try (Target t = twoPorts())
        {
            final Result r = run(args(t));
            assertThat(r.status()).as(r.out() + r.err()).isZero();
            assertThat(number(r.out(), "errors")).isZero();
            assertThat(number(r.out(), "mismatches")).isZero();
            assertThat(number(r.out(), "ios")).isPositive();
            assertThat(number(r.out(), "reads_checked")).isPositive();
            assertThat(r.out()).contains("\"max_pause_ms\"");
            System.out.println("perf --path x2: " + r.out().trim());
        }
    }

    @Test
    void shouldRideThroughOnePortGoingInaccessible() throws Exception
    {
        try (Target t = twoPorts())
        {
            final Thread flip = new Thread(() ->
            {
                try
                {
                    Thread.sleep(1200);
                    t.listeners().get(0).anaState(1, AnaState.INACCESSIBLE);
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                }
            });
            flip.start();
            final Result r = run(args(t));
            flip.join();
            assertThat(r.status()).as(r.out() + r.err()).isZero();
            assertThat(number(r.out(), "errors")).isZero();
            assertThat(number(r.out(), "mismatches")).isZero();
            assertThat(number(r.out(), "ios")).isPositive();
            System.out.println("perf --path x2, port 0 inaccessible at 1.2 s: " + r.out().trim());
        }
    }
}
