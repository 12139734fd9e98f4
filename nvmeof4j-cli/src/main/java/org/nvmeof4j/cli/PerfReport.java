package org.nvmeof4j.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.nvmeof4j.ddp.UlpDdpCaps;
import org.nvmeof4j.ddp.UlpDdpDevice;
import org.nvmeof4j.ddp.UlpDdpStats;
import org.nvmeof4j.ddp.model.ModelDdpDevice;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.offload.TcpOffloadTransport;

/**
 * What {@code nvmeof4j perf} prints: the header line, a progress line each second (on stderr) and the final summary,
 * as a table or as one JSON object ({@code --json}: no header, no progress).
 */
final class PerfReport
{
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;
    private final boolean progress;
    private final String workload;
    private final int readPct;
    private final int ioSize;
    private final int depth;
    private final double seconds;
    private final boolean verify;
    private final ConnectOptions o;
    private final boolean embedded;
    private final UlpDdpDevice ddpDevice;
    /** The DDP device's counters before the run, so that the summary shows this run's alone. */
    private final UlpDdpStats ddpBefore;
    /** Whether the host runs through {@code -t tcp_offload}. */
    private final boolean offload;
    /** The IOPS of each second measured (the last may cover a partial second), for the plot. */
    private final List<Double> iopsPerSecond = new ArrayList<>();
    /** The merged latency histogram of the run (nanoseconds), once {@link #summary} ran. */
    private Histogram histogram;
    /** The header line's text, also the plot's title. */
    private String title = "";

    /**
     * @param perf the command whose output streams and options ({@code -w}, {@code -o}, {@code -q}, {@code --time},
     *     {@code --json}, {@code --no-progress}) the report follows
     * @param readPct the read percentage in effect (100 for the read workloads, 0 for the write ones)
     * @param verify whether the workers check data
     * @param o where the host connects
     * @param embedded whether the target is perf's own
     * @param ddpDevice the DDP device of the I/O queues, or null; its counters are taken now, before the run
     */
    PerfReport(final PerfCommand perf, final int readPct, final boolean verify, final ConnectOptions o,
        final boolean embedded, final UlpDdpDevice ddpDevice)
    {
        this.out = perf.spec.commandLine().getOut();
        this.err = perf.spec.commandLine().getErr();
        this.json = perf.json;
        this.progress = !perf.noProgress && !perf.json;
        this.workload = perf.workload;
        this.readPct = readPct;
        this.ioSize = perf.ioSize;
        this.depth = perf.depth;
        this.seconds = perf.seconds;
        this.verify = verify;
        this.o = o;
        this.embedded = embedded;
        this.ddpDevice = ddpDevice;
        this.ddpBefore = ddpDevice != null ? ddpDevice.getStats() : null;
        this.offload = TcpOffloadTransport.NAME.equals(o.transport());
    }

    /** The line that says what runs against what; none with {@code --json}. */
    void header(final int queues)
    {
        title = String.format(java.util.Locale.ROOT, "%s%s, %d B, QD %d, %d queue(s), %s s%s, %s to %s:%d %s%s",
            workload, readPct > 0 && readPct < 100 ? " (" + readPct + "% reads)" : "", ioSize, depth, queues,
            new java.math.BigDecimal(seconds).stripTrailingZeros().toPlainString(), verify ? ", verify" : "",
            o.transport(), o.traddr(), o.trsvcid(), o.nqn(), embedded ? " (embedded RAM target)" : "");
        if (!json)
        {
            out.println("nvmeof4j perf: " + title);
        }
    }

    /** @return the IOPS of each second measured so far, in order. */
    List<Double> iopsPerSecond()
    {
        return iopsPerSecond;
    }

    /** @return the run's merged latency histogram in nanoseconds; null before {@link #summary}. */
    Histogram histogram()
    {
        return histogram;
    }

    /** @return what ran, as in the header line. */
    String title()
    {
        return title;
    }

    /**
     * One progress line, unless {@code --no-progress} or {@code --json}.
     *
     * @param second seconds since the measurement began
     * @param ios I/Os completed since the previous line
     * @param dt seconds since the previous line
     * @param errors errors so far
     */
    void progress(final int second, final long ios, final double dt, final long errors)
    {
        synchronized (iopsPerSecond)
        {
            // the metrics endpoint reads it from its own thread
            iopsPerSecond.add(dt > 0 ? ios / dt : 0.0);
        }
        if (progress)
        {
            err.printf("[%3ds] %10.0f IOPS %9.2f MiB/s%s%n", second, ios / dt,
                ios * (double)ioSize / dt / (1 << 20), errors > 0 ? "  errors " + errors : "");
        }
    }

    /**
     * The final summary of the workers' measurements.
     *
     * @param elapsed nanoseconds measured
     * @param cpu0 {@link CpuTime#cpuTicks()} when the measurement began
     * @param cpu1 {@link CpuTime#cpuTicks()} when it ended
     * @param appCpuNanos the perf threads' CPU time in that window
     * @param engineCpuNanos the offload engine threads' CPU time in that window (0 without one)
     * @return whether the run had neither errors nor mismatches
     */
    boolean summary(final List<PerfWorker> workers, final long elapsed, final long[] cpu0, final long[] cpu1,
        final long appCpuNanos, final long engineCpuNanos)
    {
        final Histogram h = new Histogram(3_600_000_000_000L, 3);
        histogram = h;
        long ios = 0;
        long errors = 0;
        long checked = 0;
        long mismatches = 0;
        String firstError = null;
        long maxPause = -1;
        long failovers = 0; // --path: the whole run's, prefill and warm-up included
        for (final PerfWorker w : workers)
        {
            maxPause = Math.max(maxPause, w.maxPauseNanos);
            failovers += Math.max(0, w.failovers());
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
        final double ticks = CpuTime.TICKS_PER_SECOND;
        final double user = cpu1[0] < 0 ? -1 : (cpu1[0] - cpu0[0]) / ticks;
        final double system = cpu1[1] < 0 ? -1 : (cpu1[1] - cpu0[1]) / ticks;
        final Map<String, Object> r = new LinkedHashMap<>();
        r.put("workload", workload);
        r.put("rwmixread", readPct);
        r.put("io_size", ioSize);
        r.put("queue_depth", depth);
        r.put("queues", workers.size());
        r.put("seconds", round(secs, 3));
        r.put("transport", o.transport());
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
        lat.put("p99_99", round(h.getValueAtPercentile(99.99) / 1000.0, 2));
        lat.put("max", round(h.getMaxValue() / 1000.0, 2));
        r.put("latency_us", lat);
        if (maxPause >= 0)
        {
            // --path: the longest gap between two completions of one queue (e.g. a failover)
            r.put("max_pause_ms", round(maxPause / 1e6, 3));
            r.put("failovers", failovers);
        }
        final Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("user", round(user, 2));
        cpu.put("system", round(system, 2));
        cpu.put("cores", Runtime.getRuntime().availableProcessors());
        cpu.put("includes_embedded_target", embedded);
        r.put("cpu_seconds", cpu);
        // the host's own CPU: with tcp the perf threads poll their queues, so the whole host path runs on them; with
        // tcp_offload the engine threads run NVMe/TCP and the perf threads (the application) only post and reap
        final double appCpu = appCpuNanos / 1e9;
        final double engineCpu = engineCpuNanos / 1e9;
        final double hostCpu = appCpu + engineCpu;
        final double gib = ios * (double)ioSize / (1L << 30);
        r.put("host_cpu_seconds", round(hostCpu, 3));
        r.put("host_cpu_seconds_per_gib", gib > 0 ? round(hostCpu / gib, 4) : 0);
        r.put("app_cpu_seconds", round(appCpu, 3));
        r.put("app_cpu_seconds_per_gib", gib > 0 ? round(appCpu / gib, 4) : 0);
        if (offload)
        {
            r.put("engine_cpu_seconds", round(engineCpu, 3));
        }
        if (ddpDevice != null)
        {
            final Map<String, Object> d = new LinkedHashMap<>();
            d.put("device", ddpDevice.name());
            d.put("caps", UlpDdpCaps.names(ddpDevice.getCaps().active()));
            d.put("stats", ddpDevice.getStats().minus(ddpBefore).toMap());
            d.putAll(modelCounters());
            r.put("ddp", d);
        }
        r.put("errors", errors);
        if (verify)
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
            out.printf("%-14s: avg %.2f  p50 %.2f  p99 %.2f  p99.9 %.2f  p99.99 %.2f  max %.2f%n", "latency (us)",
                lat.get("avg"), lat.get("p50"), lat.get("p99"), lat.get("p99_9"), lat.get("p99_99"), lat.get("max"));
            if (maxPause >= 0)
            {
                out.printf("%-14s: %.3f ms (longest gap between completions of one queue)%n", "max pause",
                    maxPause / 1e6);
                out.printf("%-14s: %d (I/Os sent again on another path)%n", "failovers", failovers);
            }
            out.printf("%-14s: user %.2f  system %.2f  (%.1f s wall, %d cores%s)%n", "CPU (s)", user, system, secs,
                Runtime.getRuntime().availableProcessors(), embedded ? ", includes the embedded target" : "");
            out.printf("%-14s: %.3f s, %.4f s/GiB (%s)%n", "host CPU", hostCpu, gib > 0 ? hostCpu / gib : 0.0,
                offload ? "perf + offload engine threads" : "perf threads: the host side");
            if (offload) // without an engine the app threads are the host side: the same figure twice says nothing
            {
                out.printf("%-14s: %.3f s, %.4f s/GiB (perf threads: submit and complete)%n", "app CPU", appCpu,
                    gib > 0 ? appCpu / gib : 0.0);
            }
            out.printf("%-14s: %d%s%n", "errors", errors, firstError != null ? " (first: " + firstError + ")" : "");
            if (ddpDevice != null)
            {
                out.printf("%-14s: %s (%s)%n", "ddp", ddpDevice.name(),
                    UlpDdpCaps.names(ddpDevice.getCaps().active()));
                ddpDevice.getStats().minus(ddpBefore).toMap()
                    .forEach((k, v) -> out.printf("  %-26s %d%n", k, v));
                modelCounters().forEach((k, v) -> out.printf("  %-26s %d%n", "model " + k, v));
            }
            if (verify)
            {
                out.printf("%-14s: %d reads checked, %d mismatches%n", "verify", checked, mismatches);
            }
        }
        return errors == 0 && mismatches == 0;
    }

    /** The model NIC's own counters (this run's device): packets, confirmed resyncs, gaps it stayed in sync across. */
    private Map<String, Object> modelCounters()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        if (ddpDevice instanceof ModelDdpDevice)
        {
            final ModelDdpDevice model = (ModelDdpDevice)ddpDevice;
            m.put("packets_seen", model.packetsSeen());
            m.put("resync_confirmed", model.resyncConfirmed());
            m.put("gaps_bridged", model.gapsBridged());
        }
        return m;
    }

    private static double round(final double v, final int digits)
    {
        final double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
