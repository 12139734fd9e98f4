package org.nvmeof4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.discovery.Discovery;
import org.nvmeof4j.host.discovery.DiscoveryLogEntry;
import org.nvmeof4j.protocol.fabrics.Nqn;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code nvmeof4j discover}: read the Discovery Log Page, as {@code nvme discover} prints it. */
@Command(name = "discover", mixinStandardHelpOptions = true,
    description = "Read a discovery controller's log: NVM subsystems and referrals (default port 8009).")
public final class DiscoverCommand implements Callable<Integer>
{
    @Mixin
    HostConnectOptions.Report connect;

    @Override
    public Integer call()
    {
        final boolean json = connect.json();
        if (connect.options.nqn == null)
        {
            connect.options.nqn = Nqn.DISCOVERY;
        }
        final Discovery.Log log = connect.admin(ConnectOptions.DISCOVERY_PORT, Discovery::readLog);
        final var out = connect.out();
        final List<Map<String, Object>> records = new ArrayList<>();
        for (final DiscoveryLogEntry e : log.entries())
        {
            records.add(record(e));
        }
        if (json)
        {
            final Map<String, Object> root = new LinkedHashMap<>();
            root.put("genctr", log.genctr());
            root.put("records", records);
            out.println(Json.write(root));
            return 0;
        }
        out.println();
        out.println("Discovery Log Number of Records " + records.size() + ", Generation counter " + log.genctr());
        int i = 0;
        for (final Map<String, Object> m : records)
        {
            out.println("=====Discovery Log Entry " + i++ + "======");
            // nvme discover's layout: "trtype:  tcp", "subtype: nvme subsystem", ...
            m.forEach((k, v) -> out.println(String.format("%-8s %s", k + ":", v)));
        }
        return 0;
    }

    /** One log entry's fields, named and in the order nvme-cli prints them (text and JSON alike). */
    private static Map<String, Object> record(final DiscoveryLogEntry e)
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
        return m;
    }
}
