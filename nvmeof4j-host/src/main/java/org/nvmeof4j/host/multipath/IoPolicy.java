package org.nvmeof4j.host.multipath;

/**
 * How {@link NvmeSubsystem} picks a path for each I/O, after Linux's {@code iopolicy} of an NVMe subsystem. Every
 * policy uses only paths whose controller is live and whose ANA state for the namespace is optimized or
 * non-optimized, and prefers optimized ones.
 */
public enum IoPolicy
{
    /** The first optimized path in path order, else the first non-optimized (Linux's {@code numa} on one node). */
    NUMA("numa"),
    /** The optimized paths in turn, else the non-optimized in turn ({@code round-robin}). */
    ROUND_ROBIN("round-robin"),
    /** The path with the fewest requests in flight, optimized first ({@code queue-depth}). */
    QUEUE_DEPTH("queue-depth");

    private final String sysfsName;

    IoPolicy(final String sysfsName)
    {
        this.sysfsName = sysfsName;
    }

    /** @return the name Linux shows in {@code /sys/class/nvme-subsystem/.../iopolicy}. */
    public String sysfsName()
    {
        return sysfsName;
    }

    /** @return the policy with this Linux name, or null. */
    public static IoPolicy fromName(final String name)
    {
        for (final IoPolicy p : values())
        {
            if (p.sysfsName.equals(name) || p.name().equalsIgnoreCase(name))
            {
                return p;
            }
        }
        return null;
    }
}
