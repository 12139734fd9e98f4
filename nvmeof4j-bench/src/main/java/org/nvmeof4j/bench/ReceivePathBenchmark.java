package org.nvmeof4j.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.nvmeof4j.protocol.pdu.CommonHeader;
import org.nvmeof4j.protocol.pdu.DataPdu;
import org.nvmeof4j.protocol.pdu.Fes;
import org.nvmeof4j.protocol.pdu.PduType;
import org.nvmeof4j.tcp.BufferChannel;
import org.nvmeof4j.tcp.PduListener;
import org.nvmeof4j.tcp.PduReceiver;
import org.nvmeof4j.tcp.PduSender;
import org.nvmeof4j.tcp.Segment;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The host receive path alone: {@link PduReceiver} consuming a pre-encoded stream of C2HData PDUs into per-CID
 * destination buffers, as {@code nvme_tcp_recv_data} does on Linux. One operation is one PDU; bytes/s is
 * ops/s × {@code payload}.
 *
 * <ul>
 *   <li>{@code copy}: what the plain socket reader hands up ({@code SocketSegmentSource}): the stream in 64 KiB
 *       reads split anywhere, flags clear, so the receiver copies every data byte into the destination and, with
 *       {@code ddgst}, computes CRC32C over it.</li>
 *   <li>{@code placed}: what a ULP DDP device hands up for the same stream: per PDU a plain header segment, a data
 *       segment that already sits in the destination ({@code placed}, {@code crcOk}: src == dst) and a digest
 *       segment flagged {@code crcOk}, so the receiver neither copies nor digests.</li>
 * </ul>
 *
 * Every PDU is checked on the way (listener counts completions and digest failures; a fatal error or a digest
 * mismatch fails the iteration), so a fast number cannot come from a receiver that stopped.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class ReceivePathBenchmark implements PduListener
{
    /** PDUs per invocation: a queue depth's worth of reads in flight, each on its own CID and destination. */
    static final int PDUS = 16;
    /** Read size of the copy mode: what one loopback socket read typically returns. */
    static final int READ_SIZE = 64 * 1024;

    @Param({"4096", "16384", "131072"})
    public int payload;

    @Param({"false", "true"})
    public boolean ddgst;

    @Param({"copy", "placed"})
    public String mode;

    private final DataPdu pdu = new DataPdu();
    private final Segment segment = new Segment();
    private final ByteBuffer[] dst = new ByteBuffer[PDUS];
    private final int[] pduOffset = new int[PDUS];
    private ByteBuffer stream;
    private int headerLength;
    private boolean placed;
    private PduReceiver rx;
    private long streamOffset;

    private long completed;
    private long digestErrors;
    private String fatal;

    @Setup(Level.Trial)
    public void setUp()
    {
        placed = switch (mode)
        {
            case "copy" -> false;
            case "placed" -> true;
            default -> throw new IllegalArgumentException("mode: copy or placed, not " + mode);
        };
        final ByteBuffer data = ByteBuffer.allocateDirect(payload);
        for (int i = 0; i < payload; i++)
        {
            data.put(i, (byte)(i * 31 + 7));
        }
        stream = encodeStream(data);
        for (int cid = 0; cid < PDUS; cid++)
        {
            dst[cid] = ByteBuffer.allocateDirect(payload);
            if (placed)
            {
                // the device placed the payload before it handed the segment up
                dst[cid].put(0, data, 0, payload);
            }
        }
        rx = new PduReceiver(PduReceiver.Role.HOST, this);
        rx.connectionInitialized(false, ddgst, 0);
        // prove the path once: copy mode must deliver the exact bytes, and nothing may fail
        receiveBatch();
        check(PDUS);
        for (int cid = 0; cid < PDUS; cid++)
        {
            if (dst[cid].mismatch(data) != -1)
            {
                throw new IllegalStateException("destination " + cid + " differs from the payload sent");
            }
        }
    }

    /** Encode PDUS C2HData PDUs (CID 0..PDUS-1) with the production sender, so digests and PDO are real. */
    private ByteBuffer encodeStream(final ByteBuffer data)
    {
        final PduSender sender = new PduSender(PDUS, null);
        sender.connectionInitialized(false, ddgst, 0);
        headerLength = DataPdu.HLEN;
        final int pduLength = headerLength + payload + (ddgst ? CommonHeader.DIGEST_LENGTH : 0);
        final ByteBuffer out = ByteBuffer.allocateDirect(pduLength * PDUS);
        final BufferChannel sink = new BufferChannel(out);
        for (int cid = 0; cid < PDUS; cid++)
        {
            pduOffset[cid] = cid * pduLength;
            pdu.wrap(sender.claimHeader(), 0)
                .encode(PduType.C2H_DATA, CommonHeader.FLAG_LAST_PDU, 0, 0, cid, 0, 0, payload);
            sender.commit(data, 0, payload, PduSender.NO_TOKEN);
            try
            {
                sender.flush(sink);
            }
            catch (final java.io.IOException e)
            {
                throw new IllegalStateException(e);
            }
        }
        if (out.position() != out.capacity())
        {
            throw new IllegalStateException("encoded " + out.position() + " bytes, expected " + out.capacity());
        }
        return out.clear();
    }

    @Benchmark
    @OperationsPerInvocation(PDUS)
    public long receive()
    {
        receiveBatch();
        return completed;
    }

    private void receiveBatch()
    {
        if (placed)
        {
            final int ddgstLength = ddgst ? CommonHeader.DIGEST_LENGTH : 0;
            for (int cid = 0; cid < PDUS; cid++)
            {
                final int at = pduOffset[cid];
                feed(stream, at, headerLength, false, false);
                feed(dst[cid], 0, payload, true, true);
                if (ddgstLength > 0)
                {
                    feed(stream, at + headerLength + payload, ddgstLength, false, true);
                }
            }
        }
        else
        {
            final int end = stream.capacity();
            for (int at = 0; at < end; at += READ_SIZE)
            {
                feed(stream, at, Math.min(READ_SIZE, end - at), false, false);
            }
        }
    }

    private void feed(final ByteBuffer buffer, final int index, final int length, final boolean p, final boolean ok)
    {
        rx.consume(segment.set(buffer, index, length, streamOffset, p, ok));
        streamOffset += length;
    }

    @TearDown(Level.Iteration)
    public void checkIteration()
    {
        check(completed);
    }

    private void check(final long expectedAtLeast)
    {
        if (fatal != null || rx.isStopped())
        {
            throw new IllegalStateException("receiver stopped: " + fatal);
        }
        if (digestErrors != 0)
        {
            throw new IllegalStateException(digestErrors + " data digest errors");
        }
        if (completed < expectedAtLeast || completed % PDUS != 0 || rx.pdusReceived() != completed)
        {
            throw new IllegalStateException("completed " + completed + ", received " + rx.pdusReceived());
        }
        final long placedBytes = rx.dataBytesPlaced();
        final long copiedBytes = rx.dataBytesCopied();
        if (placed ? copiedBytes != 0 : placedBytes != 0)
        {
            throw new IllegalStateException("copied " + copiedBytes + ", placed " + placedBytes + " in mode " + mode);
        }
        if (placed && ddgst && rx.digestsSkipped() != completed)
        {
            throw new IllegalStateException("digests skipped " + rx.digestsSkipped() + " of " + completed);
        }
    }

    @Override
    public void onPduHeader(final PduReceiver receiver, final PduType type, final ByteBuffer header, final int length)
    {
        final int cid = pdu.wrap(header, 0).cccid();
        receiver.receiveDataInto(dst[cid], 0);
    }

    @Override
    public void onPduDataComplete(
        final PduReceiver receiver, final PduType type, final ByteBuffer header, final boolean dataDigestOk)
    {
        completed++;
        if (!dataDigestOk)
        {
            digestErrors++;
        }
    }

    @Override
    public void onFatalError(
        final Fes fes, final long fei, final ByteBuffer header, final int headerLength, final String reason)
    {
        fatal = fes + " fei=" + fei + ": " + reason;
    }
}
