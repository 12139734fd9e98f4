package org.nvmeof4j.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Shared steps of the raw-socket tests. */
final class TargetTestSupport
{
    static final String NQN = "nqn.2024-01.org.nvmeof4j:test";

    private TargetTestSupport()
    {
    }

    static Target ramTarget() throws IOException
    {
        return Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().ramNamespace(1, 16L << 20))
            .build().start();
    }

    /** ICReq, admin Connect, CC.EN = 1, Set Features Number of Queues; returns the CNTLID. */
    static int adminSetup(final RawHost h, final boolean hd, final boolean dd, final int ioQueues) throws IOException
    {
        h.initialize(hd, dd);
        final ByteBuffer c = h.connect(0, 0xFFFF, NQN, 31);
        assertThat(c.get(0)).isEqualTo((byte)0x05);
        assertThat(RawHost.status(c)).as("connect status").isZero();
        final int cntlid = RawHost.dw0(c) & 0xFFFF;
        assertThat(RawHost.status(h.propertySet(3, 0x14, 0x00460001))).isZero();
        final ByteBuffer csts = h.propertyGet(4, 0x1C, false);
        assertThat(RawHost.dw0(csts) & 1).isEqualTo(1);
        final ByteBuffer sf = RawHost.sqe(0x09, 5, 0);
        sf.putInt(40, 0x07).putInt(44, (ioQueues - 1) | (ioQueues - 1) << 16);
        h.send(h.capsule(sf, null));
        assertThat(RawHost.status(h.readPdu())).isZero();
        return cntlid;
    }

    /** ICReq and I/O queue Connect. */
    static void ioSetup(final RawHost h, final int cntlid, final int qid, final boolean hd, final boolean dd)
        throws IOException
    {
        h.initialize(hd, dd);
        final ByteBuffer c = h.connect(qid, cntlid, NQN, 127);
        assertThat(RawHost.status(c)).as("I/O connect status").isZero();
    }

    static ByteBuffer rw(final int opcode, final int cid, final long slba, final int blocks)
    {
        final ByteBuffer s = RawHost.sqe(opcode, cid, 1);
        s.putLong(40, slba).putInt(48, blocks - 1);
        return s;
    }

    static byte[] pattern(final int n, final int seed)
    {
        final byte[] b = new byte[n];
        for (int i = 0; i < n; i++)
        {
            b[i] = (byte)(i * 31 + seed + (i >>> 9));
        }
        return b;
    }

    /** Write via R2T: sends the command, answers the R2T with H2CData PDUs of at most MAXH2CDATA; returns the CQE. */
    static ByteBuffer writeR2t(final RawHost h, final int cid, final long slba, final byte[] data) throws IOException
    {
        h.send(h.capsule(RawHost.sglTransport(rw(0x01, cid, slba, data.length / 512), data.length), null));
        final ByteBuffer r2t = h.readPdu();
        assertThat(r2t.get(0)).as("R2T").isEqualTo((byte)0x09);
        final int ttag = r2t.getShort(10) & 0xFFFF;
        assertThat(r2t.getInt(12)).isZero();
        assertThat(r2t.getInt(16)).isEqualTo(data.length);
        int off = 0;
        while (off < data.length)
        {
            final int n = (int)Math.min(h.maxh2cdata, data.length - off);
            final byte[] chunk = java.util.Arrays.copyOfRange(data, off, off + n);
            h.send(h.h2cData(cid, ttag, off, chunk, off + n == data.length));
            off += n;
        }
        return h.readPdu();
    }

    /** Read: returns the data gathered from the C2HData PDUs; the final PDU read is the CapsuleResp. */
    static byte[] read(final RawHost h, final int cid, final long slba, final int bytes) throws IOException
    {
        h.send(h.capsule(RawHost.sglTransport(rw(0x02, cid, slba, bytes / 512), bytes), null));
        final byte[] out = new byte[bytes];
        while (true)
        {
            final ByteBuffer p = h.readPdu();
            if (p.get(0) == 0x05)
            {
                assertThat(RawHost.status(p)).as("read status").isZero();
                return out;
            }
            assertThat(p.get(0)).isEqualTo((byte)0x07);
            final int datao = p.getInt(12);
            final int datal = p.getInt(16);
            final int pdo = RawHost.pdo(p);
            for (int i = 0; i < datal; i++)
            {
                out[datao + i] = p.get(pdo + i);
            }
            if (h.ddgst)
            {
                assertThat(p.getInt(pdo + datal)).isEqualTo(RawHost.crc(p, pdo, datal));
            }
            if ((p.get(1) & 0x08) != 0)
            {
                return out;
            }
        }
    }
}
