package org.nvmeof4j.ddp;

/**
 * Runtime limits of a ULP DDP device for NVMe/TCP, as the {@code limits} device operation reports them (seed 003,
 * {@code struct ulp_ddp_limits} with its NVMe/TCP part {@code struct nvme_tcp_ddp_limits}).
 *
 * <p>The host queries them on the admin queue and caps the controller with them (seed 000,
 * {@code nvme_tcp_offload_apply_limits}): max segments = {@code maxDdpSglLen}, max transfer size =
 * {@code maxDdpSglLen} × 4 KiB ({@link #maxTransferBytes()}).
 *
 * @param maxDdpSglLen  most scatter-gather entries one {@link UlpDdpIo} may have (0 = no limit).
 * @param ioThreshold   smallest read (bytes) worth offloading; smaller reads stay in software.
 * @param tls           whether the device can offload a connection that runs over TLS.
 * @param fullCcidRange whether any 16-bit command ID may be registered (false: only IDs below the queue size).
 */
public record UlpDdpLimits(int maxDdpSglLen, int ioThreshold, boolean tls, boolean fullCcidRange)
{
    /** Page size the seeds scale {@code max_ddp_sgl_len} with to get {@code max_hw_sectors}. */
    public static final int PAGE = 4096;

    public UlpDdpLimits
    {
        if (maxDdpSglLen < 0 || ioThreshold < 0)
        {
            throw new IllegalArgumentException("negative limit");
        }
    }

    /** @return largest transfer the device can map, in bytes ({@code Long.MAX_VALUE} when unlimited). */
    public long maxTransferBytes()
    {
        return maxDdpSglLen == 0 ? Long.MAX_VALUE : (long)maxDdpSglLen * PAGE;
    }

    /** @return whether a read of this many bytes in this many SG entries may be offloaded. */
    public boolean accepts(final long bytes, final int sgEntries)
    {
        return bytes >= ioThreshold && bytes <= maxTransferBytes() && (maxDdpSglLen == 0 || sgEntries <= maxDdpSglLen);
    }
}
