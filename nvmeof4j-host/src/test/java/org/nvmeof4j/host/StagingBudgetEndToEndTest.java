package org.nvmeof4j.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nvmeof4j.target.ConnectionLimits;
import org.nvmeof4j.target.Target;

/**
 * A connection's staging budget ({@code --staging-per-connection}) far below what the host keeps in flight: reads of
 * a file namespace stage their data, so most of them wait for staging. They must all complete, in the order they
 * arrived (a command that waits is not overtaken by commands that arrive after it), with their data, and the waits
 * must reuse the staging buffers the budget holds instead of allocating new ones.
 */
class StagingBudgetEndToEndTest
{
    private static final int IO = 128 << 10;
    private static final int BLOCKS = 32;
    private static final int DEPTH = 32;

    @TempDir
    Path dir;

    private Target target;

    @BeforeEach
    void start()
    {
        // 8 x MAXH2CDATA (128 KiB) = 1 MiB, the least that holds the largest transfer (MDTS): 8 reads of 128 KiB may
        // hold staging at once, and the host keeps 32 in flight
        target = TestTargets.start(Target.builder().listen("127.0.0.1", 0)
            .connectionLimits(ConnectionLimits.DEFAULT.withStagingPerConnection(8))
            .subsystem(s -> s.nqn(TestTargets.NQN).allowAnyHost().fileNamespace(1, dir.resolve("ns.img"), 16L << 20)));
    }

    @AfterEach
    void stop()
    {
        target.close();
    }

    @Test
    void shouldServeReadsThatWaitForStagingInArrivalOrderWithoutAllocating()
    {
        try (NvmeController c = NvmeController.connect(TestTargets.options(target).queueSize(64)))
        {
            final ByteBuffer[] data = new ByteBuffer[BLOCKS];
            for (int b = 0; b < BLOCKS; b++)
            {
                data[b] = TestTargets.pattern(IO, 7 + b, true);
                c.writeBlocking(1, (long)b * (IO / 512), IO / 512, data[b]);
            }
            final IoQueue q = c.openIoQueue();
            final ByteBuffer[] into = new ByteBuffer[DEPTH];
            for (int i = 0; i < DEPTH; i++)
            {
                into[i] = ByteBuffer.allocateDirect(IO);
            }
            rollingReads(q, into, data, 200); // warm-up: the budget's buffers exist from here on
            final long directBefore = directBuffers();
            final long waitsBefore = target.limitCounters().stagingWaits();
            rollingReads(q, into, data, 2000);
            final long waits = target.limitCounters().stagingWaits() - waitsBefore;
            final long allocated = directBuffers() - directBefore;
            System.out.printf("StagingBudgetEndToEndTest: %d of 2000 reads waited for staging%n", waits);
            // how many wait follows timing: 756..1,539 of 2,000 in six runs on one machine (old and new code), so
            // the bound asks only that the waiting path ran often enough for the allocation check to mean something
            assertThat(waits).as("reads that waited for staging").isGreaterThan(200);
            assertThat(allocated).as("direct buffers allocated while %d reads waited", waits).isLessThan(8);
            q.close();
        }
    }

    /**
     * Keep {@link #DEPTH} reads in flight, a new one submitted as each completes, until {@code n} completed; each
     * must complete after every read submitted before it, with status 0 and the block's data.
     */
    private static void rollingReads(final IoQueue q, final ByteBuffer[] into, final ByteBuffer[] data, final int n)
    {
        final int[] next = {0};
        final int[] done = {0};
        final int[] lastTag = {-1};
        final int[] bufOf = new int[n];
        final java.util.ArrayDeque<Integer> freeBufs = new java.util.ArrayDeque<>();
        for (int i = 0; i < into.length; i++)
        {
            freeBufs.add(i);
        }
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (done[0] < n)
        {
            while (next[0] < n && !freeBufs.isEmpty())
            {
                final int tag = next[0];
                final int buf = freeBufs.poll();
                bufOf[tag] = buf;
                into[buf].clear();
                final int slot = q.submitRead(1, (long)(tag % BLOCKS) * (IO / 512), IO / 512, into[buf], tag);
                if (slot < 0)
                {
                    freeBufs.addFirst(buf);
                    break;
                }
                next[0]++;
            }
            // checked after poll returns: what the handler throws would stay in the host's polling loop
            final StringBuilder problem = new StringBuilder();
            q.poll((tag, status) ->
            {
                final int t = (int)tag;
                final int buf = bufOf[t];
                if (problem.length() == 0 && status != 0)
                {
                    problem.append("read ").append(t).append(" failed with status ").append(status);
                }
                if (problem.length() == 0 && t < lastTag[0])
                {
                    problem.append("read ").append(t).append(" completed after read ").append(lastTag[0])
                        .append(", submitted later");
                }
                if (problem.length() == 0 && !into[buf].clear().equals(data[t % BLOCKS]))
                {
                    problem.append("read ").append(t).append(" returned other data");
                }
                lastTag[0] = Math.max(lastTag[0], t);
                freeBufs.add(buf);
                done[0]++;
            });
            assertThat(problem.toString()).as("after %d reads", done[0]).isEmpty();
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("reads stalled: " + done[0] + " of " + n + " completed, " +
                    (next[0] - done[0]) + " in flight");
            }
        }
    }

    private static long directBuffers()
    {
        for (final BufferPoolMXBean p : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if (p.getName().equals("direct"))
            {
                return p.getCount();
            }
        }
        throw new AssertionError("no direct buffer pool");
    }
}
