package org.nvmeof4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import org.nvmeof4j.cli.Nvmeof4j.UsageException;
import org.nvmeof4j.target.offload.LatencyHistogram;
import org.nvmeof4j.target.offload.OffloadContextMXBean;
import org.nvmeof4j.target.offload.OffloadNamespaceStatsMXBean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nvmeof4j target-offload}: the target offload contexts (seed 004) of a running target, read through its JMX
 * agent (or this process's platform MBean server): per subsystem the device, attributes, backend controllers and
 * events; per mapped namespace the counters and latency percentiles.
 */
@Command(name = "target-offload", mixinStandardHelpOptions = true,
    description = "target offload (seed 004): contexts, per-namespace counters and events of a running target",
    subcommands = {TargetOffloadCommand.Stats.class})
public final class TargetOffloadCommand implements Runnable
{
    /** Percentiles printed, from the namespace's power-of-two latency buckets. */
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};

    @Spec
    CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
        description = "per subsystem: device, offload type, backend controllers, staging use, events; per mapped " +
            "namespace: reads, writes, flushes, bytes, errors, zero-copy reads, staged writes, latency percentiles")
    static final class Stats implements Callable<Integer>
    {
        @Option(names = "--jmx", paramLabel = "URL",
            description = "the target's JMX agent, e.g. service:jmx:rmi:///jndi/rmi://localhost:9010/jmxrmi " +
                "(start the target with NVMEOF4J_JAVA_OPTS='-Dcom.sun.management.jmxremote.port=9010 " +
                "-Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false'); " +
                "default: this process")
        String jmx;

        @Option(names = {"-n", "--nqn"}, paramLabel = "SUBNQN", description = "one subsystem (default: all)")
        String nqn;

        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception
        {
            final Map<String, Map<String, Object>> all;
            if (jmx == null)
            {
                all = read(ManagementFactory.getPlatformMBeanServer());
            }
            else
            {
                try (JMXConnector c = JmxAgent.connect(jmx))
                {
                    all = read(c.getMBeanServerConnection());
                }
            }
            if (nqn != null && all.isEmpty())
            {
                throw new UsageException("no target offload context for subsystem '" + nqn + "'");
            }
            final PrintWriter out = spec.commandLine().getOut();
            if (json)
            {
                out.println(Json.write(Map.of("subsystems", all)));
            }
            else
            {
                printText(out, all);
            }
            return 0;
        }

        /** @return subsystem NQN → its context's fields and {@code namespaces} (NSID → counters). */
        Map<String, Map<String, Object>> read(final MBeanServerConnection s) throws IOException, JMException
        {
            final Map<String, Map<String, Object>> all = new TreeMap<>();
            for (final ObjectName n : s.queryNames(new ObjectName(OffloadContextMXBean.OBJECT_NAME_PREFIX + "*"),
                null))
            {
                final String sub = ObjectName.unquote(n.getKeyProperty("subsystem"));
                if (nqn != null && !nqn.equals(sub))
                {
                    continue;
                }
                final Map<String, Object> m = new LinkedHashMap<>();
                m.put("device", s.getAttribute(n, "Device"));
                m.put("offload_type", s.getAttribute(n, "OffloadType"));
                m.put("max_io_size", s.getAttribute(n, "MaxIoSz"));
                m.put("staging_chunks", s.getAttribute(n, "StagingChunks"));
                m.put("staging_chunks_in_use", s.getAttribute(n, "StagingChunksInUse"));
                m.put("backend_controllers", List.of((String[])s.getAttribute(n, "BackendControllers")));
                final Map<String, Object> ev = new LinkedHashMap<>();
                ev.put("backend_error", s.getAttribute(n, "BackendErrorEvents"));
                ev.put("backend_timeout", s.getAttribute(n, "BackendTimeoutEvents"));
                ev.put("unsupported_command", s.getAttribute(n, "UnsupportedCommandEvents"));
                m.put("events", ev);
                m.put("recent_events", List.of((String[])s.getAttribute(n, "RecentEvents")));
                m.put("namespaces", new TreeMap<Integer, Map<String, Object>>());
                all.put(sub, m);
            }
            for (final ObjectName n : s.queryNames(
                new ObjectName(OffloadNamespaceStatsMXBean.OBJECT_NAME_PREFIX + "*"), null))
            {
                final Map<String, Object> ctx = all.get(ObjectName.unquote(n.getKeyProperty("subsystem")));
                if (ctx == null)
                {
                    continue; // filtered out, or its context went away between the two queries
                }
                final Map<String, Object> m = new LinkedHashMap<>();
                m.put("backend", s.getAttribute(n, "Backend"));
                m.put("reads", s.getAttribute(n, "Reads"));
                m.put("writes", s.getAttribute(n, "Writes"));
                m.put("flushes", s.getAttribute(n, "Flushes"));
                m.put("bytes_read", s.getAttribute(n, "BytesRead"));
                m.put("bytes_written", s.getAttribute(n, "BytesWritten"));
                m.put("zero_copy_reads", s.getAttribute(n, "ZeroCopyReads"));
                m.put("mapped_reads", s.getAttribute(n, "MappedReads"));
                m.put("staged_writes", s.getAttribute(n, "StagedWrites"));
                m.put("errors", s.getAttribute(n, "Errors"));
                final long[] buckets = (long[])s.getAttribute(n, "LatencyBuckets");
                final Map<String, Object> lat = new LinkedHashMap<>();
                lat.put("samples", LatencyHistogram.total(buckets));
                for (final double p : PERCENTILES)
                {
                    lat.put(percentileName(p), LatencyHistogram.percentileUpperBoundNanos(buckets, p) / 1000.0);
                }
                m.put("latency_us_upper_bound", lat);
                @SuppressWarnings("unchecked")
                final Map<Integer, Map<String, Object>> ns = (Map<Integer, Map<String, Object>>)ctx.get("namespaces");
                ns.put(Integer.parseInt(n.getKeyProperty("nsid")), m);
            }
            return all;
        }

        /** {@code p50}, {@code p99_9}: JSON-friendly names. */
        static String percentileName(final double p)
        {
            final String s = p == Math.rint(p) ? String.valueOf((long)p) : String.valueOf(p).replace('.', '_');
            return "p" + s;
        }

        @SuppressWarnings("unchecked")
        private static void printText(final PrintWriter out, final Map<String, Map<String, Object>> all)
        {
            if (all.isEmpty())
            {
                out.println("no target offload contexts");
                return;
            }
            all.forEach((sub, c) ->
            {
                out.printf("%s: %s %s, max I/O %s B, staging %s/%s chunks in use%n", sub, c.get("device"),
                    c.get("offload_type"), c.get("max_io_size"), c.get("staging_chunks_in_use"),
                    c.get("staging_chunks"));
                out.printf("  backend controllers: %s%n", String.join(", ", (List<String>)c.get("backend_controllers")));
                final List<String> ev = new ArrayList<>();
                ((Map<String, Object>)c.get("events")).forEach((k, v) -> ev.add(k + " " + v));
                out.printf("  events: %s%n", String.join(", ", ev));
                for (final String e : (List<String>)c.get("recent_events"))
                {
                    out.printf("    %s%n", e);
                }
                ((Map<Integer, Map<String, Object>>)c.get("namespaces")).forEach((nsid, m) ->
                {
                    out.printf("  nsid %d -> %s%n", nsid, m.get("backend"));
                    out.printf("    reads %s (%s zero-copy, %s mapped), writes %s (%s staged), flushes %s, errors %s%n",
                        m.get("reads"), m.get("zero_copy_reads"), m.get("mapped_reads"), m.get("writes"),
                        m.get("staged_writes"),
                        m.get("flushes"), m.get("errors"));
                    out.printf("    bytes read %s, bytes written %s%n", m.get("bytes_read"), m.get("bytes_written"));
                    final Map<String, Object> lat = (Map<String, Object>)m.get("latency_us_upper_bound");
                    final List<String> ps = new ArrayList<>();
                    for (final double p : PERCENTILES)
                    {
                        ps.add(percentileName(p).replace('_', '.') + " < " +
                            String.format(Locale.ROOT, "%.0f", (Double)lat.get(percentileName(p))) + " us");
                    }
                    out.printf("    latency (%s commands, power-of-two buckets): %s%n", lat.get("samples"),
                        String.join(", ", ps));
                });
            });
        }
    }
}
