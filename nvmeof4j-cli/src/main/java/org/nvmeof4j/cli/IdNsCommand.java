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
import org.nvmeof4j.protocol.admin.IdentifyNamespace;
import org.nvmeof4j.protocol.nvme.LittleEndian;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code nvmeof4j id-ns}: Identify Namespace, as {@code nvme id-ns} prints it. */
@Command(name = "id-ns", mixinStandardHelpOptions = true, description = "Identify Namespace.")
public final class IdNsCommand implements Callable<Integer>
{
    @Mixin
    HostConnectOptions.Report connect;
    @Option(names = {"--nsid", "--namespace-id"}, paramLabel = "NSID", defaultValue = "1",
        description = "namespace (default ${DEFAULT-VALUE})")
    int nsid;

    @Override
    public Integer call()
    {
        final boolean json = connect.json();
        if (nsid < 1)
        {
            throw new Nvmeof4j.UsageException("bad --nsid " + nsid);
        }
        final Map<String, Object> m = connect.admin(ConnectOptions.DEFAULT_PORT, this::fields);
        final var out = connect.out();
        if (json)
        {
            out.println(Json.write(m));
            return 0;
        }
        out.println("NVME Identify Namespace " + nsid + ":");
        for (final Map.Entry<String, Object> e : m.entrySet())
        {
            if (!e.getKey().equals("lbafs") && !e.getKey().equals("in_use"))
            {
                final Object v = e.getValue();
                out.printf("%-8s : %s%n", e.getKey(), v instanceof Long ? "0x" + Long.toHexString((Long)v) : v);
            }
        }
        @SuppressWarnings("unchecked")
        final List<Map<String, Object>> lbafs = (List<Map<String, Object>>)m.get("lbafs");
        for (int i = 0; i < lbafs.size(); i++)
        {
            final Map<String, Object> f = lbafs.get(i);
            out.printf("lbaf %2d : ms:%-3s lbads:%-2s rp:%s %s%n", i, f.get("ms"), f.get("ds"), f.get("rp"),
                i == (Integer)m.get("in_use") ? "(in use)" : "");
        }
        return 0;
    }

    private Map<String, Object> fields(final NvmeController c)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        final ByteBuffer data = c.identify(Identify.CNS_NAMESPACE, nsid);
        final IdentifyNamespace id = new IdentifyNamespace().wrap(data, 0);
        m.put("nsze", id.nsze());
        m.put("ncap", id.ncap());
        m.put("nuse", id.nuse());
        m.put("nsfeat", id.nsfeat());
        m.put("nlbaf", id.nlbaf());
        m.put("flbas", id.flbas());
        m.put("mc", id.mc());
        m.put("dpc", id.dpc());
        m.put("dps", id.dps());
        m.put("nmic", id.nmic());
        m.put("dlfeat", id.dlfeat());
        m.put("anagrpid", id.anagrpid());
        final List<Map<String, Object>> lbafs = new ArrayList<>();
        for (int i = 0; i <= id.nlbaf() && i < IdentifyNamespace.MAX_LBA_FORMATS; i++)
        {
            final int at = IdentifyNamespace.LBAF_OFFSET + i * IdentifyNamespace.LBAF_LENGTH;
            final Map<String, Object> f = new LinkedHashMap<>();
            f.put("ms", LittleEndian.getU16(data, at));
            f.put("ds", LittleEndian.getU8(data, at + 2));
            f.put("rp", LittleEndian.getU8(data, at + 3) & 3);
            lbafs.add(f);
        }
        m.put("lbafs", lbafs);
        m.put("in_use", id.formattedLbaIndex());
        m.put("block_size", id.logicalBlockSize());
        return m;
    }
}
