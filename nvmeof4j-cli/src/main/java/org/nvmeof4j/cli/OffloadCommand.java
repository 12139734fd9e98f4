package org.nvmeof4j.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import org.nvmeof4j.cli.Nvmeof4j.UsageException;
import org.nvmeof4j.host.offload.NvmeTcpOffload;
import org.nvmeof4j.host.offload.NvmeTcpOfldDev;
import org.nvmeof4j.host.offload.NvmeTcpOfldMBean;
import org.nvmeof4j.host.offload.NvmeTcpOfldStats;
import org.nvmeof4j.offload.engine.OffloadEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nvmeof4j offload}: the {@code tcp_offload} devices (seed 002's NVMeTCP offload devices) and their
 * statistics, from this process or from a running one through its JMX agent.
 */
@Command(name = "offload", mixinStandardHelpOptions = true,
    description = "tcp_offload: the registered offload devices and their statistics",
    subcommands = {OffloadCommand.Devices.class, OffloadCommand.Stats.class})
public final class OffloadCommand implements Runnable
{
    @Spec
    CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
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

        /** @return device name → attribute name → value; a named device that is not there is a usage error. */
        Map<String, Map<String, Object>> read(final List<String> attributes) throws Exception
        {
            final Map<String, Map<String, Object>> all = new LinkedHashMap<>();
            if (jmx == null)
            {
                for (final NvmeTcpOfldDev d : NvmeTcpOffload.devices())
                {
                    if (device == null || device.equals(d.name()))
                    {
                        final NvmeTcpOfldMBean mbean = new NvmeTcpOfldMBean(d);
                        final Map<String, Object> m = new LinkedHashMap<>();
                        for (final String a : attributes)
                        {
                            m.put(a, mbean.getAttribute(a));
                        }
                        local(d, m);
                        all.put(d.name(), m);
                    }
                }
            }
            else
            {
                try (JMXConnector c = JmxAgent.connect(jmx))
                {
                    final MBeanServerConnection s = c.getMBeanServerConnection();
                    for (final ObjectName n : s.queryNames(new ObjectName(NvmeTcpOfldMBean.OBJECT_NAME_PREFIX + "*"),
                        null))
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
            }
            if (device != null && all.isEmpty())
            {
                throw new UsageException("no offload device '" + device + "'");
            }
            return all;
        }

        /** What only this process can tell about a device (nothing by default). */
        void local(final NvmeTcpOfldDev d, final Map<String, Object> m)
        {
        }

        void print(final Map<String, Map<String, Object>> all)
        {
            final PrintWriter out = spec.commandLine().getOut();
            if (json)
            {
                out.println(Json.write(all));
                return;
            }
            if (all.isEmpty())
            {
                out.println("no offload devices");
            }
            all.forEach((dev, attrs) ->
            {
                out.println(dev + ":");
                attrs.forEach((k, v) ->
                {
                    if (v instanceof List)
                    {
                        out.printf("  %s:%n", k);
                        ((List<?>)v).forEach(e -> out.printf("    %s%n", e));
                    }
                    else
                    {
                        out.printf("  %-34s %s%n", k, v);
                    }
                });
            });
        }
    }

    @Command(name = "devices", mixinStandardHelpOptions = true,
        description = "list the offload devices: limits, the connect options each allows and requires, and (this " +
            "process's reference engines) their threads")
    static final class Devices extends Base
    {
        @Override
        public Integer call() throws Exception
        {
            print(read(NvmeTcpOfldMBean.LIMITS));
            return 0;
        }

        @Override
        void local(final NvmeTcpOfldDev d, final Map<String, Object> m)
        {
            if (d.ops() instanceof OffloadEngine)
            {
                final OffloadEngine e = (OffloadEngine)d.ops();
                m.put("driver", "nvmeof4j reference offload engine");
                m.put("engine_threads", e.options().threads());
                final List<String> started = new ArrayList<>(e.describeThreads());
                if (!started.isEmpty())
                {
                    m.put("threads", started);
                }
            }
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
        description = "show the statistics of offload devices (nvme_tcp_ofld_*)")
    static final class Stats extends Base
    {
        @Override
        public Integer call() throws Exception
        {
            print(read(NvmeTcpOfldStats.NAMES));
            return 0;
        }
    }
}
