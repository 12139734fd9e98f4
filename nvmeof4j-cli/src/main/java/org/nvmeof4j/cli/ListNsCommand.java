package org.nvmeof4j.cli;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.protocol.admin.Identify;
import org.nvmeof4j.protocol.admin.NamespaceIdList;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code nvmeof4j list-ns}: the active namespace IDs (Identify CNS 02h), as {@code nvme list-ns} prints them. */
@Command(name = "list-ns", mixinStandardHelpOptions = true, description = "List the active namespaces.")
public final class ListNsCommand implements Callable<Integer>
{
    @Mixin
    HostConnectOptions.Report connect;

    @Override
    public Integer call()
    {
        final boolean json = connect.json();
        final List<Integer> ids = connect.admin(ConnectOptions.DEFAULT_PORT, ListNsCommand::activeNsids);
        final var out = connect.out();
        if (json)
        {
            final List<Map<String, Object>> l = new ArrayList<>();
            for (final int id : ids)
            {
                final Map<String, Object> m = new LinkedHashMap<>();
                m.put("nsid", id);
                l.add(m);
            }
            out.println(Json.write(Map.of("nsid_list", l)));
            return 0;
        }
        for (int i = 0; i < ids.size(); i++)
        {
            out.printf("[%4d]:0x%x%n", i, ids.get(i));
        }
        return 0;
    }

    private static List<Integer> activeNsids(final NvmeController c)
    {
        final List<Integer> ids = new ArrayList<>();
        final ByteBuffer list = c.identify(Identify.CNS_ACTIVE_NAMESPACE_LIST, 0);
        final int n = NamespaceIdList.count(list, 0);
        for (int i = 0; i < n; i++)
        {
            ids.add(NamespaceIdList.nsid(list, 0, i));
        }
        return ids;
    }
}
