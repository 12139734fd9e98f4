package org.nvmeof4j.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.IoQueue;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.protocol.nvme.NvmeStatus;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.backend.Backend;
import org.nvmeof4j.target.backend.RamBackend;
import org.nvmeof4j.target.offload.FastpathDevice;
import org.nvmeof4j.target.offload.OffloadContext;
import org.nvmeof4j.target.offload.OffloadContextAttributes;
import org.nvmeof4j.target.offload.OffloadEvent;
import org.nvmeof4j.target.offload.OffloadNamespaceStats;
import org.nvmeof4j.tcp.Poller;

/**
 * The gateway's asynchronous backend path: many front-end commands in flight on one polled backend queue, the
 * backend queue depth kept, the front poller free while the backend holds commands, and every command completed
 * exactly once when the backend stops answering or goes away. The backend is a real in-process target whose
 * namespace can be held shut (its poller then answers nothing, as a hung controller).
 */
class GatewayAsyncTest
{
    private static final String BACKEND_NQN = "nqn.2024-01.org.nvmeof4j:backend";
    private static final String FRONT_NQN = "nqn.2024-01.org.nvmeof4j:gateway";
    private static final int QD = 32;
    /** The backend host queue: queue_size 16, so 15 commands at most at the backend. */
    private static final int BACKEND_QUEUE_SIZE = 16;
    private static final int BLOCKS = 8; // 4 KiB

    private Target backend;
    private Target front;
    private OffloadContext ctx;
    private NvmeTcpBackendController be;
    private final GatedBackend gated = new GatedBackend(16L << 20);
    private final List<OffloadEvent> events = new CopyOnWriteArrayList<>();

    private void start(final Duration commandTimeout) throws Exception
    {
        backend = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(BACKEND_NQN).allowAnyHost().namespace(1, gated, null)).build().start();
        be = NvmeTcpBackendController.connect(ConnectOptions.tcp("127.0.0.1", backend.boundPort(), BACKEND_NQN)
            .queueSize(BACKEND_QUEUE_SIZE).ioTimeout(Duration.ofSeconds(30)).ctrlLossTmo(Duration.ofSeconds(1))
            .reconnectDelay(Duration.ofMillis(200)), 2);
        if (commandTimeout != null)
        {
            be.commandTimeout(commandTimeout);
        }
        front = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(FRONT_NQN).allowAnyHost().ramNamespace(2, 4L << 20)).build().start();
        final FastpathDevice dev = new FastpathDevice();
        ctx = dev.createContext(front.subsystem(FRONT_NQN), OffloadContextAttributes.defaults(dev.capabilities(),
            8192));
        ctx.addEventListener(events::add);
        Gateway.passthru(ctx, 1, be, 1);
    }

    @AfterEach
    void stop()
    {
        gated.open();
        if (ctx != null)
        {
            ctx.destroy();
        }
        if (front != null)
        {
            front.close();
        }
        if (backend != null)
        {
            backend.close();
        }
    }

    private NvmeController frontHost()
    {
        return NvmeController.connect(ConnectOptions.tcp("127.0.0.1", front.boundPort(), FRONT_NQN).nrIoQueues(1)
            .nrPollQueues(1).ioTimeout(Duration.ofSeconds(60)));
    }

    private static ByteBuffer pattern(final int n, final int seed)
    {
        final ByteBuffer b = ByteBuffer.allocateDirect(n);
        for (int i = 0; i < n; i++)
        {
            b.put(i, (byte)(i * 31 + seed * 7 + (i >>> 9)));
        }
        return b;
    }

    /** The front poller's backend queue, read on that poller's thread (its state is the poller's). */
    private <T> T onPoller(final java.util.function.Function<PolledBackendQueue, T> f) throws Exception
    {
        final Poller p = front.pollers().get(0);
        final CompletableFuture<T> r = new CompletableFuture<>();
        p.execute(() -> r.complete(f.apply(be.polledQueue(p))));
        return r.get(10, TimeUnit.SECONDS);
    }

    /** Completions by tag; a tag completing twice, or one never submitted, fails the test. */
    private static final class Completions
    {
        final int[] status = new int[QD];
        final boolean[] outstanding = new boolean[QD];
        int done;
        int failed;
        final List<String> problems = new CopyOnWriteArrayList<>();

        void submitted(final int tag)
        {
            outstanding[tag] = true;
        }

        void complete(final long tag, final int st)
        {
            final int t = (int)tag;
            if (!outstanding[t])
            {
                problems.add("tag " + t + " completed twice or unsubmitted");
                return;
            }
            outstanding[t] = false;
            status[t] = st;
            done++;
            if (st != 0)
            {
                failed++;
            }
        }

        int outstandingCount()
        {
            int n = 0;
            for (final boolean b : outstanding)
            {
                n += b ? 1 : 0;
            }
            return n;
        }
    }

    private static void pollUntil(final IoQueue q, final Completions c, final int done, final String what)
    {
        final long deadline = System.nanoTime() + 60_000_000_000L; // a hang, not a timing check
        while (c.done < done)
        {
            if (q.poll(c::complete) == 0)
            {
                assertThat(System.nanoTime() - deadline).as("%s: %d of %d completed", what, c.done, done)
                    .isNegative();
                q.await(1_000_000L);
            }
        }
    }

    private void awaitOutstandingOnBackendQueue(final int n) throws Exception
    {
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (onPoller(q -> q == null ? 0 : q.outstanding()) < n)
        {
            assertThat(System.nanoTime() - deadline).as("the gateway never held %d commands", n).isNegative();
            Thread.sleep(5);
        }
    }

    @Test
    void shouldKeepQd32InFlightWithinTheBackendQueueDepthWhileTheFrontPollerServesOthers() throws Exception
    {
        start(null);
        try (NvmeController host = frontHost())
        {
            final IoQueue q = host.openIoQueue();
            final ByteBuffer[] w = new ByteBuffer[QD];
            final Completions writes = new Completions();
            for (int i = 0; i < QD; i++)
            {
                w[i] = pattern(4096, i);
                writes.submitted(i);
                assertThat(q.submitWrite(1, i * 64L, BLOCKS, w[i], i)).isNotNegative();
            }
            pollUntil(q, writes, QD, "writes");
            assertThat(writes.failed).isZero();

            // the backend answers nothing now: the reads pile up in the gateway
            gated.shut();
            final ByteBuffer[] r = new ByteBuffer[QD];
            final Completions reads = new Completions();
            for (int i = 0; i < QD; i++)
            {
                r[i] = ByteBuffer.allocateDirect(4096);
                reads.submitted(i);
                assertThat(q.submitRead(1, i * 64L, BLOCKS, r[i], i)).isNotNegative();
            }
            q.poll(reads::complete); // sends them
            awaitOutstandingOnBackendQueue(QD);
            assertThat(onPoller(PolledBackendQueue::inflightAtBackend)).as("at the backend")
                .isEqualTo(BACKEND_QUEUE_SIZE - 1);
            assertThat(onPoller(PolledBackendQueue::waiting)).as("waiting in the gateway")
                .isEqualTo(QD - (BACKEND_QUEUE_SIZE - 1));
            final long heldBy = System.nanoTime() + 30_000_000_000L;
            while (gated.held.get() == 0)
            {
                assertThat(System.nanoTime() - heldBy).as("the backend never got a read").isNegative();
                Thread.sleep(5);
            }

            // the front poller is not held by the backend: a software namespace on the same poller still serves
            final ByteBuffer w2 = pattern(4096, 99);
            host.writeBlocking(2, 0, BLOCKS, w2);
            final ByteBuffer r2 = ByteBuffer.allocateDirect(4096);
            host.readBlocking(2, 0, BLOCKS, r2);
            assertThat(r2).isEqualTo(w2);
            assertThat(reads.done).as("no gateway read completed while the backend held them").isZero();

            gated.open();
            pollUntil(q, reads, QD, "reads");
            assertThat(reads.failed).isZero();
            assertThat(reads.problems).isEmpty();
            for (int i = 0; i < QD; i++)
            {
                assertThat(r[i]).as("read %d", i).isEqualTo(w[i]);
            }
        }
        assertThat(onPoller(PolledBackendQueue::maxInflight)).as("never more than the backend queue holds")
            .isEqualTo(BACKEND_QUEUE_SIZE - 1);
        assertThat(onPoller(PolledBackendQueue::waited)).isGreaterThanOrEqualTo(QD - (BACKEND_QUEUE_SIZE - 1));
        assertThat(be.pollersServed()).isEqualTo(1);
        final OffloadNamespaceStats st = ctx.mapping(1).stats();
        assertThat(st.getWrites()).isEqualTo(QD);
        assertThat(st.getReads()).isEqualTo(QD);
        assertThat(st.getBytesWritten()).isEqualTo(QD * 4096L);
        assertThat(st.getErrors()).isZero();
        assertThat(events).isEmpty();
    }

    @Test
    void shouldTimeOutEveryCommandHeldByAHungBackendOnceAndServeAgainAfterIt() throws Exception
    {
        start(Duration.ofMillis(300));
        try (NvmeController host = frontHost())
        {
            final IoQueue q = host.openIoQueue();
            final ByteBuffer w = pattern(4096, 5);
            final Completions first = new Completions();
            first.submitted(0);
            q.submitWrite(1, 0, BLOCKS, w, 0);
            pollUntil(q, first, 1, "first write");
            assertThat(first.failed).isZero();

            gated.shut();
            final Completions reads = new Completions();
            for (int i = 0; i < QD; i++)
            {
                reads.submitted(i);
                assertThat(q.submitRead(1, i * 64L, BLOCKS, ByteBuffer.allocateDirect(4096), i)).isNotNegative();
            }
            pollUntil(q, reads, QD, "timed-out reads");
            assertThat(reads.problems).isEmpty();
            for (int i = 0; i < QD; i++)
            {
                assertThat(reads.status[i] & NvmeStatus.SCT_SC_MASK).as("read %d", i)
                    .isEqualTo(NvmeStatus.INTERNAL_PATH_ERROR.status());
            }
            assertThat(events).hasSize(QD).allMatch(e -> e.type() == OffloadEvent.Type.BACKEND_TIMEOUT);
            assertThat(ctx.mapping(1).stats().getErrors()).isEqualTo(QD);
            assertThat(onPoller(PolledBackendQueue::timeouts)).isPositive();

            // the backend answers again: the gateway opens a new backend queue and serves (the first tries may
            // fail while the backend still holds the old queue's qid)
            gated.open();
            final long deadline = System.nanoTime() + 30_000_000_000L;
            int attempts = 0;
            while (true)
            {
                final Completions again = new Completions();
                final ByteBuffer r = ByteBuffer.allocateDirect(4096);
                again.submitted(0);
                q.submitRead(1, 0, BLOCKS, r, 0);
                pollUntil(q, again, 1, "read after the timeout");
                attempts++;
                if (again.status[0] == 0)
                {
                    assertThat(r).isEqualTo(w);
                    break;
                }
                assertThat(System.nanoTime() - deadline).as("never served again: %s", events).isNegative();
                Thread.sleep(50);
            }
            assertThat(onPoller(PolledBackendQueue::connected)).isTrue();
            assertThat(attempts).isPositive();
        }
    }

    @Test
    void shouldCompleteEveryCommandInFlightOnceWhenTheBackendIsClosedMidRun() throws Exception
    {
        start(null);
        try (NvmeController host = frontHost())
        {
            final IoQueue q = host.openIoQueue();
            final ByteBuffer[] buf = new ByteBuffer[QD];
            final Completions c = new Completions();
            final int[] submittedTotal = {0};
            for (int i = 0; i < QD; i++)
            {
                buf[i] = pattern(4096, i);
            }
            // QD 32 of mixed writes and reads until 300 completed, then the backend goes away under 32 in flight
            final long[] lba = {0};
            final java.util.function.IntConsumer submit = tag ->
            {
                c.submitted(tag);
                submittedTotal[0]++;
                final long at = (lba[0]++ % 2048) * BLOCKS;
                final int slot = (tag & 1) == 0 ? q.submitWrite(1, at, BLOCKS, buf[tag], tag) :
                    q.submitRead(1, at, BLOCKS, buf[tag], tag);
                assertThat(slot).isNotNegative();
            };
            for (int i = 0; i < QD; i++)
            {
                submit.accept(i);
            }
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (c.done < 300)
            {
                final int before = c.done;
                q.poll(c::complete);
                for (int t = 0; t < QD && c.done > before; t++)
                {
                    if (!c.outstanding[t])
                    {
                        submit.accept(t);
                    }
                }
                assertThat(System.nanoTime() - deadline).isNegative();
            }
            assertThat(c.failed).as("before the backend went away").isZero();
            backend.close();
            pollUntil(q, c, submittedTotal[0], "commands in flight when the backend closed");
            assertThat(c.problems).isEmpty();
            assertThat(c.outstandingCount()).isZero();
            final OffloadNamespaceStats st = ctx.mapping(1).stats();
            assertThat(st.getErrors()).as("errors counted = commands failed").isEqualTo(c.failed);
            assertThat(events).hasSize(c.failed)
                .allMatch(e -> e.type() == OffloadEvent.Type.BACKEND_ERROR && e.feNsid() == 1);

            // a command after the loss fails at once with an error status, and the other namespace still serves
            final Completions after = new Completions();
            after.submitted(0);
            q.submitRead(1, 0, BLOCKS, ByteBuffer.allocateDirect(4096), 0);
            pollUntil(q, after, 1, "read after the backend closed");
            assertThat(after.status[0] & NvmeStatus.SCT_SC_MASK).isEqualTo(NvmeStatus.INTERNAL_ERROR.status());
            final ByteBuffer w2 = pattern(4096, 3);
            host.writeBlocking(2, 8, BLOCKS, w2);
            final ByteBuffer r2 = ByteBuffer.allocateDirect(4096);
            host.readBlocking(2, 8, BLOCKS, r2);
            assertThat(r2).isEqualTo(w2);
        }
    }

    /** A RAM namespace whose reads and writes can be held shut: the backend's poller then answers nothing. */
    static final class GatedBackend implements Backend
    {
        private final RamBackend ram;
        private volatile CountDownLatch gate = new CountDownLatch(0);
        final AtomicInteger held = new AtomicInteger();

        GatedBackend(final long size)
        {
            this.ram = new RamBackend(size);
        }

        void shut()
        {
            gate = new CountDownLatch(1);
        }

        void open()
        {
            gate.countDown();
        }

        private void pass() throws IOException
        {
            final CountDownLatch g = gate;
            if (g.getCount() > 0)
            {
                held.incrementAndGet();
                try
                {
                    if (!g.await(60, TimeUnit.SECONDS))
                    {
                        throw new IOException("gate never opened");
                    }
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        }

        @Override
        public long size()
        {
            return ram.size();
        }

        @Override
        public void read(final long offset, final ByteBuffer dst, final int index, final int length)
            throws IOException
        {
            pass();
            ram.read(offset, dst, index, length);
        }

        @Override
        public void write(final long offset, final ByteBuffer src, final int index, final int length)
            throws IOException
        {
            pass();
            ram.write(offset, src, index, length);
        }

        @Override
        public void flush() throws IOException
        {
            pass();
        }

        @Override
        public void writeZeroes(final long offset, final long length) throws IOException
        {
            pass();
            ram.writeZeroes(offset, length);
        }

        @Override
        public void deallocate(final long offset, final long length) throws IOException
        {
            ram.deallocate(offset, length);
        }

        @Override
        public boolean volatileWriteCache()
        {
            return false;
        }

        @Override
        public boolean deallocatedReadsZeroes()
        {
            return true;
        }

        @Override
        public String describe()
        {
            return "gated RAM";
        }
    }
}
