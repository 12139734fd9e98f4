package org.nvmeof4j.target;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * A hand-rolled NVMe/TCP host for tests: builds PDUs byte by byte (so tests can break any field) and reads whole PDUs
 * back. Blocking socket with a read timeout.
 */
final class RawHost implements AutoCloseable
{
    static final String HOSTNQN = "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555";
    final SocketChannel ch;
    boolean hdgst;
    boolean ddgst;
    int cpda;
    long maxh2cdata;
    int kato = 30000;

    /** A formatter only: builds PDUs with the given digests, has no socket. */
    RawHost(final boolean hdgst, final boolean ddgst)
    {
        ch = null;
        this.hdgst = hdgst;
        this.ddgst = ddgst;
    }

    RawHost(final int port) throws IOException
    {
        ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        ch.socket().setSoTimeout(5000);
        ch.socket().setTcpNoDelay(true);
    }

    static ByteBuffer le(final int n)
    {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    static int crc(final ByteBuffer b, final int from, final int len)
    {
        final CRC32C c = new CRC32C();
        c.update(b.array(), b.arrayOffset() + from, len);
        return (int)c.getValue();
    }

    static ByteBuffer icReq(final int pfv, final int hpda, final int dgst, final int maxr2t)
    {
        final ByteBuffer b = le(128);
        b.put(0, (byte)0).put(2, (byte)128).putInt(4, 128).putShort(8, (short)pfv).put(10, (byte)hpda)
            .put(11, (byte)dgst).putInt(12, maxr2t);
        return b;
    }

    /** ICReq/ICResp with the digests asked; returns the ICResp. */
    ByteBuffer initialize(final boolean hd, final boolean dd) throws IOException
    {
        send(icReq(0, 0, (hd ? 1 : 0) | (dd ? 2 : 0), 0));
        final ByteBuffer r = readPdu();
        hdgst = (r.get(11) & 1) != 0;
        ddgst = (r.get(11) & 2) != 0;
        cpda = r.get(10);
        maxh2cdata = r.getInt(12) & 0xFFFFFFFFL;
        return r;
    }

    void send(final ByteBuffer b) throws IOException
    {
        final ByteBuffer d = b.duplicate();
        d.clear();
        while (d.hasRemaining())
        {
            ch.write(d);
        }
    }

    /** A CapsuleCmd with optional in-capsule data, digests as negotiated. */
    ByteBuffer capsule(final ByteBuffer sqe, final byte[] data)
    {
        return pdu(0x04, 0, sqe, 72, data);
    }

    /** H2CData. */
    ByteBuffer h2cData(final int cccid, final int ttag, final int datao, final byte[] data, final boolean last)
    {
        final ByteBuffer h = le(16);
        h.putShort(0, (short)cccid).putShort(2, (short)ttag).putInt(4, datao).putInt(8, data.length);
        return pdu(0x06, last ? 0x04 : 0, h, 24, data);
    }

    /** Build a PDU: {@code psh} is the header after the 8-byte CH. */
    ByteBuffer pdu(final int type, final int flags, final ByteBuffer psh, final int hlen, final byte[] data)
    {
        final int hd = hdgst ? 4 : 0;
        final boolean hasData = data != null && data.length > 0;
        final int dd = hasData && ddgst ? 4 : 0;
        final int pdo = hasData ? hlen + hd : 0;
        final int plen = hlen + hd + (hasData ? data.length : 0) + dd;
        final ByteBuffer b = le(plen);
        b.put(0, (byte)type).put(1, (byte)(flags | (hd > 0 ? 1 : 0) | (dd > 0 ? 2 : 0))).put(2, (byte)hlen)
            .put(3, (byte)pdo).putInt(4, plen);
        for (int i = 0; i < hlen - 8; i++)
        {
            b.put(8 + i, psh.get(i));
        }
        if (hd > 0)
        {
            b.putInt(hlen, crc(b, 0, hlen));
        }
        if (hasData)
        {
            b.put(pdo, data);
            if (dd > 0)
            {
                final ByteBuffer d = ByteBuffer.wrap(data);
                b.putInt(pdo + data.length, crc(d, 0, data.length));
            }
        }
        return b;
    }

    static ByteBuffer sqe(final int opcode, final int cid, final int nsid)
    {
        final ByteBuffer s = le(64);
        s.put(0, (byte)opcode).put(1, (byte)0x40).putShort(2, (short)cid).putInt(4, nsid);
        return s;
    }

    /** SGL: transport data block (R2T / C2HData). */
    static ByteBuffer sglTransport(final ByteBuffer sqe, final int length)
    {
        sqe.putLong(24, 0).putInt(32, length).put(39, (byte)0x5A);
        return sqe;
    }

    /** SGL: in-capsule data block, offset 0. */
    static ByteBuffer sglInCapsule(final ByteBuffer sqe, final int length)
    {
        sqe.putLong(24, 0).putInt(32, length).put(39, (byte)0x01);
        return sqe;
    }

    static ByteBuffer connectSqe(final int cid, final int qid, final int sqsize, final int kato)
    {
        final ByteBuffer s = sqe(0x7F, cid, 0);
        s.put(4, (byte)0x01).putShort(40, (short)0).putShort(42, (short)qid).putShort(44, (short)sqsize)
            .put(46, (byte)0).putInt(48, kato);
        return sglInCapsule(s, 1024);
    }

    static byte[] connectData(final int cntlid, final String subnqn, final String hostnqn)
    {
        final ByteBuffer d = le(1024);
        d.putLong(0, 0x1122334455667788L).putLong(8, 0x99AABBCCDDEEFF00L).putShort(16, (short)cntlid);
        final byte[] s = subnqn.getBytes(StandardCharsets.UTF_8);
        final byte[] h = hostnqn.getBytes(StandardCharsets.UTF_8);
        d.position(256);
        d.put(s);
        d.position(512);
        d.put(h);
        return d.array();
    }

    /** Connect and return the CQE (CapsuleResp). */
    ByteBuffer connect(final int qid, final int cntlid, final String subnqn, final int sqsize) throws IOException
    {
        return connect(qid, cntlid, subnqn, HOSTNQN, sqsize);
    }

    ByteBuffer connect(final int qid, final int cntlid, final String subnqn, final String hostnqn, final int sqsize)
        throws IOException
    {
        send(capsule(connectSqe(qid == 0 ? 1 : 2, qid, sqsize, qid == 0 ? kato : 0),
            connectData(cntlid, subnqn, hostnqn)));
        return readPdu();
    }

    ByteBuffer propertySet(final int cid, final int ofst, final long value) throws IOException
    {
        final ByteBuffer s = sqe(0x7F, cid, 0);
        s.put(4, (byte)0x00).put(40, (byte)0).putInt(44, ofst).putLong(48, value);
        send(capsule(s, null));
        return readPdu();
    }

    ByteBuffer propertyGet(final int cid, final int ofst, final boolean eight) throws IOException
    {
        final ByteBuffer s = sqe(0x7F, cid, 0);
        s.put(4, (byte)0x04).put(40, (byte)(eight ? 1 : 0)).putInt(44, ofst);
        send(capsule(s, null));
        return readPdu();
    }

    /** Read exactly one PDU. */
    ByteBuffer readPdu() throws IOException
    {
        final ByteBuffer ch8 = le(8);
        readFully(ch8);
        final int plen = ch8.getInt(4);
        if (plen < 8 || plen > (16 << 20))
        {
            throw new IOException("bad PLEN " + plen);
        }
        final ByteBuffer b = le(plen);
        b.put(ch8.array());
        readFully(b);
        b.clear();
        return b;
    }

    private void readFully(final ByteBuffer b) throws IOException
    {
        final java.io.InputStream in = ch.socket().getInputStream();
        while (b.hasRemaining())
        {
            final int n = in.read(b.array(), b.arrayOffset() + b.position(), b.remaining());
            if (n < 0)
            {
                throw new EOFException("connection closed");
            }
            b.position(b.position() + n);
        }
    }

    /** @return whether the peer closed the connection (EOF) within the timeout. */
    /** @return true only if the peer closed or reset the connection; a read timeout (5 s) is false. */
    boolean closedByPeerNotTimedOut()
    {
        try
        {
            return ch.socket().getInputStream().read(new byte[1]) < 0;
        }
        catch (final java.net.SocketTimeoutException e)
        {
            return false;
        }
        catch (final IOException e)
        {
            return true;
        }
    }

    boolean closedByPeer()
    {
        try
        {
            final ByteBuffer b = ByteBuffer.allocate(1);
            return ch.socket().getInputStream().read(b.array()) < 0;
        }
        catch (final IOException e)
        {
            return true;
        }
    }

    /** CQE status (15 bits, without phase) of a CapsuleResp PDU. */
    static int status(final ByteBuffer resp)
    {
        return (resp.getShort(8 + 14) & 0xFFFF) >>> 1;
    }

    static int sctSc(final ByteBuffer resp)
    {
        return status(resp) & 0x7FF;
    }

    static int cqeCid(final ByteBuffer resp)
    {
        return resp.getShort(8 + 12) & 0xFFFF;
    }

    static int dw0(final ByteBuffer resp)
    {
        return resp.getInt(8);
    }

    /** Data offset of a data PDU. */
    static int pdo(final ByteBuffer pdu)
    {
        return pdu.get(3) & 0xFF;
    }

    @Override
    public void close() throws IOException
    {
        if (ch != null)
        {
            ch.close();
        }
    }
}
