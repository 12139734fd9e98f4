package org.nvmeof4j.host.tcp;

import org.nvmeof4j.host.queue.HostQueue;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.host.IoQueue;
import org.nvmeof4j.host.NanoClock;

/**
 * The host queue against a scripted fake controller on a raw socket: the cases a real target does not produce on
 * demand (a corrupted data digest, commands split by MDTS, R2T split by MAXH2CDATA).
 */
class FakeTargetQueueTest
{
    private ServerSocket server;
    private Socket peer;
    private DataInputStream in;
    private OutputStream out;
    private HostQueue queue;
    private final List<int[]> completions = new ArrayList<>();
    /** CPDA announced by the fake controller: H2CData it receives must start at a multiple of (CPDA + 1) × 4. */
    private static final int CPDA = 3;

    @BeforeEach
    void connect() throws IOException
    {
        server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        final SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.getLocalPort()));
        peer = server.accept();
        in = new DataInputStream(peer.getInputStream());
        out = peer.getOutputStream();
        final TcpConnection conn = new TcpConnection(ch, 1, 16, false, true);
        queue = new HostQueue(1, 16, null, NanoClock.SYSTEM, 0, true);
        queue.lbaShifts(new int[] {0, 9});
        queue.adopt(conn, 0);
        conn.sendIcReq();
        poll();
        final byte[] icreq = readN(128);
        assertThat(icreq[0]).isEqualTo((byte)0x00);
        assertThat(icreq[11]).as("DGST: data digest only").isEqualTo((byte)0x02);
        final ByteBuffer icresp = le(128);
        icresp.put(0, (byte)0x01).put(2, (byte)128).putInt(4, 128).put(10, (byte)CPDA).put(11, (byte)0x02)
            .putInt(12, 8192);
        out.write(icresp.array());
        while (!conn.isInitialized())
        {
            poll();
        }
    }

    @AfterEach
    void close() throws IOException
    {
        queue.close();
        peer.close();
        server.close();
    }

    private void poll()
    {
        queue.poll((tag, status) -> completions.add(new int[] {(int)tag, status}));
    }

    private byte[] readN(final int n) throws IOException
    {
        final byte[] b = new byte[n];
        int got = 0;
        while (got < n)
        {
            poll();
            if (in.available() > 0 || got > 0)
            {
                got += in.read(b, got, Math.min(n - got, Math.max(1, in.available())));
            }
        }
        return b;
    }

    private static ByteBuffer le(final int n)
    {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Read one CapsuleCmd (no header digest; in-capsule data with its digest if any); return the SQE bytes. */
    private ByteBuffer readCapsule() throws IOException
    {
        final ByteBuffer ch = ByteBuffer.wrap(readN(8)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(ch.get(0)).isEqualTo((byte)0x04);
        final int plen = ch.getInt(4);
        final ByteBuffer rest = ByteBuffer.wrap(readN(plen - 8)).order(ByteOrder.LITTLE_ENDIAN);
        return rest.slice(0, 64).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void sendC2hData(final int cid, final byte[] data, final int datao, final boolean corrupt)
        throws IOException
    {
        final ByteBuffer p = le(24 + data.length + 4);
        p.put(0, (byte)0x07).put(1, (byte)(0x02 | 0x04)).put(2, (byte)24).put(3, (byte)24).putInt(4, p.capacity());
        p.putShort(8, (short)cid).putInt(12, datao).putInt(16, data.length);
        p.put(24, data);
        final CRC32C crc = new CRC32C();
        crc.update(data);
        p.putInt(24 + data.length, (int)crc.getValue() ^ (corrupt ? 1 : 0));
        out.write(p.array());
    }

    private void sendResp(final int cid, final int status) throws IOException
    {
        final ByteBuffer p = le(24);
        p.put(0, (byte)0x05).put(2, (byte)24).putInt(4, 24);
        p.putShort(8 + 12, (short)cid).putShort(8 + 14, (short)(status << 1));
        out.write(p.array());
    }

    private void awaitCompletions(final int n)
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (completions.size() < n && System.nanoTime() < deadline)
        {
            poll();
        }
        assertThat(completions).hasSize(n);
    }

    @Test
    void shouldFailOnlyTheCommandWhoseDataDigestIsWrong() throws IOException
    {
        final ByteBuffer dst = ByteBuffer.allocate(4096);
        assertThat(queue.submitRead(1, 0, 8, dst, 11)).isGreaterThanOrEqualTo(0);
        final ByteBuffer sqe = readCapsule();
        assertThat(sqe.get(0)).isEqualTo((byte)0x02);
        final int cid = sqe.getShort(2) & 0xFFFF;
        final byte[] data = new byte[4096];
        java.util.Arrays.fill(data, (byte)0x5A);
        sendC2hData(cid, data, 0, true);
        sendResp(cid, 0);
        awaitCompletions(1);
        assertThat(completions.get(0)).containsExactly(11, IoQueue.STATUS_DATA_TRANSFER_ERROR);

        // the connection stays up: the next read succeeds
        final ByteBuffer dst2 = ByteBuffer.allocate(4096);
        assertThat(queue.submitRead(1, 8, 8, dst2, 12)).isGreaterThanOrEqualTo(0);
        final int cid2 = readCapsule().getShort(2) & 0xFFFF;
        sendC2hData(cid2, data, 0, false);
        sendResp(cid2, 0);
        awaitCompletions(2);
        assertThat(completions.get(1)).containsExactly(12, 0);
        assertThat(dst2.array()).isEqualTo(data);
        assertThat(queue.connection().isClosed()).isFalse();
    }

    @Test
    void shouldNotLetALateDuplicateResponseCompleteTheNextCommand() throws IOException
    {
        assertThat(queue.submitFlush(1, 21)).isGreaterThanOrEqualTo(0);
        final int cidA = readCapsule().getShort(2) & 0xFFFF;
        sendResp(cidA, 0);
        awaitCompletions(1);
        assertThat(completions.get(0)).containsExactly(21, 0);

        // CIDs are reused first in, first out: the next command does not get the CID just freed
        assertThat(queue.submitFlush(1, 22)).isGreaterThanOrEqualTo(0);
        final int cidB = readCapsule().getShort(2) & 0xFFFF;
        assertThat(cidB).isNotEqualTo(cidA);

        // a stale copy of A's response: rejected (A is idle), never taken as B's completion
        sendResp(cidA, 0);
        final long deadline = System.nanoTime() + 2_000_000_000L;
        while (!queue.connection().isClosed() && System.nanoTime() < deadline)
        {
            poll();
        }
        assertThat(queue.connection().isClosed()).as("the host ends the association").isTrue();
        assertThat(completions).noneMatch(c -> c[0] == 22 && c[1] == 0);
    }

    @Test
    void shouldRejectAStaleResponseForAReusedSlot() throws IOException
    {
        assertThat(queue.submitFlush(1, 100)).isGreaterThanOrEqualTo(0);
        final int cidA = readCapsule().getShort(2) & 0xFFFF;
        sendResp(cidA, 0);
        awaitCompletions(1);
        // cycle through every slot until A's slot is reused: same low bits, a new generation
        int cid = -1;
        for (int i = 1; i <= 16 && (cid & TcpConnection.CID_SLOT_MASK) != (cidA & TcpConnection.CID_SLOT_MASK); i++)
        {
            assertThat(queue.submitFlush(1, 100 + i)).isGreaterThanOrEqualTo(0);
            cid = readCapsule().getShort(2) & 0xFFFF;
            if ((cid & TcpConnection.CID_SLOT_MASK) != (cidA & TcpConnection.CID_SLOT_MASK))
            {
                sendResp(cid, 0);
                awaitCompletions(i + 1);
            }
        }
        assertThat(cid & TcpConnection.CID_SLOT_MASK).isEqualTo(cidA & TcpConnection.CID_SLOT_MASK);
        assertThat(cid).as("a new generation on the reused slot").isNotEqualTo(cidA);
        final int done = completions.size();

        sendResp(cidA, 0); // A's response again, long after A ended
        final long deadline = System.nanoTime() + 2_000_000_000L;
        while (!queue.connection().isClosed() && System.nanoTime() < deadline)
        {
            poll();
        }
        assertThat(queue.connection().isClosed()).as("the stale CID is rejected").isTrue();
        assertThat(completions.subList(done, completions.size())).noneMatch(c -> c[1] == 0);
    }

    @Test
    void shouldSplitAboveMdtsAndCompleteOnce() throws IOException
    {
        queue.maxDataBytes(8192);
        final ByteBuffer dst = ByteBuffer.allocate(20480);
        assertThat(queue.submitRead(1, 100, 40, dst, 5)).isGreaterThanOrEqualTo(0);
        final int[] expectBlocks = {16, 16, 8};
        long lba = 100;
        int offset = 0;
        final List<Integer> cids = new ArrayList<>();
        for (final int blocks : expectBlocks)
        {
            final ByteBuffer sqe = readCapsule();
            assertThat(sqe.getLong(40)).isEqualTo(lba);
            assertThat((sqe.getShort(48) & 0xFFFF) + 1).isEqualTo(blocks);
            assertThat(sqe.getInt(32)).as("SGL length").isEqualTo(blocks * 512);
            cids.add(sqe.getShort(2) & 0xFFFF);
            lba += blocks;
        }
        assertThat(cids).doesNotHaveDuplicates();
        for (int i = 0; i < 3; i++)
        {
            final byte[] d = new byte[expectBlocks[i] * 512];
            java.util.Arrays.fill(d, (byte)(i + 1));
            sendC2hData(cids.get(i), d, 0, false);
            sendResp(cids.get(i), 0);
            offset += d.length;
        }
        awaitCompletions(1);
        assertThat(completions.get(0)).containsExactly(5, 0);
        assertThat(dst.get(0)).isEqualTo((byte)1);
        assertThat(dst.get(8192)).isEqualTo((byte)2);
        assertThat(dst.get(20479)).isEqualTo((byte)3);
        assertThat(offset).isEqualTo(20480);
    }

    @Test
    void shouldEndTheAssociationOnAnR2tThatSkipsData() throws IOException
    {
        assertThat(queue.submitWrite(1, 0, 24, ByteBuffer.allocate(12288), 31)).isGreaterThanOrEqualTo(0);
        final int cid = readCapsule().getShort(2) & 0xFFFF;
        final ByteBuffer r2t = le(24);
        r2t.put(0, (byte)0x09).put(2, (byte)24).putInt(4, 24).putShort(8, (short)cid).putShort(10, (short)5)
            .putInt(12, 0).putInt(16, 4096);
        out.write(r2t.array());
        final ByteBuffer h = ByteBuffer.wrap(readN(24)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(h.get(0)).isEqualTo((byte)0x06);
        readN((h.get(3) & 0xFF) - 24 + h.getInt(16) + 4); // pad, data, digest
        // the next R2T skips [4096, 8192): a success after it would acknowledge a write with a hole
        r2t.putInt(12, 8192);
        out.write(r2t.array());
        final long deadline = System.nanoTime() + 2_000_000_000L;
        while (!queue.connection().isClosed() && System.nanoTime() < deadline)
        {
            poll();
        }
        assertThat(queue.connection().isClosed()).isTrue();
        assertThat(queue.connection().closeReason()).contains("R2T offset 8192");
        assertThat(completions).noneMatch(c -> c[0] == 31 && c[1] == 0);
    }

    @Test
    void shouldAnswerR2tWithH2cDataSplitByMaxh2cdata() throws IOException
    {
        // in-capsule limit 0 on this queue: every write waits for an R2T
        final ByteBuffer src = ByteBuffer.allocate(20480);
        for (int i = 0; i < src.capacity(); i++)
        {
            src.put(i, (byte)i);
        }
        assertThat(queue.submitWrite(1, 0, 40, src, 9)).isGreaterThanOrEqualTo(0);
        final ByteBuffer sqe = readCapsule();
        assertThat(sqe.get(39)).as("transport SGL data block").isEqualTo((byte)0x5A);
        final int cid = sqe.getShort(2) & 0xFFFF;
        final ByteBuffer r2t = le(24);
        r2t.put(0, (byte)0x09).put(2, (byte)24).putInt(4, 24).putShort(8, (short)cid).putShort(10, (short)77)
            .putInt(12, 0).putInt(16, 20480);
        out.write(r2t.array());
        final byte[] got = new byte[20480];
        int received = 0;
        int pdus = 0;
        boolean last = false;
        while (!last)
        {
            final ByteBuffer h = ByteBuffer.wrap(readN(24)).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(h.get(0)).isEqualTo((byte)0x06);
            final int pdo = h.get(3) & 0xFF;
            assertThat(pdo % ((CPDA + 1) * 4)).as("PDO %d aligned to CPDA", pdo).isZero();
            readN(pdo - 24); // padding
            assertThat(h.getShort(10)).as("TTAG").isEqualTo((short)77);
            final int datao = h.getInt(12);
            final int datal = h.getInt(16);
            assertThat(datal).isLessThanOrEqualTo(8192);
            assertThat(datao).isEqualTo(received);
            final byte[] d = readN(datal + 4);
            final CRC32C crc = new CRC32C();
            crc.update(d, 0, datal);
            assertThat(ByteBuffer.wrap(d, datal, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()).isEqualTo((int)crc.getValue());
            System.arraycopy(d, 0, got, datao, datal);
            received += datal;
            pdus++;
            last = (h.get(1) & 0x04) != 0;
        }
        assertThat(pdus).isEqualTo(3);
        assertThat(got).isEqualTo(src.array());
        sendResp(cid, 0);
        awaitCompletions(1);
        assertThat(completions.get(0)).containsExactly(9, 0);
    }
}
