package org.nvmeof4j.ddp;

import java.util.Locale;

/**
 * The ULP DDP capability bits of a device: what the hardware can do ({@link #hw()}) and what is enabled
 * ({@link #active()}). Mirrors the {@code ulp_ddp_caps} bit sets and the {@code get_caps} / {@code set_caps} device
 * operations of the ULP DDP series (seed 003, "Device configuration"; seed 000 on what "active" means: it is driven
 * by the administrator and a connection sees a change at its next connect).
 *
 * <p>Immutable. Bits are numbered like the kernel's {@code enum ulp_ddp_cap}; use {@link #bit(int)} to build masks.
 */
public final class UlpDdpCaps
{
    /** NVMe/TCP direct data placement of C2HData payload (the copy offload). */
    public static final int NVME_TCP = 0;
    /** NVMe/TCP data digest (CRC32C) verification of received PDUs. */
    public static final int NVME_TCP_DDGST_RX = 1;
    /** NVMe/TCP data digest generation on transmit (reserved; no reference device implements it). */
    public static final int NVME_TCP_DDGST_TX = 2;

    private static final String[] NAMES = {"nvme_tcp", "nvme_tcp_ddgst_rx", "nvme_tcp_ddgst_tx"};

    private final long hw;
    private final long active;

    /**
     * @param hw     supported capability mask.
     * @param active enabled capability mask; must be a subset of {@code hw}.
     */
    public UlpDdpCaps(final long hw, final long active)
    {
        if ((active & ~hw) != 0)
        {
            throw new IllegalArgumentException("active caps " + names(active) + " not supported by " + names(hw));
        }
        this.hw = hw;
        this.active = active;
    }

    /** @return the mask of one capability bit. */
    public static long bit(final int cap)
    {
        return 1L << cap;
    }

    /** @return the supported capability mask. */
    public long hw()
    {
        return hw;
    }

    /** @return the enabled capability mask. */
    public long active()
    {
        return active;
    }

    public boolean isSupported(final int cap)
    {
        return (hw & bit(cap)) != 0;
    }

    public boolean isActive(final int cap)
    {
        return (active & bit(cap)) != 0;
    }

    /** @return the same hardware caps with a new active mask (must be a subset of hw). */
    public UlpDdpCaps withActive(final long newActive)
    {
        return new UlpDdpCaps(hw, newActive);
    }

    /** @return the capability names of a mask, comma separated ("nvme_tcp,nvme_tcp_ddgst_rx"), or "none". */
    public static String names(final long mask)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 64; i++)
        {
            if ((mask & (1L << i)) != 0)
            {
                if (sb.length() > 0)
                {
                    sb.append(',');
                }
                sb.append(i < NAMES.length ? NAMES[i] : "bit" + i);
            }
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }

    /** @return the name of one capability bit. */
    public static String name(final int cap)
    {
        return cap < NAMES.length ? NAMES[cap] : "bit" + cap;
    }

    /**
     * Parse a list of capability names as {@link #names(long)} prints them ("none" and "" are the empty mask,
     * "all" is every known bit).
     *
     * @throws IllegalArgumentException for an unknown name.
     */
    public static long parse(final String list)
    {
        final String s = list.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.equals("none") || s.equals("off"))
        {
            return 0;
        }
        if (s.equals("all") || s.equals("on"))
        {
            return (1L << NAMES.length) - 1;
        }
        long mask = 0;
        for (final String part : s.split("[,\\s]+"))
        {
            int found = -1;
            for (int i = 0; i < NAMES.length; i++)
            {
                if (NAMES[i].equals(part))
                {
                    found = i;
                }
            }
            if (found < 0)
            {
                throw new IllegalArgumentException("unknown ULP DDP capability '" + part + "' (known: " +
                    String.join(", ", NAMES) + ")");
            }
            mask |= bit(found);
        }
        return mask;
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof UlpDdpCaps && ((UlpDdpCaps)o).hw == hw && ((UlpDdpCaps)o).active == active;
    }

    @Override
    public int hashCode()
    {
        return Long.hashCode(hw * 31 + active);
    }

    @Override
    public String toString()
    {
        return "hw=" + names(hw) + " active=" + names(active);
    }
}
