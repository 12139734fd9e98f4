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
        return args(t, 2);
    }

    private static String[] args(final Target t, final int seconds)
    {
        return new String[] {"perf", "-n", NQN, "--path", "127.0.0.1:" + t.boundPort(0), "--path",
            "127.0.0.1:" + t.boundPort(1), "--iopolicy", "round-robin", "--time", String.valueOf(seconds), "--warmup",
            "0.2", "-q", "8", "--range-mib", "8", "--host-idle", "backoff", "--verify", "--json"};
    }

    /**
     * Run {@code steps} on another thread while perf runs: the first {@code delayMs} after perf connected both paths
     * (its prefill and warm-up take part of that), each next one {@code delayMs} after the one before.
     */
    private static Thread during(final Target target, final long delayMs, final ThrowingRunnable... steps)
    {
        final Thread t = new Thread(() ->
        {
            try
            {
                final long deadline = System.nanoTime() + 30_000_000_000L;
                while (target.controllers().size() < 2 && System.nanoTime() < deadline)
                {
                    Thread.sleep(5);
                }
                for (final ThrowingRunnable step : steps)
                {
                    Thread.sleep(delayMs);
                    step.run();
                }
            }
            catch (final Exception e)
            {
                throw new IllegalStateException(e);
            }
        }, "perf-mpath-events");
        t.start();
        return t;
    }

    @FunctionalInterface
    private interface ThrowingRunnable
    {
        void run() throws Exception;
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

    @Test
    void shouldRideThroughOnePortGoingInaccessibleAndBack() throws Exception
    {
        try (Target t = twoPorts())
        {
            final Thread events = during(t, 1500, () -> t.listeners().get(0).anaState(1, AnaState.INACCESSIBLE),
                () -> t.listeners().get(0).anaState(1, AnaState.OPTIMIZED));
            final Result r = run(args(t, 4));
            events.join();
            assertThat(r.status()).as(r.out() + r.err()).isZero();
            assertThat(number(r.out(), "errors")).isZero();
            assertThat(number(r.out(), "mismatches")).isZero();
            assertThat(number(r.out(), "ios")).isPositive();
            System.out.println("perf --path x2, port 0 inaccessible 1.5 s after connect, optimized 1 s later: " +
                "max_pause_ms " +
                r.out().replaceAll("(?s).*\"max_pause_ms\" : ([0-9.]+).*", "$1") + ", failovers " +
                number(r.out(), "failovers"));
        }
    }

    @Test
    void shouldRideThroughOnePortClosedAndReopened() throws Exception
    {
        try (Target t = twoPorts())
        {
            // perf's reconnect_delay is 1 s: port 0's controller is back within about 1 s of the reopen
            final Thread events = during(t, 1500, () -> t.listeners().get(0).disconnect(),
                () -> t.listeners().get(0).reopen());
            final Result r = run(args(t, 5));
            events.join();
            assertThat(r.status()).as(r.out() + r.err()).isZero();
            assertThat(number(r.out(), "errors")).isZero();
            assertThat(number(r.out(), "mismatches")).isZero();
            assertThat(number(r.out(), "ios")).isPositive();
            // failovers: the I/O in flight on port 0 when it closed (none if the close fell between two I/Os)
            System.out.println("perf --path x2, port 0 closed 1.5 s after connect, reopened 1 s later: max_pause_ms " +
                r.out().replaceAll("(?s).*\"max_pause_ms\" : ([0-9.]+).*", "$1") + ", failovers " +
                number(r.out(), "failovers"));
        }
    }
}
