package org.nvmeof4j.host.multipath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.ControllerLostException;
import org.nvmeof4j.protocol.admin.AnaState;
import org.nvmeof4j.target.Listener;
import org.nvmeof4j.target.Target;

/**
 * Native multipath against the Java target with two and three ports: namespaces matched across paths, path
 * selection by ANA state and policy, and a verifying workload (each block written, acknowledged, read back and
 * compared, then all compared again at the end) while ports change ANA state, are taken down and come back.
 */
class MultipathTest
{
    static final String NQN = "nqn.2024-01.org.nvmeof4j:mpath";
    static final int BLOCK = 512;
    static final int IO_BLOCKS = 8;

    private Target target;
    private NvmeSubsystem subsystem;

    @AfterEach
    void stop()
    {
        if (subsystem != null)
        {
            subsystem.close();
        }
        if (target != null)
        {
            target.close();
        }
    }

    private Target start(final int ports) throws Exception
    {
        final Target.Builder b = Target.builder();
        for (int i = 0; i < ports; i++)
        {
            b.listen("127.0.0.1", 0);
        }
        target = b.subsystem(s -> s.nqn(NQN).allowAnyHost().ramNamespace(1, 4L << 20)).build().start();
        return target;
    }

    private NvmeSubsystem connect(final IoPolicy policy, final Duration ctrlLossTmo)
    {
        final List<ConnectOptions> paths = new ArrayList<>();
        for (final Listener l : target.listeners())
        {
            paths.add(ConnectOptions.tcp("127.0.0.1", l.port(), NQN).nrIoQueues(1).nrPollQueues(2)
                .reconnectDelay(Duration.ofMillis(50)).ctrlLossTmo(ctrlLossTmo));
        }
        subsystem = NvmeSubsystem.connect(paths, policy);
        return subsystem;
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            assertThat(System.nanoTime() < deadline).as("waiting for " + what).isTrue();
            Thread.sleep(2);
        }
    }

    private static ByteBuffer pattern(final int worker, final int slot, final long seq)
    {
        final ByteBuffer b = ByteBuffer.allocateDirect(IO_BLOCKS * BLOCK);
        for (int i = 0; i < b.capacity(); i += 8)
        {
            b.putLong(i, (long)worker << 48 ^ (long)slot << 32 ^ seq << 12 ^ i);
        }
        return b;
    }

    /**
     * Workers that each own a range of slots: write a slot, wait for the acknowledgement, read it back and compare.
     * The last acknowledged value of every slot is remembered and checked once more at the end.
     */
    private static final class Workload
    {
        final NvmeSubsystem s;
        final int workers;
        final int slots;
        final long[][] acked;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong ios = new AtomicLong();
        final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = new ArrayList<>();

        Workload(final NvmeSubsystem s, final int workers, final int slots)
        {
            this.s = s;
            this.workers = workers;
            this.slots = slots;
            this.acked = new long[workers][slots];
        }

        Workload start()
        {
            for (int w = 0; w < workers; w++)
            {
                final int worker = w;
                final Thread t = new Thread(() -> run(worker), "mpath-worker-" + w);
                t.start();
                threads.add(t);
            }
            return this;
        }

        private long lba(final int worker, final int slot)
        {
            return ((long)worker * slots + slot) * IO_BLOCKS;
        }

        private void run(final int worker)
        {
            long seq = 1;
            final ByteBuffer in = ByteBuffer.allocateDirect(IO_BLOCKS * BLOCK);
            int slot = 0;
            try
            {
                while (!stop.get())
                {
                    final ByteBuffer out = pattern(worker, slot, seq);
                    s.write(1, lba(worker, slot), IO_BLOCKS, out).get(30, TimeUnit.SECONDS);
                    acked[worker][slot] = seq;
                    in.clear();
                    s.read(1, lba(worker, slot), IO_BLOCKS, in).get(30, TimeUnit.SECONDS);
                    if (!in.clear().equals(out.clear()))
                    {
                        errors.add("worker " + worker + " slot " + slot + " seq " + seq + ": read back differs");
                    }
                    ios.addAndGet(2);
                    slot = (slot + 1) % slots;
                    seq++;
                }
            }
            catch (final Exception e)
            {
                errors.add("worker " + worker + ": " + e);
            }
        }

        void stopAndVerify() throws Exception
        {
            stop.set(true);
            for (final Thread t : threads)
            {
                t.join(60_000);
            }
            assertThat(errors).as("I/O errors or mismatches").isEmpty();
            final ByteBuffer in = ByteBuffer.allocateDirect(IO_BLOCKS * BLOCK);
            for (int w = 0; w < workers; w++)
            {
                for (int slot = 0; slot < slots; slot++)
                {
                    if (acked[w][slot] == 0)
                    {
                        continue;
                    }
                    in.clear();
                    s.readBlocking(1, lba(w, slot), IO_BLOCKS, in);
                    assertThat(in.clear()).as("acknowledged write of worker %d slot %d", w, slot)
                        .isEqualTo(pattern(w, slot, acked[w][slot]).clear());
                }
            }
            assertThat(s.completed()).as("every I/O completed exactly once").isEqualTo(s.submitted());
            assertThat(s.attemptsDone()).as("nothing left in flight on a path").isEqualTo(s.attempts());
        }
    }

    @Test
    void shouldSeeOneNamespaceThroughTwoPathsWithTheirAnaStates() throws Exception
    {
        start(2);
        target.listeners().get(1).anaState(1, AnaState.NON_OPTIMIZED);
        connect(IoPolicy.NUMA, Duration.ofSeconds(30));
        assertThat(subsystem.namespaceIds()).containsExactly(1);
        assertThat(subsystem.namespace(1).sizeBytes()).isEqualTo(4L << 20);
        final NvmePath a = subsystem.paths().get(0);
        final NvmePath b = subsystem.paths().get(1);
        assertThat(a.anaSupported()).isTrue();
        assertThat(a.anaState(1)).isEqualTo(AnaState.OPTIMIZED);
        assertThat(b.anaState(1)).isEqualTo(AnaState.NON_OPTIMIZED);
        assertThat(NvmeSubsystem.namespaceId(a.controller(), a.controller().namespace(1)))
            .isEqualTo(NvmeSubsystem.namespaceId(b.controller(), b.controller().namespace(1))).startsWith("nguid:");
        final String list = subsystem.listSubsys(1);
        assertThat(list).contains("NQN=" + NQN, "iopolicy=numa", "trsvcid=" + target.boundPort(0) + " live optimized",
            "trsvcid=" + target.boundPort(1) + " live non-optimized");
    }

    @Test
    void shouldPickPathsAsEachPolicySays() throws Exception
    {
        start(3);
        connect(IoPolicy.NUMA, Duration.ofSeconds(30));
        final List<NvmePath> p = subsystem.paths();
        assertThat(subsystem.select(1)).as("numa: first optimized").isSameAs(p.get(0));
        target.listeners().get(0).anaState(1, AnaState.NON_OPTIMIZED);
        await(() -> p.get(0).anaState(1) == AnaState.NON_OPTIMIZED, "ANA notice on path 0");
        assertThat(subsystem.select(1)).as("numa: an optimized path before a non-optimized one").isSameAs(p.get(1));
        target.listeners().get(1).anaState(1, AnaState.INACCESSIBLE);
        target.listeners().get(2).anaState(1, AnaState.CHANGE);
        await(() -> p.get(1).anaState(1) == AnaState.INACCESSIBLE && p.get(2).anaState(1) == AnaState.CHANGE,
            "ANA notices on paths 1 and 2");
        assertThat(subsystem.select(1)).as("numa: non-optimized when nothing better").isSameAs(p.get(0));
        target.listeners().get(0).anaState(1, AnaState.PERSISTENT_LOSS);
        await(() -> p.get(0).anaState(1) == AnaState.PERSISTENT_LOSS, "ANA notice on path 0");
        assertThat(subsystem.select(1)).as("no usable path").isNull();
        subsystem.close();

        for (final Listener l : target.listeners())
        {
            l.anaState(1, AnaState.OPTIMIZED);
        }
        connect(IoPolicy.ROUND_ROBIN, Duration.ofSeconds(30));
        final List<NvmePath> rr = subsystem.paths();
        final java.util.Set<NvmePath> seen = new java.util.HashSet<>();
        NvmePath last = null;
        for (int i = 0; i < 6; i++)
        {
            final NvmePath s = subsystem.select(1);
            assertThat(s).as("round-robin: a different path each time").isNotSameAs(last);
            seen.add(s);
            last = s;
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(rr);
        subsystem.close();

        connect(IoPolicy.QUEUE_DEPTH, Duration.ofSeconds(30));
        final List<NvmePath> qd = subsystem.paths();
        qd.get(0).inflight.set(5);
        qd.get(1).inflight.set(2);
        qd.get(2).inflight.set(7);
        assertThat(subsystem.select(1)).as("queue-depth: fewest in flight").isSameAs(qd.get(1));
        target.listeners().get(1).anaState(1, AnaState.NON_OPTIMIZED);
        await(() -> qd.get(1).anaState(1) == AnaState.NON_OPTIMIZED, "ANA notice on path 1");
        assertThat(subsystem.select(1)).as("queue-depth: optimized first").isSameAs(qd.get(0));
        for (final NvmePath x : qd)
        {
            x.inflight.set(0);
        }
    }

    @Test
    void shouldKeepDataWhileAnaStatesFlipUnderAVerifyingWorkload() throws Exception
    {
        start(2);
        connect(IoPolicy.NUMA, Duration.ofSeconds(30));
        final Workload w = new Workload(subsystem, 4, 64).start();
        final Listener a = target.listeners().get(0);
        final Listener b = target.listeners().get(1);
        final AnaState[] cycle = {AnaState.INACCESSIBLE, AnaState.OPTIMIZED, AnaState.CHANGE, AnaState.NON_OPTIMIZED,
            AnaState.OPTIMIZED};
        for (int i = 0; i < 20; i++)
        {
            final long before = w.ios.get();
            final AnaState sa = cycle[i % cycle.length];
            a.anaState(1, sa);
            // at least one path usable at each step, so that I/O must keep flowing
            b.anaState(1, i % 2 == 0 && sa.accessible() ? AnaState.INACCESSIBLE : AnaState.OPTIMIZED);
            await(() -> w.ios.get() > before + 20 || !w.errors.isEmpty(), "I/O to keep flowing");
            if (i % 5 == 4)
            {
                // both paths unusable for a while: I/O waits, then resumes
                a.anaState(1, AnaState.INACCESSIBLE);
                b.anaState(1, AnaState.INACCESSIBLE);
                Thread.sleep(20);
                a.anaState(1, AnaState.OPTIMIZED);
            }
        }
        a.anaState(1, AnaState.OPTIMIZED);
        b.anaState(1, AnaState.OPTIMIZED);
        w.stopAndVerify();
        assertThat(w.ios.get()).isGreaterThan(400);
    }

    @Test
    void shouldFailOverWhenAPortGoesDownAndUseItAgainWhenItComesBack() throws Exception
    {
        start(3);
        connect(IoPolicy.ROUND_ROBIN, Duration.ofSeconds(30));
        final Workload w = new Workload(subsystem, 4, 64).start();
        for (int round = 0; round < 3; round++)
        {
            final Listener down = target.listeners().get(round % 3);
            final NvmePath path = subsystem.paths().get(round % 3);
            final long reconnects = path.controller().reconnects();
            long before = w.ios.get();
            await(() -> w.ios.get() > before + 50 || !w.errors.isEmpty(), "I/O before the outage");
            down.disconnect();
            final long during = w.ios.get();
            await(() -> w.ios.get() > during + 200 || !w.errors.isEmpty(), "I/O on the other paths");
            assertThat(path.controllerState()).isIn("connecting", "resetting");
            down.reopen();
            await(() -> path.controller().reconnects() > reconnects && "live".equals(path.controllerState()),
                "path " + round + " back");
        }
        // and a port whose group goes inaccessible while another is down
        target.listeners().get(0).disconnect();
        target.listeners().get(1).anaState(1, AnaState.INACCESSIBLE);
        final long x = w.ios.get();
        await(() -> w.ios.get() > x + 100 || !w.errors.isEmpty(), "I/O on the last path");
        target.listeners().get(0).reopen();
        target.listeners().get(1).anaState(1, AnaState.OPTIMIZED);
        w.stopAndVerify();
        assertThat(subsystem.failovers()).as("in-flight I/O of the downed ports was sent again").isPositive();
    }

    @Test
    void shouldQueueWhileNoPathIsUsableAndCompleteWhenOneComesBack() throws Exception
    {
        start(2);
        target.listeners().get(0).anaState(1, AnaState.INACCESSIBLE);
        target.listeners().get(1).anaState(1, AnaState.INACCESSIBLE);
        connect(IoPolicy.NUMA, Duration.ofSeconds(30));
        final ByteBuffer data = pattern(9, 9, 9);
        final CompletableFuture<Void> f = subsystem.write(1, 0, IO_BLOCKS, data);
        assertThat(f).as("no usable path: the write waits").isNotDone();
        assertThat(subsystem.queuedNoPath()).isEqualTo(1);
        target.listeners().get(1).anaState(1, AnaState.NON_OPTIMIZED);
        f.get(20, TimeUnit.SECONDS);
        final ByteBuffer in = ByteBuffer.allocateDirect(IO_BLOCKS * BLOCK);
        subsystem.readBlocking(1, 0, IO_BLOCKS, in);
        assertThat(in.clear()).isEqualTo(data.clear());
        assertThat(subsystem.longestWaitNanos()).isPositive();

        // all paths down, then one back
        target.listeners().get(0).disconnect();
        target.listeners().get(1).disconnect();
        await(() -> subsystem.select(1) == null, "both paths down");
        final ByteBuffer d2 = pattern(8, 8, 8);
        final CompletableFuture<Void> g = subsystem.write(1, 64, IO_BLOCKS, d2);
        target.listeners().get(0).anaState(1, AnaState.OPTIMIZED);
        target.listeners().get(0).reopen();
        g.get(20, TimeUnit.SECONDS);
        in.clear();
        subsystem.readBlocking(1, 64, IO_BLOCKS, in);
        assertThat(in.clear()).isEqualTo(d2.clear());
        assertThat(subsystem.completed()).isEqualTo(subsystem.submitted());
    }

    @Test
    void shouldFailQueuedIoOnceEveryControllerIsLost() throws Exception
    {
        start(2);
        connect(IoPolicy.NUMA, Duration.ofMillis(300));
        subsystem.writeBlocking(1, 0, IO_BLOCKS, pattern(1, 1, 1));
        target.listeners().get(0).disconnect();
        target.listeners().get(1).disconnect();
        // the target closes the queues on its pollers: wait until the host saw both go
        await(() -> subsystem.select(1) == null, "both paths down");
        final CompletableFuture<Void> f = subsystem.write(1, 0, IO_BLOCKS, pattern(2, 2, 2));
        assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(ControllerLostException.class).hasMessageContaining("no path");
        assertThat(subsystem.listSubsys(1)).contains("dead");
        assertThat(subsystem.completed()).isEqualTo(subsystem.submitted());
    }

    @Test
    void shouldFailAnIoWithANonPathErrorWithoutFailover() throws Exception
    {
        start(2);
        connect(IoPolicy.NUMA, Duration.ofSeconds(30));
        final CompletableFuture<Void> f = subsystem.read(1, (4L << 20) / BLOCK, IO_BLOCKS,
            ByteBuffer.allocateDirect(IO_BLOCKS * BLOCK));
        assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS)).hasMessageContaining("LBA out of range");
        assertThat(subsystem.failovers()).isZero();
        assertThatThrownBy(() -> NvmeSubsystem.connect(List.of(), IoPolicy.NUMA))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NvmeSubsystem.connect(List.of(ConnectOptions.tcp("127.0.0.1", 1, NQN),
            ConnectOptions.tcp("127.0.0.1", 1, "nqn.2024-01.x:other")), IoPolicy.NUMA))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("different subsystems");
    }
    @Test
    void shouldOfferThePolledQueueShapeWithFailover() throws Exception
    {
        start(2);
        connect(IoPolicy.ROUND_ROBIN, Duration.ofSeconds(30));
        final SubsystemIoQueue q = subsystem.openIoQueue(4);
        assertThat(q.blockSize(1)).isEqualTo(BLOCK);
        assertThat(q.blockSize(9)).isEqualTo(-1);
        final ByteBuffer[] out = new ByteBuffer[4];
        for (int i = 0; i < 4; i++)
        {
            out[i] = pattern(3, i, 1);
            assertThat(q.submitWrite(1, i * IO_BLOCKS, IO_BLOCKS, out[i], i)).isGreaterThanOrEqualTo(0);
        }
        assertThat(q.submitWrite(1, 99 * IO_BLOCKS, IO_BLOCKS, out[0], 99)).isEqualTo(SubsystemIoQueue.QUEUE_FULL);
        target.listeners().get(0).anaState(1, AnaState.INACCESSIBLE); // some may fail over
        final int[] status = new int[100];
        java.util.Arrays.fill(status, -1);
        final int[] count = {0};
        while (count[0] < 4)
        {
            if (q.poll((tag, st) -> { status[(int)tag] = st; count[0]++; }) == 0)
            {
                q.await(1_000_000L);
            }
        }
        assertThat(java.util.Arrays.copyOf(status, 4)).containsOnly(0);
        final ByteBuffer in = ByteBuffer.allocateDirect(IO_BLOCKS * BLOCK);
        for (int i = 0; i < 4; i++)
        {
            in.clear();
            subsystem.readBlocking(1, i * IO_BLOCKS, IO_BLOCKS, in);
            assertThat(in.clear()).isEqualTo(out[i].clear());
        }
        assertThat(q.submitRead(1, (4L << 20) / BLOCK, IO_BLOCKS, in, 7)).isGreaterThanOrEqualTo(0);
        while (q.poll((tag, st) -> status[(int)tag] = st) == 0)
        {
            q.await(1_000_000L);
        }
        assertThat(status[7] & 0x7FF).as("LBA out of range").isEqualTo(0x080);
        assertThat(q.outstanding()).isZero();
        assertThat(q.longestGapNanos()).isPositive();
        status[8] = -1;
        assertThat(q.submitDeallocate(1, 0, 8, 8)).isGreaterThanOrEqualTo(0);
        while (q.poll((tag, st) -> status[(int)tag] = st) == 0)
        {
            q.await(1_000_000L);
        }
        assertThat(status[8]).as("deallocate through a path").isZero();
        assertThat(q.completed()).isEqualTo(q.submitted()).isEqualTo(6);
        q.close();
    }
}
