package org.nvmeof4j.host;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.CRC32C;
import org.nvmeof4j.protocol.admin.IdentifyController;
import org.nvmeof4j.protocol.admin.IdentifyNamespace;
import org.nvmeof4j.protocol.fabrics.ControllerRegisters;

/**
 * A scripted NVMe/TCP controller on plain JDK sockets (blocking, a thread per connection) that answers a real host:
 * ICReq, the admin connect sequence, reads (C2HData cut at random sizes), writes (in-capsule, or R2T cut in pieces
 * and H2CData), anything else with a success CapsuleResp. One namespace (NSID 1) of {@link #BLOCKS} 512-byte blocks
 * in {@link #disk}.
 *
 * <p>Every PDU it sends goes through {@link Plan}: the plan names one connection (in accept order) and one PDU
 * (in send order on that connection) and, when that PDU comes, breaks it in a way chosen from its type. Once the
 * plan fired, everything is valid again, so a host that reconnects finds a working controller. PDUs from the host
 * are checked loosely; an H2CTermReq is recorded with its FES and FEI.
 */
final class ScriptedTarget implements AutoCloseable
{
    static final String NQN = "nqn.2014-08.org.nvmeof4j:scripted";
    static final int BLOCK = 512;
    static final int BLOCKS = 512;
    /** A CID no host queue of the test has (queue sizes are at most 32). */
    static final int FOREIGN_CID_BASE = 100;

    static final int IC_REQ = 0x00;
    static final int IC_RESP = 0x01;
    static final int H2C_TERM_REQ = 0x02;
    static final int C2H_TERM_REQ = 0x03;
    static final int CAPSULE_CMD = 0x04;
    static final int CAPSULE_RESP = 0x05;
    static final int H2C_DATA = 0x06;
    static final int C2H_DATA = 0x07;
    static final int R2T = 0x09;

    static final int FLAG_HDGSTF = 0x01;
    static final int FLAG_DDGSTF = 0x02;
    static final int FLAG_LAST_PDU = 0x04;
    static final int FLAG_SUCCESS = 0x08;

    final byte[] disk = new byte[BLOCK * BLOCKS];
    final List<Conn> conns = new CopyOnWriteArrayList<>();
    /** Things the host did that a controller would reject (a wrong H2CData, a malformed capsule): test failures. */
    final List<String> hostErrors = new CopyOnWriteArrayList<>();
    private final ServerSocket server;
    private final Thread acceptor;
    private volatile Plan plan = Plan.NONE;
    private volatile boolean closed;
    volatile int maxh2cdata = 8192;
    volatile int cpda;
    /** Send each read's data in one C2HData (regression cases that name a PDU by its index). */
    volatile boolean wholeDataPdus;

    ScriptedTarget() throws IOException
    {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "scripted-target-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port()
    {
        return server.getLocalPort();
    }

    ConnectOptions options()
    {
        return ConnectOptions.tcp("127.0.0.1", port(), NQN);
    }

    /** Arm a new plan; connections are counted from now on. */
    void plan(final Plan p)
    {
        conns.clear();
        hostErrors.clear();
        plan = p;
    }

    private void acceptLoop()
    {
        int index = 0;
        while (!closed)
        {
            try
            {
                final Socket s = server.accept();
                s.setTcpNoDelay(true);
                final Conn c = new Conn(s, plan, conns.size(), index++);
                conns.add(c);
                final Thread t = new Thread(c, "scripted-target-conn-" + index);
                t.setDaemon(true);
                t.start();
            }
            catch (final IOException e)
            {
                if (closed)
                {
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws IOException
    {
        closed = true;
        server.close();
        for (final Conn c : conns)
        {
            c.closeQuietly();
        }
    }

    /** The fixed read-only region [0, BLOCKS/2) filled from {@code seed}; the write region zeroed. */
    void fillDisk(final long seed)
    {
        synchronized (disk)
        {
            new Random(seed).nextBytes(disk);
            java.util.Arrays.fill(disk, disk.length / 2, disk.length, (byte)0);
        }
    }

    // ------------------------------------------------------------------ the plan

    /** Which PDU to break, and how (chosen from the PDU's type when it comes). */
    static final class Plan
    {
        static final Plan NONE = new Plan(-1, -1, 0);

        final int conn;
        final int pdu;
        final long seed;
        final Random rnd;
        volatile String applied;
        /** FES of the H2CTermReq the host must answer with, or -1 when none is predicted. */
        volatile int expectFes = -1;
        volatile long expectFei;
        /** The host must close without a TermReq (the peer already closed, or sent its own TermReq). */
        volatile boolean expectNoTermReq;
        volatile Conn mutated;

        /** The mutation to apply (regression cases), or null to choose one from the PDU's type. */
        final String kind;

        Plan(final int conn, final int pdu, final long seed)
        {
            this(conn, pdu, seed, null);
        }

        Plan(final int conn, final int pdu, final long seed, final String kind)
        {
            this.kind = kind;
            this.conn = conn;
            this.pdu = pdu;
            this.seed = seed;
            this.rnd = new Random(seed);
        }

        boolean fired()
        {
            return applied != null;
        }

        void expect(final int fes, final long fei)
        {
            expectFes = fes;
            expectFei = fei;
        }

        @Override
        public String toString()
        {
            return "Plan{conn=" + conn + ", pdu=" + pdu + ", seed=" + seed + ", applied=" + applied +
                (expectFes >= 0 ? ", expect fes=" + expectFes + " fei=" + expectFei : "") + '}';
        }
    }

    /** One PDU to send, before digests: the header (HLEN bytes) and the data. */
    static final class Pdu
    {
        final int type;
        int flags;
        final ByteBuffer header;
        byte[] data;
        /** The command it belongs to (or -1) and what it is in the exchange, for the oracle. */
        int cid = -1;
        /** The data length of the command it belongs to. */
        int length;
        boolean lastOfCommand;

        Pdu(final int type, final int hlen)
        {
            this.type = type;
            this.header = ByteBuffer.allocate(hlen).order(ByteOrder.LITTLE_ENDIAN);
            header.put(0, (byte)type).put(2, (byte)hlen);
        }

        int hlen()
        {
            return header.capacity();
        }
    }

    // ------------------------------------------------------------------ one connection

    /** A write waiting for its H2CData. */
    private static final class PendingWrite
    {
        int slba;
        byte[] data;
        int r2to;
        int r2tl;
        int received;
        int ttag;
    }

    final class Conn implements Runnable
    {
        final Socket socket;
        final Plan plan;
        final int index;
        final Random rnd;
        final List<long[]> termReqs = new CopyOnWriteArrayList<>();
        volatile boolean eof;
        volatile boolean closedByUs;
        volatile int qid = -1;
        private DataInputStream in;
        private OutputStream out;
        private boolean hdgst;
        private boolean ddgst;
        private int sent;
        private boolean writeFailed;
        private int cc;
        private int nextTtag = 1;
        private final Map<Integer, PendingWrite> writes = new HashMap<>();
        private final CRC32C crc = new CRC32C();

        Conn(final Socket socket, final Plan plan, final int index, final long salt)
        {
            this.socket = socket;
            this.plan = plan;
            this.index = index;
            this.rnd = new Random(plan.seed * 31 + index);
        }

        void closeQuietly()
        {
            closedByUs = true;
            try
            {
                socket.close();
            }
            catch (final IOException ignore)
            {
                // closing anyway
            }
        }

        @Override
        public void run()
        {
            try
            {
                in = new DataInputStream(socket.getInputStream());
                out = socket.getOutputStream();
                final byte[] icreq = new byte[128];
                in.readFully(icreq);
                if (icreq[0] != IC_REQ || icreq[2] != (byte)128)
                {
                    hostErrors.add("conn " + index + ": first PDU is not an ICReq");
                    return;
                }
                hdgst = (icreq[11] & 1) != 0;
                ddgst = (icreq[11] & 2) != 0;
                final Pdu icresp = new Pdu(IC_RESP, 128);
                icresp.header.put(10, (byte)cpda).put(11, icreq[11]).putInt(12, maxh2cdata);
                emit(icresp);
                while (!socket.isClosed())
                {
                    readPdu();
                }
            }
            catch (final EOFException e)
            {
                eof = true;
            }
            catch (final IOException e)
            {
                // reset by the host, or closed by us
                eof = true;
            }
            finally
            {
                closeQuietly();
            }
        }

        private void readPdu() throws IOException
        {
            final byte[] chBytes = new byte[8];
            in.readFully(chBytes);
            final ByteBuffer ch = ByteBuffer.wrap(chBytes).order(ByteOrder.LITTLE_ENDIAN);
            final int type = ch.get(0) & 0xFF;
            final int flags = ch.get(1) & 0xFF;
            final int hlen = ch.get(2) & 0xFF;
            final int pdo = ch.get(3) & 0xFF;
            final long plen = ch.getInt(4) & 0xFFFF_FFFFL;
            if (plen < 8 || plen > (8 << 20))
            {
                hostErrors.add("conn " + index + ": PDU type " + type + " with PLEN " + plen);
                closeQuietly();
                return;
            }
            final byte[] all = new byte[(int)plen];
            System.arraycopy(chBytes, 0, all, 0, 8);
            in.readFully(all, 8, all.length - 8);
            final ByteBuffer p = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            switch (type)
            {
                case H2C_TERM_REQ:
                    termReqs.add(new long[] {p.getShort(8) & 0xFFFF, p.getInt(10) & 0xFFFF_FFFFL});
                    break;
                case CAPSULE_CMD:
                {
                    final int hd = (flags & FLAG_HDGSTF) != 0 ? 4 : 0;
                    final int dd = (flags & FLAG_DDGSTF) != 0 ? 4 : 0;
                    byte[] data = null;
                    if (plen > hlen + hd)
                    {
                        data = java.util.Arrays.copyOfRange(all, pdo, (int)plen - dd);
                    }
                    onCapsule(p.slice(8, 64).order(ByteOrder.LITTLE_ENDIAN), data);
                    break;
                }
                case H2C_DATA:
                {
                    final int dd = (flags & FLAG_DDGSTF) != 0 ? 4 : 0;
                    final int datal = p.getInt(16);
                    if (pdo + datal + dd != plen)
                    {
                        hostErrors.add("conn " + index + ": H2CData DATAL " + datal + " PDO " + pdo + " PLEN " + plen);
                    }
                    onH2cData(p.getShort(8) & 0xFFFF, p.getShort(10) & 0xFFFF, p.getInt(12), flags,
                        java.util.Arrays.copyOfRange(all, pdo, pdo + datal));
                    break;
                }
                default:
                    hostErrors.add("conn " + index + ": unexpected PDU type " + type + " from the host");
                    closeQuietly();
            }
        }

        private void onCapsule(final ByteBuffer sqe, final byte[] data) throws IOException
        {
            final int opcode = sqe.get(0) & 0xFF;
            final int cid = sqe.getShort(2) & 0xFFFF;
            final int sglType = sqe.get(39) & 0xFF;
            final int sglLength = sqe.getInt(32);
            if (qid < 0 && !(opcode == 0x7F && sqe.get(4) == 0x01))
            {
                hostErrors.add("conn " + index + ": command before Connect");
            }
            if (opcode == 0x7F)
            {
                final int fctype = sqe.get(4) & 0xFF;
                switch (fctype)
                {
                    case 0x01: // Connect
                        qid = sqe.getShort(42) & 0xFFFF;
                        resp(cid, 0, 1);
                        return;
                    case 0x04: // Property Get
                        resp(cid, 0, property(sqe.getInt(44)));
                        return;
                    case 0x00: // Property Set
                        if (sqe.getInt(44) == ControllerRegisters.CC)
                        {
                            cc = (int)sqe.getLong(48);
                        }
                        resp(cid, 0, 0);
                        return;
                    default:
                        resp(cid, 0x01, 0); // invalid opcode
                        return;
                }
            }
            if (qid == 0)
            {
                switch (opcode)
                {
                    case 0x06: // Identify
                        sendData(cid, identify(sqe.get(40) & 0xFF, sqe.getInt(4), sglLength));
                        resp(cid, 0, 0);
                        return;
                    case 0x09: // Set Features (only Number of Queues is sent)
                        resp(cid, 0, sqe.getInt(44));
                        return;
                    default:
                        resp(cid, 0, 0);
                        return;
                }
            }
            final int slba = (int)sqe.getLong(40);
            final int nlb = (sqe.getShort(48) & 0xFFFF) + 1;
            final int bytes = nlb * BLOCK;
            if (opcode == 0x02 || opcode == 0x01)
            {
                if (slba < 0 || slba + nlb > BLOCKS || sglLength != bytes)
                {
                    hostErrors.add("conn " + index + ": I/O slba " + slba + " nlb " + nlb + " SGL " + sglLength);
                    resp(cid, 0x02, 0);
                    return;
                }
            }
            switch (opcode)
            {
                case 0x02: // Read
                {
                    final byte[] d = new byte[bytes];
                    synchronized (disk)
                    {
                        System.arraycopy(disk, slba * BLOCK, d, 0, bytes);
                    }
                    sendData(cid, d);
                    resp(cid, 0, 0);
                    return;
                }
                case 0x01: // Write
                    if (sglType == 0x01)
                    {
                        if (data == null || data.length != bytes)
                        {
                            hostErrors.add("conn " + index + ": in-capsule write of " + bytes + " bytes carries " +
                                (data == null ? 0 : data.length));
                            resp(cid, 0x02, 0);
                            return;
                        }
                        store(slba, data);
                        resp(cid, 0, 0);
                        return;
                    }
                    final PendingWrite w = new PendingWrite();
                    w.slba = slba;
                    w.data = new byte[bytes];
                    writes.put(cid, w);
                    nextR2t(cid, w);
                    return;
                default:
                    resp(cid, 0, 0);
            }
        }

        /** Ask for the next piece of a write: one R2T at a time (MAXR2T 0), at random sizes. */
        private void nextR2t(final int cid, final PendingWrite w) throws IOException
        {
            final int from = w.r2to + w.r2tl;
            final int left = w.data.length - from;
            final int len = rnd.nextBoolean() ? left : Math.max(1, Math.min(left, BLOCK * (1 + rnd.nextInt(8))));
            w.r2to = from;
            w.r2tl = len;
            w.received = 0;
            w.ttag = nextTtag++ & 0xFFFF;
            final Pdu r2t = new Pdu(R2T, 24);
            r2t.header.putShort(8, (short)cid).putShort(10, (short)w.ttag).putInt(12, from).putInt(16, len);
            r2t.cid = cid;
            r2t.length = w.data.length;
            emit(r2t);
        }

        private void onH2cData(final int cccid, final int ttag, final int datao, final int flags, final byte[] d)
            throws IOException
        {
            final PendingWrite w = writes.get(cccid);
            if (w == null)
            {
                hostErrors.add("conn " + index + ": H2CData for CID " + cccid + " without an R2T");
                return;
            }
            if (ttag != w.ttag || datao != w.r2to + w.received || w.received + d.length > w.r2tl)
            {
                // the plan may have bent the R2T's TTAG: the host echoes what it got, that is fine
                if (!(plan.fired() && datao == w.r2to + w.received && w.received + d.length <= w.r2tl))
                {
                    hostErrors.add("conn " + index + ": H2CData CID " + cccid + " TTAG " + ttag + " DATAO " +
                        datao + " DATAL " + d.length + " for R2T TTAG " + w.ttag + " R2TO " + w.r2to + " R2TL " +
                        w.r2tl + " (" + w.received + " received)");
                    return;
                }
            }
            System.arraycopy(d, 0, w.data, datao, d.length);
            w.received += d.length;
            final boolean last = (flags & FLAG_LAST_PDU) != 0;
            if (last != (w.received == w.r2tl))
            {
                hostErrors.add("conn " + index + ": H2CData LAST_PDU " + last + " at " + w.received + " of " + w.r2tl);
            }
            if (w.received < w.r2tl)
            {
                return;
            }
            if (w.r2to + w.r2tl < w.data.length)
            {
                nextR2t(cccid, w);
                return;
            }
            writes.remove(cccid);
            store(w.slba, w.data);
            resp(cccid, 0, 0);
        }

        private void store(final int slba, final byte[] d)
        {
            synchronized (disk)
            {
                System.arraycopy(d, 0, disk, slba * BLOCK, d.length);
            }
        }

        private long property(final int ofst)
        {
            switch (ofst)
            {
                case ControllerRegisters.CAP:
                    return ControllerRegisters.Cap.of(127, true, 0, 1, 0, 1, 0, 0);
                case ControllerRegisters.VS:
                    return 0x0001_0400;
                case ControllerRegisters.CC:
                    return cc & 0xFFFF_FFFFL;
                case ControllerRegisters.CSTS:
                    // RDY follows CC.EN; shutdown completes at once
                    return (cc & 1) | (((cc >>> 14) & 3) != 0 ? 2 << 2 : 0);
                default:
                    return 0;
            }
        }

        private byte[] identify(final int cns, final int nsid, final int length)
        {
            final ByteBuffer b = ByteBuffer.allocate(Math.max(0, length)).order(ByteOrder.LITTLE_ENDIAN);
            if (length < 4096)
            {
                return b.array();
            }
            switch (cns)
            {
                case 0x01:
                    new IdentifyController().wrap(b, 0).vid(0x1b36).mdts(3).cntlid(1).ver(0x0001_0400).sqes(0x66)
                        .cqes(0x44).maxcmd(128).nn(1).sgls(1 | 1 << 20).subnqn(NQN).ioccsz((4096 + 64) / 16)
                        .iorcsz(1).icdoff(0).kas(10);
                    break;
                case 0x02:
                    b.putInt(0, 1);
                    break;
                case 0x00:
                    if (nsid == 1)
                    {
                        new IdentifyNamespace().wrap(b, 0).nsze(BLOCKS).ncap(BLOCKS).nuse(BLOCKS).flbas(0)
                            .lbaf(0, 0, 9, 0);
                    }
                    break;
                default:
                    break;
            }
            return b.array();
        }

        private void sendData(final int cid, final byte[] d) throws IOException
        {
            int at = 0;
            while (at < d.length)
            {
                final int n = wholeDataPdus || rnd.nextInt(3) == 0 ? d.length - at :
                    Math.min(d.length - at, 1 + rnd.nextInt(Math.max(1, d.length / 2)));
                final Pdu c2h = new Pdu(C2H_DATA, 24);
                c2h.header.putShort(8, (short)cid).putInt(12, at).putInt(16, n);
                c2h.flags = at + n == d.length ? FLAG_LAST_PDU : 0;
                c2h.data = java.util.Arrays.copyOfRange(d, at, at + n);
                c2h.cid = cid;
                c2h.length = d.length;
                c2h.lastOfCommand = at + n == d.length;
                emit(c2h);
                at += n;
            }
        }

        private void resp(final int cid, final int status, final long dw01) throws IOException
        {
            final Pdu r = new Pdu(CAPSULE_RESP, 24);
            r.header.putLong(8, dw01).putShort(8 + 12, (short)cid).putShort(8 + 14, (short)(status << 1));
            r.cid = cid;
            emit(r);
        }

        // -------------------------------------------------------------- sending, and the plan

        private void emit(final Pdu pdu) throws IOException
        {
            final int n = sent++;
            if (plan.conn == index && plan.pdu == n && !plan.fired())
            {
                plan.mutated = this;
                Mutations.apply(this, pdu, plan);
                return;
            }
            write(encode(pdu));
        }

        boolean hdgst()
        {
            return hdgst;
        }

        boolean ddgst()
        {
            return ddgst;
        }

        void write(final byte[] bytes) throws IOException
        {
            if (!socket.isClosed() && !writeFailed)
            {
                try
                {
                    out.write(bytes);
                    out.flush();
                }
                catch (final IOException e)
                {
                    // the host closed (after its TermReq, which may still wait in our receive buffer): keep
                    // reading until the end of the stream
                    writeFailed = true;
                }
            }
        }

        /** Half-close from our side after {@code bytes}: the host sees the end of the stream. */
        void writeAndClose(final byte[] bytes) throws IOException
        {
            write(bytes);
            closedByUs = true;
            socket.shutdownOutput();
        }

        /** The PDU's bytes with the negotiated digests, PDO and PLEN. */
        byte[] encode(final Pdu pdu)
        {
            final int hlen = pdu.hlen();
            final boolean ic = pdu.type == IC_RESP || pdu.type == C2H_TERM_REQ;
            final int hd = hdgst && !ic ? 4 : 0;
            final int dl = pdu.data == null ? 0 : pdu.data.length;
            final int dd = ddgst && dl > 0 ? 4 : 0;
            final int pdo = dl > 0 ? hlen + hd : 0;
            final int plen = hlen + hd + dl + dd;
            final ByteBuffer b = ByteBuffer.allocate(plen).order(ByteOrder.LITTLE_ENDIAN);
            b.put(0, pdu.header, 0, hlen);
            b.put(1, (byte)(pdu.flags | (hd > 0 ? FLAG_HDGSTF : 0) | (dd > 0 ? FLAG_DDGSTF : 0)));
            b.put(3, (byte)pdo).putInt(4, plen);
            if (hd > 0)
            {
                b.putInt(hlen, crc(b.array(), 0, hlen));
            }
            if (dl > 0)
            {
                b.put(pdo, pdu.data);
                if (dd > 0)
                {
                    b.putInt(pdo + dl, crc(pdu.data, 0, dl));
                }
            }
            return b.array();
        }

        private int crc(final byte[] b, final int off, final int len)
        {
            crc.reset();
            crc.update(b, off, len);
            return (int)crc.getValue();
        }
    }

    /** @return the connections accepted under the current plan, in order. */
    List<Conn> connections()
    {
        return new ArrayList<>(conns);
    }
}
