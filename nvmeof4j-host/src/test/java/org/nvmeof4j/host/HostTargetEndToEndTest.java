package org.nvmeof4j.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nvmeof4j.host.discovery.Discovery;
import org.nvmeof4j.host.discovery.DiscoveryLogEntry;
import org.nvmeof4j.protocol.admin.IdentifyController;
import org.nvmeof4j.protocol.fabrics.Nqn;
import org.nvmeof4j.protocol.nvme.NvmeStatus;
import org.nvmeof4j.target.Target;

/** Java host ↔ Java target on loopback: every host feature, with data verification. */
class HostTargetEndToEndTest
{
    private static Target target;

    @BeforeAll
    static void startTarget()
    {
        target = TestTargets.ram(512);
    }

    @AfterAll
    static void stopTarget()
    {
        target.close();
    }

    @Test
    void shouldDiscoverTheSubsystem()
    {
        final Discovery.Log log = Discovery.discover(TestTargets.options(target));
        assertThat(log.subsystems()).extracting(DiscoveryLogEntry::subnqn).contains(TestTargets.NQN);
        final DiscoveryLogEntry e = log.subsystems().get(0);
        assertThat(e.trtypeName()).isEqualTo("tcp");
        assertThat(e.trsvcid()).isEqualTo(String.valueOf(target.boundPort()));
        assertThat(log.referrals()).isEmpty();
    }

    @Test
    void shouldConnectAndIdentify()
    {
        try (NvmeController c = NvmeController.connect(TestTargets.options(target)))
        {
            final IdentifyController id = c.identifyController();
            assertThat(id.subnqn()).isEqualTo(TestTargets.NQN);
            assertThat(id.cntlid()).isEqualTo(c.cntlid());
            assertThat(c.state()).isEqualTo(NvmeController.State.LIVE);
            assertThat(c.namespaces()).hasSize(1);
            assertThat(c.namespace(1).blockSize()).isEqualTo(512);
            assertThat(c.namespace(1).nsze()).isEqualTo((64L << 20) / 512);
            assertThat(c.ioQueueCount()).isEqualTo(2);
            assertThat(c.options().hostnqn()).startsWith(Nqn.UUID_PREFIX);
        }
    }

    @ParameterizedTest(name = "digests={0} direct={1}")
    @CsvSource({"false,true", "true,true", "false,false", "true,false"})
    void shouldWriteAndReadBackThroughPolledQueue(final boolean digests, final boolean direct)
    {
        final ConnectOptions o = TestTargets.options(target).hdrDigest(digests).dataDigest(digests);
        try (NvmeController c = NvmeController.connect(o))
        {
            final IoQueue q = c.openIoQueue();
            // 512 B and 4 KiB in-capsule, 64 KiB and 1 MiB via R2T (above MAXH2CDATA: several H2CData),
            // 3 MiB above MDTS (split into several commands)
            long lba = 0;
            for (final int size : new int[] {512, 4096, 65536, 1 << 20, 3 << 20})
            {
                final ByteBuffer w = TestTargets.pattern(size, size + (digests ? 1 : 0), direct);
                final ByteBuffer r = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
                assertThat(run(q, q.submitWrite(1, lba, size / 512, w, 1))).isZero();
                assertThat(run(q, q.submitRead(1, lba, size / 512, r, 2))).isZero();
                assertThat(r).as("read back %d bytes", size).isEqualTo(w);
                lba += size / 512;
            }
            q.close();
        }
    }

    @Test
    void shouldCompleteThroughABlockingIdleStrategyWithoutSpinning()
    {
        try (NvmeController c = NvmeController.connect(TestTargets.options(target)))
        {
            final IoQueue q = c.openIoQueue();
            final org.nvmeof4j.tcp.IdleStrategy block = org.nvmeof4j.tcp.IdleStrategy.backoff(0, 0, 1_000_000_000L);
            final org.nvmeof4j.tcp.IdleStrategy.Waiter waiter = q::await;
            final int[] done = new int[1];
            final int[] status = {-1};
            final ByteBuffer w = TestTargets.pattern(1 << 16, 77, true);
            final ByteBuffer r = ByteBuffer.allocateDirect(1 << 16);
            assertThat(q.submitWrite(1, 4096, 128, w, 1)).isNotNegative();
            long polls = 0;
            while (done[0] < 1)
            {
                polls++;
                block.idle(q.poll((tag, st) -> { done[0]++; status[0] = st; }), waiter);
            }
            assertThat(status[0]).isZero();
            assertThat(q.submitRead(1, 4096, 128, r, 2)).isNotNegative();
            while (done[0] < 2)
            {
                polls++;
                block.idle(q.poll((tag, st) -> { done[0]++; status[0] = st; }), waiter);
            }
            assertThat(status[0]).isZero();
            assertThat(r).isEqualTo(w);
            // blocking in the selector, not spinning: a handful of duty cycles per command, not thousands
            assertThat(polls).isLessThan(200);
            q.close();
        }
    }

    @Test
    void shouldCompleteReadsOnC2hDataSuccessWithSqFlowControlDisabled()
    {
        final ConnectOptions o = TestTargets.options(target).disableSqflow(true).dataDigest(true);
        try (NvmeController c = NvmeController.connect(o))
        {
            final IoQueue q = c.openIoQueue();
            for (final int size : new int[] {512, 4096, 1 << 20})
            {
                final ByteBuffer w = TestTargets.pattern(size, size * 11L, true);
                final ByteBuffer r = ByteBuffer.allocateDirect(size);
                assertThat(run(q, q.submitWrite(1, 30_000, size / 512, w, 1))).isZero();
                assertThat(run(q, q.submitRead(1, 30_000, size / 512, r, 2))).isZero();
                assertThat(r).isEqualTo(w);
            }
        }
    }

    @Test
    void shouldRespectBufferPositionAndLeaveItAlone()
    {
        try (NvmeController c = NvmeController.connect(TestTargets.options(target)))
        {
            final ByteBuffer w = TestTargets.pattern(8192, 5, false);
            w.position(1024).limit(1024 + 4096);
            c.writeBlocking(1, 100, 8, w);
            assertThat(w.position()).isEqualTo(1024);
            assertThat(w.limit()).isEqualTo(5120);
            final ByteBuffer r = ByteBuffer.allocate(4096);
            c.readBlocking(1, 100, 8, r);
            assertThat(r.position()).isZero();
            assertThat(r).isEqualTo(w);
        }
    }

    @Test
    void shouldRunAsyncIoFromManyThreadsOverSeveralQueues() throws Exception
    {
        final ConnectOptions o = TestTargets.options(target).nrIoQueues(3).nrPollQueues(0);
        try (NvmeController c = NvmeController.connect(o))
        {
            assertThat(c.ioQueueCount()).isEqualTo(3);
            final List<Thread> threads = new ArrayList<>();
            final List<Throwable> errors = new ArrayList<>();
            for (int t = 0; t < 4; t++)
            {
                final int id = t;
                threads.add(new Thread(() ->
                {
                    try
                    {
                        final List<CompletableFuture<Void>> fs = new ArrayList<>();
                        final List<ByteBuffer> ws = new ArrayList<>();
                        for (int i = 0; i < 64; i++)
                        {
                            final ByteBuffer w = TestTargets.pattern(4096, id * 1000 + i, true);
                            ws.add(w);
                            fs.add(c.write(1, 10_000 + (id * 64 + i) * 8L, 8, w));
                        }
                        CompletableFuture.allOf(fs.toArray(new CompletableFuture[0])).join();
                        for (int i = 0; i < 64; i++)
                        {
                            final ByteBuffer r = ByteBuffer.allocate(4096);
                            c.readBlocking(1, 10_000 + (id * 64 + i) * 8L, 8, r);
                            if (!r.equals(ws.get(i)))
                            {
                                throw new AssertionError("mismatch thread " + id + " block " + i);
                            }
                        }
                    }
                    catch (final Throwable e)
                    {
                        synchronized (errors)
                        {
                            errors.add(e);
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (final Thread t : threads)
            {
                t.join();
            }
            assertThat(errors).isEmpty();
        }
    }

    @Test
    void shouldRunSeveralPolledQueuesOnTheirOwnThreads() throws Exception
    {
        final ConnectOptions o = TestTargets.options(target).nrIoQueues(1).nrPollQueues(3).hdrDigest(true);
        try (NvmeController c = NvmeController.connect(o))
        {
            final List<Throwable> errors = new ArrayList<>();
            final List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 3; t++)
            {
                final int id = t;
                final IoQueue q = c.openIoQueue();
                assertThat(q.qid()).isEqualTo(2 + t);
                threads.add(new Thread(() ->
                {
                    try
                    {
                        final long base = 60_000 + id * 4096L;
                        final ByteBuffer[] w = new ByteBuffer[16];
                        final int[] done = {0};
                        final int[] bad = {0};
                        for (int i = 0; i < w.length; i++)
                        {
                            w[i] = TestTargets.pattern(8192, id * 100 + i, true);
                            while (q.submitWrite(1, base + i * 16L, 16, w[i], i) < 0)
                            {
                                q.poll((tag, st) -> { done[0]++; bad[0] += st; });
                            }
                        }
                        while (done[0] < w.length)
                        {
                            q.poll((tag, st) -> { done[0]++; bad[0] += st; });
                        }
                        for (int i = 0; i < w.length; i++)
                        {
                            final ByteBuffer r = ByteBuffer.allocateDirect(8192);
                            if (run(q, q.submitRead(1, base + i * 16L, 16, r, 100 + i)) != 0 || !r.equals(w[i]))
                            {
                                throw new AssertionError("queue " + q.qid() + " block " + i);
                            }
                        }
                        if (bad[0] != 0)
                        {
                            throw new AssertionError("write failed on queue " + q.qid());
                        }
                    }
                    catch (final Throwable e)
                    {
                        synchronized (errors)
                        {
                            errors.add(e);
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (final Thread t : threads)
            {
                t.join();
            }
            assertThat(errors).isEmpty();
            assertThatThrownBy(c::openIoQueue).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no I/O queue left");
        }
    }

    @Test
    void shouldReuseTheQidOfAPolledQueueTheApplicationClosed() throws Exception
    {
        final ConnectOptions o = TestTargets.options(target).nrIoQueues(1).nrPollQueues(2);
        try (NvmeController c = NvmeController.connect(o))
        {
            final IoQueue a = c.openIoQueue();
            final IoQueue b = c.openIoQueue();
            assertThat(List.of(a.qid(), b.qid())).containsExactly(2, 3);
            assertThatThrownBy(c::openIoQueue).hasMessageContaining("no I/O queue left");
            a.close();
            // the target frees qid 2 once it has seen the connection close; until then its Connect is refused
            IoQueue again = null;
            final long deadline = System.nanoTime() + 20_000_000_000L;
            while (again == null)
            {
                try
                {
                    again = c.openIoQueue();
                }
                catch (final RuntimeException e)
                {
                    assertThat(e).isNotInstanceOf(IllegalStateException.class);
                    assertThat(System.nanoTime() - deadline).as("qid 2 never accepted again: %s", e).isNegative();
                    Thread.sleep(20);
                }
            }
            assertThat(again.qid()).isEqualTo(2);
            final ByteBuffer w = TestTargets.pattern(4096, 7, true);
            assertThat(run(again, again.submitWrite(1, 800, 8, w, 1))).isZero();
            final ByteBuffer r = ByteBuffer.allocateDirect(4096);
            assertThat(run(again, again.submitRead(1, 800, 8, r, 2))).isZero();
            assertThat(r).isEqualTo(w);
            assertThatThrownBy(c::openIoQueue).hasMessageContaining("no I/O queue left");
        }
    }

    @Test
    void shouldFlushWriteZeroesAndDeallocate()
    {
        try (NvmeController c = NvmeController.connect(TestTargets.options(target)))
        {
            final ByteBuffer w = TestTargets.pattern(65536, 9, true);
            c.writeBlocking(1, 5000, 128, w);
            c.flushBlocking(1);
            c.writeZeroesBlocking(1, 5000, 64);
            final ByteBuffer r = ByteBuffer.allocate(65536);
            c.readBlocking(1, 5000, 128, r);
            assertThat(r.slice(0, 32768)).isEqualTo(ByteBuffer.allocate(32768));
            assertThat(r.slice(32768, 32768)).isEqualTo(w.slice(32768, 32768));
            c.deallocateBlocking(1, 5064, 64);
        }
    }

    @Test
    void shouldNameTheStatusOfAFailedCommand()
    {
        try (NvmeController c = NvmeController.connect(TestTargets.options(target)))
        {
            final long end = c.namespace(1).nsze();
            assertThatThrownBy(() -> c.readBlocking(1, end, 1, ByteBuffer.allocate(512)))
                .isInstanceOf(NvmeException.class)
                .hasMessageContaining("LBA out of range (0x80)")
                .satisfies(e -> assertThat(((NvmeException)e).nvmeStatus()).isEqualTo(NvmeStatus.LBA_OUT_OF_RANGE));
            // the polled API reports the same status as a number
            final IoQueue q = c.openIoQueue();
            final int status = run(q, q.submitRead(1, end, 1, ByteBuffer.allocate(512), 3));
            assertThat(NvmeStatus.describe(status, 0x02)).startsWith("LBA out of range (0x80)");
        }
    }

    @Test
    void shouldRejectUnknownNamespaceAndShortBuffer()
    {
        try (NvmeController c = NvmeController.connect(TestTargets.options(target)))
        {
            final IoQueue q = c.openIoQueue();
            assertThatThrownBy(() -> q.submitRead(7, 0, 1, ByteBuffer.allocate(512), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("namespace 7");
            assertThatThrownBy(() -> q.submitRead(1, 0, 2, ByteBuffer.allocate(512), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1024 bytes");
        }
    }

    /** Submit was accepted; poll until that one request completes and return its status. */
    static int run(final IoQueue q, final int slot)
    {
        assertThat(slot).isGreaterThanOrEqualTo(0);
        final int[] result = {-1};
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (result[0] < 0)
        {
            q.poll((tag, status) -> result[0] = status);
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("no completion");
            }
        }
        return result[0];
    }
}
