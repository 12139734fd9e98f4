package org.nvmeof4j.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.host.multipath.IoPolicy;
import org.nvmeof4j.host.multipath.NvmeSubsystem;
import org.nvmeof4j.protocol.admin.AnaState;

/**
 * Our multipath host ({@link NvmeSubsystem}) against the Linux kernel target (nvmet-tcp, in a QEMU VM booted by
 * {@code interop/linux-target.sh --second-port --control-port}) with two ports of one subsystem whose ANA groups are
 * set through configfs: port 1 group 1 optimized, port 2 group 1 non-optimized ({@code --ana-state
 * 2:1=non-optimized}). The paths must show the states nvmet reports; a write + read-back workload runs while the
 * guest sets port 1's group inaccessible and optimized again ({@code echo STATE >
 * ports/1/ana_groups/1/ana_state}, through the control line), and must see no error and no mismatch.
 */
@Tag("linux-interop")
class LinuxTargetMultipathInteropTest
{
    private static final String NQN = "nqn.2014-08.org.nvmeof4j:linux-multipath";
    private static final int SIZE = 64 << 10;
    private static final int REGIONS = 16;

    @Test
    void shouldFailOverOnNvmetAnaChangesWithoutMismatch() throws Exception
    {
        try (LinuxTargetVm vm = LinuxTargetVm.startTwoPorts(NQN, 64, List.of("--ana-state", "2:1=non-optimized")))
        {
            final List<ConnectOptions> paths = List.of(
                ConnectOptions.tcp("127.0.0.1", vm.port(), NQN).nrIoQueues(1).nrPollQueues(0)
                    .reconnectDelay(Duration.ofMillis(500)),
                ConnectOptions.tcp("127.0.0.1", vm.port2(), NQN).nrIoQueues(1).nrPollQueues(0)
                    .reconnectDelay(Duration.ofMillis(500)));
            try (NvmeSubsystem s = NvmeSubsystem.connect(paths, IoPolicy.NUMA))
            {
                System.out.print(s.listSubsys(1));
                awaitTrue("both paths with nvmet's states", () -> s.paths().get(0).anaState(1) == AnaState.OPTIMIZED &&
                    s.paths().get(1).anaState(1) == AnaState.NON_OPTIMIZED);
                assertThat(s.listSubsys(1)).contains("trsvcid=" + vm.port() + " live optimized")
                    .contains("trsvcid=" + vm.port2() + " live non-optimized");
                assertThat(s.namespaceIds()).containsExactly(1);
                final int bs = s.namespace(1).blockSize();

                final AtomicLong rounds = new AtomicLong();
                final AtomicLong mismatches = new AtomicLong();
                final AtomicReference<Throwable> error = new AtomicReference<>();
                final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                final Thread workload = new Thread(() ->
                {
                    try
                    {
                        for (long i = 0; !stop.get(); i++)
                        {
                            // every write of a region differs from the one before (seed i), so stale data shows
                            final long lba = (i % REGIONS) * (SIZE / bs);
                            final ByteBuffer w = TestTargets.pattern(SIZE, i, i % 2 == 0);
                            s.writeBlocking(1, lba, SIZE / bs, w);
                            final ByteBuffer r = ByteBuffer.allocateDirect(SIZE);
                            s.readBlocking(1, lba, SIZE / bs, r);
                            if (!r.equals(w.rewind()))
                            {
                                mismatches.incrementAndGet();
                            }
                            rounds.incrementAndGet();
                        }
                    }
                    catch (final Throwable e)
                    {
                        error.set(e);
                    }
                }, "linux-multipath-workload");
                workload.start();
                try
                {
                    awaitRounds(rounds, 10, error);
                    for (final String state : new String[] {"inaccessible", "optimized", "change", "optimized"})
                    {
                        final long before = s.failovers();
                        assertThat(vm.control("ana 1 1 " + state)).isEqualTo("ok ana 1 1 " + state);
                        final AnaState want = AnaState.fromConfigName(state);
                        awaitTrue("path 1 " + state, () -> s.paths().get(0).anaState(1) == want);
                        awaitRounds(rounds, 20, error);
                        System.out.println("nvmet port 1 group 1 -> " + state + ": rounds " + rounds.get() +
                            ", failovers +" + (s.failovers() - before) + ", ANA log reads " +
                            s.paths().get(0).anaLogReads() + "/" + s.paths().get(1).anaLogReads());
                        System.out.print(s.listSubsys(1));
                        assertThat(s.listSubsys(1)).contains("trsvcid=" + vm.port() + " live " + state)
                            .contains("trsvcid=" + vm.port2() + " live non-optimized");
                    }
                }
                finally
                {
                    // the round in progress finishes: nothing is in flight after the join
                    stop.set(true);
                    workload.join(60_000);
                }
                assertThat(workload.isAlive()).as("workload stopped").isFalse();
                assertThat(error.get()).as("workload error").isNull();
                assertThat(mismatches.get()).as("mismatches").isZero();
                System.out.println("linux target multipath: " + rounds.get() + " rounds of " + SIZE / 1024 +
                    " KiB write + read-back, 0 mismatches, submitted " + s.submitted() + ", completed " +
                    s.completed() + ", failovers " + s.failovers() + ", queued without a path " + s.queuedNoPath());
                assertThat(s.completed()).isEqualTo(s.submitted());
            }
        }
    }

    private static void awaitRounds(final AtomicLong rounds, final int more, final AtomicReference<Throwable> error)
        throws InterruptedException
    {
        final long target = rounds.get() + more;
        awaitTrue(more + " more workload rounds", () -> rounds.get() >= target || error.get() != null);
        assertThat(error.get()).as("workload error").isNull();
    }

    /** Poll {@code condition} every 50 ms for up to 60 s (a VM under TCG is slow; nothing here measures time). */
    private static void awaitTrue(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (!condition.getAsBoolean())
        {
            assertThat(System.nanoTime() < deadline).as("within 60 s: " + what).isTrue();
            Thread.sleep(50);
        }
    }
}
