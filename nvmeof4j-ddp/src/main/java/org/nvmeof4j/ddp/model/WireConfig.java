package org.nvmeof4j.ddp.model;

/**
 * How the {@link WireModel} treats the packets of a connection. Rates are per packet, in [0, 1).
 *
 * @param mss             largest TCP payload per packet (bytes).
 * @param lossRate        chance a packet is lost; TCP retransmits it {@code retransmitDelay} packets or so later.
 * @param reorderRate     chance a packet is delayed by 1..{@code reorderWindow} packets.
 * @param duplicateRate   chance a packet is delivered twice.
 * @param reorderWindow   largest reordering distance (packets).
 * @param retransmitDelay packets sent between a loss and its retransmission (about one RTO).
 * @param seed            seed of the pseudo-random choices (a connection mixes in its queue id).
 */
public record WireConfig(
    int mss, double lossRate, double reorderRate, double duplicateRate, int reorderWindow, int retransmitDelay,
    long seed)
{
    /** A clean wire: 1460-byte packets, nothing lost, reordered or duplicated. */
    public static final WireConfig CLEAN = new WireConfig(1460, 0, 0, 0, 8, 16, 1);

    public WireConfig
    {
        if (mss < 64 || mss > 65536 || lossRate < 0 || lossRate >= 1 || reorderRate < 0 || reorderRate >= 1 ||
            duplicateRate < 0 || duplicateRate >= 1 || lossRate + reorderRate >= 1 || reorderWindow < 1 ||
            retransmitDelay < 1)
        {
            throw new IllegalArgumentException("bad wire config " + mss + " " + lossRate + " " + reorderRate + " " +
                duplicateRate + " " + reorderWindow + " " + retransmitDelay);
        }
    }

    /** @return a wire with these loss and reorder rates and the other defaults. */
    public static WireConfig of(final double loss, final double reorder, final long seed)
    {
        return new WireConfig(1460, loss, reorder, 0, 8, 16, seed);
    }
}
