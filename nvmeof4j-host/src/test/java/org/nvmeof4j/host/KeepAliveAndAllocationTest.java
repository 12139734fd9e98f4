package org.nvmeof4j.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.target.Target;

class KeepAliveAndAllocationTest
{
    private static Target target;

    @BeforeAll
    static void startTarget()
    {
        target = TestTargets.ram(4096);
    }

    @AfterAll
    static void stopTarget()
    {
        target.close();
    }

    @Test
    void shouldSendKeepAliveEveryHalfKato() throws Exception
    {
        final AtomicLong offset = new AtomicLong();
        final NanoClock clock = () -> System.nanoTime() + offset.get();
        final ConnectOptions o = TestTargets.options(target).keepAliveTmo(Duration.ofSeconds(120)).clock(clock);
        try (NvmeController c = NvmeController.connect(o))
        {
            Thread.sleep(300);
            assertThat(c.keepAlivesSent()).as("none before KATO/2").isZero();
            offset.addAndGet(Duration.ofSeconds(50).toNanos());
            Thread.sleep(300);
            assertThat(c.keepAlivesSent()).as("none before KATO/2").isZero();
            offset.addAndGet(Duration.ofSeconds(11).toNanos());
            waitFor(() -> c.keepAlivesSent() == 1);
            offset.addAndGet(Duration.ofSeconds(61).toNanos());
            waitFor(() -> c.keepAlivesSent() == 2);
            // the controller answered each one: still live, admin commands work
            assertThat(c.state()).isEqualTo(NvmeController.State.LIVE);
            assertThat(c.propertyGet(0x08, 4)).isNotZero();
        }
    }

    private static void waitFor(final java.util.function.BooleanSupplier cond) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (!cond.getAsBoolean() && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
        assertThat(cond.getAsBoolean()).isTrue();
    }

    /** Allocation per I/O on the polled path, measured with ThreadMXBean: must be zero after warm-up. */
    @Test
    void shouldNotAllocatePerIoOnThePolledPath()
    {
        final com.sun.management.ThreadMXBean mx =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (NvmeController c = NvmeController.connect(TestTargets.options(target)))
        {
            final IoQueue q = c.openIoQueue();
            final MixedIoLoop loop = new MixedIoLoop(q, 8, 1);
            loop.run(20_000); // warm-up: JIT, socket buffers, ring sizes
            final long tid = Thread.currentThread().getId();
            final long before = mx.getThreadAllocatedBytes(tid);
            final int ios = 20_000;
            loop.run(ios);
            final long allocated = mx.getThreadAllocatedBytes(tid) - before;
            System.out.println("allocation per I/O on the polled path: " + (double)allocated / ios + " bytes (" +
                allocated + " bytes for " + ios + " I/Os)");
            assertThat((double)allocated / ios).isLessThan(1.0);
        }
    }
}
