package org.nvmeof4j.ddp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nvmeof4j.protocol.pdu.CommonHeader;
import org.nvmeof4j.protocol.pdu.DataPdu;
import org.nvmeof4j.protocol.pdu.PduType;
import org.nvmeof4j.tcp.BufferChannel;
import org.nvmeof4j.tcp.PduSender;

/**
 * A random controller-to-host stream as a target would send it for a set of reads: C2HData PDUs of random sizes
 * interleaved across up to {@code queueDepth} commands, each read ending with a CapsuleResp or with SUCCESS on its
 * last C2HData, encoded by the real {@link PduSender} with the chosen digests and CPDA.
 */
final class C2hStream
{
    static final class Read
    {
        final int cid;
        final byte[] data;
        final boolean registered;
        final List<Long> dataStarts = new ArrayList<>();
        /** Stream offset of the first C2HData header of this read. */
        long firstHeader = -1;
        final List<Integer> dataLengths = new ArrayList<>();
        int sent;

        Read(final int cid, final byte[] data, final boolean registered)
        {
            this.cid = cid;
            this.data = data;
            this.registered = registered;
        }
    }

    final boolean hdgst;
    final boolean ddgst;
    final int cpda;
    final List<Read> reads = new ArrayList<>();
    final byte[] bytes;

    /** Deterministic: one PDU per read, each ended by a CapsuleResp. */
    C2hStream(final int[] sizes, final boolean[] registered)
    {
        this.hdgst = false;
        this.ddgst = false;
        this.cpda = 0;
        final PduSender sender = new PduSender(16, null);
        sender.connectionInitialized(false, false, 0);
        long room = 0;
        for (int i = 0; i < sizes.length; i++)
        {
            reads.add(new Read(i, new byte[sizes[i]], registered[i]));
            room += sizes[i] + 256;
        }
        final ByteBuffer capture = ByteBuffer.allocate(Math.toIntExact(room));
        final BufferChannel sink = new BufferChannel(capture);
        for (final Read rd : reads)
        {
            final long start = sink.bytes();
            rd.firstHeader = start;
            new DataPdu().wrap(sender.claimHeader(), 0)
                .encode(PduType.C2H_DATA, CommonHeader.FLAG_LAST_PDU, 0, 0, rd.cid, 0, 0, rd.data.length);
            sender.commit(ByteBuffer.wrap(rd.data), 0, rd.data.length, PduSender.NO_TOKEN);
            flush(sender, sink);
            rd.dataStarts.add(start + 24);
            rd.dataLengths.add(rd.data.length);
            rd.sent = rd.data.length;
            capsuleResp(sender, sink, rd.cid);
        }
        bytes = new byte[capture.position()];
        capture.flip().get(bytes);
    }

    C2hStream(
        final long seed, final int count, final int maxSize, final int queueDepth, final boolean hdgst,
        final boolean ddgst, final int cpda, final double registeredRate)
    {
        this.hdgst = hdgst;
        this.ddgst = ddgst;
        this.cpda = cpda;
        final SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < count; i++)
        {
            final int size = r.nextBoolean() ? (1 + r.nextInt(maxSize / 512)) * 512 : 1 + r.nextInt(maxSize);
            final byte[] data = new byte[size];
            r.nextBytes(data);
            reads.add(new Read(i, data, r.nextDouble() < registeredRate));
        }
        final PduSender sender = new PduSender(16, null);
        sender.connectionInitialized(hdgst, ddgst, cpda);
        // room for every payload byte plus, per PDU, the largest header, digests and CPDA pad, and one CapsuleResp
        long room = 0;
        for (final Read rd : reads)
        {
            room += rd.data.length + (rd.data.length / 512 + 2) * 256L;
        }
        final ByteBuffer capture = ByteBuffer.allocate(Math.toIntExact(room));
        final BufferChannel sink = new BufferChannel(capture);
        final List<Read> active = new ArrayList<>();
        int next = 0;
        while (next < reads.size() || !active.isEmpty())
        {
            while (active.size() < queueDepth && next < reads.size())
            {
                active.add(reads.get(next++));
            }
            final Read rd = active.get(r.nextInt(active.size()));
            final int chunk = Math.min(rd.data.length - rd.sent, 512 + r.nextInt(r.nextBoolean() ? 4096 : 131072));
            final boolean last = rd.sent + chunk == rd.data.length;
            final boolean success = last && r.nextInt(3) == 0;
            final int flags = (last ? CommonHeader.FLAG_LAST_PDU : 0) | (success ? CommonHeader.FLAG_SUCCESS : 0);
            final long start = sink.bytes();
            if (rd.sent == 0)
            {
                rd.firstHeader = start;
            }
            new DataPdu().wrap(sender.claimHeader(), 0)
                .encode(PduType.C2H_DATA, flags, 0, 0, rd.cid, 0, rd.sent, chunk);
            sender.commit(ByteBuffer.wrap(rd.data), rd.sent, chunk, PduSender.NO_TOKEN);
            flush(sender, sink);
            final int hd = hdgst ? 4 : 0;
            final int unit = (cpda + 1) * 4;
            final int pdo = cpda == 0 ? 24 + hd : (24 + hd + unit - 1) / unit * unit;
            rd.dataStarts.add(start + pdo);
            rd.dataLengths.add(chunk);
            rd.sent += chunk;
            if (last)
            {
                if (!success)
                {
                    capsuleResp(sender, sink, rd.cid);
                }
                active.remove(rd);
            }
        }
        bytes = new byte[capture.position()];
        capture.flip().get(bytes);
    }

    long totalRegisteredBytes()
    {
        long n = 0;
        for (final Read rd : reads)
        {
            if (rd.registered)
            {
                n += rd.data.length;
            }
        }
        return n;
    }

    private static void flush(final PduSender sender, final BufferChannel sink)
    {
        try
        {
            while (sender.hasPending())
            {
                sender.flush(sink);
            }
        }
        catch (final IOException e)
        {
            throw new AssertionError(e);
        }
    }

    /** A successful CapsuleResp for {@code cid}, written to {@code sink}. */
    private static void capsuleResp(final PduSender sender, final BufferChannel sink, final int cid)
    {
        final ByteBuffer h = sender.claimHeader();
        for (int i = 0; i < 24; i++)
        {
            h.put(i, (byte)0);
        }
        new CommonHeader().wrap(h, 0).header(PduType.CAPSULE_RESP, 0, 0, 24);
        h.put(8 + 12, (byte)cid);
        h.put(8 + 13, (byte)(cid >>> 8));
        sender.commit(null, 0, 0, PduSender.NO_TOKEN);
        flush(sender, sink);
    }
}
