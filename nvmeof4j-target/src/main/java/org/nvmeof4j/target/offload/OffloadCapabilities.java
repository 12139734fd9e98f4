package org.nvmeof4j.target.offload;

import java.util.EnumSet;
import java.util.Set;

/**
 * What a target offload device can do: the RFC's {@code ibv_nvmf_caps} in Java case, with the two fields its review
 * added ({@code maxNamespaces}, {@code supportsNonOffloadedOps}). Immutable; build one with {@link #builder()}.
 *
 * @param offloadTypes            mask of {@link OffloadType#bit()}s the device can offload; 0 = no NVMe-oF offload.
 * @param maxBackendCtrlsTotal    backend NVMe controllers the device holds in all.
 * @param maxSrqBackendCtrls      backend controllers per offload context.
 * @param maxSrqNamespaces        mapped namespaces per offload context.
 * @param maxNamespaces           mapped namespaces in all contexts together.
 * @param minStagingBufSize       bytes: the smallest staging buffer a context may be given.
 * @param maxIoSz                 bytes: the largest transfer of one offloaded command.
 * @param minNvmeQueueDepth       entries: the shallowest backend submission queue.
 * @param maxNvmeQueueDepth       entries: the deepest backend submission queue.
 * @param minIoccsz               I/O command capsule size, 16-byte units (NVMe-oF 1.1, IOCCSZ), smallest.
 * @param maxIoccsz               same, largest.
 * @param maxIcdoff               in-capsule data offset, 16-byte units (ICDOFF), largest.
 * @param supportsNonOffloadedOps whether an offloaded connection still carries commands the device does not serve
 *                                (they go to the software target); if not, such a command fails and raises
 *                                {@link OffloadEvent.Type#UNSUPPORTED_COMMAND}.
 * @param lbaDataSizes            LBA data sizes (data + metadata bytes) the device maps; the RFC left these to the
 *                                release notes, here they are a capability.
 */
public record OffloadCapabilities(int offloadTypes, int maxBackendCtrlsTotal, int maxSrqBackendCtrls,
    int maxSrqNamespaces, int maxNamespaces, long minStagingBufSize, int maxIoSz, int minNvmeQueueDepth,
    int maxNvmeQueueDepth, int minIoccsz, int maxIoccsz, int maxIcdoff, boolean supportsNonOffloadedOps,
    Set<Integer> lbaDataSizes)
{
    public OffloadCapabilities
    {
        lbaDataSizes = Set.copyOf(lbaDataSizes);
        if (maxBackendCtrlsTotal < 0 || maxSrqBackendCtrls < 0 || maxSrqNamespaces < 0 || maxNamespaces < 0 ||
            minStagingBufSize < 0 || maxIoSz < 0 || minNvmeQueueDepth < 0 || minIoccsz < 0 || maxIcdoff < 0)
        {
            throw new IllegalArgumentException("capabilities must not be negative");
        }
        if (minNvmeQueueDepth > maxNvmeQueueDepth || minIoccsz > maxIoccsz)
        {
            throw new IllegalArgumentException("a minimum above its maximum: queue depth " + minNvmeQueueDepth +
                ".." + maxNvmeQueueDepth + ", IOCCSZ " + minIoccsz + ".." + maxIoccsz);
        }
    }

    /** @return whether the device can offload {@code type}. */
    public boolean supports(final OffloadType type)
    {
        return (offloadTypes & type.bit()) != 0;
    }

    /** @return the offload types in {@link #offloadTypes()}. */
    public Set<OffloadType> types()
    {
        final EnumSet<OffloadType> s = EnumSet.noneOf(OffloadType.class);
        for (final OffloadType t : OffloadType.values())
        {
            if (supports(t))
            {
                s.add(t);
            }
        }
        return s;
    }

    /** @return a builder with these values. */
    public Builder toBuilder()
    {
        return new Builder().offloadTypes(offloadTypes).maxBackendCtrlsTotal(maxBackendCtrlsTotal)
            .maxSrqBackendCtrls(maxSrqBackendCtrls).maxSrqNamespaces(maxSrqNamespaces).maxNamespaces(maxNamespaces)
            .minStagingBufSize(minStagingBufSize).maxIoSz(maxIoSz).nvmeQueueDepth(minNvmeQueueDepth, maxNvmeQueueDepth)
            .ioccsz(minIoccsz, maxIoccsz).maxIcdoff(maxIcdoff).supportsNonOffloadedOps(supportsNonOffloadedOps)
            .lbaDataSizes(lbaDataSizes);
    }

    /** @return a builder; its defaults are the {@code fastpath} device's capabilities. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** Builds {@link OffloadCapabilities}. */
    public static final class Builder
    {
        private int offloadTypes = OffloadType.mask(OffloadType.values());
        private int maxBackendCtrlsTotal = 64;
        private int maxSrqBackendCtrls = 16;
        private int maxSrqNamespaces = 64;
        private int maxNamespaces = 1024;
        private long minStagingBufSize = 1 << 20;
        private int maxIoSz = 1 << 20;
        private int minNvmeQueueDepth = 2;
        private int maxNvmeQueueDepth = 1024;
        private int minIoccsz = 4;
        private int maxIoccsz = 4 + (1 << 20) / 16;
        private int maxIcdoff = 0;
        private boolean supportsNonOffloadedOps = true;
        private Set<Integer> lbaDataSizes = Set.of(512, 4096);

        public Builder offloadTypes(final int mask)
        {
            this.offloadTypes = mask;
            return this;
        }

        public Builder offloadTypes(final OffloadType... types)
        {
            return offloadTypes(OffloadType.mask(types));
        }

        public Builder maxBackendCtrlsTotal(final int n)
        {
            this.maxBackendCtrlsTotal = n;
            return this;
        }

        public Builder maxSrqBackendCtrls(final int n)
        {
            this.maxSrqBackendCtrls = n;
            return this;
        }

        public Builder maxSrqNamespaces(final int n)
        {
            this.maxSrqNamespaces = n;
            return this;
        }

        public Builder maxNamespaces(final int n)
        {
            this.maxNamespaces = n;
            return this;
        }

        public Builder minStagingBufSize(final long bytes)
        {
            this.minStagingBufSize = bytes;
            return this;
        }

        public Builder maxIoSz(final int bytes)
        {
            this.maxIoSz = bytes;
            return this;
        }

        public Builder nvmeQueueDepth(final int min, final int max)
        {
            this.minNvmeQueueDepth = min;
            this.maxNvmeQueueDepth = max;
            return this;
        }

        public Builder ioccsz(final int min, final int max)
        {
            this.minIoccsz = min;
            this.maxIoccsz = max;
            return this;
        }

        public Builder maxIcdoff(final int units)
        {
            this.maxIcdoff = units;
            return this;
        }

        public Builder supportsNonOffloadedOps(final boolean b)
        {
            this.supportsNonOffloadedOps = b;
            return this;
        }

        public Builder lbaDataSizes(final Set<Integer> sizes)
        {
            this.lbaDataSizes = sizes;
            return this;
        }

        public OffloadCapabilities build()
        {
            return new OffloadCapabilities(offloadTypes, maxBackendCtrlsTotal, maxSrqBackendCtrls, maxSrqNamespaces,
                maxNamespaces, minStagingBufSize, maxIoSz, minNvmeQueueDepth, maxNvmeQueueDepth, minIoccsz, maxIoccsz,
                maxIcdoff, supportsNonOffloadedOps, lbaDataSizes);
        }
    }
}
