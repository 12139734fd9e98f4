package org.nvmeof4j.ddp.model;

import java.util.concurrent.atomic.LongAdder;
import org.nvmeof4j.ddp.UlpDdpCaps;
import org.nvmeof4j.ddp.UlpDdpConfig;
import org.nvmeof4j.ddp.UlpDdpLimits;
import org.nvmeof4j.ddp.UlpDdpUlpOps;
import org.nvmeof4j.ddp.spi.AbstractUlpDdpDevice;
import org.nvmeof4j.ddp.spi.UlpDdpContext;
import org.nvmeof4j.tcp.NvmeTcpConnection;

/**
 * A behavioural model of a NIC with NVMe/TCP receive offload, for validating ULPs and as a reference for device
 * builders. Each offloaded connection ({@link ModelDdpContext}) cuts its receive stream into MSS-sized TCP packets,
 * sends them through a {@link WireModel} (loss with retransmission, reordering, duplication: seeded and
 * reproducible), processes them in wire order as the seeds' NIC requirements demand (seed 003, "NIC
 * requirements": never buffer, modify, reorder or drop a packet; only offload in-sync data of registered tags) and
 * hands the packets to a reassembly step that plays the host TCP stack: in-order segments, each carrying its
 * packet's flags. A gap inside one PDU's data keeps the NIC in sync; a gap that takes header bytes loses sync, and
 * the NIC searches the PDU pattern, asks the ULP to confirm with {@code resyncRequest} and resumes after
 * {@code resync} (seed 003, "Resync handling").
 *
 * <p>Teardown is asynchronous like a hardware invalidation: {@code ddpTeardownDone} comes at the end of the next
 * receive call. Besides the standard statistics, {@link #wireLost()}, {@link #wireReordered()},
 * {@link #wireDuplicated()}, {@link #gapsBridged()}, {@link #resyncConfirmed()} and
 * {@link #bytesPlacedAfterResync()} say what the wire did and how offload recovered.
 */
public final class ModelDdpDevice extends AbstractUlpDdpDevice
{
    /** Default limits: 256 SG entries (1 MiB), I/O from 4 KiB, no TLS, command IDs below the queue size. */
    public static final UlpDdpLimits DEFAULT_LIMITS = new UlpDdpLimits(256, 4096, false, false);

    private volatile WireConfig wire;
    final LongAdder lost = new LongAdder();
    final LongAdder reordered = new LongAdder();
    final LongAdder duplicated = new LongAdder();
    final LongAdder confirmed = new LongAdder();
    final LongAdder placedAfterResync = new LongAdder();
    final LongAdder bridged = new LongAdder();
    final LongAdder packetsSeen = new LongAdder();

    public ModelDdpDevice(final String name, final WireConfig wire)
    {
        this(name, wire, DEFAULT_LIMITS);
    }

    public ModelDdpDevice(final String name, final WireConfig wire, final UlpDdpLimits limits)
    {
        super(name, new UlpDdpCaps(caps(), caps()), limits);
        this.wire = wire;
    }

    private static long caps()
    {
        return UlpDdpCaps.bit(UlpDdpCaps.NVME_TCP) | UlpDdpCaps.bit(UlpDdpCaps.NVME_TCP_DDGST_RX);
    }

    /** Change the wire for connections offloaded from now on. */
    public void wire(final WireConfig wire)
    {
        this.wire = wire;
    }

    public WireConfig wire()
    {
        return wire;
    }

    @Override
    protected UlpDdpContext createContext(
        final NvmeTcpConnection connection, final UlpDdpConfig config, final UlpDdpUlpOps ops, final UlpDdpCaps caps,
        final UlpDdpLimits limits)
    {
        return new ModelDdpContext(this, connection, config, ops, caps, limits, wire);
    }

    /** @return packets the wire lost (each was retransmitted). */
    public long wireLost()
    {
        return lost.sum();
    }

    /** @return packets the wire delivered late. */
    public long wireReordered()
    {
        return reordered.sum();
    }

    /** @return packets the wire delivered twice. */
    public long wireDuplicated()
    {
        return duplicated.sum();
    }

    /** @return packets the NIC processed (wire deliveries, duplicates included). */
    public long packetsSeen()
    {
        return packetsSeen.sum();
    }

    /** @return resync requests the ULP confirmed (each put a connection back in sync). */
    public long resyncConfirmed()
    {
        return confirmed.sum();
    }

    /**
     * @return sequence gaps the NIC stayed in sync across: the missing bytes lay inside one PDU's pad, data or
     *         digest, after its header and before the next one.
     */
    public long gapsBridged()
    {
        return bridged.sum();
    }

    /** @return bytes placed after a connection's first confirmed resync (offload resumed). */
    public long bytesPlacedAfterResync()
    {
        return placedAfterResync.sum();
    }
}
