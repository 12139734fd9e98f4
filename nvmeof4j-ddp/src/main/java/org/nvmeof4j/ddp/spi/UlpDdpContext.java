package org.nvmeof4j.ddp.spi;

import java.nio.ByteBuffer;
import org.nvmeof4j.ddp.UlpDdpCaps;
import org.nvmeof4j.ddp.UlpDdpConfig;
import org.nvmeof4j.ddp.UlpDdpDevice;
import org.nvmeof4j.ddp.UlpDdpIo;
import org.nvmeof4j.ddp.UlpDdpLimits;
import org.nvmeof4j.ddp.UlpDdpSegmentSource;
import org.nvmeof4j.ddp.UlpDdpUlpOps;
import org.nvmeof4j.protocol.nvme.LittleEndian;
import org.nvmeof4j.protocol.pdu.DataPdu;
import org.nvmeof4j.tcp.NvmeTcpConnection;

/**
 * A device's per-connection offload context (the driver-side socket context of seed 003: 5-tuple, expected
 * sequence, tag → buffer mapping, framing position), which is also the connection's segment source.
 *
 * <p>It owns the command ID table and the per-connection counters. Counters are plain fields written only by the
 * connection's thread and summed by {@link AbstractUlpDdpDevice#getStats()} (a racy but monotonic read is good
 * enough for statistics, and keeps the I/O path free of atomics).
 */
public abstract class UlpDdpContext implements UlpDdpSegmentSource
{
    protected final AbstractUlpDdpDevice device;
    protected final NvmeTcpConnection connection;
    protected final UlpDdpConfig config;
    protected final UlpDdpUlpOps ulpOps;
    protected final UlpDdpLimits limits;
    /** Data digests are negotiated and the device verifies them (NVME_TCP_DDGST_RX was active at skAdd). */
    protected final boolean crcOffload;
    protected final CidTable table;
    /** The framing of the receive stream under the connection's digests and CPDA (reused for every PDU). */
    protected final PduShape shape;
    private volatile boolean offloaded = true;

    // statistics, written by the connection's thread only
    protected long setupCount;
    protected long setupFailCount;
    protected long teardownCount;
    protected long dropCount;
    protected long resyncCount;
    protected long packetCount;
    protected long byteCount;

    protected UlpDdpContext(
        final AbstractUlpDdpDevice device, final NvmeTcpConnection connection, final UlpDdpConfig config,
        final UlpDdpUlpOps ulpOps, final UlpDdpCaps caps, final UlpDdpLimits limits)
    {
        this.device = device;
        this.connection = connection;
        this.config = config;
        this.ulpOps = ulpOps;
        this.limits = limits;
        this.crcOffload = config.ddgst() && caps.isActive(UlpDdpCaps.NVME_TCP_DDGST_RX);
        this.table = new CidTable(limits.fullCcidRange() ? Math.max(config.queueSize(), 1) : config.queueSize());
        this.shape = new PduShape(config.hdgst(), config.ddgst(), config.cpda(),
            Math.min(limits.maxTransferBytes(), Integer.MAX_VALUE - 256));
    }

    @Override
    public UlpDdpDevice device()
    {
        return device;
    }

    @Override
    public boolean isOffloaded()
    {
        return offloaded;
    }

    public NvmeTcpConnection connection()
    {
        return connection;
    }

    public UlpDdpConfig config()
    {
        return config;
    }

    /** @return whether this context verifies data digests. */
    public boolean crcOffload()
    {
        return crcOffload;
    }

    /**
     * The registration a C2HData header at {@code h[base..]} can be placed into: its CCCID is registered, its DATAL
     * is the {@code dataLength} the framing found, and DATAO + DATAL lies inside the registration.
     *
     * @return the registration, or null to pass the PDU's data on unplaced.
     */
    protected final UlpDdpIo placeable(final ByteBuffer h, final int base, final int dataLength)
    {
        final UlpDdpIo mapped = table.get(LittleEndian.getU16(h, base + DataPdu.CCCID_OFFSET));
        return mapped != null && LittleEndian.getU32(h, base + DataPdu.DATAL_OFFSET) == dataLength &&
            LittleEndian.getU32(h, base + DataPdu.DATAO_OFFSET) + dataLength <= mapped.length() ? mapped : null;
    }

    /** {@link UlpDdpDevice#setup} for this connection. */
    public boolean setup(final UlpDdpIo io)
    {
        final int cid = io.commandId();
        if (!offloaded || !device.isUp() || io.nents() == 0 ||
            (limits.maxDdpSglLen() > 0 && io.nents() > limits.maxDdpSglLen()) ||
            (!limits.fullCcidRange() && cid >= config.queueSize()) || !table.put(cid, io))
        {
            setupFailCount++;
            return false;
        }
        setupCount++;
        return true;
    }

    /** {@link UlpDdpDevice#teardown} for this connection. */
    public void teardown(final UlpDdpIo io, final Object ctx)
    {
        final UlpDdpIo mapped = table.get(io.commandId());
        if (mapped == io)
        {
            table.remove(io.commandId());
            onUnmapped(io);
        }
        teardownCount++;
        scheduleTeardownDone(ctx);
    }

    /** A registration was removed from the table: stop placing into it. */
    protected void onUnmapped(final UlpDdpIo io)
    {
    }

    /**
     * Tell the ULP the teardown finished, now or later ({@link UlpDdpUlpOps#ddpTeardownDone}). Once the context is
     * released the default is immediate.
     */
    protected abstract void scheduleTeardownDone(Object ctx);

    /** {@link UlpDdpDevice#resync} for this connection. */
    public abstract void resync(int seq);

    /** {@code skDel}: drop all registrations and stop offloading; the source keeps passing the stream on. */
    public void release()
    {
        offloaded = false;
        table.clear();
        onRelease();
    }

    /** Subclass part of {@link #release()}. */
    protected void onRelease()
    {
    }

    /** Add this context's counters to {@code sums} (setup, setup_fail, teardown, drop, resync, packets, bytes). */
    void addCounters(final long[] sums)
    {
        sums[3] += setupCount;
        sums[4] += setupFailCount;
        sums[5] += teardownCount;
        sums[6] += dropCount;
        sums[7] += resyncCount;
        sums[8] += packetCount;
        sums[9] += byteCount;
    }
}
