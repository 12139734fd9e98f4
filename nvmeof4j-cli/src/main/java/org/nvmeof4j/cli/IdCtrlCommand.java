package org.nvmeof4j.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.protocol.admin.IdentifyController;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code nvmeof4j id-ctrl}: Identify Controller, as {@code nvme id-ctrl} prints it. */
@Command(name = "id-ctrl", mixinStandardHelpOptions = true, description = "Identify Controller.")
public final class IdCtrlCommand implements Callable<Integer>
{
    @Mixin
    HostConnectOptions.Report connect;

    @Override
    public Integer call()
    {
        final boolean json = connect.json();
        final Map<String, Object> m = connect.admin(ConnectOptions.DEFAULT_PORT, IdCtrlCommand::fields);
        final var out = connect.out();
        if (json)
        {
            out.println(Json.write(m));
            return 0;
        }
        out.println("NVME Identify Controller:");
        for (final Map.Entry<String, Object> e : m.entrySet())
        {
            final Object v = e.getValue();
            final boolean hex = v instanceof Integer && !e.getKey().matches("mdts|cntlid|rab|acl|aerl|elpe|npss|maxcmd|" +
                "nn|awun|awupf|mnan|ioccsz|iorcsz|icdoff|msdbd|kas");
            out.printf("%-9s : %s%n", e.getKey(), hex ? "0x" + Integer.toHexString((Integer)v) : v);
        }
        return 0;
    }

    private static Map<String, Object> fields(final NvmeController c)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        final IdentifyController id = c.identifyController();
        m.put("vid", id.vid());
        m.put("ssvid", id.ssvid());
        m.put("sn", id.sn());
        m.put("mn", id.mn());
        m.put("fr", id.fr());
        m.put("rab", id.rab());
        m.put("ieee", id.ieee());
        m.put("cmic", id.cmic());
        m.put("mdts", id.mdts());
        m.put("cntlid", id.cntlid());
        m.put("ver", id.ver());
        m.put("oaes", id.oaes());
        m.put("ctratt", id.ctratt());
        m.put("cntrltype", id.cntrltype());
        m.put("oacs", id.oacs());
        m.put("acl", id.acl());
        m.put("aerl", id.aerl());
        m.put("frmw", id.frmw());
        m.put("lpa", id.lpa());
        m.put("elpe", id.elpe());
        m.put("npss", id.npss());
        m.put("kas", id.kas());
        m.put("sqes", id.sqes());
        m.put("cqes", id.cqes());
        m.put("maxcmd", id.maxcmd());
        m.put("nn", id.nn());
        m.put("oncs", id.oncs());
        m.put("fuses", id.fuses());
        m.put("fna", id.fna());
        m.put("vwc", id.vwc());
        m.put("awun", id.awun());
        m.put("awupf", id.awupf());
        m.put("sgls", id.sgls());
        m.put("mnan", id.mnan());
        m.put("subnqn", id.subnqn());
        m.put("ioccsz", id.ioccsz());
        m.put("iorcsz", id.iorcsz());
        m.put("icdoff", id.icdoff());
        m.put("fcatt", id.fcatt());
        m.put("msdbd", id.msdbd());
        return m;
    }
}
