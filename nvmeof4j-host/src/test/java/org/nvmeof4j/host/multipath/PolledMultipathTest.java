package org.nvmeof4j.host.multipath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.host.CompletionHandler;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.IoQueue;
import org.nvmeof4j.host.MixedIoLoop;
import org.nvmeof4j.protocol.admin.AnaState;
import org.nvmeof4j.target.Listener;
import org.nvmeof4j.target.Target;

/**
 * The polled multipath queue ({@link SubsystemIoQueue}) against the Java target with two and three ports: the
 * verifying workload of {@link MultipathTest} (each block written, acknowledged, read back and compared, every I/O
 * completed exactly once, all acknowledged blocks compared again at the end, nothing left in flight) while ports
 * change ANA state, go down and come back; queueing while no path is usable; and no allocation per I/O.
 */
class PolledMultipathTest
{
    static final String NQN = "nqn.2024-01.org.nvmeof4j:mpath-polled";
    static final int BLOCK = 512;
    static final int IO_BLOCKS = 8;
    static final int IO_BYTES = BLOCK * IO_BLOCKS;

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

    private void start(final int ports) throws Exception
    {
        final Target.Builder b = Target.builder();
        for (int i = 0; i < ports; i++)
        {
            b.listen("127.0.0.1", 0);
        }
        target = b.subsystem(s -> s.nqn(NQN).allowAnyHost().ramNamespace(1, 4L << 20)).build().start();
    }

    private NvmeSubsystem connect(final IoPolicy policy, final Duration ctrlLossTmo)
    {
        final List<ConnectOptions> paths = new ArrayList<>();
        for (final Listener l : target.listeners())
        {
            paths.add(ConnectOptions.tcp("127.0.0.1", l.port(), NQN).nrIoQueues(1).nrPollQueues(4)
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

    private static long word(final int worker, final int slot, final long seq, final int i)
    {
        return (long)worker << 48 ^ (long)slot << 32 ^ seq << 12 ^ i;
    }

    private static void fill(final ByteBuffer b, final int worker, final int slot, final long seq)
    {
        for (int i = 0; i < IO_BYTES; i += 8)
        {
            b.putLong(i, word(worker, slot, seq, i));
        }
    }

    private static boolean check(final ByteBuffer b, final int worker, final int slot, final long seq)
    {
        for (int i = 0; i < IO_BYTES; i += 8)
        {
            if (b.getLong(i) != word(worker, slot, seq, i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Worker threads that each own a polled queue and {@code slots} slots in flight: a slot writes its block, and once
     * that is acknowledged reads it back and compares, then writes the next version. A completion for a slot with
     * nothing in flight, an error status or a mismatch is an error.
     */
    private static final class Workload
    {
        final NvmeSubsystem s;
        final int workers;
        final int slots;
        final long[][] acked;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong ios = new AtomicLong();
        final List<String> errors = Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = new ArrayList<>();
        final List<SubsystemIoQueue> queues = Collections.synchronizedList(new ArrayList<>());

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
                final Thread t = new Thread(() -> run(worker), "mpath-polled-" + w);
                t.start();
                threads.add(t);
            }
            return this;
        }

        long lba(final int worker, final int slot)
        {
            return ((long)worker * slots + slot) * IO_BLOCKS;
        }

        private void run(final int worker)
        {
            final SubsystemIoQueue q = s.openIoQueue(slots);
            queues.add(q);
            final ByteBuffer[] bufs = new ByteBuffer[slots];
            final long[] seq = new long[slots];
            final boolean[] reading = new boolean[slots];
            final boolean[] inFlight = new boolean[slots];
            int[] inflight = {0};
            final CompletionHandler h = new CompletionHandler()
            {
                @Override
                public void onComplete(final long tag, final int status)
                {
                    final int slot = (int)tag;
                    if (!inFlight[slot])
                    {
                        errors.add("worker " + worker + " slot " + slot + ": completed twice");
                        return;
                    }
                    inFlight[slot] = false;
                    inflight[0]--;
                    ios.incrementAndGet();
                    if (status != 0)
                    {
                        errors.add("worker " + worker + " slot " + slot + " seq " + seq[slot] + ": status 0x" +
                            Integer.toHexString(status));
                        return;
                    }
                    if (!reading[slot])
                    {
                        acked[worker][slot] = seq[slot];
                        reading[slot] = true;
                    }
                    else
                    {
                        if (!check(bufs[slot], worker, slot, seq[slot]))
                        {
                            errors.add("worker " + worker + " slot " + slot + " seq " + seq[slot] +
                                ": read back differs");
                        }
                        reading[slot] = false;
                        seq[slot]++;
                    }
                    if (!stop.get())
                    {
                        submit(slot);
                    }
                }

                private void submit(final int slot)
                {
                    final ByteBuffer b = bufs[slot];
                    final int r;
                    if (reading[slot])
                    {
                        b.clear();
                        for (int i = 0; i < IO_BYTES; i += 8)
                        {
                            b.putLong(i, 0);
                        }
                        r = q.submitRead(1, lba(worker, slot), IO_BLOCKS, b, slot);
                    }
                    else
                    {
                        fill(b, worker, slot, seq[slot]);
                        r = q.submitWrite(1, lba(worker, slot), IO_BLOCKS, b, slot);
                    }
                    if (r < 0)
                    {
                        errors.add("worker " + worker + " slot " + slot + ": queue full");
                        return;
                    }
                    inFlight[slot] = true;
                    inflight[0]++;
                }

                {
                    for (int slot = 0; slot < slots; slot++)
                    {
                        bufs[slot] = ByteBuffer.allocateDirect(IO_BYTES);
                        seq[slot] = 1;
                        submit(slot);
                    }
                }
            };
            try
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (inflight[0] > 0 && System.nanoTime() < deadline)
                {
                    if (q.poll(h) == 0)
                    {
                        q.await(1_000_000L);
                    }
                }
                if (inflight[0] > 0)
                {
                    errors.add("worker " + worker + ": " + inflight[0] + " I/O never completed");
                }
                if (q.outstanding() != 0 || q.completed() != q.submitted() || q.attemptsDone() != q.attempts())
                {
                    errors.add("worker " + worker + ": outstanding " + q.outstanding() + ", completed " +
                        q.completed() + " of " + q.submitted() + ", attempts back " + q.attemptsDone() + " of " +
                        q.attempts());
                }
            }
            catch (final RuntimeException e)
            {
                errors.add("worker " + worker + ": " + e);
            }
            finally
            {
                q.close();
            }
        }

        long failovers()
        {
            long n = 0;
            synchronized (queues)
            {
                for (final SubsystemIoQueue q : queues)
                {
                    n += q.failovers();
                }
            }
            return n;
        }

        void stopAndVerify() throws Exception
        {
            stop.set(true);
            for (final Thread t : threads)
            {
                t.join(120_000);
                assertThat(t.isAlive()).as(t.getName() + " ended").isFalse();
            }
            assertThat(errors).as("I/O errors, mismatches, double or missing completions").isEmpty();
            final ByteBuffer in = ByteBuffer.allocateDirect(IO_BYTES);
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
                    assertThat(check(in, w, slot, acked[w][slot])).as("acknowledged write of worker %d slot %d",
                        w, slot).isTrue();
                }
            }
            for (final NvmePath p : s.paths())
            {
                assertThat(p.inflight()).as("nothing left in flight on " + p.address()).isZero();
            }
        }
    }

    @Test
    void shouldKeepDataWhileAnaStatesFlipUnderAVerifyingWorkload() throws Exception
    {
        start(2);
        connect(IoPolicy.NUMA, Duration.ofSeconds(30));
        final Workload w = new Workload(subsystem, 2, 8).start();
        final Listener a = target.listeners().get(0);
        final Listener b = target.listeners().get(1);
        final AnaState[] cycle = {AnaState.INACCESSIBLE, AnaState.OPTIMIZED, AnaState.CHANGE, AnaState.NON_OPTIMIZED,
            AnaState.OPTIMIZED};
        for (int i = 0; i < 20; i++)
        {
            final long before = w.ios.get();
            final AnaState sa = cycle[i % cycle.length];
            a.anaState(1, sa);
            b.anaState(1, i % 2 == 0 && sa.accessible() ? AnaState.INACCESSIBLE : AnaState.OPTIMIZED);
            await(() -> w.ios.get() > before + 20 || !w.errors.isEmpty(), "I/O to keep flowing");
            if (i % 5 == 4)
            {
                // both paths unusable for a while: I/O waits in the queues, then resumes
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
        assertThat(w.failovers()).as("attempts that met an inaccessible group were sent again").isPositive();
    }

    @Test
    void shouldFailOverWhenAPortGoesDownAndUseItAgainWhenItComesBack() throws Exception
    {
        start(3);
        connect(IoPolicy.ROUND_ROBIN, Duration.ofSeconds(30));
        final Workload w = new Workload(subsystem, 2, 8).start();
        for (int round = 0; round < 3; round++)
        {
            final Listener down = target.listeners().get(round % 3);
            final NvmePath path = subsystem.paths().get(round % 3);
            final long reconnects = path.controller().reconnects();
            final long before = w.ios.get();
            await(() -> w.ios.get() > before + 50 || !w.errors.isEmpty(), "I/O before the outage");
            down.disconnect();
            final long during = w.ios.get();
            await(() -> w.ios.get() > during + 200 || !w.errors.isEmpty(), "I/O on the other paths");
            down.reopen();
            await(() -> path.controller().reconnects() > reconnects && "live".equals(path.controllerState()),
                "path " + round + " back");
        }
        target.listeners().get(0).disconnect();
        target.listeners().get(1).anaState(1, AnaState.INACCESSIBLE);
        final long x = w.ios.get();
        await(() -> w.ios.get() > x + 100 || !w.errors.isEmpty(), "I/O on the last path");
        target.listeners().get(0).reopen();
        target.listeners().get(1).anaState(1, AnaState.OPTIMIZED);
        final long y = w.ios.get();
        await(() -> w.ios.get() > y + 100 || !w.errors.isEmpty(), "I/O after everything came back");
        w.stopAndVerify();
        assertThat(w.failovers()).as("in-flight I/O of the downed ports was sent again").isPositive();
    }

    @Test
    void shouldQueueWhileNoPathIsUsableAndFailOnceEveryControllerIsLost() throws Exception
    {
        start(2);
        target.listeners().get(0).anaState(1, AnaState.INACCESSIBLE);
        target.listeners().get(1).anaState(1, AnaState.INACCESSIBLE);
        connect(IoPolicy.NUMA, Duration.ofMillis(500));
        final SubsystemIoQueue q = subsystem.openIoQueue(4);
        final ByteBuffer data = ByteBuffer.allocateDirect(IO_BYTES);
        fill(data, 9, 9, 9);
        final long[] status = {-1, -1};
        final CompletionHandler h = (tag, st) ->
        {
            assertThat(status[(int)tag]).as("completed once").isEqualTo(-1);
            status[(int)tag] = st;
        };
        assertThat(q.submitWrite(1, 0, IO_BLOCKS, data, 0)).isNotNegative();
        for (int i = 0; i < 50; i++)
        {
            q.poll(h);
            q.await(1_000_000L);
        }
        assertThat(status[0]).as("no usable path: the write waits").isEqualTo(-1);
        assertThat(q.queuedNoPath()).isEqualTo(1);
        assertThat(q.outstanding()).isEqualTo(1);
        target.listeners().get(1).anaState(1, AnaState.NON_OPTIMIZED);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (status[0] == -1 && System.nanoTime() < deadline)
        {
            if (q.poll(h) == 0)
            {
                q.await(1_000_000L);
            }
        }
        assertThat(status[0]).as("written through the path that came back").isZero();
        assertThat(q.longestWaitNanos()).isPositive();
        final ByteBuffer in = ByteBuffer.allocateDirect(IO_BYTES);
        subsystem.readBlocking(1, 0, IO_BLOCKS, in);
        assertThat(check(in, 9, 9, 9)).isTrue();

        // every controller lost (ctrl_loss_tmo 500 ms): the waiting I/O fails, once
        target.listeners().get(0).disconnect();
        target.listeners().get(1).disconnect();
        // the target closes the connections on its pollers: a read sent before they are closed would still be served
        await(() -> subsystem.select(1) == null, "both paths down");
        assertThat(q.submitRead(1, 0, IO_BLOCKS, in, 1)).isNotNegative();
        final long d2 = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (status[1] == -1 && System.nanoTime() < d2)
        {
            if (q.poll(h) == 0)
            {
                q.await(1_000_000L);
            }
        }
        assertThat(status[1]).as("controller lost").isEqualTo(IoQueue.STATUS_CONTROLLER_LOST);
        assertThat(q.outstanding()).isZero();
        assertThat(q.completed()).isEqualTo(q.submitted()).isEqualTo(2);
        assertThatThrownBy(() -> q.submitRead(7, 0, 1, in, 2)).isInstanceOf(IllegalArgumentException.class);
        q.close();
    }

    /**
     * An I/O waiting for a usable path must be sent when the path comes back, not at the next tick of a timer: the
     * subsystem wakes the queue's {@code await}, so a wait of 60 s returns as soon as port 1's group is made
     * accessible. The old 1 ms cap needed one await per millisecond; here a handful suffice, each a wake-up.
     */
    @Test
    void shouldWakeAWaitingAwaitWhenAPathBecomesUsable() throws Exception
    {
        start(2);
        target.listeners().get(0).anaState(1, AnaState.INACCESSIBLE);
        target.listeners().get(1).anaState(1, AnaState.INACCESSIBLE);
        connect(IoPolicy.NUMA, Duration.ofSeconds(30));
        final SubsystemIoQueue q = subsystem.openIoQueue(4);
        final ByteBuffer data = ByteBuffer.allocateDirect(IO_BYTES);
        fill(data, 5, 5, 5);
        final int[] status = {-1};
        final CompletionHandler h = (tag, st) -> status[0] = st;
        assertThat(q.submitWrite(1, 0, IO_BLOCKS, data, 0)).isNotNegative();
        q.poll(h);
        assertThat(q.queuedNoPath()).as("no usable path: the write waits").isEqualTo(1);
        final long wakeupsBefore = q.wakeups();
        final Thread back = new Thread(() ->
        {
            try
            {
                Thread.sleep(300);
                target.listeners().get(1).anaState(1, AnaState.OPTIMIZED);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        });
        back.start();
        int awaits = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (status[0] == -1 && System.nanoTime() < deadline)
        {
            if (q.poll(h) == 0 && status[0] == -1)
            {
                q.await(TimeUnit.SECONDS.toNanos(60));
                awaits++;
            }
        }
        back.join();
        assertThat(status[0]).as("written through the path that became usable").isZero();
        assertThat(q.wakeups()).as("woken by the subsystem").isGreaterThan(wakeupsBefore);
        // each await ends on a wake-up or on input, never on a 1 ms timer: 300 ms took at most a few
        assertThat(awaits).as("awaits until the path came back").isLessThan(30);
        System.out.println("waiting I/O sent after " + awaits + " awaits, " + (q.wakeups() - wakeupsBefore) +
            " wake-ups; waited " + q.longestWaitNanos() / 1_000_000 + " ms");
        q.close();
    }

    /**
     * A path's queue whose connection is down fails I/O submitted to it with Host Pathing Error at its next poll, so
     * that it fails over, instead of holding it until the reconnect (here a minute away): the I/O that lands on a
     * path in the moment between its connection's loss and its controller's state change must not stall.
     */
    @Test
    void shouldFailIoSubmittedToAPathQueueWhoseConnectionIsDown() throws Exception
    {
        start(2);
        final List<ConnectOptions> paths = new ArrayList<>();
        for (final Listener l : target.listeners())
        {
            paths.add(ConnectOptions.tcp("127.0.0.1", l.port(), NQN).nrIoQueues(1).nrPollQueues(2)
                .reconnectDelay(Duration.ofSeconds(60)).ctrlLossTmo(Duration.ofSeconds(120)));
        }
        subsystem = NvmeSubsystem.connect(paths, IoPolicy.NUMA);
        final IoQueue raw = subsystem.paths().get(0).controller().openIoQueue();
        final long[] status = {-1};
        final CompletionHandler h = (tag, st) -> status[0] = st;
        target.listeners().get(0).disconnect();
        final org.nvmeof4j.host.queue.HostQueue hq = (org.nvmeof4j.host.queue.HostQueue)raw;
        await(() ->
        {
            raw.poll(h);
            return hq.lostReason() != null;
        }, "path 0's queue to see its connection close");
        final ByteBuffer in = ByteBuffer.allocateDirect(IO_BYTES);
        assertThat(raw.submitRead(1, 0, IO_BLOCKS, in, 7)).isNotNegative();
        await(() ->
        {
            raw.poll(h);
            return status[0] != -1;
        }, "the read to fail over");
        assertThat(status[0]).as("Host Pathing Error: a path status, so it fails over")
            .isEqualTo((long)org.nvmeof4j.protocol.nvme.NvmeStatus.HOST_PATHING_ERROR.status());
        assertThat(NvmeSubsystem.isPathStatus((int)status[0])).isTrue();
        assertThat(raw.outstanding()).isZero();
        raw.close();
    }

    /** The subsystem's counters count the polled queues' I/O too, and keep them once a queue is closed. */
    @Test
    void shouldCountPolledIoInTheSubsystemCounters() throws Exception
    {
        start(2);
        connect(IoPolicy.ROUND_ROBIN, Duration.ofSeconds(30));
        final SubsystemIoQueue q = subsystem.openIoQueue(8);
        final MixedIoLoop loop = new MixedIoLoop(q, 8, 8);
        loop.run(1000);
        assertThat(q.submitted()).isEqualTo(1000);
        assertThat(subsystem.submitted()).isEqualTo(1000);
        assertThat(subsystem.completed()).isEqualTo(1000);
        assertThat(subsystem.attempts()).isEqualTo(q.attempts()).isGreaterThanOrEqualTo(1000);
        assertThat(subsystem.attemptsDone()).isEqualTo(q.attemptsDone()).isEqualTo(q.attempts());

        // port 0 inaccessible: the I/O that comes back with the ANA status is sent again on port 1
        target.listeners().get(0).anaState(1, AnaState.INACCESSIBLE);
        loop.run(2000);
        await(() -> subsystem.paths().get(0).anaState(1) == AnaState.INACCESSIBLE, "the ANA change on path 0");
        loop.run(200);
        assertThat(subsystem.failovers()).isEqualTo(q.failovers());
        // the async API adds to the same counters
        final ByteBuffer in = ByteBuffer.allocateDirect(IO_BYTES);
        subsystem.readBlocking(1, 0, IO_BLOCKS, in);
        assertThat(subsystem.submitted()).isEqualTo(3201);
        assertThat(subsystem.completed()).isEqualTo(3201);
        final long attempts = subsystem.attempts();
        final long failovers = subsystem.failovers();
        assertThat(attempts).isEqualTo(3201 + failovers);
        q.close();
        assertThat(subsystem.submitted()).as("kept after close").isEqualTo(3201);
        assertThat(subsystem.completed()).isEqualTo(3201);
        assertThat(subsystem.attempts()).isEqualTo(attempts);
        assertThat(subsystem.failovers()).isEqualTo(failovers);
        final SubsystemIoQueue q2 = subsystem.openIoQueue(8);
        new MixedIoLoop(q2, 8, 8).run(100);
        assertThat(subsystem.submitted()).isEqualTo(3301);
        q2.close();
    }

    @Test
    void shouldNotAllocatePerIoWithBothPathsUp() throws Exception
    {
        start(2);
        assertNoAllocationPerIo(1);
    }

    /**
     * NSIDs above 127 are not in {@code Integer}'s cache: the ANA lookups of path selection (group of the NSID, state
     * of the group, state implied by a status, excluded NSIDs) must box nothing for them either.
     */
    @Test
    void shouldNotAllocatePerIoOnANamespaceAbove127() throws Exception
    {
        final Target.Builder b = Target.builder().listen("127.0.0.1", 0).listen("127.0.0.1", 0);
        target = b.subsystem(s -> s.nqn(NQN).allowAnyHost().ramNamespace(1000, 4L << 20)).build().start();
        target.listeners().get(1).anaState(1, AnaState.NON_OPTIMIZED);
        assertNoAllocationPerIo(1000);
        assertThat(subsystem.paths().get(0).anaState(1000)).isEqualTo(AnaState.OPTIMIZED);
        assertThat(subsystem.paths().get(1).anaState(1000)).isEqualTo(AnaState.NON_OPTIMIZED);
    }

    private void assertNoAllocationPerIo(final int nsid) throws Exception
    {
        connect(IoPolicy.ROUND_ROBIN, Duration.ofSeconds(30));
        final com.sun.management.ThreadMXBean mx =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final SubsystemIoQueue q = subsystem.openIoQueue(8);
        assertThat(q.openPaths()).isEqualTo(2);
        final MixedIoLoop loop = new MixedIoLoop(q, nsid, 8, 8);
        loop.run(20_000); // warm-up: JIT, socket buffers
        final long tid = Thread.currentThread().getId();
        final long before = mx.getThreadAllocatedBytes(tid);
        final long p0 = q.attempts(0);
        final long p1 = q.attempts(1);
        final int ios = 20_000;
        loop.run(ios);
        final long allocated = mx.getThreadAllocatedBytes(tid) - before;
        System.out.println("allocation per I/O on the polled multipath queue (2 paths, NSID " + nsid + "): " +
            (double)allocated / ios + " bytes (" + allocated + " bytes for " + ios + " I/Os)");
        if (nsid == 1)
        {
            assertThat(q.attempts(0) - p0).as("path 0 used").isGreaterThan(ios / 4);
            assertThat(q.attempts(1) - p1).as("path 1 used").isGreaterThan(ios / 4);
        }
        else
        {
            // round-robin over the optimized paths only: path 1 is non-optimized, so every I/O looked both up
            assertThat(q.attempts(0) - p0).as("path 0 (optimized) used").isEqualTo(ios);
        }
        assertThat((double)allocated / ios).isLessThan(1.0);
        q.close();
    }
}
