package org.nvmeof4j.host.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.IoQueue;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.host.tcp.TcpTransport;
import org.nvmeof4j.target.Target;

/**
 * The host's transport seam: transports are found by name, the controller level reaches the wire only through
 * {@link NvmeTransport} / {@link TransportController} / {@link TransportQueue}, and a transport added at run time
 * carries every queue of a controller, across a reconnect.
 */
class TransportSpiTest
{
    private static final String NQN = "nqn.2014-08.org.nvmeof4j:spi";
    private static final String NAME = "counting-tcp";

    private Target target;
    private final CountingTransport counting = new CountingTransport();

    @BeforeEach
    void start() throws IOException
    {
        target = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().ramNamespace(1, 8L << 20)).build().start();
        NvmeTransports.register(counting);
    }

    @AfterEach
    void stop()
    {
        NvmeTransports.unregister(NAME);
        target.close();
    }

    @Test
    void shouldFindTheTcpTransportThroughTheServiceLoader()
    {
        assertThat(NvmeTransports.get("tcp")).isInstanceOf(TcpTransport.class);
        assertThat(NvmeTransports.names()).contains("tcp", NAME);
    }

    @Test
    void shouldRefuseAnUnknownTransportBeforeConnecting()
    {
        final ConnectOptions o = ConnectOptions.parse("transport=rdma,traddr=127.0.0.1,trsvcid=" + target.boundPort() +
            ",nqn=" + NQN);
        assertThat(o.transport()).isEqualTo("rdma");
        assertThatThrownBy(() -> NvmeController.connect(o)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("unknown transport 'rdma'").hasMessageContaining("tcp");
    }

    @Test
    void shouldLetTheTransportRefuseItsOptions()
    {
        final ConnectOptions o = ConnectOptions.tcp("127.0.0.1", 0, NQN);
        assertThatThrownBy(() -> NvmeController.connect(o)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("trsvcid");
        assertThat(counting.controllers.get()).isZero();
    }

    @Test
    void shouldCarryEveryQueueThroughARegisteredTransportAcrossAReconnect()
    {
        final ConnectOptions o = ConnectOptions.parse("transport=" + NAME + ",traddr=127.0.0.1,trsvcid=" +
            target.boundPort() + ",nqn=" + NQN + ",nr_io_queues=1,nr_poll_queues=1,reconnect_delay=0")
            .reconnectDelay(Duration.ofMillis(50));
        try (NvmeController c = NvmeController.connect(o))
        {
            // admin + one async I/O queue; startQueue only for the I/O queue, after its Connect
            assertThat(counting.queues).containsExactly(0, 1);
            assertThat(counting.started).containsExactly(1);
            final IoQueue q = c.openIoQueue();
            assertThat(counting.queues).containsExactly(0, 1, 2);

            final ByteBuffer src = ByteBuffer.allocateDirect(8192);
            for (int i = 0; i < src.capacity(); i++)
            {
                src.put(i, (byte)(i * 31 + 7));
            }
            c.writeBlocking(1, 8, 16, src);
            final ByteBuffer dst = ByteBuffer.allocateDirect(8192);
            final int[] status = {-1};
            assertThat(q.submitRead(1, 8, 16, dst, 5)).isGreaterThanOrEqualTo(0);
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (status[0] < 0 && System.nanoTime() < deadline)
            {
                q.poll((tag, st) -> status[0] = st);
            }
            assertThat(status[0]).isZero();
            assertThat(dst).isEqualTo(src);

            // a lost connection: the controller asks the same transport for every queue again
            counting.lastQueue.abort();
            final long until = System.nanoTime() + 10_000_000_000L;
            while ((c.reconnects() == 0 || c.state() != NvmeController.State.LIVE) && System.nanoTime() < until)
            {
                q.poll((tag, st) -> { });
                Thread.onSpinWait();
            }
            assertThat(c.reconnects()).isEqualTo(1);
            assertThat(counting.queues).containsExactly(0, 1, 2, 0, 1, 2);
            dst.clear();
            c.readBlocking(1, 8, 16, dst);
            assertThat(dst).isEqualTo(src);
        }
        assertThat(counting.released.get()).isEqualTo(1);
    }

    /** The tcp transport under another name, recording what the controller asks of it. */
    private static final class CountingTransport implements NvmeTransport
    {
        final TcpTransport tcp = new TcpTransport();
        final AtomicInteger controllers = new AtomicInteger();
        final AtomicInteger released = new AtomicInteger();
        final List<Integer> queues = new ArrayList<>();
        final List<Integer> started = new ArrayList<>();
        volatile TransportQueue lastQueue;

        @Override
        public String name()
        {
            return NAME;
        }

        @Override
        public void validate(final ConnectOptions options)
        {
            tcp.validate(options);
        }

        @Override
        public TransportController createController(final ConnectOptions options)
        {
            controllers.incrementAndGet();
            final TransportController inner = tcp.createController(options);
            return new TransportController()
            {
                @Override
                public TransportQueue connectQueue(final int qid, final int queueSize, final long deadlineNanos)
                {
                    final TransportQueue q = inner.connectQueue(qid, queueSize, deadlineNanos);
                    synchronized (queues)
                    {
                        queues.add(qid);
                    }
                    lastQueue = q;
                    return q;
                }

                @Override
                public void startQueue(final TransportQueue queue)
                {
                    synchronized (started)
                    {
                        started.add(queue.qid());
                    }
                    inner.startQueue(queue);
                }

                @Override
                public String address()
                {
                    return inner.address();
                }

                @Override
                public void close()
                {
                    released.incrementAndGet();
                    inner.close();
                }
            };
        }
    }
}
