package org.nvmeof4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.host.discovery.Discovery;
import org.nvmeof4j.host.discovery.DiscoveryLogEntry;
import org.nvmeof4j.protocol.fabrics.Nqn;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmeof4j discover}: read the Discovery Log Page, as {@code nvme discover} prints it. */
@Command(name = "discover", mixinStandardHelpOptions = true,
    description = "Read a discovery controller's log: NVM subsystems and referrals (default port 8009).")
public final class DiscoverCommand implements Callable<Integer>
{
    @Mixin
    HostConnectOptions connect;
    @Mixin
    HostConnectOptions.HostNqnOption host;
    @Mixin
    HostConnectOptions.OutputFormat output;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call()
    {
        final boolean json = output.json();
        if (connect.nqn == null)
        {
            connect.nqn = Nqn.DISCOVERY;
        }
        final ConnectOptions o = connect.toOptions(host.hostnqn, ConnectOptions.DISCOVERY_PORT, true).nrIoQueues(0);
        final Discovery.Log log;
        try (NvmeController c = HostConnectOptions.connect(o))
        {
            log = Discovery.readLog(c);
        }
        final var out = spec.commandLine().getOut();
        if (json)
        {
            final List<Map<String, Object>> records = new ArrayList<>();
            for (final DiscoveryLogEntry e : log.entries())
            {
                final Map<String, Object> m = new LinkedHashMap<>();
                m.put("trtype", e.trtypeName());
                m.put("adrfam", e.adrfamName());
                m.put("subtype", e.subtypeName());
                m.put("treq", e.treqName());
                m.put("portid", e.portid());
                m.put("trsvcid", e.trsvcid());
                m.put("subnqn", e.subnqn());
                m.put("traddr", e.traddr());
                m.put("eflags", e.eflags());
                m.put("sectype", e.sectype() == 0 ? "none" : String.valueOf(e.sectype()));
                records.add(m);
            }
            final Map<String, Object> root = new LinkedHashMap<>();
            root.put("genctr", log.genctr());
            root.put("records", records);
            out.println(Json.write(root));
            return 0;
        }
        out.println();
        out.println("Discovery Log Number of Records " + log.entries().size() + ", Generation counter " + log.genctr());
        int i = 0;
        for (final DiscoveryLogEntry e : log.entries())
        {
            out.println("=====Discovery Log Entry " + i++ + "======");
            out.println("trtype:  " + e.trtypeName());
            out.println("adrfam:  " + e.adrfamName());
            out.println("subtype: " + e.subtypeName());
            out.println("treq:    " + e.treqName());
            out.println("portid:  " + e.portid());
            out.println("trsvcid: " + e.trsvcid());
            out.println("subnqn:  " + e.subnqn());
            out.println("traddr:  " + e.traddr());
            out.println("eflags:  " + e.eflags());
            out.println("sectype: " + (e.sectype() == 0 ? "none" : String.valueOf(e.sectype())));
        }
        return 0;
    }
}
