package org.nvmeof4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.host.NvmeException;
import org.nvmeof4j.host.NvmeTransportException;
import org.nvmeof4j.cli.Nvmeof4j.UsageException;
import org.nvmeof4j.host.discovery.Discovery;
import org.nvmeof4j.host.discovery.DiscoveryLogEntry;
import org.nvmeof4j.protocol.fabrics.Nqn;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code nvmeof4j discover}: read the Discovery Log Page, as {@code nvme discover} prints it. */
@Command(name = "discover", mixinStandardHelpOptions = true,
    description = "Read a discovery controller's log: NVM subsystems and referrals (default port 8009).")
public final class DiscoverCommand implements Callable<Integer>
{
    @Mixin
    HostConnectOptions.Report connect;

    @Option(names = {"-p", "--persistent"},
        description = "stay connected (a persistent discovery controller, with keep-alive) and print the log again "
            + "on every Discovery Log Page Change notice, until Ctrl-C")
    boolean persistent;

    @Override
    public Integer call()
    {
        final boolean json = connect.json();
        if (connect.options.nqn == null)
        {
            connect.options.nqn = Nqn.DISCOVERY;
        }
        if (persistent)
        {
            return watch(json);
        }
        final Discovery.Log log = connect.admin(ConnectOptions.DISCOVERY_PORT, Discovery::readLog);
        print(log, json);
        return 0;
    }

    private int watch(final boolean json)
    {
        final ConnectOptions o = connect.options.toOptions(connect.host.hostnqn, ConnectOptions.DISCOVERY_PORT, true);
        final NvmeController c;
        try
        {
            c = Discovery.persistent(o, log ->
            {
                synchronized (this)
                {
                    print(log, json);
                    connect.out().flush();
                }
            });
        }
        catch (final IllegalArgumentException e)
        {
            throw new UsageException(e.getMessage());
        }
        catch (final NvmeException | NvmeTransportException e)
        {
            throw new HostConnectOptions.CliFailure("connect to " + o.traddr() + ":" + o.trsvcid() + " failed: " +
                e.getMessage(), e);
        }
        try (c)
        {
            while (c.state() != NvmeController.State.DEAD)
            {
                Thread.sleep(200);
            }
            throw new HostConnectOptions.CliFailure("discovery controller lost: " + c.lastError(), null);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private void print(final Discovery.Log log, final boolean json)
    {
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
            return;
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
