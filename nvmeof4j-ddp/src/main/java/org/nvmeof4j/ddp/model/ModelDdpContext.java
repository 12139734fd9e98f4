package org.nvmeof4j.ddp.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import org.nvmeof4j.ddp.UlpDdpCaps;
import org.nvmeof4j.ddp.UlpDdpConfig;
import org.nvmeof4j.ddp.UlpDdpIo;
import org.nvmeof4j.ddp.UlpDdpLimits;
import org.nvmeof4j.ddp.UlpDdpUlpOps;
import org.nvmeof4j.ddp.spi.UlpDdpContext;
import org.nvmeof4j.tcp.NvmeTcpConnection;
import org.nvmeof4j.tcp.PduReceiver;

/**
 * One connection through the {@link ModelDdpDevice}: sender-side packetizer, {@link WireModel}, NIC, and receiver
 * TCP reassembly, in one segment source. This class reads the stream, cuts it into MSS-sized packets with the
 * connection's sequence numbers and drives each packet, in wire order, through the {@link ModelNic} (which follows
 * the framing, places data with {@link PduPlacement} and finds the framing again with {@link ResyncTracker}) and
 * then the {@link Reassembly}, which plays the host TCP stack. Teardown completions wait in
 * {@link TeardownCompletions} until the end of the receive call.
 */
public final class ModelDdpContext extends UlpDdpContext
{
    private final ModelDdpDevice model;
    private final WireConfig wireConfig;
    private final ArrayDeque<Packet> pool = new ArrayDeque<>();
    private final WireModel wire;
    private final ByteBuffer ingest;
    private final int isn;
    private final ModelNic nic;
    private final Reassembly reassembly = new Reassembly(pool);
    private final TeardownCompletions teardowns;
    private boolean started;
    private long nextOffset;

    ModelDdpContext(
        final ModelDdpDevice device, final NvmeTcpConnection connection, final UlpDdpConfig config,
        final UlpDdpUlpOps ulpOps, final UlpDdpCaps caps, final UlpDdpLimits limits, final WireConfig wire)
    {
        super(device, connection, config, ulpOps, caps, limits);
        this.model = device;
        this.wireConfig = wire;
        final long seed = wire.seed() * 0x9E3779B97F4A7C15L + config.queueId();
        this.wire = new WireModel(wire, seed, pool);
        this.isn = new SplittableRandom(~seed).nextInt();
        this.ingest = ByteBuffer.allocate(Math.max(64 * 1024, wire.mss() * 16));
        this.nic = new ModelNic(this, device, shape, crcOffload, isn);
        this.teardowns = new TeardownCompletions(ulpOps);
    }

    @Override
    public int receive(final ReadableByteChannel channel, final PduReceiver receiver) throws IOException
    {
        start(receiver);
        teardowns.complete();
        int total = 0;
        boolean drained = false;
        boolean eof = false;
        for (int reads = 0; reads < 4; reads++)
        {
            ingest.clear();
            final int n = channel.read(ingest);
            if (n <= 0)
            {
                eof = n < 0;
                drained = true;
                break;
            }
            total += n;
            packetize(n);
            if (n < ingest.capacity())
            {
                drained = true;
                break;
            }
        }
        if (drained)
        {
            // the sender went idle: everything on the wire arrives, retransmissions included
            for (Packet p = wire.pollAny(); p != null; p = wire.pollAny())
            {
                arrive(p);
            }
        }
        teardowns.complete();
        if (total == 0 && eof)
        {
            return -1;
        }
        return total;
    }

    private void start(final PduReceiver receiver)
    {
        reassembly.receiver(receiver);
        if (!started)
        {
            started = true;
            nextOffset = receiver.streamOffset();
            reassembly.startAt(nextOffset);
            nic.startAt(nextOffset);
        }
    }

    /**
     * Test seam: a packet carrying the stream bytes at {@code [offset, offset + length)} ({@code stream} indexed by
     * stream offset) reaches the NIC now, bypassing the packetizer and the wire, so a test can script packet
     * boundaries, losses and reordering exactly.
     */
    void arriveScripted(final PduReceiver receiver, final ByteBuffer stream, final long offset, final int length)
    {
        if (length < 1 || length > wireConfig.mss())
        {
            throw new IllegalArgumentException("packet length " + length + " outside 1.." + wireConfig.mss());
        }
        start(receiver);
        arrive(packet(stream, Math.toIntExact(offset), length, offset));
    }

    /** A pooled packet holding {@code length} bytes of {@code src} from {@code index}, at stream {@code offset}. */
    private Packet packet(final ByteBuffer src, final int index, final int length, final long offset)
    {
        final Packet p = pool.isEmpty() ? new Packet(wireConfig.mss()) : pool.pop();
        p.clearRuns();
        p.data.put(0, src, index, length);
        p.length = length;
        p.offset = offset;
        p.seq = isn + (int)offset;
        return p;
    }

    private void packetize(final int n)
    {
        final int mss = wireConfig.mss();
        for (int off = 0; off < n; off += mss)
        {
            final int len = Math.min(mss, n - off);
            final Packet p = packet(ingest, off, len, nextOffset);
            nextOffset += len;
            wire.submit(p);
            for (Packet q = wire.poll(); q != null; q = wire.poll())
            {
                arrive(q);
            }
        }
    }

    private void arrive(final Packet p)
    {
        model.packetsSeen.increment();
        nic.receive(p);
        reassembly.reassemble(p);
    }

    // -------------------------------------------------------------------------------------------- for the NIC

    /**
     * The registration a C2HData header at {@code h[0..]} with {@code dataLength} bytes of data can be placed into;
     * null while offload is stopped or the device is down.
     */
    UlpDdpIo registration(final ByteBuffer h, final int dataLength)
    {
        return isOffloaded() && device.isUp() ? placeable(h, 0, dataLength) : null;
    }

    /** Ask the ULP to confirm that a PDU header starts at stream sequence {@code seq}. */
    void requestResync(final int seq)
    {
        resyncCount++;
        ulpOps.resyncRequest(connection, seq, UlpDdpUlpOps.RESYNC_PENDING);
    }

    /** A packet carried placed bytes. */
    void countOffloadedPacket()
    {
        packetCount++;
    }

    /** {@code length} bytes were written to a registration. */
    void countPlacedBytes(final int length)
    {
        byteCount += length;
    }

    // ------------------------------------------------------------------------------------------ UlpDdpContext

    @Override
    protected void onUnmapped(final UlpDdpIo unmapped)
    {
        nic.unmapped(unmapped);
    }

    @Override
    public void resync(final int seq)
    {
        nic.resync(seq);
    }

    @Override
    protected void scheduleTeardownDone(final Object ctx)
    {
        if (!isOffloaded())
        {
            ulpOps.ddpTeardownDone(ctx);
            return;
        }
        teardowns.add(ctx);
    }

    @Override
    protected void onRelease()
    {
        nic.release();
        teardowns.complete();
        publishWireCounters();
    }

    /** Push this connection's wire counters into the device totals (also done at skDel). */
    public void publishWireCounters()
    {
        model.lost.add(wire.lost);
        model.reordered.add(wire.reordered);
        model.duplicated.add(wire.duplicated);
        wire.lost = 0;
        wire.reordered = 0;
        wire.duplicated = 0;
    }
}
