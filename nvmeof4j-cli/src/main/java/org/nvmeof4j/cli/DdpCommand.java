package org.nvmeof4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.management.Attribute;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import org.nvmeof4j.cli.Nvmeof4j.UsageException;
import org.nvmeof4j.ddp.UlpDdpCaps;
import org.nvmeof4j.ddp.UlpDdpDevice;
import org.nvmeof4j.ddp.UlpDdpMBean;
import org.nvmeof4j.ddp.UlpDdpRegistry;
import org.nvmeof4j.ddp.UlpDdpStats;
import org.nvmeof4j.ddp.model.ModelDdpDevice;
import org.nvmeof4j.ddp.model.WireConfig;
import org.nvmeof4j.ddp.soft.SoftDdpDevice;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code nvmeof4j ddp}: the ULP DDP receive offload devices (seed 003's caps and statistics, here over JMX rather
 * than netlink) and the copy-offload benchmark.
 */
@Command(name = "ddp", mixinStandardHelpOptions = true,
    description = "ULP DDP receive offload: device caps and statistics, and the off-vs-soft benchmark",
    subcommands = {DdpCommand.Caps.class, DdpCommand.Stats.class, DdpCommand.Bench.class})
public final class DdpCommand implements Runnable
{
    /** Name of the built-in software device. */
    public static final String SOFT = "soft0";
    /** Name of the built-in NIC model device. */
    public static final String MODEL = "model0";

    @Spec
    CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Register the built-in devices in the process registry (idempotent). */
    static synchronized void builtins()
    {
        final UlpDdpRegistry r = UlpDdpRegistry.global();
        if (r.byName(SOFT) == null)
        {
            r.register(new SoftDdpDevice(SOFT));
        }
        if (r.byName(MODEL) == null)
        {
            r.register(new ModelDdpDevice(MODEL, WireConfig.CLEAN));
        }
    }

    /**
     * The device a {@code --ddp} value names: null for "off", the built-in soft or model device (the model with
     * this wire), or any registered device.
     */
    static UlpDdpDevice deviceFor(final String name, final double loss, final double reorder)
    {
        if (name == null || name.equals("off") || name.equals("none"))
        {
            return null;
        }
        builtins();
        final UlpDdpRegistry r = UlpDdpRegistry.global();
        switch (name)
        {
            case "soft":
                return r.byName(SOFT);
            case "model":
            {
                final ModelDdpDevice m = (ModelDdpDevice)r.byName(MODEL);
                try
                {
                    m.wire(WireConfig.of(loss, reorder, 1));
                }
                catch (final IllegalArgumentException e)
                {
                    throw new UsageException("bad --ddp-loss/--ddp-reorder: " + e.getMessage());
                }
                return m;
            }
            default:
            {
                final UlpDdpDevice d = r.byName(name);
                if (d == null)
                {
                    throw new UsageException("no ULP DDP device '" + name + "' (off, soft, model, " +
                        String.join(", ", names()) + ")");
                }
                return d;
            }
        }
    }

    private static List<String> names()
    {
        final List<String> n = new ArrayList<>();
        UlpDdpRegistry.global().devices().forEach(d -> n.add(d.name()));
        return n;
    }

    /** Devices' attributes, from this process or from a remote JMX agent. */
    abstract static class Base implements Callable<Integer>
    {
        @Option(names = {"-d", "--device"}, paramLabel = "NAME", description = "one device (default: all)")
        String device;

        @Option(names = "--jmx", paramLabel = "URL",
            description = "read a running nvmeof4j process through its JMX agent, e.g. " +
                "service:jmx:rmi:///jndi/rmi://localhost:9010/jmxrmi (default: this process's devices)")
        String jmx;

        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Spec
        CommandSpec spec;

        /** @return device name → attribute name → value. */
        Map<String, Map<String, Object>> read(final String... attributes) throws Exception
        {
            final Map<String, Map<String, Object>> all = new LinkedHashMap<>();
            if (jmx == null)
            {
                builtins();
                for (final UlpDdpDevice d : UlpDdpRegistry.global().devices())
                {
                    if (device == null || device.equals(d.name()))
                    {
                        final UlpDdpMBean mbean = new UlpDdpMBean(d);
                        final Map<String, Object> m = new LinkedHashMap<>();
                        for (final String a : attributes)
                        {
                            m.put(a, mbean.getAttribute(a));
                        }
                        all.put(d.name(), m);
                    }
                }
                return all;
            }
            try (JMXConnector c = JmxAgent.connect(jmx))
            {
                final MBeanServerConnection s = c.getMBeanServerConnection();
                for (final ObjectName n : s.queryNames(new ObjectName(UlpDdpMBean.OBJECT_NAME_PREFIX + "*"), null))
                {
                    final String name = ObjectName.unquote(n.getKeyProperty("name"));
                    if (device == null || device.equals(name))
                    {
                        final Map<String, Object> m = new LinkedHashMap<>();
                        for (final String a : attributes)
                        {
                            m.put(a, s.getAttribute(n, a));
                        }
                        all.put(name, m);
                    }
                }
            }
            return all;
        }

        void print(final Map<String, Map<String, Object>> all)
        {
            final PrintWriter out = spec.commandLine().getOut();
            if (json)
            {
                out.println(Json.write(all));
                return;
            }
            all.forEach((dev, attrs) ->
            {
                out.println(dev + ":");
                attrs.forEach((k, v) -> out.printf("  %-26s %s%n", k, v));
            });
        }
    }

    @Command(name = "caps", mixinStandardHelpOptions = true,
        description = "show (or with --set, change) the capabilities of ULP DDP devices; a change applies at the " +
            "next connect")
    static final class Caps extends Base
    {
        @Option(names = "--set", paramLabel = "CAPS",
            description = "new active caps: none, all, or a list of nvme_tcp, nvme_tcp_ddgst_rx (needs -d)")
        String set;

        @Override
        public Integer call() throws Exception
        {
            if (set != null)
            {
                if (device == null)
                {
                    throw new UsageException("--set needs -d DEVICE");
                }
                final long mask;
                try
                {
                    mask = UlpDdpCaps.parse(set);
                }
                catch (final IllegalArgumentException e)
                {
                    throw new UsageException(e.getMessage());
                }
                if (jmx == null)
                {
                    builtins();
                    final UlpDdpDevice d = UlpDdpRegistry.global().byName(device);
                    if (d == null)
                    {
                        throw new UsageException("no ULP DDP device '" + device + "'");
                    }
                    try
                    {
                        d.setCaps(mask);
                    }
                    catch (final IllegalArgumentException e)
                    {
                        throw new UsageException(e.getMessage());
                    }
                }
                else
                {
                    try (JMXConnector c = JmxAgent.connect(jmx))
                    {
                        c.getMBeanServerConnection().setAttribute(UlpDdpMBean.objectName(device),
                            new Attribute("caps_active", UlpDdpCaps.names(mask)));
                    }
                }
            }
            print(read("caps_hw", "caps_active", "up"));
            return 0;
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
        description = "show the statistics of ULP DDP devices (rx_nvme_tcp_*)")
    static final class Stats extends Base
    {
        @Override
        public Integer call() throws Exception
        {
            print(read(UlpDdpStats.NAMES.toArray(new String[0])));
            return 0;
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true,
        description = "the copy-offload benchmark: the same random-read workload with --ddp off and --ddp soft " +
            "(embedded target, polled queue), at each I/O size with data digest off and on; reports IOPS and the " +
            "host's CPU time per GiB read")
    static final class Bench implements Callable<Integer>
    {
        @Option(names = "--sizes", split = ",", paramLabel = "BYTES", defaultValue = "4096,16384,131072,1048576",
            description = "I/O sizes (default ${DEFAULT-VALUE})")
        int[] sizes;

        @Option(names = "--time", paramLabel = "S", defaultValue = "5", description = "seconds per run (default ${DEFAULT-VALUE})")
        double seconds;

        @Option(names = "--warmup", paramLabel = "S", defaultValue = "2", description = "warm-up per run (default ${DEFAULT-VALUE})")
        double warmup;

        @Option(names = {"-q", "--queue-depth"}, paramLabel = "N", defaultValue = "32",
            description = "queue depth (default ${DEFAULT-VALUE})")
        int depth;

        @Option(names = "--modes", split = ",", paramLabel = "DDP", defaultValue = "off,soft",
            description = "--ddp values to compare (default ${DEFAULT-VALUE})")
        String[] modes;

        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Option(names = "--what", split = ",", paramLabel = "PART", defaultValue = "perf,rx",
            description = "perf: end-to-end perf runs (embedded target, spinning polled queue: host CPU includes " +
                "polling); rx: the host receive path alone over a loopback socket with a blocking reader (its CPU " +
                "is only the receive work) (default ${DEFAULT-VALUE})")
        List<String> what;

        @Option(names = "--rx-gib", paramLabel = "GIB", defaultValue = "1",
            description = "data received per rx run (default ${DEFAULT-VALUE})")
        double rxGib;

        @Option(names = "--rx-channel", paramLabel = "KIND", defaultValue = "socket",
            description = "rx: socket (loopback TCP, kernel copy included) or memory (a memcpy stands in for the " +
                "kernel: user-space cost only) (default ${DEFAULT-VALUE})")
        String rxChannel;

        @Option(names = "--repeat", paramLabel = "N", defaultValue = "3",
            description = "rx runs per configuration, off and soft alternating; the best (least CPU per GiB) is " +
                "reported, which filters out other processes' interference (default ${DEFAULT-VALUE})")
        int repeat;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception
        {
            final PrintWriter out = spec.commandLine().getOut();
            final List<Map<String, Object>> rows = new ArrayList<>();
            int failures = 0;
            if (what.contains("perf"))
            {
                failures += perf(out, rows);
            }
            if (what.contains("rx"))
            {
                rx(out, rows);
            }
            if (json)
            {
                out.println(Json.write(rows));
            }
            return failures == 0 ? 0 : Nvmeof4j.EXIT_FAILURE;
        }

        private void rx(final PrintWriter out, final List<Map<String, Object>> rows) throws Exception
        {
            if (!json)
            {
                out.printf("%nddp bench rx: host receive path only (%s, QD %d, best of %d)%n",
                    "memory".equals(rxChannel) ? "in-memory stream, memcpy for the kernel copy" :
                        "loopback socket, blocking reader", depth, Math.max(1, repeat));
                out.printf("floor: the same data bytes with no NVMe/TCP framing, read straight into the " +
                    "destinations (with ddgst on: and CRC32C over each read's bytes)%n");
                out.printf("%-8s %-6s %-5s %12s %10s %14s %8s %9s%n", "size", "ddgst", "ddp", "IOPS", "MiB/s",
                    "rx CPU s/GiB", "vs off", "vs floor");
            }
            final boolean memory = "memory".equals(rxChannel);
            final long bytes = (long)(rxGib * (1L << 30));
            // warm every path up so the first row does not pay for the JIT
            new DdpRxBench(65536, depth, true).run(false, 256L << 20, memory);
            new DdpRxBench(65536, depth, true).run(true, 256L << 20, memory);
            new DdpRxBench(65536, depth, true).runFloor(256L << 20, memory);
            final String[] modes = {"off", "soft", "floor"};
            for (final int size : sizes)
            {
                for (final boolean ddgst : new boolean[] {false, true})
                {
                    final double[] bestCpu = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
                    final double[] bestIops = new double[3];
                    for (int rep = 0; rep < Math.max(1, repeat); rep++)
                    {
                        for (int k = 0; k < 3; k++) // off, soft and floor alternate: side by side in one sitting
                        {
                            final DdpRxBench bench = new DdpRxBench(size, depth, ddgst);
                            final long[] m = k == 2 ? bench.runFloor(bytes, memory) : bench.run(k == 1, bytes, memory);
                            final double c = m[0] / 1e9 / (m[2] / (double)(1L << 30));
                            if (c < bestCpu[k])
                            {
                                bestCpu[k] = c;
                                bestIops[k] = m[2] / (double)size / (m[1] / 1e9);
                            }
                        }
                    }
                    for (int k = 0; k < 3; k++)
                    {
                        final double cpu = bestCpu[k];
                        final double iops = bestIops[k];
                        final Map<String, Object> row = new LinkedHashMap<>();
                        row.put("bench", "rx-" + rxChannel);
                        row.put("io_size", size);
                        row.put("data_digest", ddgst);
                        row.put("ddp", modes[k]);
                        row.put("iops", Math.round(iops));
                        row.put("mib_per_s", Math.round(iops * size / (1 << 20) * 10) / 10.0);
                        row.put("rx_cpu_seconds_per_gib", Math.round(cpu * 10000) / 10000.0);
                        row.put("cpu_vs_off", Math.round(cpu / bestCpu[0] * 1000) / 1000.0);
                        row.put("cpu_vs_floor", Math.round(cpu / bestCpu[2] * 1000) / 1000.0);
                        rows.add(row);
                        if (!json)
                        {
                            out.printf("%-8s %-6s %-5s %12.0f %10.1f %14.4f %8s %9s%n", size, ddgst ? "on" : "off",
                                modes[k], iops, iops * size / (1 << 20), cpu,
                                k == 0 ? "-" : String.format("%.0f%%", 100 * cpu / bestCpu[0]),
                                k == 2 ? "-" : String.format("%.2fx", cpu / bestCpu[2]));
                            out.flush();
                        }
                    }
                }
            }
        }

        private int perf(final PrintWriter out, final List<Map<String, Object>> rows) throws Exception
        {
            final ObjectMapper mapper = new ObjectMapper();
            // one short discarded run per mode first: the JIT, not the device, would win the first row
            for (final String mode : modes)
            {
                final CommandLine warm = new CommandLine(new Nvmeof4j());
                warm.setOut(new PrintWriter(new StringWriter()));
                warm.execute("perf", "-w", "randread", "-o", "65536", "--time", "2", "--warmup", "1", "--no-verify",
                    "--no-progress", "--json", "--ddp", mode);
            }
            if (!json)
            {
                out.printf("ddp bench perf: randread, QD %d, 1 polled queue (spinning), embedded RAM target, %.0f s " +
                    "per run; host CPU = perf thread%n", depth, seconds);
                out.printf("%-8s %-6s %-5s %12s %10s %14s %10s%n", "size", "ddgst", "ddp", "IOPS", "MiB/s",
                    "host CPU s/GiB", "vs off");
            }
            int failures = 0;
            for (final int size : sizes)
            {
                for (final boolean ddgst : new boolean[] {false, true})
                {
                    double offCpu = 0;
                    for (final String mode : modes)
                    {
                        final List<String> args = new ArrayList<>(List.of("perf", "-w", "randread", "-o",
                            String.valueOf(size), "-q", String.valueOf(depth), "--time", String.valueOf(seconds),
                            "--warmup", String.valueOf(warmup), "--range-mib", "256", "--no-verify",
                            "--no-progress", "--json", "--ddp", mode));
                        if (ddgst)
                        {
                            args.add("--data-digest");
                        }
                        final StringWriter sw = new StringWriter();
                        final CommandLine cl = new CommandLine(new Nvmeof4j());
                        cl.setOut(new PrintWriter(sw));
                        final int rc = cl.execute(args.toArray(new String[0]));
                        if (rc != 0)
                        {
                            failures++;
                        }
                        final JsonNode r = mapper.readTree(sw.toString());
                        final double cpu = r.path("host_cpu_seconds_per_gib").asDouble();
                        if (mode.equals("off"))
                        {
                            offCpu = cpu;
                        }
                        final Map<String, Object> row = new LinkedHashMap<>();
                        row.put("bench", "perf");
                        row.put("io_size", size);
                        row.put("data_digest", ddgst);
                        row.put("ddp", mode);
                        row.put("iops", r.path("iops").asDouble());
                        row.put("mib_per_s", r.path("mib_per_s").asDouble());
                        row.put("host_cpu_seconds_per_gib", cpu);
                        row.put("cpu_vs_off", offCpu > 0 ? Math.round(cpu / offCpu * 1000) / 1000.0 : null);
                        if (r.has("ddp"))
                        {
                            row.put("ddp_stats", mapper.convertValue(r.get("ddp").get("stats"), Map.class));
                        }
                        rows.add(row);
                        if (!json)
                        {
                            out.printf("%-8s %-6s %-5s %12.0f %10.1f %14.4f %10s%n", size, ddgst ? "on" : "off", mode,
                                r.path("iops").asDouble(), r.path("mib_per_s").asDouble(), cpu,
                                offCpu > 0 ? String.format("%.0f%%", 100 * cpu / offCpu) : "-");
                            out.flush();
                        }
                    }
                }
            }
            return failures;
        }
    }
}
