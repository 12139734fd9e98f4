package org.nvmeof4j.target.fuzz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.CRC32C;
import org.nvmeof4j.target.Listener;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.queue.TargetQueue;
import org.nvmeof4j.tcp.SocketSegmentSource;

/**
 * Drives one real {@link TargetQueue} of a shared in-process {@link Target} without a socket: PDUs go in through a
 * {@link MemorySocketChannel} and the queue's own duty cycle ({@code doWork}: segment source, receiver, command
 * handlers, sender), and whatever the queue writes comes back as whole PDUs, each checked to be a PDU a controller
 * may send. Also the PDU formatter the fuzz targets use (CapsuleCmd, H2CData, ICReq, Connect; digests as negotiated).
 *
 * <p>The shared target (RAM namespace 1, null namespace 2, the discovery subsystem) is started once per JVM. The
 * fuzz test silences the target's loggers while it runs ({@link #quiet}), since every rejected Connect would log a
 * WARNING line, and gives the level back afterwards: other test classes in the same JVM assert on those lines.
 */
final class QueueDriver implements AutoCloseable
{
    static final String NQN = "nqn.2024-01.org.nvmeof4j:fuzz";
    static final String RESTRICTED_NQN = "nqn.2024-01.org.nvmeof4j:fuzz-restricted";
    static final String DISCOVERY_NQN = "nqn.2014-08.org.nvmexpress.discovery";
    static final String HOSTNQN = "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555";
    static final int RAM_BLOCKS = 2048;

    private static final Logger QUIET = Logger.getLogger("org.nvmeof4j.target");
    private static final Target TARGET;
    private static final Listener LISTENER;
    /**
     * The receive buffer of every queue driven here: they run one after the other on the fuzzing thread and the
     * receiver keeps nothing of it between reads, so a fresh queue need not allocate (and zero) its own 256 KiB.
     */
    private static final ByteBuffer RECEIVE_BUFFER = ByteBuffer.allocateDirect(SocketSegmentSource.DEFAULT_BUFFER);

    static
    {
        try
        {
            TARGET = Target.builder().listen("127.0.0.1", 0)
                .subsystem(s -> s.nqn(NQN).allowAnyHost().ramNamespace(1, RAM_BLOCKS * 512L)
                    .nullNamespace(2, 1L << 30))
                .subsystem(s -> s.nqn(RESTRICTED_NQN).allowHost(HOSTNQN).nullNamespace(1, 1L << 20))
                .build().start();
        }
        catch (final IOException e)
        {
            throw new ExceptionInInitializerError(e);
        }
        LISTENER = TARGET.listeners().get(0);
    }

    final MemorySocketChannel channel = new MemorySocketChannel();
    final TargetQueue queue;
    boolean hdgst;
    boolean ddgst;
    int maxh2cdata;

    QueueDriver() throws IOException
    {
        queue = new TargetQueue(channel, TARGET, LISTENER, null);
        queue.segmentSource(new SocketSegmentSource(RECEIVE_BUFFER));
    }

    static Target target()
    {
        return TARGET;
    }

    /**
     * Silence the target's loggers, or give them back their level.
     *
     * @param previous the level to restore when not silencing (null: inherit the parent's).
     * @param silence  true to turn the loggers off.
     * @return the level in force before the call.
     */
    static Level quiet(final Level previous, final boolean silence)
    {
        final Level before = QUIET.getLevel();
        QUIET.setLevel(silence ? Level.OFF : previous);
        return before;
    }

    /** Offer {@code bytes} and run the queue until it has read them all and sent everything it had to send. */
    List<ByteBuffer> send(final ByteBuffer bytes) throws Exception
    {
        final byte[] b = new byte[bytes.remaining()];
        bytes.duplicate().get(b);
        channel.offer(b);
        return pump();
    }

    /** The host closes its end in order. */
    List<ByteBuffer> hostCloses() throws Exception
    {
        channel.endOfStream();
        return pump();
    }

    /**
     * Run duty cycles until the input is consumed and nothing is left to send. A bound on the cycles turns a queue
     * that stops making progress (a hang) into a failure.
     */
    List<ByteBuffer> pump() throws Exception
    {
        final long limit = 64L + channel.unread() * 2L;
        for (long i = 0; ; i++)
        {
            if (i > limit)
            {
                throw new AssertionError("queue made no progress in " + limit + " duty cycles (" +
                    channel.unread() + " bytes unread, " + queue.sender().pending() + " PDUs unsent)");
            }
            final int work = queue.doWork();
            if (queue.isClosed() || channel.unread() == 0 && !queue.sender().hasPending() && work == 0)
            {
                break;
            }
        }
        return split(channel.takeOutput());
    }

    /** Cut what the queue wrote into PDUs; anything that is not a whole controller-to-host PDU is a failure. */
    private static List<ByteBuffer> split(final ByteBuffer out)
    {
        out.order(ByteOrder.LITTLE_ENDIAN);
        final List<ByteBuffer> pdus = new ArrayList<>(2);
        int at = 0;
        while (at < out.limit())
        {
            if (out.limit() - at < 8)
            {
                throw new AssertionError("target wrote " + (out.limit() - at) + " bytes that are no PDU");
            }
            final int type = out.get(at) & 0xFF;
            final int hlen = out.get(at + 2) & 0xFF;
            final int plen = out.getInt(at + 4);
            if (plen < hlen || hlen < 8 || plen > out.limit() - at)
            {
                throw new AssertionError("target wrote a PDU with HLEN " + hlen + " PLEN " + plen);
            }
            if (type != 0x01 && type != 0x03 && type != 0x05 && type != 0x07 && type != 0x09)
            {
                throw new AssertionError("a controller does not send PDU type " + type);
            }
            if (type == 0x03 && (hlen != 24 || plen > 152))
            {
                throw new AssertionError("C2HTermReq with HLEN " + hlen + " PLEN " + plen);
            }
            pdus.add(out.slice(at, plen).order(ByteOrder.LITTLE_ENDIAN));
            at += plen;
        }
        return pdus;
    }

    /** ICReq and ICResp; the digests are what the target granted. */
    List<ByteBuffer> initialize(final boolean hd, final boolean dd) throws Exception
    {
        final ByteBuffer b = le(128);
        b.put(0, (byte)0).put(2, (byte)128).putInt(4, 128).put(11, (byte)((hd ? 1 : 0) | (dd ? 2 : 0)));
        final List<ByteBuffer> r = send(b);
        if (r.size() != 1 || r.get(0).get(0) != 0x01)
        {
            throw new AssertionError("no ICResp to a valid ICReq: " + r.size() + " PDUs, closed " + queue.isClosed());
        }
        hdgst = (r.get(0).get(11) & 1) != 0;
        ddgst = (r.get(0).get(11) & 2) != 0;
        maxh2cdata = r.get(0).getInt(12);
        return r;
    }

    @Override
    public void close()
    {
        queue.closeByPeer("fuzz run done");
    }

    // ------------------------------------------------------------------------------------------------------------
    // formatting

    static ByteBuffer le(final int n)
    {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A CapsuleCmd with optional in-capsule data. */
    ByteBuffer capsule(final ByteBuffer sqe, final byte[] data)
    {
        return pdu(0x04, 0, sqe, 72, data);
    }

    /** An H2CData PDU. */
    ByteBuffer h2cData(final int cccid, final int ttag, final int datao, final byte[] data, final boolean last)
    {
        final ByteBuffer h = le(16);
        h.putShort(0, (short)cccid).putShort(2, (short)ttag).putInt(4, datao).putInt(8, data.length);
        return pdu(0x06, last ? 0x04 : 0, h, 24, data);
    }

    private ByteBuffer pdu(final int type, final int flags, final ByteBuffer psh, final int hlen, final byte[] data)
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
            b.putInt(hlen, crc(b.array(), 0, hlen));
        }
        if (hasData)
        {
            b.put(pdo, data);
            if (dd > 0)
            {
                b.putInt(pdo + data.length, crc(data, 0, data.length));
            }
        }
        return b;
    }

    private static int crc(final byte[] b, final int from, final int len)
    {
        final CRC32C c = new CRC32C();
        c.update(b, from, len);
        return (int)c.getValue();
    }

    static ByteBuffer sqe(final int opcode, final int cid, final int nsid)
    {
        final ByteBuffer s = le(64);
        s.put(0, (byte)opcode).put(1, (byte)0x40).putShort(2, (short)cid).putInt(4, nsid);
        return s;
    }

    /** SGL: transport data block (the data moves by R2T / C2HData). */
    static ByteBuffer sglTransport(final ByteBuffer sqe, final int length)
    {
        sqe.putLong(24, 0).putInt(32, length).put(39, (byte)0x5A);
        return sqe;
    }

    /** SGL: in-capsule data block at offset 0. */
    static ByteBuffer sglInCapsule(final ByteBuffer sqe, final int length)
    {
        sqe.putLong(24, 0).putInt(32, length).put(39, (byte)0x01);
        return sqe;
    }

    static ByteBuffer connectSqe(final int cid, final int qid, final int sqsize, final int kato)
    {
        final ByteBuffer s = sqe(0x7F, cid, 0);
        s.put(4, (byte)0x01).putShort(42, (short)qid).putShort(44, (short)sqsize).putInt(48, kato);
        return sglInCapsule(s, 1024);
    }

    static byte[] connectData(final int cntlid, final String subnqn, final String hostnqn)
    {
        final ByteBuffer d = le(1024);
        d.putLong(0, 0x1122334455667788L).putLong(8, 0x99AABBCCDDEEFF00L).putShort(16, (short)cntlid);
        d.put(256, subnqn.getBytes(StandardCharsets.UTF_8));
        d.put(512, hostnqn.getBytes(StandardCharsets.UTF_8));
        return d.array();
    }

    static ByteBuffer propertySet(final int cid, final int ofst, final long value)
    {
        final ByteBuffer s = sqe(0x7F, cid, 0);
        s.put(4, (byte)0x00).put(40, (byte)0).putInt(44, ofst).putLong(48, value);
        return s;
    }

    // ------------------------------------------------------------------------------------------------------------
    // reading answers

    static int type(final ByteBuffer pdu)
    {
        return pdu.get(0) & 0xFF;
    }

    /** CID of a CapsuleResp, CCCID of a C2HData or R2T, -1 for other PDUs. */
    static int cid(final ByteBuffer pdu)
    {
        switch (type(pdu))
        {
            case 0x05:
                return pdu.getShort(8 + 12) & 0xFFFF;
            case 0x07:
            case 0x09:
                return pdu.getShort(8) & 0xFFFF;
            default:
                return -1;
        }
    }

    /** Status (without the phase bit) of a CapsuleResp. */
    static int status(final ByteBuffer resp)
    {
        return (resp.getShort(8 + 14) & 0xFFFF) >>> 1;
    }

    static int dw0(final ByteBuffer resp)
    {
        return resp.getInt(8);
    }

    /** @return whether {@code pdus} complete command {@code cid}: a CapsuleResp, or a C2HData with SUCCESS. */
    static boolean completes(final List<ByteBuffer> pdus, final int cid)
    {
        for (final ByteBuffer p : pdus)
        {
            if (cid(p) == cid && (type(p) == 0x05 || type(p) == 0x07 && (p.get(1) & 0x08) != 0))
            {
                return true;
            }
        }
        return false;
    }

    /** @return the CapsuleResp for {@code cid} in {@code pdus}, or null. */
    static ByteBuffer response(final List<ByteBuffer> pdus, final int cid)
    {
        for (final ByteBuffer p : pdus)
        {
            if (type(p) == 0x05 && cid(p) == cid)
            {
                return p;
            }
        }
        return null;
    }

    /** @return the R2T for {@code cid} in {@code pdus}, or null. */
    static ByteBuffer r2t(final List<ByteBuffer> pdus, final int cid)
    {
        for (final ByteBuffer p : pdus)
        {
            if (type(p) == 0x09 && cid(p) == cid)
            {
                return p;
            }
        }
        return null;
    }
}
