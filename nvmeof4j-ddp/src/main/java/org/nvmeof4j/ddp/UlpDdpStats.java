package org.nvmeof4j.ddp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of a device's NVMe/TCP receive offload statistics, with the names the ULP DDP documentation gives them
 * (seed 003, "Statistics"). Immutable.
 */
public final class UlpDdpStats
{
    /** Offload contexts created ({@code skAdd} succeeded). */
    public static final String SK_ADD = "rx_nvme_tcp_sk_add";
    /** Offload context creation failures. */
    public static final String SK_ADD_FAIL = "rx_nvme_tcp_sk_add_fail";
    /** Offload contexts destroyed. */
    public static final String SK_DEL = "rx_nvme_tcp_sk_del";
    /** Buffers mapped ({@code setup} succeeded). */
    public static final String SETUP = "rx_nvme_tcp_setup";
    /** Buffer mappings that failed. */
    public static final String SETUP_FAIL = "rx_nvme_tcp_setup_fail";
    /** Buffers unmapped ({@code teardown}). */
    public static final String TEARDOWN = "rx_nvme_tcp_teardown";
    /** Packets dropped by the device because of fatal errors. */
    public static final String DROP = "rx_nvme_tcp_drop";
    /** Packets with resync requests. */
    public static final String RESYNC = "rx_nvme_tcp_resync";
    /** Packets (read units for the software device) that used the offload. */
    public static final String PACKETS = "rx_nvme_tcp_packets";
    /** Bytes placed in registered buffers. */
    public static final String BYTES = "rx_nvme_tcp_bytes";

    /** All names in documentation order. */
    public static final List<String> NAMES =
        List.of(SK_ADD, SK_ADD_FAIL, SK_DEL, SETUP, SETUP_FAIL, TEARDOWN, DROP, RESYNC, PACKETS, BYTES);

    private final long[] values;

    /** @param values one value per {@link #NAMES} entry, in that order (copied). */
    public UlpDdpStats(final long... values)
    {
        if (values.length != NAMES.size())
        {
            throw new IllegalArgumentException("need " + NAMES.size() + " values");
        }
        this.values = values.clone();
    }

    /** @return the value of a statistic by its documented name. */
    public long get(final String name)
    {
        final int i = NAMES.indexOf(name);
        if (i < 0)
        {
            throw new IllegalArgumentException("unknown statistic " + name);
        }
        return values[i];
    }

    public long skAdd()
    {
        return values[0];
    }

    public long skAddFail()
    {
        return values[1];
    }

    public long skDel()
    {
        return values[2];
    }

    public long setup()
    {
        return values[3];
    }

    public long setupFail()
    {
        return values[4];
    }

    public long teardown()
    {
        return values[5];
    }

    public long drop()
    {
        return values[6];
    }

    public long resync()
    {
        return values[7];
    }

    public long packets()
    {
        return values[8];
    }

    public long bytes()
    {
        return values[9];
    }

    /** @return this minus an earlier snapshot (for per-run figures). */
    public UlpDdpStats minus(final UlpDdpStats earlier)
    {
        final long[] v = values.clone();
        for (int i = 0; i < v.length; i++)
        {
            v[i] -= earlier.values[i];
        }
        return new UlpDdpStats(v);
    }

    /** @return name → value in documentation order. */
    public Map<String, Long> toMap()
    {
        final Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++)
        {
            m.put(NAMES.get(i), values[i]);
        }
        return m;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++)
        {
            sb.append(NAMES.get(i)).append(": ").append(values[i]).append('\n');
        }
        return sb.toString();
    }
}
