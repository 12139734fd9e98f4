package org.nvmeof4j.ddp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.SplittableRandom;
import org.nvmeof4j.protocol.pdu.CommonHeader;
import org.nvmeof4j.protocol.pdu.Fes;
import org.nvmeof4j.protocol.pdu.PduType;
import org.nvmeof4j.tcp.NvmeTcpConnection;
import org.nvmeof4j.tcp.PduListener;
import org.nvmeof4j.tcp.PduReceiver;
import org.nvmeof4j.tcp.SegmentSource;
import org.nvmeof4j.tcp.SocketSegmentSource;

/**
 * A minimal NVMe/TCP host ULP over a real {@link PduReceiver}: per-CID destination buffers, setup before the
 * stream, teardown on the response with completion on {@code ddpTeardownDone}, resync confirmation at PDU
 * boundaries through {@link ResyncState}.
 */
final class TestUlp implements PduListener, UlpDdpUlpOps
{
    final C2hStream stream;
    final UlpDdpDevice device;
    final NvmeTcpConnection connection;
    final ByteBuffer[] dst;
    final UlpDdpIo[] ios;
    final boolean[] setupOk;
    final boolean[] completed;
    final int[] digestBad;
    final ResyncState resync = new ResyncState();
    final PduReceiver rx;
    int resyncRequests;
    int resyncConfirms;
    int teardownDones;
    String fatal;
    private int currentCid = -1;

    TestUlp(final C2hStream stream, final UlpDdpDevice device, final long seed) throws IOException
    {
        this.stream = stream;
        this.device = device;
        this.connection = new TestConnection();
        final int n = stream.reads.size();
        dst = new ByteBuffer[n];
        ios = new UlpDdpIo[n];
        setupOk = new boolean[n];
        completed = new boolean[n];
        digestBad = new int[n];
        final SplittableRandom r = new SplittableRandom(seed);
        for (final C2hStream.Read rd : stream.reads)
        {
            final int len = rd.data.length;
            final ByteBuffer b = ByteBuffer.allocateDirect(len);
            dst[rd.cid] = b;
            final UlpDdpIo io = new UlpDdpIo(4).reset(rd.cid);
            final int parts = len < 3 ? 1 : 1 + r.nextInt(3);
            final boolean slices = r.nextBoolean();
            int at = 0;
            for (int p = 0; p < parts; p++)
            {
                final int l = p == parts - 1 ? len - at : 1 + r.nextInt(len - at - (parts - 1 - p));
                if (slices)
                {
                    io.add(b.slice(at, l), 0, l);
                }
                else
                {
                    io.add(b, at, l);
                }
                at += l;
            }
            ios[rd.cid] = io;
        }
        rx = new PduReceiver(PduReceiver.Role.HOST, this);
        rx.connectionInitialized(stream.hdgst, stream.ddgst, stream.cpda);
    }

    /** skAdd and set up every registered read; returns whether skAdd succeeded. */
    boolean offload()
    {
        if (device == null)
        {
            return false;
        }
        final UlpDdpConfig config = UlpDdpConfig.of(stream.cpda, stream.hdgst, stream.ddgst,
            Math.max(1, stream.reads.size()), 1, -1);
        if (!device.skAdd(connection, config, this))
        {
            return false;
        }
        for (final C2hStream.Read rd : stream.reads)
        {
            if (rd.registered)
            {
                setupOk[rd.cid] = device.setup(connection, ios[rd.cid]);
            }
        }
        return true;
    }

    /** skAdd only: registrations come during the stream ({@link #receiveAllRegisteringLate}). */
    boolean offloadLate()
    {
        final UlpDdpConfig config = UlpDdpConfig.of(stream.cpda, stream.hdgst, stream.ddgst,
            Math.max(1, stream.reads.size()), 1, -1);
        return device.skAdd(connection, config, this);
    }

    /**
     * Receive the whole channel, setting each registered read up only just before the channel read that may carry
     * its first C2HData header ({@code maxChunk}: the channel's largest read, at least 64 for {@link MemoryChannel}), as a host does when it sends the
     * command: the stream is then anywhere (inside a PDU, inside a header, between PDUs).
     */
    void receiveAllRegisteringLate(final MemoryChannel channel, final int maxChunk) throws IOException
    {
        final SegmentSource source = connection.segmentSource();
        int next = 0;
        final java.util.List<C2hStream.Read> byHeader = new java.util.ArrayList<>(stream.reads);
        byHeader.sort(java.util.Comparator.comparingLong(rd -> rd.firstHeader));
        for (int i = 0; i < 50_000_000; i++)
        {
            // by the channel's position, not the receiver's: a device may hold placed bytes back until their digest
            while (next < byHeader.size() && byHeader.get(next).firstHeader < channel.position() + maxChunk)
            {
                final C2hStream.Read rd = byHeader.get(next++);
                if (rd.registered)
                {
                    setupOk[rd.cid] = device.setup(connection, ios[rd.cid]);
                }
            }
            if (source.receive(channel, rx) < 0)
            {
                break;
            }
        }
        for (int i = 0; i < 3; i++)
        {
            source.receive(channel, rx);
        }
    }

    /** Receive the whole channel through the connection's source (the device's, or a plain reader). */
    void receiveAll(final ReadableByteChannel channel) throws IOException
    {
        final SegmentSource source = device == null ? new SocketSegmentSource() : connection.segmentSource();
        for (int i = 0; i < 50_000_000; i++)
        {
            if (source.receive(channel, rx) < 0)
            {
                break;
            }
        }
        for (int i = 0; i < 3; i++)
        {
            source.receive(channel, rx); // let deferred teardown completions run
        }
    }

    @Override
    public void onPduHeader(final PduReceiver r, final PduType type, final ByteBuffer header, final int dataLength)
    {
        if (type == PduType.C2H_DATA)
        {
            final int cid = (header.get(8) & 0xFF) | (header.get(9) & 0xFF) << 8;
            final long datao = CommonHeader.u32(header, 12);
            if (cid >= dst.length || datao + dataLength > dst[cid].capacity())
            {
                r.fatal(Fes.DATA_TRANSFER_OUT_OF_RANGE, 0, "bad C2HData cid " + cid + " datao " + datao);
                return;
            }
            currentCid = cid;
            r.receiveDataInto(dst[cid], (int)datao);
        }
        else if (type == PduType.CAPSULE_RESP)
        {
            final int cid = (header.get(8 + 12) & 0xFF) | (header.get(8 + 13) & 0xFF) << 8;
            complete(cid);
        }
        else
        {
            r.fatal(Fes.INVALID_HEADER_FIELD, 0, "unexpected " + type);
        }
    }

    @Override
    public void onPduDataComplete(final PduReceiver r, final PduType type, final ByteBuffer header, final boolean ok)
    {
        if (!ok)
        {
            digestBad[currentCid]++;
        }
        if ((header.get(1) & CommonHeader.FLAG_SUCCESS) != 0)
        {
            complete(currentCid);
        }
    }

    private void complete(final int cid)
    {
        if (setupOk[cid])
        {
            device.teardown(connection, ios[cid], cid);
        }
        else
        {
            completed[cid] = true;
        }
    }

    @Override
    public void onFatalError(final Fes fes, final long fei, final ByteBuffer header, final int len, final String why)
    {
        fatal = why;
    }

    @Override
    public void onPduBoundary(final long streamOffset)
    {
        if (device != null && resync.onPduBoundary(streamOffset, device, connection))
        {
            resyncConfirms++;
        }
    }

    @Override
    public boolean resyncRequest(final NvmeTcpConnection c, final int seq, final int flags)
    {
        resyncRequests++;
        return resync.request(seq, flags);
    }

    @Override
    public void ddpTeardownDone(final Object ctx)
    {
        completed[(Integer)ctx] = true;
        teardownDones++;
    }

    /** @return null when every read holds exactly its data and completed, else what is wrong. */
    String verify()
    {
        if (fatal != null)
        {
            return "fatal: " + fatal;
        }
        for (final C2hStream.Read rd : stream.reads)
        {
            if (!completed[rd.cid])
            {
                return "read " + rd.cid + " did not complete";
            }
            if (!dst[rd.cid].equals(ByteBuffer.wrap(rd.data)))
            {
                return "read " + rd.cid + " data differs (" + rd.data.length + " bytes, registered=" +
                    rd.registered + ")";
            }
        }
        return null;
    }
}
