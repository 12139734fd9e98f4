package org.nvmeof4j.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import org.nvmeof4j.cli.Nvmeof4j.UsageException;
import org.nvmeof4j.host.CompletionHandler;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.IoQueue;
import org.nvmeof4j.host.Namespace;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.protocol.nvme.NvmeStatus;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.tcp.IdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nvmeof4j perf}: a load generator in the manner of spdk_nvme_perf. Each of {@code --queues} threads owns a
 * polled {@link IoQueue} and keeps {@code -q} I/Os of {@code -o} bytes in flight for {@code --time} seconds.
 * Reports IOPS, MiB/s, latency (HdrHistogram: avg, p50, p99, p99.9, max) and the process's CPU time (user and
 * system, from /proc/self/stat), with a progress line each second.
 *
 * <p>Without {@code -a} it starts an embedded RAM target on 127.0.0.1 (an ephemeral port) and runs a short verified
 * random read/write workload against it through the real TCP path: one command shows the whole stack working.
 *
 * <p>{@code --verify}: each thread owns a disjoint LBA range; writes carry a pattern derived from (block, version)
 * and every read of a block written in this run is compared with the version last acknowledged. Blocks with an I/O
 * in flight are not chosen again until it completes, so the expected content is always known.
 */
@Command(name = "perf", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Measure I/O performance, spdk_nvme_perf style (-q is the queue depth here; --hostnqn the host NQN).",
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

    @Option(names = "--queues", paramLabel = "N", defaultValue = "1", description = "queues = threads (default ${DEFAULT-VALUE})")
    int queues;

    @Option(names = "--nsid", paramLabel = "NSID", defaultValue = "1", description = "namespace (default ${DEFAULT-VALUE})")
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
        description = "pollers' idle strategy: spin or backoff (default ${DEFAULT-VALUE}; the embedded target's pollers)")
    String idle;

    @Option(names = "--host-idle", paramLabel = "MODE", defaultValue = "spin",
        description = "what a perf thread does while it waits for completions: spin (lowest latency, one core per " +
            "queue, like SPDK), backoff (spin briefly, then block on the socket) or block (block on the socket at " +
            "once: steadier QD1 latency when cores are shared, slower on a quiet machine) (default ${DEFAULT-VALUE})")
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

    private org.nvmeof4j.ddp.UlpDdpDevice ddpDevice;
    private org.nvmeof4j.ddp.UlpDdpStats ddpBefore;

    @Spec
    CommandSpec spec;

    /** The model NIC's own counters (this run's device): packets, confirmed resyncs, gaps it stayed in sync across. */
    private Map<String, Object> modelCounters()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        if (ddpDevice instanceof org.nvmeof4j.ddp.model.ModelDdpDevice)
        {
            final org.nvmeof4j.ddp.model.ModelDdpDevice model = (org.nvmeof4j.ddp.model.ModelDdpDevice)ddpDevice;
            m.put("packets_seen", model.packetsSeen());
            m.put("resync_confirmed", model.resyncConfirmed());
            m.put("gaps_bridged", model.gapsBridged());
        }
        return m;
    }

    @Override
    public Integer call() throws Exception
    {
        final boolean read;
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
        hostIdleStrategy(hostIdle);
        final boolean embedded = connect.traddr == null;
        final boolean doVerify = verify != null ? verify : embedded;
        Target target = null;
        if (embedded)
        {
            final long ramBytes = Math.max(64L << 20, Math.min(rangeMib, 256) << 20);
            target = Target.builder().listen("127.0.0.1", 0).pollers(Math.min(queues, 2))
                .idleStrategy(() -> IdleStrategy.parse(idle))
                .subsystem(s -> s.nqn(TargetCommand.DEFAULT_NQN).allowAnyHost().blockSize(4096)
                    .ramNamespace(1, ramBytes))
                .build().start();
            connect.traddr = "127.0.0.1";
            connect.trsvcid = target.boundPort();
            connect.nqn = TargetCommand.DEFAULT_NQN;
        }
        if (depth >= connect.queueSize)
        {
            connect.queueSize = Math.min(1024, Integer.highestOneBit(depth) * 2);
            if (depth >= connect.queueSize)
            {
                throw new UsageException("-q must be below --queue-size");
            }
        }
        final ConnectOptions o = connect.toOptions(hostnqn, ConnectOptions.DEFAULT_PORT, true).nrIoQueues(0).nrPollQueues(queues)
            .ctrlLossTmo(Duration.ofSeconds(10)).reconnectDelay(Duration.ofSeconds(1));
        ddpDevice = DdpCommand.deviceFor(ddp, ddpLoss, ddpReorder);
        if (ddpDevice != null)
        {
            o.readOffload(org.nvmeof4j.host.tcp.DdpReadOffload.factory(org.nvmeof4j.ddp.UlpDdpRegistry.global(),
                ddpDevice.name()));
            ddpBefore = ddpDevice.getStats();
        }
        try (NvmeController c = HostConnectOptions.connect(o))
        {
            final Namespace ns = c.namespace(nsid);
            if (ns == null)
            {
                throw new UsageException("namespace " + nsid + " is not active on " + o.nqn());
            }
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
            final List<Worker> workers = new ArrayList<>();
            final long perThread = chunks / queues;
            for (int i = 0; i < queues; i++)
            {
                final Worker w = new Worker(i, c.openIoQueue(), nsid, bs, ioSize, depth, i * perThread, perThread,
                    random, readPct, doVerify, hostIdleStrategy(hostIdle));
                if (rate > 0)
                {
                    w.rateInterval(Math.max(1L, queues * 1_000_000_000L / rate));
                }
                workers.add(w);
            }
            return run(c, workers, o, embedded, readPct, doVerify);
        }
        finally
        {
            if (target != null)
            {
                target.close();
            }
        }
    }

    private Integer run(final NvmeController c, final List<Worker> workers, final ConnectOptions o,
        final boolean embedded, final int readPct, final boolean doVerify) throws InterruptedException
    {
        final var out = spec.commandLine().getOut();
        final var err = spec.commandLine().getErr();
        final List<Thread> threads = new ArrayList<>();
        for (final Worker w : workers)
        {
            final Thread t = new Thread(w, "nvmeof4j-perf-" + w.id);
            t.setDaemon(true);
            threads.add(t);
        }
        if (!json)
        {
            out.printf("nvmeof4j perf: %s%s, %d B, QD %d, %d queue(s), %.0f s%s, target %s:%d %s%s%n", workload,
                readPct > 0 && readPct < 100 ? " (" + readPct + "% reads)" : "", ioSize, depth, workers.size(),
                seconds, doVerify ? ", verify" : "", o.traddr(), o.trsvcid(), o.nqn(),
                embedded ? " (embedded RAM target)" : "");
        }
        threads.forEach(Thread::start);
        for (final Worker w : workers)
        {
            while (!w.ready && w.errors == 0)
            {
                Thread.sleep(10);
            }
        }
        Thread.sleep((long)(warmup * 1000));
        final long[] cpu0 = cpuTicks();
        final long hostCpu0 = threadsCpuNanos(threads);
        final long t0 = System.nanoTime();
        for (final Worker w : workers)
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
            for (final Worker w : workers)
            {
                ios += w.measuredIos;
                errors += w.errors;
            }
            if (!noProgress && !json)
            {
                final double dt = (now - lastT) / 1e9;
                err.printf("[%3ds] %10.0f IOPS %9.2f MiB/s%s%n", second, (ios - lastIos) / dt,
                    (ios - lastIos) * (double)ioSize / dt / (1 << 20), errors > 0 ? "  errors " + errors : "");
            }
            lastIos = ios;
            lastT = now;
        }
        for (final Worker w : workers)
        {
            w.measure = false;
        }
        final long elapsed = System.nanoTime() - t0;
        final long[] cpu1 = cpuTicks();
        final long hostCpuNanos = threadsCpuNanos(threads) - hostCpu0;
        for (final Worker w : workers)
        {
            w.stop = true;
        }
        for (final Thread t : threads)
        {
            t.join(30_000);
        }
        final Histogram h = new Histogram(3_600_000_000_000L, 3);
        long ios = 0;
        long errors = 0;
        long checked = 0;
        long mismatches = 0;
        String firstError = null;
        for (final Worker w : workers)
        {
            h.add(w.histogram);
            ios += w.measuredIos;
            errors += w.errors;
            checked += w.verified;
            mismatches += w.mismatches;
            if (firstError == null && w.firstError != null)
            {
                firstError = w.firstError;
            }
        }
        final double secs = elapsed / 1e9;
        final double iops = ios / secs;
        final double mibs = iops * ioSize / (1 << 20);
        final double ticks = 100.0; // USER_HZ
        final double user = cpu1[0] < 0 ? -1 : (cpu1[0] - cpu0[0]) / ticks;
        final double system = cpu1[1] < 0 ? -1 : (cpu1[1] - cpu0[1]) / ticks;
        final Map<String, Object> r = new LinkedHashMap<>();
        r.put("workload", workload);
        r.put("rwmixread", readPct);
        r.put("io_size", ioSize);
        r.put("queue_depth", depth);
        r.put("queues", workers.size());
        r.put("seconds", round(secs, 3));
        r.put("target", o.traddr() + ":" + o.trsvcid());
        r.put("subnqn", o.nqn());
        r.put("embedded_target", embedded);
        r.put("hdr_digest", o.hdrDigest());
        r.put("data_digest", o.dataDigest());
        r.put("ios", ios);
        r.put("iops", round(iops, 1));
        r.put("mib_per_s", round(mibs, 2));
        final Map<String, Object> lat = new LinkedHashMap<>();
        lat.put("avg", round(h.getMean() / 1000.0, 2));
        lat.put("p50", round(h.getValueAtPercentile(50) / 1000.0, 2));
        lat.put("p99", round(h.getValueAtPercentile(99) / 1000.0, 2));
        lat.put("p99_9", round(h.getValueAtPercentile(99.9) / 1000.0, 2));
        lat.put("max", round(h.getMaxValue() / 1000.0, 2));
        r.put("latency_us", lat);
        final Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("user", round(user, 2));
        cpu.put("system", round(system, 2));
        cpu.put("cores", Runtime.getRuntime().availableProcessors());
        cpu.put("includes_embedded_target", embedded);
        r.put("cpu_seconds", cpu);
        // the host's own CPU: the perf threads poll their queues, so the whole host receive path runs on them
        final double hostCpu = hostCpuNanos / 1e9;
        final double gib = ios * (double)ioSize / (1L << 30);
        r.put("host_cpu_seconds", round(hostCpu, 3));
        r.put("host_cpu_seconds_per_gib", gib > 0 ? round(hostCpu / gib, 4) : 0);
        if (ddpDevice != null)
        {
            final Map<String, Object> d = new LinkedHashMap<>();
            d.put("device", ddpDevice.name());
            d.put("caps", org.nvmeof4j.ddp.UlpDdpCaps.names(ddpDevice.getCaps().active()));
            d.put("stats", ddpDevice.getStats().minus(ddpBefore).toMap());
            d.putAll(modelCounters());
            r.put("ddp", d);
        }
        r.put("errors", errors);
        if (doVerify)
        {
            final Map<String, Object> v = new LinkedHashMap<>();
            v.put("reads_checked", checked);
            v.put("mismatches", mismatches);
            r.put("verify", v);
        }
        if (json)
        {
            out.println(Json.write(r));
        }
        else
        {
            out.printf("%-14s: %.0f%n", "IOPS", iops);
            out.printf("%-14s: %.2f%n", "MiB/s", mibs);
            out.printf("%-14s: avg %.2f  p50 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n", "latency (us)",
                lat.get("avg"), lat.get("p50"), lat.get("p99"), lat.get("p99_9"), lat.get("max"));
            out.printf("%-14s: user %.2f  system %.2f  (%.1f s wall, %d cores%s)%n", "CPU (s)", user, system, secs,
                Runtime.getRuntime().availableProcessors(), embedded ? ", includes the embedded target" : "");
            out.printf("%-14s: %.3f s, %.4f s/GiB (perf threads: the host side)%n", "host CPU", hostCpu,
                gib > 0 ? hostCpu / gib : 0.0);
            out.printf("%-14s: %d%s%n", "errors", errors, firstError != null ? " (first: " + firstError + ")" : "");
            if (ddpDevice != null)
            {
                out.printf("%-14s: %s (%s)%n", "ddp", ddpDevice.name(),
                    org.nvmeof4j.ddp.UlpDdpCaps.names(ddpDevice.getCaps().active()));
                ddpDevice.getStats().minus(ddpBefore).toMap()
                    .forEach((k, v) -> out.printf("  %-26s %d%n", k, v));
                modelCounters().forEach((k, v) -> out.printf("  %-26s %d%n", "model " + k, v));
            }
            if (doVerify)
            {
                out.printf("%-14s: %d reads checked, %d mismatches%n", "verify", checked, mismatches);
            }
        }
        return errors == 0 && mismatches == 0 ? 0 : Nvmeof4j.EXIT_FAILURE;
    }

    private static double round(final double v, final int digits)
    {
        final double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    /** @return CPU time of these threads (ns), or 0 when the JVM cannot tell. */
    static long threadsCpuNanos(final List<Thread> threads)
    {
        final var mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (final Thread t : threads)
        {
            final long ns = mx.isThreadCpuTimeSupported() ? mx.getThreadCpuTime(t.getId()) : -1;
            sum += Math.max(0, ns);
        }
        return sum;
    }

    /** @return utime and stime of the whole process in clock ticks (/proc/self/stat fields 14 and 15), or -1. */
    static long[] cpuTicks()
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc/self/stat"));
            final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": field 3 is f[0], so utime (14) is f[11], stime (15) f[12]
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
        }
        catch (final IOException | RuntimeException e)
        {
            final var os = ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.OperatingSystemMXBean)
            {
                final long ns = ((com.sun.management.OperatingSystemMXBean)os).getProcessCpuTime();
                return new long[] {ns / 10_000_000L, 0};
            }
            return new long[] {-1, -1};
        }
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

    /** One perf thread: owns a polled queue, keeps {@code depth} I/Os in flight; no allocation per I/O. */
    static final class Worker implements Runnable, CompletionHandler
    {
        final int id;
        private final IoQueue q;
        private final int nsid;
        private final int blocksPerIo;
        private final int ioSize;
        private final int depth;
        private final long firstChunk;
        private final long chunks;
        private final boolean random;
        private final int readPct;
        private final boolean verify;
        private final ByteBuffer[] bufs;
        private final long[] slotChunk;
        private final boolean[] slotRead;
        private final long[] slotStart;
        private final int[] versions;
        private final boolean[] busy;
        final Histogram histogram = new Histogram(3_600_000_000_000L, 3);
        volatile boolean measure;
        volatile boolean stop;
        volatile long measuredIos;
        volatile long errors;
        long verified;
        long mismatches;
        String firstError;
        private long seq;
        private boolean prefilling;
        private long prefillNext;
        /** Set once a verify prefill (if any) is done and the measured workload starts. */
        volatile boolean ready;
        private long rng;
        private int inflight;
        private final IdleStrategy idleStrategy;
        private final IdleStrategy.Waiter waiter;
        /** --rate: nanoseconds between submissions (0: none); slots wait in {@code deferred} for their turn. */
        private long rateInterval;
        private long nextSubmitAt;
        private final int[] deferred;
        private int deferredCount;

        Worker(final int id, final IoQueue q, final int nsid, final int blockSize, final int ioSize, final int depth,
            final long firstChunk, final long chunks, final boolean random, final int readPct, final boolean verify,
            final IdleStrategy idleStrategy)
        {
            this.id = id;
            this.q = q;
            this.idleStrategy = idleStrategy;
            this.waiter = q::await;
            this.nsid = nsid;
            this.blocksPerIo = ioSize / blockSize;
            this.ioSize = ioSize;
            this.depth = depth;
            this.firstChunk = firstChunk;
            this.chunks = chunks;
            this.random = random;
            this.readPct = readPct;
            this.verify = verify;
            this.bufs = new ByteBuffer[depth];
            this.deferred = new int[depth];
            for (int i = 0; i < depth; i++)
            {
                bufs[i] = ByteBuffer.allocateDirect(ioSize);
            }
            slotChunk = new long[depth];
            slotRead = new boolean[depth];
            slotStart = new long[depth];
            versions = verify ? new int[(int)Math.min(chunks, Integer.MAX_VALUE - 8)] : null;
            busy = verify ? new boolean[versions.length] : null;
            rng = 0x9E3779B97F4A7C15L * (id + 1);
        }

        private long next()
        {
            rng ^= rng << 13;
            rng ^= rng >>> 7;
            rng ^= rng << 17;
            return rng;
        }

        @Override
        public void run()
        {
            try
            {
                if (verify && readPct == 100)
                {
                    // a read-only workload has nothing to check unless the range holds known data: write it first
                    prefilling = true;
                    for (int s = 0; s < depth; s++)
                    {
                        submit(s);
                    }
                    while (inflight > 0)
                    {
                        idleStrategy.idle(q.poll(this), waiter);
                    }
                    prefilling = false;
                }
                ready = true;
                nextSubmitAt = System.nanoTime();
                for (int s = 0; s < depth; s++)
                {
                    submit(s);
                }
                while (inflight > 0 || deferredCount > 0)
                {
                    final int work = q.poll(this) + releaseDeferred();
                    if (deferredCount > 0 && work == 0)
                    {
                        // paced: sleep towards the next turn (briefly, so completions are still reaped)
                        LockSupport.parkNanos(Math.min(50_000L, nextSubmitAt - System.nanoTime()));
                    }
                    else
                    {
                        idleStrategy.idle(work, waiter);
                    }
                }
            }
            catch (final RuntimeException e)
            {
                firstError = e.toString();
                errors++;
            }
            finally
            {
                q.close();
            }
        }

        void rateInterval(final long nanos)
        {
            rateInterval = nanos;
        }

        /** Submit deferred slots whose turn has come; drop them once stopping. */
        private int releaseDeferred()
        {
            if (deferredCount == 0)
            {
                return 0;
            }
            if (stop)
            {
                deferredCount = 0;
                return 0;
            }
            int n = 0;
            while (deferredCount > 0 && System.nanoTime() - nextSubmitAt >= 0)
            {
                submit(deferred[--deferredCount]);
                n++;
            }
            return n;
        }

        private void submit(final int slot)
        {
            if (stop)
            {
                return;
            }
            if (rateInterval > 0 && !prefilling)
            {
                final long now = System.nanoTime();
                if (now - nextSubmitAt < 0)
                {
                    deferred[deferredCount++] = slot;
                    return;
                }
                // one turn per interval; after a late wake-up, catch up by at most a queue depth of turns
                nextSubmitAt = Math.max(nextSubmitAt, now - rateInterval * depth) + rateInterval;
            }
            if (prefilling)
            {
                if (prefillNext >= chunks)
                {
                    return;
                }
                final long chunk = prefillNext++;
                slotChunk[slot] = chunk;
                slotRead[slot] = false;
                busy[(int)chunk] = true;
                fill(bufs[slot], chunk, versions[(int)chunk] + 1);
                slotStart[slot] = System.nanoTime();
                if (q.submitWrite(nsid, (firstChunk + chunk) * blocksPerIo, blocksPerIo, bufs[slot], slot) < 0)
                {
                    busy[(int)chunk] = false;
                    prefillNext--;
                    return;
                }
                inflight++;
                return;
            }
            long chunk;
            int tries = 0;
            do
            {
                chunk = random ? Long.remainderUnsigned(next(), chunks) : (seq++ % chunks);
            }
            while (verify && busy[(int)chunk] && ++tries < 64);
            if (verify && busy[(int)chunk])
            {
                return; // every candidate busy (tiny range): try again on the next completion
            }
            final boolean read = readPct == 100 || (readPct > 0 && Long.remainderUnsigned(next(), 100) < readPct);
            slotChunk[slot] = chunk;
            slotRead[slot] = read;
            final ByteBuffer b = bufs[slot];
            if (verify)
            {
                busy[(int)chunk] = true;
                if (!read)
                {
                    fill(b, chunk, versions[(int)chunk] + 1);
                }
            }
            final long lba = (firstChunk + chunk) * blocksPerIo;
            slotStart[slot] = System.nanoTime();
            final int r = read ? q.submitRead(nsid, lba, blocksPerIo, b, slot) :
                q.submitWrite(nsid, lba, blocksPerIo, b, slot);
            if (r < 0)
            {
                if (verify)
                {
                    busy[(int)chunk] = false;
                }
                return;
            }
            inflight++;
        }

        @Override
        public void onComplete(final long userTag, final int status)
        {
            final int slot = (int)userTag;
            inflight--;
            final long now = System.nanoTime();
            if (measure)
            {
                histogram.recordValue(Math.max(0, now - slotStart[slot]));
                measuredIos++;
            }
            final int chunk = (int)slotChunk[slot];
            if (status != 0)
            {
                errors++;
                if (firstError == null)
                {
                    firstError = (slotRead[slot] ? "read" : "write") + " status " +
                        NvmeStatus.describe(status, slotRead[slot] ? 0x02 : 0x01);
                }
            }
            else if (verify)
            {
                if (slotRead[slot])
                {
                    final int v = versions[chunk];
                    if (v != 0)
                    {
                        verified++;
                        if (!check(bufs[slot], chunk, v))
                        {
                            mismatches++;
                            if (firstError == null)
                            {
                                firstError = "data mismatch at LBA " + (firstChunk + chunk) * blocksPerIo;
                            }
                        }
                    }
                }
                else
                {
                    versions[chunk]++;
                }
            }
            if (verify)
            {
                busy[chunk] = false;
            }
            submit(slot);
        }

        private static long word(final long chunk, final int version, final int i)
        {
            long x = (chunk << 20) ^ ((long)version << 44) ^ i * 0x9E3779B97F4A7C15L;
            x ^= x >>> 29;
            return x;
        }

        private void fill(final ByteBuffer b, final long chunk, final int version)
        {
            for (int i = 0; i + 8 <= ioSize; i += 8)
            {
                b.putLong(i, word(chunk, version, i));
            }
        }

        private boolean check(final ByteBuffer b, final long chunk, final int version)
        {
            for (int i = 0; i + 8 <= ioSize; i += 8)
            {
                if (b.getLong(i) != word(chunk, version, i))
                {
                    return false;
                }
            }
            return true;
        }
    }
}
