package org.nvmeof4j.offload.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.nvmeof4j.offload.engine.OffloadTestSupport.pattern;
import static org.nvmeof4j.offload.engine.OffloadTestSupport.run;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.IoQueue;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.host.offload.NvmeTcpOfldDev;
import org.nvmeof4j.host.offload.NvmeTcpOfldMBean;
import org.nvmeof4j.host.offload.NvmeTcpOfldStats;
import org.nvmeof4j.host.offload.NvmeTcpOffload;
import org.nvmeof4j.protocol.admin.IdentifyController;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.tcp.IdleStrategy;

/** The tcp_offload transport with the reference engine against the Java target: every I/O type, data verified. */
class OffloadEndToEndTest
{
    private static Target target;
    private static OffloadEngine engine;
    private static OffloadEngine twoThreads;

    @BeforeAll
    static void start()
    {
        target = OffloadTestSupport.ram(512);
        engine = OffloadEngine.register(new OffloadEngine.Options().name("e2e"));
        twoThreads = OffloadEngine.register(new OffloadEngine.Options().name("e2e-2t").threads(2));
    }

    @AfterAll
    static void stop()
    {
        engine.close();
        twoThreads.close();
        target.close();
    }

    @Test
    void shouldConnectAndIdentifyThroughTheEngine()
    {
        final long claims = engine.dev().stats().get(NvmeTcpOfldStats.CLAIMS);
        try (NvmeController c = NvmeController.connect(OffloadTestSupport.options(target, "e2e")))
        {
            final IdentifyController id = c.identifyController();
            assertThat(id.subnqn()).isEqualTo(OffloadTestSupport.NQN);
            assertThat(c.state()).isEqualTo(NvmeController.State.LIVE);
            assertThat(c.namespaces()).hasSize(1);
            assertThat(c.ioQueueCount()).isEqualTo(2);
            assertThat(c.options().transport()).isEqualTo("tcp_offload");
            assertThat(engine.describeThreads()).hasSize(1).allMatch(s -> s.contains("queue(s)"));
        }
        assertThat(engine.dev().stats().get(NvmeTcpOfldStats.CLAIMS)).isGreaterThan(claims);
    }

    @ParameterizedTest(name = "digests={0} direct={1} device={2}")
    @CsvSource({"false,true,e2e", "true,true,e2e", "false,false,e2e", "true,false,e2e-2t", "false,true,e2e-2t"})
    void shouldWriteAndReadBackThroughPolledQueue(final boolean digests, final boolean direct, final String dev)
    {
        final ConnectOptions o = OffloadTestSupport.options(target, dev).hdrDigest(digests).dataDigest(digests);
        try (NvmeController c = NvmeController.connect(o))
        {
            final IoQueue q = c.openIoQueue();
            // in-capsule (512 B, 4 KiB), R2T with one and with several H2CData (64 KiB, 1 MiB), and 3 MiB above
            // the engine's 1 MiB limit (the ULP splits it)
            long lba = 0;
            for (final int size : new int[] {512, 4096, 65536, 1 << 20, 3 << 20})
            {
                final ByteBuffer w = pattern(size, size + (digests ? 1 : 0), direct);
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
    void shouldServeTheAsyncApiWithFlushWriteZeroesAndDeallocate() throws Exception
    {
        try (NvmeController c = NvmeController.connect(OffloadTestSupport.options(target, "e2e-2t")))
        {
            final List<CompletableFuture<Void>> writes = new ArrayList<>();
            final List<ByteBuffer> data = new ArrayList<>();
            for (int i = 0; i < 64; i++)
            {
                final ByteBuffer w = pattern(8192, 1000 + i, true);
                data.add(w);
                writes.add(c.write(1, 20_000 + i * 16L, 16, w));
            }
            CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])).get();
            c.flushBlocking(1);
            for (int i = 0; i < 64; i++)
            {
                final ByteBuffer r = ByteBuffer.allocateDirect(8192);
                c.readBlocking(1, 20_000 + i * 16L, 16, r);
                assertThat(r).isEqualTo(data.get(i));
            }
            c.writeZeroesBlocking(1, 20_000, 16);
            final ByteBuffer z = ByteBuffer.allocateDirect(8192);
            c.readBlocking(1, 20_000, 16, z);
            assertThat(z).isEqualTo(ByteBuffer.allocateDirect(8192));
            c.deallocateBlocking(1, 20_016, 16);
            final ByteBuffer d = ByteBuffer.allocateDirect(8192);
            c.readBlocking(1, 20_016, 16, d);
            assertThat(d).isEqualTo(ByteBuffer.allocateDirect(8192)); // the RAM backend reads deallocated blocks as 0
        }
    }

    @Test
    void shouldCompleteThroughTheInterruptWithoutSpinning()
    {
        try (NvmeController c = NvmeController.connect(OffloadTestSupport.options(target, "e2e")))
        {
            final IoQueue q = c.openIoQueue();
            final IdleStrategy block = IdleStrategy.backoff(0, 0, 1_000_000_000L);
            final IdleStrategy.Waiter waiter = q::await;
            final int[] done = new int[1];
            final ByteBuffer w = pattern(1 << 16, 77, true);
            assertThat(q.submitWrite(1, 4096, 128, w, 1)).isNotNegative();
            long polls = 0;
            final long t0 = System.nanoTime();
            while (done[0] < 1)
            {
                polls++;
                block.idle(q.poll((tag, st) -> done[0]++), waiter);
            }
            // the owner slept in await and the engine's interrupt woke it: a few cycles, well under the 1 s timeout
            assertThat(polls).isLessThan(50);
            assertThat(System.nanoTime() - t0).isLessThan(900_000_000L);
        }
    }

    @Test
    void shouldCapTransfersAtTheDeviceLimitAndSplit()
    {
        // 64 sectors: 32 KiB per command, well below the target's MDTS
        try (OffloadEngine small = OffloadEngine.register(new OffloadEngine.Options().name("e2e-small")
            .maxHwSectors(64));
             NvmeController c = NvmeController.connect(OffloadTestSupport.options(target, "e2e-small")))
        {
            assertThat(c.maxDataTransferBytes()).isEqualTo(32 * 1024);
            final IoQueue q = c.openIoQueue();
            final long sent = small.dev().stats().get(NvmeTcpOfldStats.REQS_SENT);
            final ByteBuffer w = pattern(256 * 1024, 5, true);
            final ByteBuffer r = ByteBuffer.allocateDirect(256 * 1024);
            assertThat(run(q, q.submitWrite(1, 50_000, 512, w, 1))).isZero();
            assertThat(run(q, q.submitRead(1, 50_000, 512, r, 2))).isZero();
            assertThat(r).isEqualTo(w);
            assertThat(small.dev().stats().get(NvmeTcpOfldStats.REQS_SENT) - sent).isEqualTo(16);
        }
    }

    @Test
    void shouldRejectOptionsTheDeviceDoesNotAllowBeforeConnecting()
    {
        // a device on the engine's ops that takes no digests and needs an explicit keep-alive timeout
        final NvmeTcpOfldDev strict = NvmeTcpOfldDev.builder().name("e2e-strict").ops(engine)
            .allowedOpts(Set.of("nr_io_queues", "nr_poll_queues")).requiredOpts(Set.of("keep_alive_tmo")).build();
        NvmeTcpOffload.registerDev(strict);
        try
        {
            final long queues = strict.stats().get(NvmeTcpOfldStats.QUEUES_CREATED);
            final ConnectOptions digests = OffloadTestSupport.options(target, "e2e-strict").hdrDigest(true)
                .keepAliveTmo(java.time.Duration.ofSeconds(7));
            assertThatThrownBy(() -> NvmeController.connect(digests)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("offload device 'e2e-strict' does not support option hdr_digest");
            final ConnectOptions noKato = OffloadTestSupport.options(target, "e2e-strict");
            assertThatThrownBy(() -> NvmeController.connect(noKato)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("offload device 'e2e-strict' requires option keep_alive_tmo");
            assertThat(strict.stats().get(NvmeTcpOfldStats.QUEUES_CREATED)).isEqualTo(queues); // nothing created
            try (NvmeController c = NvmeController.connect(noKato.copy().keepAliveTmo(java.time.Duration.ofSeconds(7))))
            {
                assertThat(c.state()).isEqualTo(NvmeController.State.LIVE);
            }
        }
        finally
        {
            NvmeTcpOffload.unregisterDev(strict);
        }
        final ConnectOptions unknownDev = OffloadTestSupport.options(target, "nope");
        assertThatThrownBy(() -> NvmeController.connect(unknownDev)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("no offload device 'nope' (registered: ");
    }

    @Test
    void shouldCountRequestsAndShowThemThroughJmx() throws Exception
    {
        try (OffloadEngine e = OffloadEngine.register(new OffloadEngine.Options().name("e2e-jmx"));
             NvmeController c = NvmeController.connect(OffloadTestSupport.options(target, "e2e-jmx")))
        {
            final IoQueue q = c.openIoQueue();
            final ByteBuffer b = pattern(4096, 9, true);
            for (int i = 0; i < 10; i++)
            {
                assertThat(run(q, q.submitWrite(1, i * 8L, 8, b, i))).isZero();
            }
            // an LBA beyond the namespace: a request error, not a queue error
            assertThat(run(q, q.submitRead(1, (64L << 20) / 512, 8, b, 99))).isNotZero();
            final NvmeTcpOfldStats s = e.dev().stats();
            assertThat(s.get(NvmeTcpOfldStats.REQ_ERRORS)).isEqualTo(1);
            assertThat(s.get(NvmeTcpOfldStats.QUEUE_ERRORS)).isZero();
            assertThat(s.get(NvmeTcpOfldStats.REQS_SENT)).isEqualTo(s.get(NvmeTcpOfldStats.REQS_COMPLETED) +
                1 /* the admin queue's outstanding AER */);
            final Object viaJmx = ManagementFactory.getPlatformMBeanServer()
                .getAttribute(NvmeTcpOfldMBean.objectName("e2e-jmx"), NvmeTcpOfldStats.REQ_ERRORS);
            assertThat(viaJmx).isEqualTo(1L);
        }
    }

    @Test
    void shouldPinEngineThreadsToTheCpusAsked() throws Exception
    {
        final int cpus = Runtime.getRuntime().availableProcessors();
        final int last = cpus - 1;
        try (OffloadEngine e = OffloadEngine.register(new OffloadEngine.Options().name("e2e-pin").threads(2)
            .cpus(last, 0));
             NvmeController c = NvmeController.connect(OffloadTestSupport.options(target, "e2e-pin")
                 .nrIoQueues(2)))
        {
            // the admin queue and two I/O queues, round robin over two threads: both threads run
            final long deadline = System.nanoTime() + 5_000_000_000L;
            List<String> threads = e.describeThreads();
            while (threads.stream().anyMatch(t -> t.contains("not pinned") && !t.contains("taskset")) &&
                System.nanoTime() < deadline)
            {
                Thread.sleep(10); // each thread pins itself as it starts
                threads = e.describeThreads();
            }
            assertThat(threads).hasSize(2);
            org.junit.jupiter.api.Assumptions.assumeTrue(threads.stream().noneMatch(t -> t.contains("taskset")),
                () -> "taskset cannot pin here: " + e.describeThreads());
            assertThat(threads.get(0)).contains("nvmeof4j-e2e-pin-0").contains("cpu " + last);
            assertThat(threads.get(1)).contains("nvmeof4j-e2e-pin-1").contains("cpu 0");
            final IoQueue q = c.openIoQueue();
            final ByteBuffer w = pattern(8192, 77, true);
            final ByteBuffer r = ByteBuffer.allocateDirect(8192);
            assertThat(run(q, q.submitWrite(1, 4096, 16, w, 1))).isZero();
            assertThat(run(q, q.submitRead(1, 4096, 16, r, 2))).isZero();
            assertThat(r.rewind()).isEqualTo(w.rewind());
            q.close();
        }
    }

    @Test
    void shouldNotAllocatePerIoOnTheApplicationOrTheEngineThread() throws Exception
    {
        final com.sun.management.ThreadMXBean mx =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (OffloadEngine e = OffloadEngine.register(new OffloadEngine.Options().name("e2e-alloc")
            .idle("block"));
             NvmeController c = NvmeController.connect(OffloadTestSupport.options(target, "e2e-alloc")))
        {
            final IoQueue q = c.openIoQueue();
            final org.nvmeof4j.host.MixedIoLoop loop = new org.nvmeof4j.host.MixedIoLoop(q, 8, 8);
            loop.run(20_000); // warm-up: JIT, socket buffers
            final long engineTid = engineThreadId("nvmeof4j-e2e-alloc-0");
            final long app = Thread.currentThread().getId();
            final long appBefore = mx.getThreadAllocatedBytes(app);
            final long engineBefore = mx.getThreadAllocatedBytes(engineTid);
            final int ios = 20_000;
            loop.run(ios);
            final double appPerIo = (double)(mx.getThreadAllocatedBytes(app) - appBefore) / ios;
            final double enginePerIo = (double)(mx.getThreadAllocatedBytes(engineTid) - engineBefore) / ios;
            System.out.println("tcp_offload allocation per I/O: application thread " + appPerIo +
                " B, engine thread " + enginePerIo + " B");
            assertThat(appPerIo).isLessThan(1.0);
            assertThat(enginePerIo).isLessThan(1.0);
        }
    }

    private static long engineThreadId(final String name)
    {
        for (final Thread t : Thread.getAllStackTraces().keySet())
        {
            if (t.getName().equals(name))
            {
                return t.getId();
            }
        }
        throw new AssertionError("no engine thread " + name);
    }
}
