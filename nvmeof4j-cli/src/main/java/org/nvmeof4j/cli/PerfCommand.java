package org.nvmeof4j.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.nvmeof4j.cli.Nvmeof4j.UsageException;
import org.nvmeof4j.cli.metrics.MetricsServer;
import org.nvmeof4j.cli.metrics.Nvmeof4jMetrics;
import org.nvmeof4j.cli.metrics.PrometheusText;
import org.nvmeof4j.ddp.UlpDdpDevice;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.IoQueue;
import org.nvmeof4j.host.Namespace;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.host.multipath.NvmeSubsystem;
import org.nvmeof4j.host.offload.NvmeTcpOffload;
import org.nvmeof4j.host.offload.NvmeTcpOfldDev;
import org.nvmeof4j.host.offload.TcpOffloadTransport;
import org.nvmeof4j.offload.engine.OffloadEngine;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.offload.LatencyHistogram;
import org.nvmeof4j.tcp.IdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nvmeof4j perf}: a load generator in the manner of spdk_nvme_perf. Each of {@code --queues} threads owns a
 * polled {@link IoQueue} and keeps {@code -q} I/Os of {@code -o} bytes in flight for {@code --time} seconds.
 * Reports IOPS, MiB/s, latency (HdrHistogram: avg, p50, p99, p99.9, p99.99, max) and CPU time: the process's (user
 * and system, from /proc/self/stat), the host's (the threads that run NVMe/TCP: the perf threads, plus the offload
 * engine's with {@code -t tcp_offload}) and the application's (the perf threads alone, which submit and complete),
 * with a progress line each second.
 *
 * <p>Without {@code -a} it starts an embedded RAM target on 127.0.0.1 (an ephemeral port) and runs a short verified
 * random read/write workload against it through the real TCP path: one command shows the whole stack working.
 *
 * <p>{@code --verify}: each thread owns a disjoint LBA range; writes carry a pattern derived from (block, version)
 * and every read of a block written in this run is compared with the version last acknowledged. Blocks with an I/O
 * in flight are not chosen again until it completes, so the expected content is always known.
 *
 * <p>This class holds the options, their checks and the run's timeline; each thread's I/O loop is a
 * {@link PerfWorker}, the output a {@link PerfReport}, the target without {@code -a} an {@link EmbeddedTarget}.
 */
@Command(name = "perf", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Measure I/O performance, spdk_nvme_perf style (-q is the queue depth here; --hostnqn the host " +
        "NQN).",
        "Without -a: an embedded RAM target on loopback and a short verified randrw workload."})
public final class PerfCommand implements Callable<Integer>
{
    @Mixin
    HostConnectOptions connect;

    @Option(names = "--hostnqn", paramLabel = "HOSTNQN", description = "host NQN")
    String hostnqn;

    @Option(names = {"-w", "--workload"}, paramLabel = "PATTERN", defaultValue = "randrw",
        description = "randread, randwrite, read, write, rw or randrw (default ${DEFAULT-VALUE})")
    String workload;

    @Option(names = {"-M", "--rwmixread"}, paramLabel = "PCT", defaultValue = "50",
        description = "read percentage of rw/randrw (default ${DEFAULT-VALUE})")
    int mix;

    @Option(names = {"-o", "--io-size"}, paramLabel = "BYTES", defaultValue = "4096",
        description = "I/O size in bytes (default ${DEFAULT-VALUE})")
    int ioSize;

    @Option(names = {"-q", "--queue-depth"}, paramLabel = "N", defaultValue = "32",
        description = "I/Os in flight per queue (default ${DEFAULT-VALUE})")
    int depth;

    @Option(names = "--time", paramLabel = "S", defaultValue = "5", description = "seconds (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "1",
        description = "seconds of warm-up before measuring (default ${DEFAULT-VALUE})")
    double warmup;

    @Option(names = "--queues", paramLabel = "N", defaultValue = "1",
        description = "queues = threads (default ${DEFAULT-VALUE})")
    int queues;

    @Option(names = "--nsid", paramLabel = "NSID", defaultValue = "1",
        description = "namespace (default ${DEFAULT-VALUE})")
    int nsid;

    @Option(names = "--range-mib", paramLabel = "MIB", defaultValue = "256",
        description = "LBA range used, from LBA 0 (default ${DEFAULT-VALUE}, capped at the namespace)")
    long rangeMib;

    @Option(names = "--verify", negatable = true,
        description = "write patterns and check every read (default: on with the embedded target)")
    Boolean verify;

    @Option(names = "--json", description = "print one JSON object instead of the table")
    boolean json;

    @Option(names = "--idle", paramLabel = "MODE", defaultValue = "spin",
        description = "pollers' idle strategy: spin or backoff (default ${DEFAULT-VALUE}; the embedded target's " +
            "pollers)")
    String idle;

    @Option(names = "--host-idle", paramLabel = "MODE",
        description = "what a perf thread does while it waits for completions: spin (lowest latency, one core per " +
            "queue, like SPDK), backoff (spin briefly, then block on the socket) or block (block on the socket at " +
            "once: steadier QD1 latency when cores are shared, slower on a quiet machine) (default spin with -t " +
            "tcp; block with -t tcp_offload, whose engine threads need the cores a spinning perf thread would take)")
    String hostIdle;

    @Option(names = "--rate", paramLabel = "IOPS", defaultValue = "0",
        description = "cap the submission rate at IOPS in all (shared evenly by the queues; 0: as fast as the queue " +
            "depth allows), to measure latency at a fixed load or keep a capture small (default ${DEFAULT-VALUE})")
    long rate;

    @Option(names = "--no-progress", description = "no progress line each second")
    boolean noProgress;

    @Option(names = "--ddp", paramLabel = "DEVICE", defaultValue = "off",
        description = "ULP DDP receive offload on the I/O queues: off, soft, model, or a registered device name " +
            "(default ${DEFAULT-VALUE})")
    String ddp;

    @Option(names = "--ddp-loss", paramLabel = "RATE", defaultValue = "0",
        description = "--ddp model: packet loss rate of the modelled wire (default ${DEFAULT-VALUE})")
    double ddpLoss;

    @Option(names = "--ddp-reorder", paramLabel = "RATE", defaultValue = "0",
        description = "--ddp model: packet reorder rate of the modelled wire (default ${DEFAULT-VALUE})")
    double ddpReorder;

    @Option(names = "--histogram", paramLabel = "FILE",
        description = "write the latency distribution to FILE in HdrHistogram's percentile output format " +
            "(microseconds), and a plot of it and of the IOPS of each second to FILE.html (or --plot)")
    Path histogramFile;

    @Option(names = "--plot", paramLabel = "FILE",
        description = "write the plot (latency percentiles on a log percentile axis, IOPS per second) to FILE: " +
            "self-contained HTML, or SVG when FILE ends in .svg")
    Path plotFile;

    @Option(names = "--metrics", paramLabel = "ADDR:PORT",
        description = "serve Prometheus metrics on http://ADDR:PORT/metrics while perf runs: perf's queues, the " +
            "DDP and offload devices, and the embedded target's counters (port 0: any free port; the URL is " +
            "printed on stderr)")
    String metrics;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        final boolean random = workload.startsWith("rand");
        switch (workload)
        {
            case "randread": case "read": case "randwrite": case "write": case "rw": case "randrw":
                break;
            default:
                throw new UsageException("bad -w '" + workload + "' (randread, randwrite, read, write, rw, randrw)");
        }
        final int readPct = workload.endsWith("read") ? 100 : workload.endsWith("write") ? 0 : mix;
        if (readPct < 0 || readPct > 100)
        {
            throw new UsageException("-M must be 0..100");
        }
        if (ioSize < 512 || ioSize > (64 << 20) || depth < 1 || depth > 1023 || queues < 1 || queues > 64 ||
            seconds <= 0 || warmup < 0)
        {
            throw new UsageException("bad -o/-q/--queues/--time (512 <= -o <= 64 MiB, 1 <= -q <= 1023, " +
                "1 <= --queues <= 64, --time > 0)");
        }
        if (rate < 0)
        {
            throw new UsageException("bad --rate " + rate + " (IOPS >= 0; 0 = no cap)");
        }
        if (!"spin".equals(idle) && !"backoff".equals(idle))
        {
            throw new UsageException("bad --idle '" + idle + "' (spin, backoff)");
        }
        if (hostIdle == null)
        {
            hostIdle = TcpOffloadTransport.NAME.equals(connect.transport) ? "block" : "spin";
        }
        hostIdleStrategy(hostIdle);
        if (histogramFile != null && plotFile == null)
        {
            plotFile = Path.of(histogramFile + ".html");
        }
        checkWritable(histogramFile, "--histogram");
        checkWritable(plotFile, "--plot");
        final InetSocketAddress metricsAddress = metrics == null ? null : metricsAddress(metrics);
        final boolean embedded = connect.traddr == null && !connect.multipath();
        final boolean doVerify = verify != null ? verify : embedded;
        Target target = null;
        if (embedded)
        {
            target = EmbeddedTarget.start(connect, hostnqn, queues, rangeMib, idle);
        }
        try
        {
            return run(target, metricsAddress, readPct, random, doVerify);
        }
        finally
        {
            if (target != null)
            {
                target.close();
            }
        }
    }

    /** Connect to the target (perf's own when {@code embedded}) and run the workload; returns the exit status. */
    private int run(final Target target, final InetSocketAddress metricsAddress, final int readPct,
        final boolean random, final boolean doVerify) throws Exception
    {
        final boolean embedded = target != null;
        if (depth >= connect.queueSize)
        {
            connect.queueSize = Math.min(1024, Integer.highestOneBit(depth) * 2);
            if (depth >= connect.queueSize)
            {
                throw new UsageException("-q must be below --queue-size");
            }
        }
        if (connect.multipath())
        {
            return runMultipath(target, metricsAddress, readPct, random, doVerify);
        }
        final ConnectOptions o = connect.toOptions(hostnqn, ConnectOptions.DEFAULT_PORT, true).nrIoQueues(0)
            .nrPollQueues(queues).ctrlLossTmo(Duration.ofSeconds(10)).reconnectDelay(Duration.ofSeconds(1));
        final UlpDdpDevice ddpDevice = DdpCommand.deviceFor(ddp, ddpLoss, ddpReorder);
        if (ddpDevice != null)
        {
            o.readOffload(org.nvmeof4j.host.tcp.DdpReadOffload.factory(org.nvmeof4j.ddp.UlpDdpRegistry.global(),
                ddpDevice.name()));
        }
        final PerfReport report = new PerfReport(this, readPct, doVerify, o, embedded, ddpDevice);
        try (NvmeController c = HostConnectOptions.connect(o))
        {
            final Namespace ns = c.namespace(nsid);
            if (ns == null)
            {
                throw new UsageException("namespace " + nsid + " is not active on " + o.nqn());
            }
            return workload(target, metricsAddress, report, ns, c::openIoQueue, random, readPct, doVerify,
                workers -> metricsText(target, c, workers, report));
        }
    }

    /**
     * {@code --path}: every path is one multipath {@link NvmeSubsystem} ({@code --iopolicy} picks the path of each
     * I/O) and each worker owns a {@link NvmeSubsystem#openIoQueue} queue: one polled queue per path on the worker's
     * thread, as the single-path perf has one (so each path asks for {@code -j} poll queues and no async ones); it
     * also measures the longest pause between completions ({@code max_pause_ms}), e.g. across a failover.
     */
    private int runMultipath(final Target target, final InetSocketAddress metricsAddress, final int readPct,
        final boolean random, final boolean doVerify) throws Exception
    {
        final List<ConnectOptions> paths = connect.pathOptions(hostnqn);
        final UlpDdpDevice ddpDevice = DdpCommand.deviceFor(ddp, ddpLoss, ddpReorder);
        for (final ConnectOptions p : paths)
        {
            p.nrIoQueues(0).nrPollQueues(queues).ctrlLossTmo(Duration.ofSeconds(10))
                .reconnectDelay(Duration.ofSeconds(1));
            if (ddpDevice != null)
            {
                p.readOffload(org.nvmeof4j.host.tcp.DdpReadOffload.factory(
                    org.nvmeof4j.ddp.UlpDdpRegistry.global(), ddpDevice.name()));
            }
        }
        final PerfReport report = new PerfReport(this, readPct, doVerify, paths.get(0), target != null, ddpDevice);
        return HostConnectOptions.subsystem(connect, hostnqn, "perf", paths, s ->
        {
            final Namespace ns = s.namespace(nsid);
            if (ns == null)
            {
                throw new UsageException("namespace " + nsid + " is not active on " + s.nqn());
            }
            return workload(target, metricsAddress, report, ns, () -> s.openIoQueue(depth), random, readPct,
                doVerify, workers -> metricsText(target, null, workers, report));
        });
    }

    /** Opens one worker's queue. */
    @FunctionalInterface
    private interface QueueOpener
    {
        IoQueue open();
    }

    /** The workload on an open controller or subsystem: build the workers, run them, write the files. */
    private int workload(final Target target, final InetSocketAddress metricsAddress, final PerfReport report,
        final Namespace ns, final QueueOpener opener, final boolean random, final int readPct, final boolean doVerify,
        final java.util.function.Function<List<PerfWorker>, String> metricsText) throws Exception
    {
        {
            final int bs = ns.blockSize();
            if (ioSize % bs != 0)
            {
                throw new UsageException("-o " + ioSize + " is not a multiple of the block size " + bs);
            }
            final long rangeBytes = Math.min(ns.sizeBytes(), rangeMib << 20);
            final long chunks = rangeBytes / ioSize;
            if (chunks < (long)queues * depth * 2)
            {
                throw new UsageException("namespace range too small for " + queues + " x " + depth + " I/Os of " +
                    ioSize + " bytes");
            }
            final List<PerfWorker> workers = new ArrayList<>();
            final long perThread = chunks / queues;
            for (int i = 0; i < queues; i++)
            {
                final PerfWorker w = new PerfWorker(i, opener.open(), nsid, bs, ioSize, depth, i * perThread,
                    perThread, random, readPct, doVerify, hostIdleStrategy(hostIdle));
                if (rate > 0)
                {
                    w.rateInterval(Math.max(1L, queues * 1_000_000_000L / rate));
                }
                if (metricsAddress != null)
                {
                    w.liveLatency = new LatencyHistogram();
                }
                workers.add(w);
            }
            final boolean ok;
            try (MetricsServer server = metricsAddress == null ? null :
                startMetrics(metricsAddress, () -> metricsText.apply(workers)))
            {
                ok = run(workers, report);
            }
            return writeFiles(report) && ok ? 0 : Nvmeof4j.EXIT_FAILURE;
        }
    }

    /** {@code --metrics}: the address, or a usage error (exit status 2) in one line. */
    static InetSocketAddress metricsAddress(final String spec)
    {
        try
        {
            return MetricsServer.parse(spec);
        }
        catch (final IllegalArgumentException e)
        {
            throw new UsageException(e.getMessage());
        }
    }

    /** Bind the metrics endpoint and say where it is on stderr; an address that cannot be bound is a usage error. */
    static MetricsServer startMetrics(final InetSocketAddress address, final java.util.function.Supplier<String> body,
        final java.io.PrintWriter err)
    {
        try
        {
            final MetricsServer server = MetricsServer.start(address, body);
            err.println("nvmeof4j: metrics on " + server.url());
            err.flush();
            return server;
        }
        catch (final IOException e)
        {
            throw new UsageException("cannot serve --metrics on " + address + ": " + e.getMessage());
        }
    }

    private MetricsServer startMetrics(final InetSocketAddress address, final java.util.function.Supplier<String> body)
    {
        return startMetrics(address, body, spec.commandLine().getErr());
    }

    /** One scrape: perf's queues and controller, the DDP and offload devices, and the embedded target if any. */
    private String metricsText(final Target target, final NvmeController c, final List<PerfWorker> workers,
        final PerfReport report)
    {
        final PrometheusText p = new PrometheusText();
        if (c != null)
        {
        final String nqn = c.options().nqn();
        p.sample("nvmeof4j_host_reconnects_total", PrometheusText.Type.COUNTER, "Reconnects the host controller " +
            "completed since connect", c.reconnects(), "subsystem", nqn);
        p.sample("nvmeof4j_host_keep_alives_sent_total", PrometheusText.Type.COUNTER, "Keep Alive commands the " +
            "host sent on the admin queue", c.keepAlivesSent(), "subsystem", nqn);
        p.sample("nvmeof4j_host_async_events_total", PrometheusText.Type.COUNTER, "Asynchronous events the host " +
            "controller received", c.asyncEvents(), "subsystem", nqn);
        }
        p.family("nvmeof4j_perf_ios_total", PrometheusText.Type.COUNTER, "I/Os a perf queue completed since it " +
            "started (prefill and warm-up included, errors included)");
        p.family("nvmeof4j_perf_io_bytes_total", PrometheusText.Type.COUNTER, "Data bytes of the I/Os a perf " +
            "queue completed");
        p.family("nvmeof4j_perf_errors_total", PrometheusText.Type.COUNTER, "I/Os a perf queue completed with an " +
            "error status");
        p.family("nvmeof4j_perf_io_latency_seconds", PrometheusText.Type.HISTOGRAM, "Latency from submission to " +
            "completion of a perf queue's I/Os (prefill and warm-up included), in power-of-two buckets");
        for (final PerfWorker w : workers)
        {
            final String qid = Integer.toString(w.qid);
            final long done = w.completed;
            p.sample("nvmeof4j_perf_ios_total", done, "qid", qid);
            p.sample("nvmeof4j_perf_io_bytes_total", (double)done * ioSize, "qid", qid);
            p.sample("nvmeof4j_perf_errors_total", w.errors, "qid", qid);
            if (w.liveLatency != null)
            {
                // the sum first: a scrape then never shows a _sum from I/Os the buckets do not hold yet
                final long sum = w.liveLatency.sumNanos();
                p.histogram("nvmeof4j_perf_io_latency_seconds", w.liveLatency.snapshot(), sum, "qid", qid);
            }
        }
        final List<Double> iops = report.iopsPerSecond();
        synchronized (iops)
        {
            if (!iops.isEmpty())
            {
                p.sample("nvmeof4j_perf_iops", PrometheusText.Type.GAUGE, "IOPS of the last whole second measured " +
                    "(all queues)", iops.get(iops.size() - 1));
            }
        }
        p.sample("nvmeof4j_perf_io_size_bytes", PrometheusText.Type.GAUGE, "The I/O size (-o)", ioSize);
        p.sample("nvmeof4j_perf_queue_depth", PrometheusText.Type.GAUGE, "I/Os kept in flight per queue (-q)", depth);
        Nvmeof4jMetrics.ddp(org.nvmeof4j.ddp.UlpDdpRegistry.global(), p);
        if (TcpOffloadTransport.NAME.equals(connect.transport))
        {
            // only then: listing the devices probes the offload drivers, which a tcp run must not start
            Nvmeof4jMetrics.offload(p);
        }
        if (target != null)
        {
            Nvmeof4jMetrics.target(target, p);
        }
        return p.text();
    }

    /** A file to write after the run must have an existing directory and not be a directory itself. */
    private static void checkWritable(final Path file, final String option)
    {
        if (file == null)
        {
            return;
        }
        final Path dir = file.toAbsolutePath().getParent();
        if (Files.isDirectory(file) || dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir))
        {
            throw new UsageException("bad " + option + " '" + file + "': not a file in a writable directory");
        }
    }

    /** {@code --histogram} and {@code --plot}; a write failure is one line on stderr and makes the run fail. */
    private boolean writeFiles(final PerfReport report)
    {
        try
        {
            if (histogramFile != null)
            {
                PerfPlot.writeHistogram(report.histogram(), histogramFile);
            }
            if (plotFile != null)
            {
                PerfPlot.writePlot(report.histogram(), report.iopsPerSecond(), report.title(), plotFile);
            }
            return true;
        }
        catch (final IOException e)
        {
            spec.commandLine().getErr().println("nvmeof4j: cannot write the histogram or plot: " + e);
            return false;
        }
    }

    /**
     * The run's timeline: start the workers, wait out their prefill and {@code --warmup}, measure for {@code --time}
     * seconds with a progress line each second, then stop them.
     *
     * @return whether the run had neither errors nor mismatches
     */
    private boolean run(final List<PerfWorker> workers, final PerfReport report) throws InterruptedException
    {
        final List<Thread> threads = new ArrayList<>();
        for (final PerfWorker w : workers)
        {
            final Thread t = new Thread(w, "nvmeof4j-perf-" + w.id);
            t.setDaemon(true);
            threads.add(t);
        }
        report.header(workers.size());
        threads.forEach(Thread::start);
        for (final PerfWorker w : workers)
        {
            while (!w.ready && w.errors == 0)
            {
                Thread.sleep(10);
            }
        }
        Thread.sleep((long)(warmup * 1000));
        final long[] cpu0 = CpuTime.cpuTicks();
        final List<Thread> engine = engineThreads();
        final long appCpu0 = CpuTime.threadsCpuNanos(threads);
        final long engineCpu0 = CpuTime.threadsCpuNanos(engine);
        final long t0 = System.nanoTime();
        for (final PerfWorker w : workers)
        {
            w.measure = true;
        }
        final long end = t0 + (long)(seconds * 1e9);
        long lastIos = 0;
        long lastT = t0;
        int second = 0;
        while (System.nanoTime() < end)
        {
            // wake on whole seconds from t0 (no drift, no extra partial line at the end)
            second++;
            final long wake = Math.min(end, t0 + second * 1_000_000_000L);
            long rem;
            while ((rem = wake - System.nanoTime()) > 0)
            {
                Thread.sleep(rem / 1_000_000, (int)(rem % 1_000_000));
            }
            final long now = System.nanoTime();
            long ios = 0;
            long errors = 0;
            for (final PerfWorker w : workers)
            {
                ios += w.measuredIos;
                errors += w.errors;
            }
            report.progress(second, ios - lastIos, (now - lastT) / 1e9, errors);
            lastIos = ios;
            lastT = now;
        }
        for (final PerfWorker w : workers)
        {
            w.measure = false;
        }
        final long elapsed = System.nanoTime() - t0;
        final long[] cpu1 = CpuTime.cpuTicks();
        final long appCpuNanos = CpuTime.threadsCpuNanos(threads) - appCpu0;
        final long engineCpuNanos = CpuTime.threadsCpuNanos(engine) - engineCpu0;
        for (final PerfWorker w : workers)
        {
            w.stop = true;
        }
        for (final Thread t : threads)
        {
            t.join(30_000);
        }
        return report.summary(workers, elapsed, cpu0, cpu1, appCpuNanos, engineCpuNanos);
    }

    /**
     * The threads beside perf's own that run this host's NVMe/TCP: with {@code -t tcp_offload}, those of the
     * reference engine (every registered one, or the {@code --offload-dev} one); none with {@code -t tcp}, where
     * the perf threads poll their sockets themselves. A third-party offload device's threads are not known here.
     */
    private List<Thread> engineThreads()
    {
        final List<Thread> l = new ArrayList<>();
        if (!TcpOffloadTransport.NAME.equals(connect.transport))
        {
            return l;
        }
        for (final NvmeTcpOfldDev d : NvmeTcpOffload.devices())
        {
            if (d.ops() instanceof OffloadEngine && (connect.offloadDev == null || connect.offloadDev.equals(d.name())))
            {
                l.addAll(((OffloadEngine)d.ops()).javaThreads());
            }
        }
        return l;
    }

    /** The perf threads' idle strategy: {@code --host-idle}. */
    static IdleStrategy hostIdleStrategy(final String mode)
    {
        switch (mode)
        {
            case "spin":
                return IdleStrategy.busySpin();
            case "backoff":
                // a few empty polls (each one receive syscall) then block on the socket: a waiting thread gives its
                // core away within microseconds instead of spinning out its scheduler time slice
                // no yields: beside a CPU-bound process each one can cost a whole time slice (QD32 fell to 22K IOPS
                // with two per wait, against 142K without)
                return IdleStrategy.backoff(50, 0, 1_000_000L);
            case "block":
                return IdleStrategy.backoff(0, 0, 1_000_000L);
            default:
                throw new UsageException("bad --host-idle '" + mode + "' (spin, backoff, block)");
        }
    }
}
