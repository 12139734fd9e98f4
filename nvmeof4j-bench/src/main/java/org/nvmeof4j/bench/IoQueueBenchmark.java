package org.nvmeof4j.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.nvmeof4j.host.CompletionHandler;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.IoQueue;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.tcp.IdleStrategy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * End to end over loopback TCP: an in-process Java target (RAM namespace, 4 KiB blocks, its own poller thread) and
 * a host {@link IoQueue} submitted and polled on the benchmark thread, the way an SPDK-style application drives it.
 *
 * <ul>
 *   <li>{@link #read4kQd1}: one 4 KiB read at queue depth 1, submit then poll until it completes; sampled per
 *       operation, so the percentiles are the round-trip latency through both stacks and the kernel's loopback.</li>
 *   <li>{@link #read4kQd32}: {@code qd} reads kept in flight (each completion resubmits from the handler); one
 *       invocation waits for 32 completions, so ops/s is IOPS.</li>
 * </ul>
 *
 * <p><b>Allocation.</b> {@code -prof gc} measures the whole JVM, target poller and host admin poller included.
 * The figure that matters for the host data path is the benchmark thread's own, read from
 * {@code ThreadMXBean#getThreadAllocatedBytes}: after each iteration for the iteration window (which also holds
 * JMH's per-iteration bookkeeping), and at the end of the trial over 100,000 more I/Os driven the same way with
 * nothing else in the window ({@code [alloc] … steady state}); the target poller's figure is printed next to it.
 *
 * <p>Both sides share the machine: with few cores the target's poller and the polling benchmark thread compete
 * (the target's default idle strategy blocks after a short spin; {@code -p targetIdle=spin} makes it busy-poll;
 * {@code -p hostIdle=yield} lets the benchmark thread give up the core after an empty poll). On an oversubscribed
 * machine the QD1 tail shows the scheduler tick (multiples of 4 ms at HZ=250): read it as the machine's, not the
 * stack's.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class IoQueueBenchmark
{
    static final String NQN = "nqn.2014-08.org.nvmeof4j:bench";
    static final int BLOCK = 4096;
    /** 64 MiB namespace of 4 KiB blocks. */
    static final int BLOCKS = 16384;
    static final int COMPLETIONS_PER_INVOCATION = 32;

    /** Target, controller and one polled I/O queue, plus the per-thread allocation accounting. */
    @State(Scope.Thread)
    public abstract static class Fixture implements CompletionHandler
    {
        @Param({"backoff"})
        public String targetIdle;

        @Param({"false"})
        public boolean digests;

        /**
         * What the benchmark thread does after a poll that completed nothing: {@code spin} polls again at once (the
         * SPDK way, one core per queue); {@code yield} calls {@link Thread#yield()} so a target poller that shares
         * the core gets to run (use it when the machine has fewer free cores than busy threads).
         */
        @Param({"spin"})
        public String hostIdle;

        private boolean yieldWhenIdle;

        Target target;
        NvmeController controller;
        IoQueue queue;
        ByteBuffer[] buffers;
        long submitted;
        long completed;
        long errors;
        int lastStatus;

        private final com.sun.management.ThreadMXBean mx =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        private long hostThreadId;
        private long pollerThreadId = -1;
        private long hostBytes0;
        private long pollerBytes0;
        private long completed0;

        void start(final int depth) throws IOException
        {
            yieldWhenIdle = switch (hostIdle)
            {
                case "spin" -> false;
                case "yield" -> true;
                default -> throw new IllegalArgumentException("hostIdle: spin or yield, not " + hostIdle);
            };
            target = Target.builder().listen("127.0.0.1", 0).idleStrategy(() -> IdleStrategy.parse(targetIdle))
                .subsystem(s -> s.nqn(NQN).allowAnyHost().blockSize(BLOCK).ramNamespace(1, (long)BLOCKS * BLOCK))
                .build().start();
            controller = NvmeController.connect(ConnectOptions.tcp("127.0.0.1", target.boundPort(), NQN)
                .nrIoQueues(0).nrPollQueues(1).hdrDigest(digests).dataDigest(digests));
            queue = controller.openIoQueue();
            if (queue.blockSize(1) != BLOCK || queue.depth() < depth)
            {
                throw new IllegalStateException("namespace 1 block size " + queue.blockSize(1) + ", queue depth " +
                    queue.depth());
            }
            buffers = new ByteBuffer[depth];
            for (int i = 0; i < depth; i++)
            {
                buffers[i] = ByteBuffer.allocateDirect(BLOCK);
            }
            for (final Thread t : Thread.getAllStackTraces().keySet())
            {
                if (t.getName().startsWith("nvmeof4j-target-poller-"))
                {
                    pollerThreadId = t.getId();
                }
            }
        }

        /** Submit one 4 KiB read into {@code buffers[slot]}, tagged with the slot. */
        final void submit(final int slot)
        {
            final long lba = (submitted++ * 7919) & (BLOCKS - 1);
            if (queue.submitRead(1, lba, 1, buffers[slot], slot) == IoQueue.QUEUE_FULL)
            {
                throw new IllegalStateException("queue full at " + queue.outstanding() + " outstanding");
            }
        }

        @Override
        public void onComplete(final long userTag, final int status)
        {
            completed++;
            if (status != 0)
            {
                errors++;
                lastStatus = status;
            }
        }

        @Setup(Level.Iteration)
        public void startAccounting()
        {
            hostThreadId = Thread.currentThread().getId();
            hostBytes0 = mx.getThreadAllocatedBytes(hostThreadId);
            pollerBytes0 = pollerThreadId < 0 ? 0 : mx.getThreadAllocatedBytes(pollerThreadId);
            completed0 = completed;
        }

        @TearDown(Level.Iteration)
        public void reportAccounting()
        {
            final long host = mx.getThreadAllocatedBytes(hostThreadId) - hostBytes0;
            final long poller = pollerThreadId < 0 ? -1 : mx.getThreadAllocatedBytes(pollerThreadId) - pollerBytes0;
            final long ios = completed - completed0;
            // the window holds JMH's own per-iteration work too (SampleTime builds a fresh sample buffer, ~45 KB)
            System.out.printf("%n[alloc] iteration window: host thread %.4f B/IO (%d B over %d I/Os, JMH harness "
                + "included); target poller %.4f B/IO%n", (double)host / Math.max(1, ios), host, ios,
                (double)poller / Math.max(1, ios));
            if (errors != 0)
            {
                throw new IllegalStateException(errors + " reads failed, last status 0x" +
                    Integer.toHexString(lastStatus));
            }
        }

        /** One duty cycle of the host queue, then the idle policy if it completed nothing. */
        final void pollOnce()
        {
            if (queue.poll(this) == 0 && yieldWhenIdle)
            {
                Thread.yield();
            }
        }

        /** Run {@code ios} more I/Os the way the benchmark method does. */
        abstract void drive(int ios);

        /**
         * After the measurement, on the benchmark thread: the same I/O loop with nothing of JMH's in the window, so
         * the figure is the host data path's alone (as {@code KeepAliveAndAllocationTest} measures it).
         */
        final void reportSteadyState(final String name)
        {
            final int ios = 100_000;
            final long tid = Thread.currentThread().getId();
            final long[] ids = mx.getAllThreadIds();
            final long[] others0 = mx.getThreadAllocatedBytes(ids);
            final long poller0 = pollerThreadId < 0 ? 0 : mx.getThreadAllocatedBytes(pollerThreadId);
            final long before = mx.getThreadAllocatedBytes(tid);
            drive(ios);
            final long host = mx.getThreadAllocatedBytes(tid) - before;
            final long poller = pollerThreadId < 0 ? -1 : mx.getThreadAllocatedBytes(pollerThreadId) - poller0;
            final long[] others1 = mx.getThreadAllocatedBytes(ids);
            System.out.printf("%n[alloc] %s steady state: host thread %.4f B/IO (%d B over %d I/Os); target poller "
                + "%.4f B/IO (%d B)%n", name, (double)host / ios, host, ios, (double)poller / ios, poller);
            // where the rest of the JVM-wide figure of -prof gc comes from, over the same window
            final StringBuilder rest = new StringBuilder();
            for (int i = 0; i < ids.length; i++)
            {
                final long d = others1[i] - others0[i];
                if (ids[i] != tid && others0[i] >= 0 && others1[i] >= 0 && d > 0)
                {
                    final java.lang.management.ThreadInfo info = mx.getThreadInfo(ids[i]);
                    rest.append(' ').append(info == null ? "#" + ids[i] : info.getThreadName()).append('=').append(d);
                }
            }
            System.out.printf("[alloc] %s other threads over that window (bytes):%s%n", name,
                rest.length() == 0 ? " none" : rest);
            if (errors != 0)
            {
                throw new IllegalStateException(errors + " reads failed, last status 0x" +
                    Integer.toHexString(lastStatus));
            }
        }

        void stop()
        {
            // drain what is in flight so the connection closes clean, then tear down host before target
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (queue != null && queue.outstanding() > 0 && System.nanoTime() < deadline)
            {
                queue.poll((tag, status) -> { });
            }
            if (queue != null)
            {
                queue.close();
            }
            if (controller != null)
            {
                controller.close();
            }
            if (target != null)
            {
                target.close();
            }
        }
    }

    /** Queue depth 1: submit, poll until done. */
    @State(Scope.Thread)
    public static class Qd1 extends Fixture
    {
        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            start(1);
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            reportSteadyState("read4kQd1");
            stop();
        }

        @Override
        void drive(final int ios)
        {
            for (int i = 0; i < ios; i++)
            {
                readOne();
            }
        }

        long readOne()
        {
            final long target = completed + 1;
            submit(0);
            while (completed < target)
            {
                pollOnce();
            }
            return completed;
        }
    }

    /** {@code qd} reads in flight; each completion resubmits into the slot it freed. */
    @State(Scope.Thread)
    public static class QdN extends Fixture
    {
        @Param({"32"})
        public int qd;

        private boolean resubmit;

        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            start(qd);
            resubmit = true;
            for (int i = 0; i < qd; i++)
            {
                submit(i);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            reportSteadyState("read4kQd" + qd);
            resubmit = false;
            stop();
        }

        @Override
        void drive(final int ios)
        {
            complete(ios);
        }

        @Override
        public void onComplete(final long userTag, final int status)
        {
            super.onComplete(userTag, status);
            if (resubmit)
            {
                submit((int)userTag);
            }
        }

        long complete(final int n)
        {
            final long target = completed + n;
            while (completed < target)
            {
                pollOnce();
            }
            return completed;
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long read4kQd1(final Qd1 s)
    {
        return s.readOne();
    }

    @Benchmark
    @OperationsPerInvocation(COMPLETIONS_PER_INVOCATION)
    public long read4kQd32(final QdN s)
    {
        return s.complete(COMPLETIONS_PER_INVOCATION);
    }
}
