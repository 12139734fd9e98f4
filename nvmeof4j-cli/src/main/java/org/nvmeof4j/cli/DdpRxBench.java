package org.nvmeof4j.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.nvmeof4j.ddp.ResyncState;
import org.nvmeof4j.ddp.UlpDdpConfig;
import org.nvmeof4j.ddp.UlpDdpIo;
import org.nvmeof4j.ddp.UlpDdpUlpOps;
import org.nvmeof4j.ddp.soft.SoftDdpDevice;
import org.nvmeof4j.protocol.pdu.CommonHeader;
import org.nvmeof4j.protocol.pdu.DataPdu;
import org.nvmeof4j.protocol.pdu.Fes;
import org.nvmeof4j.protocol.pdu.PduType;
import org.nvmeof4j.tcp.NvmeTcpConnection;
import org.nvmeof4j.tcp.PduListener;
import org.nvmeof4j.tcp.PduReceiver;
import org.nvmeof4j.tcp.SegmentSource;
import org.nvmeof4j.tcp.SocketSegmentSource;

/**
 * The host receive path alone, over a real loopback TCP socket: a writer thread streams the C2H PDUs of reads
 * (C2HData + CapsuleResp, CIDs cycling over a queue depth) as fast as the socket takes them; the measured thread
 * receives them with a blocking read, as the host ULP does (per-CID destinations, setup before the CID is reused,
 * teardown on the response), either with the plain copy path or through the soft ULP DDP device. Its thread CPU time
 * per GiB is the cost the offload changes, without the target's or a spinning poller's CPU mixed in.
 */
final class DdpRxBench implements PduListener, UlpDdpUlpOps
{
    private final int ioSize;
    private final int depth;
    private final boolean ddgst;
    private final ByteBuffer[] dst;
    private final UlpDdpIo[] ios;
    private final ResyncState resync = new ResyncState();
    private SoftDdpDevice device;
    private NvmeTcpConnection connection;
    private int current;
    long completed;
    long digestErrors;

    DdpRxBench(final int ioSize, final int depth, final boolean ddgst)
    {
        this.ioSize = ioSize;
        this.depth = depth;
        this.ddgst = ddgst;
        dst = new ByteBuffer[depth];
        ios = new UlpDdpIo[depth];
        for (int i = 0; i < depth; i++)
        {
            dst[i] = ByteBuffer.allocateDirect(ioSize);
            ios[i] = new UlpDdpIo(1);
        }
    }

    /** The C2H bytes of {@code reads} reads, CIDs 0..depth-1 in turn, data in 128 KiB PDUs like Linux targets. */
    static ByteBuffer stream(final int ioSize, final int depth, final boolean ddgst, final int reads)
    {
        final org.nvmeof4j.tcp.PduSender sender = new org.nvmeof4j.tcp.PduSender(64, null);
        sender.connectionInitialized(false, ddgst, 0);
        final ByteBuffer data = ByteBuffer.allocateDirect(ioSize);
        for (int i = 0; i < ioSize; i++)
        {
            data.put(i, (byte)(i * 31 + 7));
        }
        final int chunk = 128 * 1024;
        final int pdus = (ioSize + chunk - 1) / chunk;
        final long per = (long)pdus * (24 + ddgst4(ddgst)) + ioSize + 24;
        final ByteBuffer out = ByteBuffer.allocateDirect((int)(per * reads));
        final org.nvmeof4j.tcp.BufferChannel sink = new org.nvmeof4j.tcp.BufferChannel(out);
        final DataPdu pdu = new DataPdu();
        for (int r = 0; r < reads; r++)
        {
            final int cid = r % depth;
            for (int off = 0; off < ioSize; off += chunk)
            {
                final int n = Math.min(chunk, ioSize - off);
                pdu.wrap(sender.claimHeader(), 0).encode(PduType.C2H_DATA,
                    off + n == ioSize ? CommonHeader.FLAG_LAST_PDU : 0, 0, 0, cid, 0, off, n);
                sender.commit(data, off, n, org.nvmeof4j.tcp.PduSender.NO_TOKEN);
            }
            final ByteBuffer h = sender.claimHeader();
            for (int i = 0; i < 24; i++)
            {
                h.put(i, (byte)0);
            }
            new CommonHeader().wrap(h, 0).header(PduType.CAPSULE_RESP, 0, 0, 24);
            h.put(8 + 12, (byte)cid);
            h.put(8 + 13, (byte)(cid >>> 8));
            sender.commit(null, 0, 0, org.nvmeof4j.tcp.PduSender.NO_TOKEN);
            try
            {
                while (sender.hasPending())
                {
                    sender.flush(sink);
                }
            }
            catch (final IOException e)
            {
                throw new IllegalStateException(e);
            }
        }
        return out.flip();
    }

    private static int ddgst4(final boolean ddgst)
    {
        return ddgst ? 4 : 0;
    }

    /**
     * Run one measurement.
     *
     * @return {cpu ns of the receiving thread, wall ns, bytes of read data}.
     */
    long[] run(final boolean soft, final long targetBytes) throws Exception
    {
        return run(soft, targetBytes, false);
    }

    /**
     * @param memory serve the stream from memory (reads of up to 256 KiB, a memcpy standing in for the kernel's
     *               copy) instead of a socket: only the user-space receive path is measured, free of TCP noise.
     */
    long[] run(final boolean soft, final long targetBytes, final boolean memory) throws Exception
    {
        if (memory)
        {
            return runInMemory(soft, targetBytes);
        }
        final int reads = (int)Math.max(depth * 4L, Math.min(1L << 16, (64L << 20) / ioSize));
        final ByteBuffer stream = stream(ioSize, depth, ddgst, reads - reads % depth);
        final int readsPerStream = reads - reads % depth;
        final long repeats = Math.max(1, targetBytes / ((long)readsPerStream * ioSize));
        try (ServerSocketChannel server = ServerSocketChannel.open())
        {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            final SocketChannel client = SocketChannel.open(server.getLocalAddress());
            final SocketChannel peer = server.accept();
            final Thread writer = writer(peer, stream, repeats);
            final PduReceiver rx = new PduReceiver(PduReceiver.Role.HOST, this);
            rx.connectionInitialized(false, ddgst, 0);
            connection = new BenchConnection(client);
            client.configureBlocking(true); // the measured thread sleeps in read: its CPU time is real work
            final SegmentSource source = source(soft);
            final var mx = ManagementFactory.getThreadMXBean();
            writer.start();
            final long cpu0 = mx.getCurrentThreadCpuTime();
            final long t0 = System.nanoTime();
            while (source.receive(client, rx) >= 0 && !rx.isStopped())
            {
                // blocking reads until the writer is done
            }
            final long wall = System.nanoTime() - t0;
            final long cpu = mx.getCurrentThreadCpuTime() - cpu0;
            client.close();
            if (completed != repeats * readsPerStream || digestErrors != 0)
            {
                throw new IllegalStateException("completed " + completed + " of " + repeats * readsPerStream +
                    ", digest errors " + digestErrors);
            }
            return new long[] {cpu, wall, completed * ioSize};
        }
    }

    /**
     * The floor no software receive path can go below: the same number of data bytes, with no NVMe/TCP framing,
     * read by the measuring thread straight into the per-CID destinations (CIDs in turn, each destination filled
     * whole before the next), over the same kind of channel. Its CPU is the kernel's copy out of the socket (or the
     * memcpy standing in for it) plus the read calls: what is left once framing, parsing, digests and placement cost
     * nothing. With data digests on, it also computes CRC32C over each read's bytes right after the read, since no
     * software device can skip that.
     *
     * @return {cpu ns of the receiving thread, wall ns, bytes of read data}.
     */
    long[] runFloor(final long targetBytes, final boolean memory) throws Exception
    {
        final int reads = (int)Math.max(depth * 4L, Math.min(1L << 16, (64L << 20) / ioSize));
        final int readsPerStream = reads - reads % depth;
        final ByteBuffer stream = ByteBuffer.allocateDirect(readsPerStream * ioSize);
        for (int i = 0; i < stream.capacity(); i++)
        {
            stream.put(i, (byte)(i * 31 + 7));
        }
        final long repeats = Math.max(1, targetBytes / ((long)readsPerStream * ioSize));
        final long expected = repeats * readsPerStream * (long)ioSize;
        final var mx = ManagementFactory.getThreadMXBean();
        if (memory)
        {
            final LoopChannel ch = new LoopChannel(stream, repeats);
            final long cpu0 = mx.getCurrentThreadCpuTime();
            final long t0 = System.nanoTime();
            final long got = drainInto(ch);
            final long wall = System.nanoTime() - t0;
            final long cpu = mx.getCurrentThreadCpuTime() - cpu0;
            checkFloor(got, expected);
            return new long[] {cpu, wall, got};
        }
        try (ServerSocketChannel server = ServerSocketChannel.open())
        {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            final SocketChannel client = SocketChannel.open(server.getLocalAddress());
            final SocketChannel peer = server.accept();
            final Thread writer = writer(peer, stream, repeats);
            client.configureBlocking(true);
            writer.start();
            final long cpu0 = mx.getCurrentThreadCpuTime();
            final long t0 = System.nanoTime();
            final long got = drainInto(client);
            final long wall = System.nanoTime() - t0;
            final long cpu = mx.getCurrentThreadCpuTime() - cpu0;
            client.close();
            checkFloor(got, expected);
            return new long[] {cpu, wall, got};
        }
    }

    private final org.nvmeof4j.protocol.crc.Crc32c floorCrc = new org.nvmeof4j.protocol.crc.Crc32c();

    /** A daemon thread that writes {@code stream} to {@code peer} {@code repeats} times, then shuts output down. */
    private static Thread writer(final SocketChannel peer, final ByteBuffer stream, final long repeats)
    {
        final Thread writer = new Thread(() ->
        {
            try
            {
                for (long i = 0; i < repeats; i++)
                {
                    final ByteBuffer b = stream.duplicate();
                    while (b.hasRemaining())
                    {
                        peer.write(b);
                    }
                }
                peer.shutdownOutput();
            }
            catch (final IOException ignore)
            {
                // reader gone
            }
        }, "rxbench-writer");
        writer.setDaemon(true);
        return writer;
    }

    private long drainInto(final java.nio.channels.ReadableByteChannel ch) throws IOException
    {
        long got = 0;
        int cid = 0;
        while (true)
        {
            final ByteBuffer d = dst[cid].clear();
            while (d.hasRemaining())
            {
                final int at = d.position();
                final int n = ch.read(d);
                if (n < 0)
                {
                    return got + d.position();
                }
                if (ddgst)
                {
                    floorCrc.update(d, at, n); // a software device must compute the digest: while the bytes are hot
                }
            }
            got += ioSize;
            completed++;
            cid = cid + 1 == depth ? 0 : cid + 1;
        }
    }

    private static void checkFloor(final long got, final long expected)
    {
        if (got != expected)
        {
            throw new IllegalStateException("floor received " + got + " of " + expected + " bytes");
        }
    }

    /** The receive path under test on {@link #connection}: the soft device's context with every CID set up, or plain. */
    private SegmentSource source(final boolean soft)
    {
        if (!soft)
        {
            return new SocketSegmentSource();
        }
        device = new SoftDdpDevice("rxbench");
        if (!device.skAdd(connection, UlpDdpConfig.of(0, false, ddgst, depth, 1, -1), this))
        {
            throw new IllegalStateException("skAdd failed");
        }
        final SegmentSource source = connection.segmentSource();
        for (int c = 0; c < depth; c++)
        {
            setup(c);
        }
        return source;
    }

    private long[] runInMemory(final boolean soft, final long targetBytes) throws Exception
    {
        final int reads = (int)Math.max(depth * 4L, Math.min(1L << 16, (64L << 20) / ioSize));
        final int readsPerStream = reads - reads % depth;
        final ByteBuffer stream = stream(ioSize, depth, ddgst, readsPerStream);
        final long repeats = Math.max(1, targetBytes / ((long)readsPerStream * ioSize));
        final LoopChannel ch = new LoopChannel(stream, repeats);
        final PduReceiver rx = new PduReceiver(PduReceiver.Role.HOST, this);
        rx.connectionInitialized(false, ddgst, 0);
        connection = new BenchConnection(SocketChannel.open());
        final SegmentSource source = source(soft);
        final var mx = ManagementFactory.getThreadMXBean();
        final long cpu0 = mx.getCurrentThreadCpuTime();
        final long t0 = System.nanoTime();
        while (source.receive(ch, rx) >= 0 && !rx.isStopped())
        {
            // until the stream has been served `repeats` times
        }
        final long wall = System.nanoTime() - t0;
        final long cpu = mx.getCurrentThreadCpuTime() - cpu0;
        if (completed != repeats * readsPerStream || digestErrors != 0)
        {
            throw new IllegalStateException("completed " + completed + " of " + repeats * readsPerStream +
                ", digest errors " + digestErrors);
        }
        return new long[] {cpu, wall, completed * ioSize};
    }

    /** Serves a stream {@code repeats} times in reads of at most 256 KiB, then end of stream. */
    private static final class LoopChannel implements java.nio.channels.ScatteringByteChannel
    {
        private final ByteBuffer stream;
        private long left;
        private int at;

        LoopChannel(final ByteBuffer stream, final long repeats)
        {
            this.stream = stream;
            this.left = repeats;
        }

        @Override
        public long read(final ByteBuffer[] dsts, final int offset, final int length)
        {
            if (left == 0)
            {
                return -1;
            }
            int budget = 256 * 1024;
            long n = 0;
            for (int i = offset; i < offset + length && budget > 0 && left > 0; i++)
            {
                final ByteBuffer d = dsts[i];
                while (d.hasRemaining() && budget > 0 && left > 0)
                {
                    final int k = Math.min(Math.min(d.remaining(), budget), stream.limit() - at);
                    d.put(d.position(), stream, at, k);
                    d.position(d.position() + k);
                    at += k;
                    budget -= k;
                    n += k;
                    if (at == stream.limit())
                    {
                        at = 0;
                        left--;
                    }
                }
            }
            return n;
        }

        @Override
        public long read(final ByteBuffer[] dsts)
        {
            return read(dsts, 0, dsts.length);
        }

        private final ByteBuffer[] one = new ByteBuffer[1];

        @Override
        public int read(final ByteBuffer dst)
        {
            one[0] = dst;
            final int n = (int)read(one, 0, 1);
            one[0] = null;
            return n;
        }

        @Override
        public boolean isOpen()
        {
            return true;
        }

        @Override
        public void close()
        {
        }
    }

    private void setup(final int cid)
    {
        // as the host does: only reads at or above the device's ioThreshold are offloaded
        if (device.limits().accepts(ioSize, 1))
        {
            device.setup(connection, ios[cid].reset(cid).add(dst[cid], 0, ioSize));
        }
    }

    @Override
    public void onPduHeader(final PduReceiver r, final PduType type, final ByteBuffer header, final int dataLength)
    {
        final int cid;
        if (type == PduType.C2H_DATA)
        {
            cid = (header.get(8) & 0xFF) | (header.get(9) & 0xFF) << 8;
            current = cid;
            r.receiveDataInto(dst[cid], (int)CommonHeader.u32(header, DataPdu.DATAO_OFFSET));
        }
        else if (type == PduType.CAPSULE_RESP)
        {
            cid = (header.get(8 + 12) & 0xFF) | (header.get(8 + 13) & 0xFF) << 8;
            if (device != null && device.limits().accepts(ioSize, 1))
            {
                device.teardown(connection, ios[cid], ios[cid]);
            }
            else
            {
                completed++;
            }
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
            digestErrors++;
        }
    }

    @Override
    public void onFatalError(final Fes fes, final long fei, final ByteBuffer header, final int len, final String why)
    {
        throw new IllegalStateException(why);
    }

    @Override
    public void onPduBoundary(final long streamOffset)
    {
        if (device != null)
        {
            resync.onPduBoundary(streamOffset, device, connection);
        }
    }

    @Override
    public boolean resyncRequest(final NvmeTcpConnection c, final int seq, final int flags)
    {
        return resync.request(seq, flags);
    }

    @Override
    public void ddpTeardownDone(final Object ctx)
    {
        completed++;
        setup(((UlpDdpIo)ctx).commandId()); // the next read on this CID is sent now
    }

    /** Identity for the device's context; the bench drives the receiver itself. */
    private static final class BenchConnection extends NvmeTcpConnection
    {
        BenchConnection(final SocketChannel ch) throws IOException
        {
            super(ch, PduReceiver.Role.HOST, 8);
        }

        @Override
        protected int onDuty(final long nowNanos)
        {
            return 0;
        }

        @Override
        protected void onClosed(final String reason, final Throwable cause)
        {
        }

        @Override
        public void onPduHeader(final PduReceiver r, final PduType t, final ByteBuffer h, final int n)
        {
        }

        @Override
        public void onPduDataComplete(final PduReceiver r, final PduType t, final ByteBuffer h, final boolean ok)
        {
        }
    }
}
