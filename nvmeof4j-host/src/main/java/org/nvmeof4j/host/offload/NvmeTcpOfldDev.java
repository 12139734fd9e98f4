package org.nvmeof4j.host.offload;

import java.net.InetAddress;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * An NVMe/TCP offload device as its driver registers it (seed 002's {@code struct nvme_tcp_ofld_dev}): a name, the
 * local address its net device routes through (null: any), the limits the ULP applies to every controller on it
 * ({@code maxHwSectors} in 512-byte sectors, {@code maxSegments} of 4 KiB each), the connect options it allows and
 * requires (connect-string keys; {@code transport}, {@code traddr} and {@code nqn} are always allowed), its ops and
 * its statistics. Immutable but for the statistics.
 */
public final class NvmeTcpOfldDev
{
    /** Options every device takes: what the ULP itself needs to find and name a controller. */
    public static final Set<String> BASE_OPTS = Collections.unmodifiableSet(new TreeSet<>(
        Set.of("transport", "traddr", "trsvcid", "nqn", "hostnqn", "hostid", "offload_dev")));

    /** One segment as {@link #maxSegments} counts it: a page. */
    public static final int SEGMENT_BYTES = 4096;

    private final String name;
    private final InetAddress localAddress;
    private final int maxHwSectors;
    private final int maxSegments;
    private final SortedSet<String> allowedOpts;
    private final SortedSet<String> requiredOpts;
    private final NvmeTcpOfldOps<?, ?> ops;
    private final NvmeTcpOfldStats stats = new NvmeTcpOfldStats();

    private NvmeTcpOfldDev(final Builder b)
    {
        this.name = Objects.requireNonNull(b.name, "name");
        this.ops = Objects.requireNonNull(b.ops, "ops");
        if (b.maxHwSectors < 8 || b.maxSegments < 1)
        {
            throw new IllegalArgumentException("device " + b.name + ": maxHwSectors >= 8 and maxSegments >= 1");
        }
        this.localAddress = b.localAddress;
        this.maxHwSectors = b.maxHwSectors;
        this.maxSegments = b.maxSegments;
        final TreeSet<String> allowed = new TreeSet<>(BASE_OPTS);
        allowed.addAll(b.allowedOpts);
        allowed.addAll(b.requiredOpts);
        this.allowedOpts = Collections.unmodifiableSortedSet(allowed);
        this.requiredOpts = Collections.unmodifiableSortedSet(new TreeSet<>(b.requiredOpts));
    }

    public static Builder builder()
    {
        return new Builder();
    }

    /** @return the device's name, unique among registered devices ({@code --offload-dev}, {@code offload_dev=}). */
    public String name()
    {
        return name;
    }

    /** @return the local address the device's net device routes through, or null for any. */
    public InetAddress localAddress()
    {
        return localAddress;
    }

    /** @return the largest transfer of one command, in 512-byte sectors (Linux's {@code max_hw_sectors}). */
    public int maxHwSectors()
    {
        return maxHwSectors;
    }

    /** @return the most data segments (pages) of one command (Linux's {@code max_segments}). */
    public int maxSegments()
    {
        return maxSegments;
    }

    /** @return the largest transfer of one command in bytes: both limits applied. */
    public long maxTransferBytes()
    {
        return Math.min((long)maxHwSectors * 512, (long)maxSegments * SEGMENT_BYTES);
    }

    /** @return connect-string keys the device takes ({@link #BASE_OPTS} included). */
    public SortedSet<String> allowedOpts()
    {
        return allowedOpts;
    }

    /** @return connect-string keys that must be given. */
    public SortedSet<String> requiredOpts()
    {
        return requiredOpts;
    }

    /** @return the driver's ops. */
    public NvmeTcpOfldOps<?, ?> ops()
    {
        return ops;
    }

    /** @return the device's counters. */
    public NvmeTcpOfldStats stats()
    {
        return stats;
    }

    @Override
    public String toString()
    {
        return "NvmeTcpOfldDev{" + name + (localAddress != null ? ", " + localAddress.getHostAddress() : "") +
            ", maxHwSectors=" + maxHwSectors + ", maxSegments=" + maxSegments + "}";
    }

    /** Builds a device; {@code name} and {@code ops} are required. */
    public static final class Builder
    {
        private String name;
        private InetAddress localAddress;
        private int maxHwSectors = 2048;
        private int maxSegments = 256;
        private Set<String> allowedOpts = Set.of();
        private Set<String> requiredOpts = Set.of();
        private NvmeTcpOfldOps<?, ?> ops;

        public Builder name(final String v) { name = v; return this; }
        public Builder localAddress(final InetAddress v) { localAddress = v; return this; }
        public Builder maxHwSectors(final int v) { maxHwSectors = v; return this; }
        public Builder maxSegments(final int v) { maxSegments = v; return this; }
        public Builder allowedOpts(final Set<String> v) { allowedOpts = Set.copyOf(v); return this; }
        public Builder requiredOpts(final Set<String> v) { requiredOpts = Set.copyOf(v); return this; }
        public Builder ops(final NvmeTcpOfldOps<?, ?> v) { ops = v; return this; }

        public NvmeTcpOfldDev build()
        {
            return new NvmeTcpOfldDev(this);
        }
    }
}
