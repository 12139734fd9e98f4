package org.nvmeof4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nvmeof4j.cli.Nvmeof4j.UsageException;
import org.nvmeof4j.host.multipath.NvmePath;
import org.nvmeof4j.host.multipath.NvmeSubsystem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code nvmeof4j list-subsys}: one subsystem reached through every {@code --path}, with each path's controller
 * state and ANA state, as {@code nvme list-subsys} prints them (JSON with {@code -o json}).
 */
@Command(name = "list-subsys", mixinStandardHelpOptions = true,
    description = "Show the paths of a multipath subsystem (--path ADDR:PORT, repeatable) and their states.")
public final class ListSubsysCommand implements Callable<Integer>
{
    @Mixin
    HostConnectOptions.Report connect;

    @Option(names = {"--nsid", "--namespace-id"}, paramLabel = "NSID", defaultValue = "1",
        description = "namespace whose ANA state each path shows (0: the group states; default ${DEFAULT-VALUE})")
    int nsid;

    @Override
    public Integer call()
    {
        if (!connect.options.multipath() && connect.options.traddr == null)
        {
            throw new UsageException("give the paths with --path ADDR:PORT (repeatable) or -a/-s");
        }
        if (nsid < 0)
        {
            throw new UsageException("--nsid must be 0 or more");
        }
        final var out = connect.out();
        final boolean json = connect.json();
        return HostConnectOptions.subsystem(connect.options, connect.host.hostnqn, "list-subsys", s ->
        {
            if (json)
            {
                out.println(Json.write(Map.of("Subsystems", List.of(toJson(s)))));
            }
            else
            {
                out.print(s.listSubsys(nsid));
            }
            return 0;
        });
    }

    private Map<String, Object> toJson(final NvmeSubsystem s)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("NQN", s.nqn());
        m.put("IOPolicy", s.policy().sysfsName());
        final List<Map<String, Object>> paths = new ArrayList<>();
        for (final NvmePath p : s.paths())
        {
            final Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("Name", "path" + p.index());
            pm.put("Transport", "tcp");
            pm.put("Address", "traddr=" + p.options().traddr() + ",trsvcid=" + p.options().trsvcid());
            pm.put("State", p.controllerState());
            if (p.anaSupported() && nsid > 0)
            {
                pm.put("ANAState", p.anaState(nsid).configName());
            }
            final Map<String, String> groups = new LinkedHashMap<>();
            p.groupStates().forEach((k, v) -> groups.put(String.valueOf(k), v.configName()));
            pm.put("ANAGroups", groups);
            if (p.lastError() != null)
            {
                pm.put("LastError", p.lastError());
            }
            paths.add(pm);
        }
        m.put("Paths", paths);
        return m;
    }
}
