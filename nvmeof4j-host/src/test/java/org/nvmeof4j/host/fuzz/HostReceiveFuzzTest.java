package org.nvmeof4j.host.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.nvmeof4j.host.NanoClock;
import org.nvmeof4j.host.queue.HostQueue;
import org.nvmeof4j.host.tcp.TcpConnection;
import org.nvmeof4j.tcp.SocketSegmentSource;

/**
 * Jazzer fuzz target for the host receive path: a real I/O queue ({@link HostQueue} over {@link TcpConnection}) on
 * a {@link MemorySocketChannel}, fed by a fake target that answers the ICReq (well, or with any ICResp) and then
 * sends C2HData, R2T, CapsuleResp and C2HTermReq PDUs in any order, with CIDs of the host's commands or any other,
 * any DATAO/DATAL/R2TO/R2TL, flags, PDO, right or wrong digests, raw bytes between them, and each byte stream cut
 * into reads of a size the input chooses; the host submits reads and writes between the PDUs.
 *
 * <p>The properties: no exception escapes {@code poll} or {@code submit*}; nothing is written outside the buffer of
 * a read (guard bytes on both sides) and a write's source buffer is never changed; every completion names a
 * request that was submitted and each request completes exactly once, at the latest when the controller fails the
 * queue (what it does on delete or after ctrl_loss_tmo). No exception is documented as expected: any throwable is a
 * finding.
 *
 * <p>In the default test run this replays the stored inputs (src/test/resources/.../HostReceiveFuzzTestInputs); to
 * fuzz: {@code fuzz/run.sh HostReceiveFuzzTest}.
 */
class HostReceiveFuzzTest
{
    private static final int GUARD = 32;
    private static final byte GUARD_BYTE = (byte)0xA5;
    private static final int MAX_STEPS = 32;
    private static final int QUEUE_SIZE = 8;
    /**
     * One receive buffer for every input's connection (they run one after the other): a fresh 256 KiB direct
     * buffer per input was most of the time of an input (zeroing it, and the native memory churn).
     */
    /**
     * The harness's own byte patterns, made once: per-byte loops in the harness ran through Jazzer's comparison
     * hooks on every iteration and cost more than the code under test.
     */
    private static final byte[] GUARDS = new byte[GUARD];
    /** {@code COUNTING[i] == (byte)i}: a write's source bytes. */
    private static final byte[] COUNTING = new byte[GUARD + (8 << 12) + GUARD];
    /** {@code SEVENS[i] == (byte)(i * 7)} (period 256): the target's data bytes. */
    private static final byte[] SEVENS = new byte[4096];

    static
    {
        Arrays.fill(GUARDS, GUARD_BYTE);
        for (int i = 0; i < COUNTING.length; i++)
        {
            COUNTING[i] = (byte)i;
        }
        for (int i = 0; i < SEVENS.length; i++)
        {
            SEVENS[i] = (byte)(i * 7);
        }
    }

    private static final ByteBuffer RECEIVE_BUFFER = ByteBuffer.allocateDirect(SocketSegmentSource.DEFAULT_BUFFER);

    @FuzzTest(maxDuration = "30s")
    void hostQueueSurvivesAnyTarget(final FuzzedDataProvider data) throws java.io.IOException
    {
        final FakeTarget t = new FakeTarget(data);
        try
        {
            t.run();
        }
        finally
        {
            // what the controller does when it gives up on the queue (delete, ctrl_loss_tmo): close, then fail
            t.queue.close();
            t.queue.fail("fuzz input over");
            t.pollAll();
        }
        t.checkBuffers();
        if (t.completed.size() != t.submitted.size())
        {
            throw new AssertionError("queue closed and failed with " + (t.submitted.size() - t.completed.size()) +
                " requests never completed (" + t.queue.connection().closeReason() + ")");
        }
    }

    /** The fake target's side of one connection, and the host's requests. */
    private static final class FakeTarget
    {
        final FuzzedDataProvider data;
        final MemorySocketChannel channel = new MemorySocketChannel();
        final HostQueue queue;
        final TcpConnection conn;
        final boolean hdgst;
        final boolean ddgst;
        /** userTag → the request's buffer (with guards) and whether it is a read. */
        final Map<Long, byte[]> buffers = new HashMap<>();
        final Map<Long, Boolean> reads = new HashMap<>();
        final Map<Long, byte[]> writeCopies = new HashMap<>();
        final List<Long> submitted = new ArrayList<>();
        final Map<Long, Integer> completed = new HashMap<>();
        /** CIDs seen in the host's CapsuleCmds, with the data length each asked for. */
        final List<Integer> cids = new ArrayList<>();
        final Map<Integer, Integer> cidLength = new HashMap<>();
        final Map<Integer, Boolean> cidIsRead = new HashMap<>();
        long nextTag = 1;
        int cpda;
        /** log2 of namespace 1's block size. */
        final int shift;

        FakeTarget(final FuzzedDataProvider data) throws java.io.IOException
        {
            this.data = data;
            hdgst = data.consumeBoolean();
            ddgst = data.consumeBoolean();
            channel.readChunk(data.consumeBoolean() ? Integer.MAX_VALUE : data.consumeInt(1, 200));
            conn = new TcpConnection(channel, 1, QUEUE_SIZE, hdgst, ddgst);
            conn.segmentSource(new SocketSegmentSource(RECEIVE_BUFFER));
            queue = new HostQueue(1, QUEUE_SIZE, null, NanoClock.SYSTEM, 0, false);
            shift = data.consumeInt(0, 3) == 0 ? data.consumeInt(9, 12) : 9;
            queue.lbaShifts(new int[] {0, shift});
            queue.inCapsuleMax(data.consumeBoolean() ? 0 : 4096);
            // MDTS as the controller derives it from Identify: 0 (no limit) or a page size shifted; splits the I/O
            queue.maxDataBytes(data.consumeInt(0, 3) == 0 ? 4096L << data.consumeInt(0, 3) : 0);
            queue.adopt(conn, 0);
        }

        void run()
        {
            conn.sendIcReq();
            pollAll();
            channel.takeOutput();
            channel.offer(icResp());
            pollAll();
            for (int step = 0; step < MAX_STEPS && data.remainingBytes() > 0; step++)
            {
                switch (data.consumeInt(0, 9))
                {
                    case 0:
                        submit(true);
                        break;
                    case 1:
                        submit(false);
                        break;
                    case 2:
                        send(c2hData());
                        break;
                    case 3:
                        send(r2t());
                        break;
                    case 4:
                        send(capsuleResp());
                        break;
                    case 5:
                        send(termReq());
                        break;
                    case 6:
                        send(data.consumeBytes(data.consumeInt(1, 300)));
                        break;
                    case 7:
                        channel.readChunk(data.consumeInt(1, 4096));
                        break;
                    default:
                        answerHonestly();
                }
            }
        }

        private byte[] icResp()
        {
            final ByteBuffer p = le(128);
            if (data.consumeInt(0, 7) == 0)
            {
                p.put(data.consumeBytes(128)); // any ICResp at all
                return p.array();
            }
            cpda = data.consumeInt(0, 3);
            final boolean h = hdgst && data.consumeInt(0, 7) != 0 || !hdgst && data.consumeInt(0, 15) == 0;
            final boolean d = ddgst && data.consumeInt(0, 7) != 0 || !ddgst && data.consumeInt(0, 15) == 0;
            p.put(0, (byte)0x01).put(2, (byte)128).putInt(4, 128).put(10, (byte)cpda)
                .put(11, (byte)((h ? 1 : 0) | (d ? 2 : 0)))
                .putInt(12, data.consumeBoolean() ? 8192 : data.consumeInt(0, 0x20000));
            if (data.consumeInt(0, 15) == 0)
            {
                p.putShort(8, (short)data.consumeInt(0, 3)); // PFV
            }
            return p.array();
        }

        /** Submit a read or a write of 1–8 blocks through the public queue API, then note its CID. */
        private void submit(final boolean read)
        {
            final int blocks = data.consumeInt(1, 8);
            final int length = blocks << shift;
            final byte[] backing = new byte[GUARD + length + GUARD];
            Arrays.fill(backing, GUARD_BYTE);
            if (!read)
            {
                System.arraycopy(COUNTING, GUARD, backing, GUARD, length);
            }
            final ByteBuffer buf = ByteBuffer.wrap(backing, GUARD, length).slice();
            final long tag = nextTag++;
            final int r = read ? queue.submitRead(1, data.consumeInt(0, 64), blocks, buf, tag) :
                queue.submitWrite(1, data.consumeInt(0, 64), blocks, buf, tag);
            if (r >= 0)
            {
                submitted.add(tag);
                buffers.put(tag, backing);
                reads.put(tag, read);
                if (!read)
                {
                    writeCopies.put(tag, backing.clone());
                }
            }
            pollAll();
        }

        /** Offer bytes, poll until the queue makes no more progress, and learn the CIDs the host sent. */
        private void send(final byte[] bytes)
        {
            channel.offer(bytes);
            pollAll();
        }

        void pollAll()
        {
            // a bounded number of duty cycles: stop once three in a row consumed nothing
            int idle = 0;
            for (int i = 0; i < 256 && idle < 3; i++)
            {
                final int before = channel.unread();
                queue.poll(this::onComplete);
                idle = channel.unread() == before ? idle + 1 : 0;
            }
            learnCids(channel.takeOutput());
        }

        private void onComplete(final long tag, final int status)
        {
            if (!submitted.contains(tag))
            {
                throw new AssertionError("completion for tag " + tag + " that was never submitted");
            }
            if (completed.put(tag, status) != null)
            {
                throw new AssertionError("tag " + tag + " completed twice");
            }
        }

        /** Walk the host's PDUs (a well-behaved host writes whole PDUs) and note each CapsuleCmd's CID and length. */
        private void learnCids(final ByteBuffer out)
        {
            out.order(ByteOrder.LITTLE_ENDIAN);
            int at = 0;
            while (at + 8 <= out.limit())
            {
                final int type = out.get(at) & 0xFF;
                final int plen = out.getInt(at + 4);
                if (plen < 8 || at + plen > out.limit())
                {
                    throw new AssertionError("the host wrote a malformed PDU: type " + type + " PLEN " + plen);
                }
                if (type == 0x04 && plen >= 72)
                {
                    final int cid = out.getShort(at + 8 + 2) & 0xFFFF;
                    final int opcode = out.get(at + 8) & 0xFF;
                    cids.add(cid);
                    cidLength.put(cid, out.getInt(at + 8 + 32));
                    cidIsRead.put(cid, opcode == 0x02);
                }
                at += plen;
            }
        }

        private int cid()
        {
            return !cids.isEmpty() && data.consumeInt(0, 3) != 0 ? cids.get(data.consumeInt(0, cids.size() - 1)) :
                data.consumeInt(0, 0xFFFF);
        }

        private byte[] c2hData()
        {
            final int cid = cid();
            final int length = cidLength.getOrDefault(cid, 4096);
            final int datao = data.consumeBoolean() ? 0 : data.consumeInt(-4, length + 8);
            final int datal = data.consumeBoolean() ? length - Math.max(0, datao) : data.consumeInt(0, 9000);
            int flags = data.consumeInt(0, 3) == 0 ? data.consumeInt(0, 0xFF) : 0x04 | (data.consumeBoolean() ? 0x08 : 0);
            return dataPdu(0x07, flags, cid, 0, datao, Math.max(0, datal), data.consumeInt(0, 7) == 0);
        }

        private byte[] r2t()
        {
            final int cid = cid();
            final int length = cidLength.getOrDefault(cid, 4096);
            final int r2to = data.consumeBoolean() ? 0 : data.consumeInt(-4, length + 8);
            final int r2tl = data.consumeBoolean() ? length - Math.max(0, r2to) : data.consumeInt();
            final int hlen = hdgst ? 28 : 24;
            final ByteBuffer p = le(hlen);
            p.put(0, (byte)0x09).put(1, (byte)(hdgst ? 0x01 : 0)).put(2, (byte)24).put(3, (byte)0).putInt(4, hlen)
                .putShort(8, (short)cid).putShort(10, (short)data.consumeInt(0, 0xFFFF)).putInt(12, r2to)
                .putInt(16, r2tl);
            return finishHeader(p, 24);
        }

        private byte[] capsuleResp()
        {
            final int cid = cid();
            final int hlen = hdgst ? 28 : 24;
            final ByteBuffer p = le(hlen);
            p.put(0, (byte)0x05).put(1, (byte)(hdgst ? 0x01 : 0)).put(2, (byte)24).putInt(4, hlen);
            p.putInt(8, data.consumeInt()).putShort(8 + 8, (short)data.consumeInt(0, 0xFFFF))
                .putShort(8 + 10, (short)data.consumeInt(0, 3)).putShort(8 + 12, (short)cid)
                .putShort(8 + 14, (short)(data.consumeBoolean() ? 0 : data.consumeInt(0, 0xFFFF)));
            return finishHeader(p, 24);
        }

        private byte[] termReq()
        {
            final int extra = data.consumeInt(0, 160);
            final ByteBuffer p = le(24 + extra);
            p.put(0, (byte)0x03).put(2, (byte)24).putInt(4, data.consumeBoolean() ? 24 + extra : data.consumeInt())
                .putShort(8, (short)data.consumeInt(0, 7)).putInt(10, data.consumeInt());
            return p.array();
        }

        /** The answer a good target gives to one of the host's commands: the data it needs, then the response. */
        private void answerHonestly()
        {
            if (cids.isEmpty())
            {
                return;
            }
            final int cid = cids.remove(data.consumeInt(0, cids.size() - 1));
            final int length = cidLength.getOrDefault(cid, 0);
            if (length > 0 && cidIsRead.getOrDefault(cid, false))
            {
                send(dataPdu(0x07, 0x04, cid, 0, 0, length, false));
            }
            else if (length > 0 && !cidIsRead.getOrDefault(cid, false) && data.consumeBoolean())
            {
                final int hlen = hdgst ? 28 : 24;
                final ByteBuffer p = le(hlen);
                p.put(0, (byte)0x09).put(1, (byte)(hdgst ? 0x01 : 0)).put(2, (byte)24).putInt(4, hlen)
                    .putShort(8, (short)cid).putShort(10, (short)7).putInt(12, 0).putInt(16, length);
                send(finishHeader(p, 24));
            }
            final ByteBuffer p = le(hdgst ? 28 : 24);
            p.put(0, (byte)0x05).put(1, (byte)(hdgst ? 0x01 : 0)).put(2, (byte)24).putInt(4, p.capacity())
                .putShort(8 + 12, (short)cid);
            send(finishHeader(p, 24));
        }

        /** A data PDU: header (+ HDGST), padding to PDO, data, (+ DDGST). */
        private byte[] dataPdu(final int type, final int flags, final int cid, final int ttag, final int datao,
            final int datal, final boolean badDigest)
        {
            final int hlen = 24;
            final int headerEnd = hlen + (hdgst ? 4 : 0);
            final int align = (cpda + 1) * 4;
            final int pdo = datal == 0 ? 0 : (headerEnd + align - 1) / align * align;
            final int plen = datal == 0 ? headerEnd : pdo + datal + (ddgst ? 4 : 0);
            final ByteBuffer p = le(plen);
            p.put(0, (byte)type).put(1, (byte)(flags | (hdgst ? 0x01 : 0) | (ddgst && datal > 0 ? 0x02 : 0)))
                .put(2, (byte)hlen).put(3, (byte)pdo).putInt(4, plen).putShort(8, (short)cid)
                .putShort(10, (short)ttag).putInt(12, datao).putInt(16, datal);
            for (int at = 0; at < datal; at += SEVENS.length)
            {
                p.put(pdo + at, SEVENS, 0, Math.min(SEVENS.length, datal - at));
            }
            if (ddgst && datal > 0)
            {
                final CRC32C crc = new CRC32C();
                crc.update(p.array(), pdo, datal);
                p.putInt(pdo + datal, (int)crc.getValue() ^ (badDigest ? 1 : 0));
            }
            finishHeader(p, hlen);
            if (badDigest && !ddgst && plen > 0)
            {
                p.put(data.consumeInt(0, plen - 1), data.consumeByte());
            }
            return p.array();
        }

        /** Put the header digest after the first {@code hlen} bytes when it was negotiated. */
        private byte[] finishHeader(final ByteBuffer p, final int hlen)
        {
            if (hdgst && p.capacity() >= hlen + 4)
            {
                final CRC32C crc = new CRC32C();
                crc.update(p.array(), 0, hlen);
                p.putInt(hlen, (int)crc.getValue());
            }
            return p.array();
        }

        void checkBuffers()
        {
            for (final Map.Entry<Long, byte[]> e : buffers.entrySet())
            {
                final byte[] b = e.getValue();
                if (!Arrays.equals(b, 0, GUARD, GUARDS, 0, GUARD) ||
                    !Arrays.equals(b, b.length - GUARD, b.length, GUARDS, 0, GUARD))
                {
                    throw new AssertionError("tag " + e.getKey() + ": a byte outside its buffer was written");
                }
                if (!reads.get(e.getKey()) && !Arrays.equals(b, writeCopies.get(e.getKey())))
                {
                    throw new AssertionError("tag " + e.getKey() + ": the source of a write was changed");
                }
            }
        }

        private static ByteBuffer le(final int n)
        {
            return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        }
    }
}
