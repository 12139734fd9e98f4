package org.nvmeof4j.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.target.ConnectionLimits;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.controller.Controller;
import org.nvmeof4j.tcp.IdleStrategy;
import org.nvmeof4j.tcp.Poller;

/**
 * The target under load and abuse for minutes (issue 13), in one JVM: honest hosts that verify every byte they
 * read (several polled I/O queues each, queue size 128), a host that stops sending keep-alives (its clock stands
 * still) and is expired by the target's KATO again and again, a reconnect storm (connect, one I/O, disconnect, in
 * a loop), a flood of silent connections and slowloris peers (an ICReq a byte a second), each re-opened when the
 * target drops it. At the end: no error and no mismatch on the honest hosts, whose controllers stayed live without
 * a reconnect; the abusers were dropped by the limits (counted); the heap after GC and the direct memory are back
 * near where they were; the idle process uses almost no CPU. One report line.
 *
 * <p>Run: {@code mvn -B verify -Psoak -pl nvmeof4j-host -am} (tag "soak", excluded from the default and interop
 * runs). Properties: {@code soak.seconds} (180), {@code soak.hosts} (3), {@code soak.queues} (2),
 * {@code soak.depth} (32), {@code soak.flood} (500), {@code soak.slowloris} (200).
 */
@Tag("soak")
class SoakTest
{
    private static final String NQN = "nqn.2014-08.org.nvmeof4j:soak";
    private static final int BLOCK = 4096;
    /** Blocks each honest queue owns (disjoint regions: a queue knows what each of its blocks must hold). */
    private static final int REGION_BLOCKS = 2048;

    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Throwable> unexpected = new ArrayList<>();

    @Test
    void shouldHoldHonestHostsThroughKatoExpiriesReconnectStormsFloodsAndSlowloris() throws Exception
    {
        final int seconds = Integer.getInteger("soak.seconds", 180);
        final int hosts = Integer.getInteger("soak.hosts", 3);
        final int queues = Integer.getInteger("soak.queues", 2);
        final int depth = Integer.getInteger("soak.depth", 32);
        final int flood = Integer.getInteger("soak.flood", 500);
        final int slowloris = Integer.getInteger("soak.slowloris", 200);
        // short ICReq and Connect deadlines, so that the abusers are dropped (and come back) many times in a run
        final ConnectionLimits limits = new ConnectionLimits(4096, 1024, 2_000, 2_000);
        final long namespaceBytes = (long)hosts * queues * REGION_BLOCKS * BLOCK + (16L << 20);
        try (Target target = Target.builder().listen("127.0.0.1", 0).connectionLimits(limits)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().blockSize(BLOCK).ramNamespace(1, namespaceBytes))
            .build().start())
        {
            final int port = target.boundPort();
            final Memory before = Memory.measure();

            final List<HonestQueue> honest = new ArrayList<>();
            final List<NvmeController> honestControllers = new ArrayList<>();
            final List<Thread> threads = new ArrayList<>();
            for (int h = 0; h < hosts; h++)
            {
                final NvmeController c = NvmeController.connect(ConnectOptions.tcp("127.0.0.1", port, NQN)
                    .hostnqn("nqn.2014-08.org.nvmeof4j:soak-honest-" + h).nrIoQueues(1).nrPollQueues(queues)
                    .queueSize(128));
                honestControllers.add(c);
                for (int q = 0; q < queues; q++)
                {
                    final HonestQueue hq = new HonestQueue(c.openIoQueue(), depth,
                        (long)(h * queues + q) * REGION_BLOCKS, h * 1000L + q);
                    honest.add(hq);
                    threads.add(thread("soak-honest-" + h + "-" + q, hq::run));
                }
            }
            final KatoExpiry kato = new KatoExpiry(target, port);
            final ReconnectStorm storm = new ReconnectStorm(port);
            final Flood silentFlood = new Flood(port, flood, "127.0.0.2", false);
            final Flood slowFlood = new Flood(port, slowloris, "127.0.0.3", true);
            threads.add(thread("soak-kato", kato::run));
            threads.add(thread("soak-storm", storm::run));
            threads.add(thread("soak-flood", silentFlood::run));
            threads.add(thread("soak-slowloris", slowFlood::run));

            final long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            stop.set(true);
            for (final Thread t : threads)
            {
                t.join(30_000);
                assertThat(t.isAlive()).as(t.getName() + " stopped").isFalse();
            }
            final double wall = (System.nanoTime() - t0) / 1e9;

            long ios = 0;
            long errors = 0;
            long mismatches = 0;
            long verified = 0;
            for (final HonestQueue hq : honest)
            {
                ios += hq.ios;
                errors += hq.errors;
                mismatches += hq.mismatches;
                verified += hq.verified;
            }
            long reconnects = 0;
            boolean allLive = true;
            for (final NvmeController c : honestControllers)
            {
                reconnects += c.reconnects();
                allLive &= c.state() == NvmeController.State.LIVE;
            }
            for (final HonestQueue hq : honest)
            {
                hq.q.close();
            }
            for (final NvmeController c : honestControllers)
            {
                c.close();
            }
            // everyone is gone: wait for the target to let go of every connection, then measure
            waitFor(() -> target.controllers().stream().noneMatch(c -> !c.isDead()) && pollerTasks(target) == 0,
                30_000);
            final Memory after = Memory.measure();
            Thread.sleep(2000); // the JIT and the cleaners settle
            final double idleCpu = processCpuSeconds(5000);

            final String report = String.format(
                "soak: %.0f s; honest %d hosts x %d queues (QD %d, queue size 128): %d I/Os, %.0f IOPS, %d reads " +
                    "verified, %d errors, %d mismatches, %d reconnects, all live %b; KATO expiries %d; reconnect " +
                    "storm %d connects (%d failures); silent flood %d held, %d opened, %d dropped; slowloris %d held," +
                    " %d opened, %d dropped; target limits: %s; heap after GC %d -> %d MiB, direct %d -> %d MiB, " +
                    "RSS %d -> %d MiB; idle CPU %.3f s over 5 s",
                wall, hosts, queues, depth, ios, ios / wall, verified, errors, mismatches, reconnects, allLive,
                kato.expiries.get(), storm.connects.get(), storm.failures.get(), flood, silentFlood.opened.get(),
                silentFlood.dropped.get(), slowloris, slowFlood.opened.get(), slowFlood.dropped.get(),
                target.limitCounters(), before.heap >> 20, after.heap >> 20, before.direct >> 20,
                after.direct >> 20, before.rss >> 20, after.rss >> 20, idleCpu);
            System.out.println(report);
            Files.writeString(Path.of("target", "soak-report.txt"), report + System.lineSeparator());

            synchronized (unexpected)
            {
                assertThat(unexpected).as("exceptions in the soak threads").isEmpty();
            }
            assertThat(errors).as("errors on the honest hosts").isZero();
            assertThat(mismatches).as("mismatches on the honest hosts").isZero();
            assertThat(verified).as("reads verified").isPositive();
            assertThat(allLive).as("honest controllers live").isTrue();
            assertThat(reconnects).as("honest reconnects").isZero();
            assertThat(kato.expiries.get()).as("KATO expiries").isPositive();
            assertThat(storm.connects.get()).as("storm connects").isPositive();
            assertThat(storm.failures.get()).as("storm failures").isZero();
            assertThat(target.limitCounters().icReqTimeouts()).as("abusers dropped for no ICReq")
                .isGreaterThanOrEqualTo(flood + slowloris);
            assertThat(silentFlood.dropped.get() + slowFlood.dropped.get()).as("drops seen by the abusers")
                .isPositive();
            assertThat(after.heap - before.heap).as("heap after GC grew (bytes)").isLessThan(64L << 20);
            assertThat(after.direct - before.direct).as("direct memory grew (bytes)").isLessThan(64L << 20);
            assertThat(idleCpu).as("CPU seconds of the idle process over 5 s").isLessThan(0.5);
        }
    }

    private Thread thread(final String name, final ThrowingRunnable body)
    {
        final Thread t = new Thread(() ->
        {
            try
            {
                body.run();
            }
            catch (final Throwable e)
            {
                synchronized (unexpected)
                {
                    unexpected.add(new AssertionError(name + ": " + e, e));
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @FunctionalInterface
    private interface ThrowingRunnable
    {
        void run() throws Exception;
    }

    private static int pollerTasks(final Target target)
    {
        int n = 0;
        for (final Poller p : target.pollers())
        {
            n += p.taskCount();
        }
        return n;
    }

    private static void waitFor(final java.util.function.BooleanSupplier cond, final long millis)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!cond.getAsBoolean() && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertThat(cond.getAsBoolean()).as("condition within " + millis + " ms").isTrue();
    }

    /** CPU time of this whole process over {@code millis} of wall time. */
    private static double processCpuSeconds(final long millis) throws InterruptedException
    {
        final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
        final long c0 = os.getProcessCpuTime();
        Thread.sleep(millis);
        return (os.getProcessCpuTime() - c0) / 1e9;
    }

    /** Heap used after a full GC, direct buffer memory, and RSS (from /proc). */
    private record Memory(long heap, long direct, long rss)
    {
        static Memory measure() throws Exception
        {
            for (int i = 0; i < 3; i++)
            {
                System.gc();
                Thread.sleep(200); // the cleaners of unreachable direct buffers run after the GC
            }
            final long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long direct = 0;
            for (final BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
            {
                if (b.getName().equals("direct"))
                {
                    direct = b.getMemoryUsed();
                }
            }
            long rss = 0;
            for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
            {
                if (line.startsWith("VmRSS:"))
                {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", "")) << 10;
                }
            }
            return new Memory(heap, direct, rss);
        }
    }

    /**
     * One honest polled queue: {@code depth} I/Os in flight over its own region, each slot owning the blocks
     * {@code slot, slot + depth, ...}, so no two I/Os in flight touch one block. A slot writes a block with a new
     * generation, reads it back, and now and then reads another block it wrote earlier; every read is compared with
     * what the block must hold.
     */
    private final class HonestQueue implements CompletionHandler
    {
        final IoQueue q;
        final int depth;
        final long base;
        final long seed;
        final int[] generation = new int[REGION_BLOCKS];
        final ByteBuffer[] bufs;
        final int[] slotLba;
        final boolean[] slotReading;
        final SplittableRandom random;
        long ios;
        long errors;
        long mismatches;
        long verified;
        int inFlight;

        HonestQueue(final IoQueue q, final int depth, final long base, final long seed)
        {
            this.q = q;
            this.depth = depth;
            this.base = base;
            this.seed = seed;
            this.random = new SplittableRandom(seed);
            bufs = new ByteBuffer[depth];
            slotLba = new int[depth];
            slotReading = new boolean[depth];
            for (int i = 0; i < depth; i++)
            {
                bufs[i] = ByteBuffer.allocateDirect(BLOCK).order(ByteOrder.LITTLE_ENDIAN);
            }
        }

        void run()
        {
            final IdleStrategy idle = IdleStrategy.backoff(100, 0, 1_000_000L);
            final IdleStrategy.Waiter waiter = q::await;
            for (int slot = 0; slot < depth; slot++)
            {
                write(slot, slot);
            }
            while (!stop.get() || inFlight > 0)
            {
                final int n = q.poll(this);
                idle.idle(n, waiter);
            }
        }

        private long word(final int block, final int gen, final int i)
        {
            long x = (seed * 0x9E3779B97F4A7C15L) ^ ((base + block) * 0xC2B2AE3D27D4EB4FL) ^ (gen * 0x165667B19E3779F9L);
            x += i * 0x27D4EB2F165667C5L;
            x ^= x >>> 29;
            return x;
        }

        private void write(final int slot, final int block)
        {
            final int gen = ++generation[block];
            final ByteBuffer b = bufs[slot];
            for (int i = 0; i < BLOCK / 8; i++)
            {
                b.putLong(i * 8, word(block, gen, i));
            }
            b.clear();
            submit(slot, block, false);
        }

        private void read(final int slot, final int block)
        {
            final ByteBuffer b = bufs[slot];
            b.clear();
            submit(slot, block, true);
        }

        private void submit(final int slot, final int block, final boolean reading)
        {
            slotLba[slot] = block;
            slotReading[slot] = reading;
            final int rc = reading ? q.submitRead(1, base + block, 1, bufs[slot], slot) :
                q.submitWrite(1, base + block, 1, bufs[slot], slot);
            if (rc < 0)
            {
                throw new IllegalStateException("submit failed: " + rc + " with " + inFlight + " in flight");
            }
            inFlight++;
        }

        @Override
        public void onComplete(final long userTag, final int status)
        {
            final int slot = (int)userTag;
            inFlight--;
            ios++;
            final int block = slotLba[slot];
            if (status != 0)
            {
                errors++;
            }
            else if (slotReading[slot])
            {
                verified++;
                final int gen = generation[block];
                final ByteBuffer b = bufs[slot];
                for (int i = 0; i < BLOCK / 8; i++)
                {
                    if (b.getLong(i * 8) != word(block, gen, i))
                    {
                        mismatches++;
                        break;
                    }
                }
            }
            if (stop.get())
            {
                return;
            }
            if (!slotReading[slot])
            {
                read(slot, block); // read back what was just written
            }
            else
            {
                // another block of this slot: rewrite it, or (one time in four) read it if it was ever written
                final int next = slot + depth * random.nextInt(REGION_BLOCKS / depth);
                if (generation[next] > 0 && random.nextInt(4) == 0)
                {
                    read(slot, next);
                }
                else
                {
                    write(slot, next);
                }
            }
        }
    }

    /**
     * A host whose clock stands still: it never sees KATO/2 pass, so it sends no keep-alive, and the target's
     * keep-alive timer (KATO 2 s) ends the association. Counted once the target no longer holds a live controller for
     * it; then the host is closed and comes again.
     */
    private final class KatoExpiry
    {
        final Target target;
        final int port;
        final AtomicLong expiries = new AtomicLong();

        KatoExpiry(final Target target, final int port)
        {
            this.target = target;
            this.port = port;
        }

        void run() throws Exception
        {
            final String hostNqn = "nqn.2014-08.org.nvmeof4j:soak-kato";
            final long frozen = System.nanoTime();
            while (!stop.get())
            {
                final NvmeController c = NvmeController.connect(ConnectOptions.tcp("127.0.0.1", port, NQN)
                    .hostnqn(hostNqn).nrIoQueues(0).nrPollQueues(0).keepAliveTmo(Duration.ofSeconds(2))
                    .clock(() -> frozen)); // the admin queue alone: no I/O queue Connect can come after the expiry
                try
                {
                    final long deadline = System.nanoTime() + 20_000_000_000L;
                    while (live(hostNqn) && System.nanoTime() < deadline && !stop.get())
                    {
                        Thread.sleep(50);
                    }
                    if (!live(hostNqn))
                    {
                        expiries.incrementAndGet();
                    }
                    else if (!stop.get())
                    {
                        throw new AssertionError("the target did not expire a host that sent no keep-alive");
                    }
                }
                finally
                {
                    c.close();
                }
            }
        }

        private boolean live(final String hostNqn)
        {
            for (final Controller c : target.controllers())
            {
                if (!c.isDead() && c.hostNqn().equals(hostNqn))
                {
                    return true;
                }
            }
            return false;
        }
    }

    /** Connect (one I/O queue), read one block, disconnect, as fast as it goes. */
    private final class ReconnectStorm
    {
        final int port;
        final AtomicLong connects = new AtomicLong();
        final AtomicLong failures = new AtomicLong();

        ReconnectStorm(final int port)
        {
            this.port = port;
        }

        void run()
        {
            final ByteBuffer buf = ByteBuffer.allocateDirect(BLOCK);
            int i = 0;
            while (!stop.get())
            {
                final ConnectOptions o = ConnectOptions.tcp("127.0.0.1", port, NQN)
                    .hostnqn("nqn.2014-08.org.nvmeof4j:soak-storm-" + (i++ % 4)).nrIoQueues(1).nrPollQueues(1)
                    .queueSize(128);
                try (NvmeController c = NvmeController.connect(o))
                {
                    final IoQueue q = c.openIoQueue();
                    final int[] status = {-1};
                    buf.clear();
                    q.submitRead(1, 0, 1, buf, 0);
                    while (status[0] < 0)
                    {
                        if (q.poll((tag, st) -> status[0] = st) == 0)
                        {
                            q.await(10_000_000L);
                        }
                    }
                    if (status[0] != 0)
                    {
                        failures.incrementAndGet();
                    }
                    q.close();
                    connects.incrementAndGet();
                }
                catch (final RuntimeException e)
                {
                    failures.incrementAndGet();
                    System.err.println("soak: reconnect storm: " + e);
                }
            }
        }
    }

    /**
     * {@code n} connections from {@code source} held open and re-opened when the target drops them: silent (no
     * byte ever) or slowloris (an honest ICReq, one byte a second, which the target's ICReq deadline ends first).
     */
    private final class Flood
    {
        final int port;
        final int n;
        final String source;
        final boolean slowloris;
        final AtomicLong opened = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();

        Flood(final int port, final int n, final String source, final boolean slowloris)
        {
            this.port = port;
            this.n = n;
            this.source = source;
            this.slowloris = slowloris;
        }

        void run() throws IOException
        {
            final ByteBuffer icReq = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
            icReq.put(0, (byte)0x00).put(2, (byte)128).putInt(4, 128); // ICReq, HLEN 128, PLEN 128, PFV 0
            final ByteBuffer one = ByteBuffer.allocate(1);
            final ByteBuffer sink = ByteBuffer.allocate(4096);
            try (Selector selector = Selector.open())
            {
                for (int i = 0; i < n; i++)
                {
                    open(selector);
                }
                long nextTick = System.nanoTime() + 1_000_000_000L;
                while (!stop.get())
                {
                    selector.select(100);
                    for (final SelectionKey key : selector.selectedKeys())
                    {
                        final SocketChannel ch = (SocketChannel)key.channel();
                        if (key.isValid() && key.isConnectable())
                        {
                            try
                            {
                                ch.finishConnect();
                                key.interestOps(SelectionKey.OP_READ);
                                opened.incrementAndGet();
                            }
                            catch (final IOException e)
                            {
                                key.cancel();
                                ch.close();
                                open(selector);
                            }
                        }
                        else if (key.isValid() && key.isReadable())
                        {
                            int r;
                            try
                            {
                                sink.clear();
                                r = ch.read(sink);
                            }
                            catch (final IOException e)
                            {
                                r = -1;
                            }
                            if (r < 0)
                            {
                                dropped.incrementAndGet();
                                key.cancel();
                                ch.close();
                                open(selector);
                            }
                        }
                    }
                    selector.selectedKeys().clear();
                    if (slowloris && System.nanoTime() - nextTick >= 0)
                    {
                        nextTick += 1_000_000_000L;
                        for (final SelectionKey key : selector.keys())
                        {
                            final int[] sent = (int[])key.attachment();
                            final SocketChannel ch = (SocketChannel)key.channel();
                            if (key.isValid() && ch.isConnected() && sent[0] < 128)
                            {
                                one.clear();
                                one.put(0, icReq.get(sent[0]));
                                try
                                {
                                    sent[0] += ch.write(one);
                                }
                                catch (final IOException e)
                                {
                                    // the read side sees the drop
                                }
                            }
                        }
                    }
                }
                for (final SelectionKey key : selector.keys())
                {
                    key.channel().close();
                }
            }
        }

        private void open(final Selector selector) throws IOException
        {
            final SocketChannel ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.bind(new InetSocketAddress(source, 0));
            ch.setOption(java.net.StandardSocketOptions.SO_LINGER, 0); // close = RST: no TIME_WAIT pile-up
            if (ch.connect(new InetSocketAddress("127.0.0.1", port)))
            {
                ch.register(selector, SelectionKey.OP_READ, new int[1]);
                opened.incrementAndGet();
            }
            else
            {
                ch.register(selector, SelectionKey.OP_CONNECT, new int[1]);
            }
        }
    }
}
