package org.nvmeof4j.offload.engine;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectableChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeTransportException;
import org.nvmeof4j.host.offload.NvmeTcpOfldCtrl;
import org.nvmeof4j.host.offload.NvmeTcpOfldDev;
import org.nvmeof4j.host.offload.NvmeTcpOfldOps;
import org.nvmeof4j.host.offload.NvmeTcpOfldQueue;
import org.nvmeof4j.host.offload.NvmeTcpOfldReq;
import org.nvmeof4j.host.offload.NvmeTcpOffload;
import org.nvmeof4j.host.spi.NvmeTransport;
import org.nvmeof4j.host.spi.TransportController;
import org.nvmeof4j.host.spi.TransportQueue;
import org.nvmeof4j.host.spi.NvmeTransports;
import org.nvmeof4j.host.tcp.TcpConnection;
import org.nvmeof4j.tcp.IdleStrategy;

/**
 * The reference NVMe/TCP offload device: an engine that runs the whole NVMe/TCP queue protocol on its own threads, as
 * the firmware of a full-offload NIC does (seed 002's qedn + FastLinQ), so that the {@code tcp_offload} transport is
 * real without such a NIC. Per queue the engine opens the TCP connection and runs ICReq/ICResp, then on an engine
 * thread sends capsules (with in-capsule data up to IOCCSZ), answers R2Ts with H2CData, places C2HData in the
 * caller's buffer, and computes and checks header and data digests. The wire code is the {@code tcp} transport's
 * own ({@link TcpConnection}), so a target cannot tell the two apart.
 *
 * <p>Application threads only post requests and take completions ({@link EngineQueue}'s rings): no lock and no
 * allocation per I/O on their side. The number of engine threads and the CPUs they are pinned to are
 * {@link Options}; queues are spread over the threads round-robin.
 */
public final class OffloadEngine implements NvmeTcpOfldOps<OffloadEngine.EngineCtrl, EngineQueue>, AutoCloseable
{
    /** The name the default engine registers under. */
    public static final String DEFAULT_NAME = "engine";
    /** How long {@link #drainQueue} waits for the engine before it gives up on a hung thread. */
    static final long DRAIN_TIMEOUT_MS = 10_000;
    /** Options a connect may use with this device: everything the tcp transport takes. */
    public static final Set<String> ALLOWED_OPTS = Set.of("nr_io_queues", "nr_poll_queues", "queue_size",
        "hdr_digest", "data_digest", "keep_alive_tmo", "reconnect_delay", "ctrl_loss_tmo", "disable_sqflow");

    private final Options options;
    private final EngineThread[] threads;
    private final List<Thread> allStarted = new ArrayList<>();
    private final NvmeTcpOfldDev dev;
    private int next;
    private int generation;
    private boolean closed;

    /** Engine options. */
    public static final class Options
    {
        private String name = DEFAULT_NAME;
        private int threads = 1;
        private int[] cpus = new int[0];
        private Supplier<IdleStrategy> idle = () -> IdleStrategy.parse("block");
        private InetAddress localAddress;
        private int maxHwSectors = 2048;
        private int maxSegments = 256;

        /** Device name (default {@value OffloadEngine#DEFAULT_NAME}). */
        public Options name(final String v) { name = v; return this; }
        /** Engine threads (default 1). */
        public Options threads(final int v) { threads = v; return this; }
        /** CPUs to pin engine thread i to ({@code cpus[i % cpus.length]}); empty: not pinned (default). */
        public Options cpus(final int... v) { cpus = v.clone(); return this; }
        /**
         * Idle strategy of the engine threads: {@code spin}, {@code backoff} (spin briefly, then sleep in the
         * selector) or {@code block} (sleep in the selector at once; the default: on a 2-core machine a spinning
         * engine thread takes the core that the application or the target needs). Each thread gets its own.
         *
         * @throws IllegalArgumentException for another name.
         */
        public Options idle(final String mode)
        {
            IdleStrategy.parse(mode);
            idle = () -> IdleStrategy.parse(mode);
            return this;
        }
        /** Idle strategies of the engine threads: one from {@code factory} per thread (strategies keep state). */
        public Options idle(final Supplier<IdleStrategy> factory) { idle = factory; return this; }
        /** The local address the device routes through (default: any). */
        public Options localAddress(final InetAddress v) { localAddress = v; return this; }
        /** Largest command in 512-byte sectors (default 2048: 1 MiB). */
        public Options maxHwSectors(final int v) { maxHwSectors = v; return this; }
        /** Most 4 KiB segments per command (default 256). */
        public Options maxSegments(final int v) { maxSegments = v; return this; }

        public String name() { return name; }
        public int threads() { return threads; }

        /**
         * Parse a CPU list as taskset takes it: {@code 1}, {@code 0,2}, {@code 2-3}.
         *
         * @throws IllegalArgumentException in one line.
         */
        public static int[] parseCpus(final String list)
        {
            final List<Integer> cpus = new ArrayList<>();
            for (final String part : list.split(","))
            {
                final String p = part.trim();
                try
                {
                    final int dash = p.indexOf('-');
                    final int lo = Integer.parseInt(dash < 0 ? p : p.substring(0, dash));
                    final int hi = dash < 0 ? lo : Integer.parseInt(p.substring(dash + 1));
                    if (lo < 0 || hi < lo || hi > 4095)
                    {
                        throw new NumberFormatException();
                    }
                    for (int c = lo; c <= hi; c++)
                    {
                        cpus.add(c);
                    }
                }
                catch (final NumberFormatException e)
                {
                    throw new IllegalArgumentException("bad CPU list '" + list + "' (e.g. 1 or 0,2 or 2-3)");
                }
            }
            return cpus.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /** The engine's state per controller: how to open its queues' connections. */
    public static final class EngineCtrl
    {
        final NvmeTcpOfldCtrl ctrl;
        final TransportController connector;

        EngineCtrl(final NvmeTcpOfldCtrl ctrl, final TransportController connector)
        {
            this.ctrl = ctrl;
            this.connector = connector;
        }
    }

    private OffloadEngine(final Options o)
    {
        if (o.threads < 1 || o.threads > 64)
        {
            throw new IllegalArgumentException("offload engine threads must be in 1..64: " + o.threads);
        }
        this.options = o;
        this.threads = new EngineThread[o.threads];
        this.dev = NvmeTcpOfldDev.builder().name(o.name).localAddress(o.localAddress).maxHwSectors(o.maxHwSectors)
            .maxSegments(o.maxSegments).allowedOpts(ALLOWED_OPTS).ops(this).build();
    }

    /** Create an engine and register its device. */
    public static OffloadEngine register(final Options o)
    {
        final OffloadEngine e = new OffloadEngine(o);
        NvmeTcpOffload.registerDev(e.dev);
        return e;
    }

    /** Create an engine without registering it (a wrapping driver, such as a fault-injecting one, registers). */
    static OffloadEngine create(final Options o)
    {
        return new OffloadEngine(o);
    }

    /** @return the device this engine registered. */
    public NvmeTcpOfldDev dev()
    {
        return dev;
    }

    /** @return the options this engine was created with. */
    public Options options()
    {
        return options;
    }

    /** @return for each engine thread started: its name, queues, pinning, and whether it died. */
    public synchronized List<String> describeThreads()
    {
        final List<String> d = new ArrayList<>();
        for (final EngineThread t : threads)
        {
            if (t != null)
            {
                d.add(t.name() + ": " + t.queueCount() + " queue(s), " + t.pinning() +
                    (t.isDead() ? ", dead (" + t.deathReason() + ")" : ""));
            }
        }
        return d;
    }

    /**
     * @return the Java threads of the engine threads started so far, so that a caller can account for the
     *     engine's CPU time (the JVM reports none for a thread that has died)
     */
    public synchronized List<Thread> javaThreads()
    {
        return new ArrayList<>(allStarted);
    }

    private synchronized EngineThread pick()
    {
        if (closed)
        {
            throw new NvmeTransportException("offload engine " + dev.name() + " is closed");
        }
        final int i = next++ % threads.length;
        if (threads[i] == null || threads[i].isDead())
        {
            final int cpu = options.cpus.length == 0 ? -1 : options.cpus[i % options.cpus.length];
            final IdleStrategy idle = options.idle.get();
            // a restarted thread (the previous one died) gets a new name: "-0", then "-0.1", "-0.2"...
            final String gen = threads[i] == null ? "" : "." + ++generation;
            threads[i] = new EngineThread("nvmeof4j-" + dev.name() + "-" + i + gen, cpu, idle).start();
            allStarted.add(threads[i].javaThread());
        }
        return threads[i];
    }

    // ------------------------------------------------------------------ controller level

    @Override
    public boolean claimDev(final NvmeTcpOfldDev d, final ConnectOptions o)
    {
        if (d.ops() != this || closed)
        {
            return false;
        }
        if (options.localAddress == null)
        {
            return true;
        }
        // the route's source address, as the kernel picks it: a UDP connect sends nothing
        try (DatagramSocket s = new DatagramSocket())
        {
            s.connect(new InetSocketAddress(o.traddr(), o.trsvcid()));
            return options.localAddress.equals(s.getLocalAddress());
        }
        catch (final IOException | RuntimeException e)
        {
            return false;
        }
    }

    @Override
    public EngineCtrl setupCtrl(final NvmeTcpOfldCtrl ctrl)
    {
        // the engine connects each queue with the tcp transport's own connect + ICReq/ICResp code, told the
        // controller's options (digests, timeouts), so that the wire is the tcp transport's byte for byte
        final NvmeTransport tcp = NvmeTransports.get("tcp");
        return new EngineCtrl(ctrl, tcp.createController(ctrl.options()));
    }

    @Override
    public void releaseCtrl(final EngineCtrl c)
    {
        c.connector.close();
    }

    @Override
    public EngineQueue createQueue(final EngineCtrl c, final NvmeTcpOfldQueue queue, final int qid,
        final int queueSize, final long deadlineNanos)
    {
        // TCP connect and ICReq/ICResp: synchronous here, on the connecting thread, then the connection moves to an
        // engine thread (the poller's command queue is the happens-before edge)
        final TransportQueue t = c.connector.connectQueue(qid, queueSize, deadlineNanos);
        final TcpConnection conn = (TcpConnection)t;
        for (int attempt = 0; attempt < threads.length + 1; attempt++)
        {
            final EngineThread et = pick();
            final EngineQueue q;
            try
            {
                q = new EngineQueue(queue, conn, et);
            }
            catch (final IOException e)
            {
                conn.close("no interrupt pipe: " + e.getMessage(), e);
                throw new NvmeTransportException("offload engine " + dev.name() + ": " + e.getMessage(), e);
            }
            if (et.add(q))
            {
                return q;
            }
            q.destroy();
        }
        conn.close("no live engine thread", null);
        throw new NvmeTransportException("offload engine " + dev.name() + ": no live engine thread");
    }

    // ------------------------------------------------------------------ queue level

    @Override
    public void drainQueue(final EngineQueue q)
    {
        if (q.drained.getCount() == 0)
        {
            return;
        }
        q.drainRequested = true;
        q.thread.wakeup();
        try
        {
            if (!q.drained.await(DRAIN_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                // a hung engine thread: cut its socket, so that it can place nothing more from the wire
                q.conn.abort();
            }
        }
        catch (final InterruptedException e)
        {
            q.conn.abort();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void destroyQueue(final EngineQueue q)
    {
        q.thread.remove(q);
        q.destroy();
    }

    @Override
    public int pollQueue(final EngineQueue q)
    {
        return q.reap();
    }

    @Override
    public void initReq(final EngineQueue q, final NvmeTcpOfldReq req)
    {
        // nothing per slot: the engine reads the request itself when it is posted
    }

    @Override
    public int mapSg(final EngineQueue q, final NvmeTcpOfldReq req)
    {
        // the engine sends and places straight from and into the caller's ByteBuffer: its segments are pages
        return (req.dataLength() + NvmeTcpOfldDev.SEGMENT_BYTES - 1) / NvmeTcpOfldDev.SEGMENT_BYTES;
    }

    @Override
    public int sendReq(final EngineQueue q, final NvmeTcpOfldReq req)
    {
        q.post(req);
        return 0;
    }

    @Override
    public void commitRqs(final EngineQueue q)
    {
        q.commit();
    }

    @Override
    public void awaitQueue(final EngineQueue q, final long maxNanos)
    {
        q.await(maxNanos);
    }

    @Override
    public SelectableChannel queueChannel(final EngineQueue q)
    {
        return q.channel();
    }

    @Override
    public boolean armQueue(final EngineQueue q)
    {
        return q.arm();
    }

    /** Unregister the device (its queues fail over or fail) and stop the engine threads. */
    @Override
    public void close()
    {
        NvmeTcpOffload.unregisterDev(dev);
        final EngineThread[] ts;
        synchronized (this)
        {
            closed = true;
            ts = threads.clone();
        }
        for (final EngineThread t : ts)
        {
            if (t != null)
            {
                t.close();
            }
        }
    }
}
