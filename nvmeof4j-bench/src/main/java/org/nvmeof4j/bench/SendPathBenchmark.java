package org.nvmeof4j.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.nvmeof4j.protocol.nvme.Opcodes;
import org.nvmeof4j.protocol.nvme.Sqe;
import org.nvmeof4j.protocol.pdu.CapsulePdu;
import org.nvmeof4j.protocol.pdu.CommonHeader;
import org.nvmeof4j.protocol.pdu.PduType;
import org.nvmeof4j.tcp.BufferChannel;
import org.nvmeof4j.tcp.PduSender;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The send path alone: one write command as the host queues it ({@code TcpConnection.sendCommand}): claim a header
 * slot, copy the SQE template, set CID and SGL, commit with the caller's data buffer, and flush with a gather write
 * into a channel that takes everything. With {@code digests} the sender computes the header digest over the 72-byte
 * header and the data digest (CRC32C) over the payload. One operation is one PDU; bytes/s is ops/s × {@code payload}.
 *
 * <p>The payload rides as in-capsule data for both sizes: the sender treats an H2CData PDU's data the same way (same
 * commit, same digest, same gather write), so this is also the per-PDU cost of the R2T path for 128 KiB.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class SendPathBenchmark
{
    @Param({"4096", "131072"})
    public int payload;

    @Param({"false", "true"})
    public boolean digests;

    private final Sqe sqe = new Sqe();
    private final ByteBuffer template = ByteBuffer.allocateDirect(Sqe.LENGTH);
    private final BufferChannel channel = new BufferChannel();
    private ByteBuffer data;
    private PduSender sender;
    private int cid;
    private long pdus;

    @Setup(Level.Trial)
    public void setUp()
    {
        data = ByteBuffer.allocateDirect(payload);
        for (int i = 0; i < payload; i++)
        {
            data.put(i, (byte)(i * 31 + 7));
        }
        sqe.wrap(template, 0).clear().opcode(Opcodes.IO_WRITE).nsid(1).startingLba(0)
            .numberOfLogicalBlocks(payload / 512);
        sender = new PduSender(128, null);
        sender.connectionInitialized(digests, digests, 0);
    }

    @Benchmark
    public long send() throws IOException
    {
        final ByteBuffer h = sender.claimHeader();
        h.put(CommonHeader.PDU_TYPE_OFFSET, (byte)PduType.CAPSULE_CMD.code());
        h.put(CommonHeader.FLAGS_OFFSET, (byte)0);
        h.put(CapsulePdu.CAPSULE_OFFSET, template, 0, Sqe.LENGTH);
        sqe.wrap(h, CapsulePdu.CAPSULE_OFFSET).cid(cid).sglInCapsule(0, payload);
        cid = (cid + 1) & 127;
        sender.commit(data, 0, payload, PduSender.NO_TOKEN);
        pdus++;
        return sender.flush(channel);
    }

    @TearDown(Level.Iteration)
    public void check()
    {
        final long expected = pdus * (CapsulePdu.CMD_HLEN + payload + (digests ? 2 * CommonHeader.DIGEST_LENGTH : 0));
        if (sender.hasPending() || sender.pdusSent() != pdus || channel.bytes() != expected)
        {
            throw new IllegalStateException("sent " + sender.pdusSent() + " PDUs / " + channel.bytes() +
                " bytes, expected " + pdus + " / " + expected);
        }
        if (data.position() != 0 || data.limit() != payload)
        {
            throw new IllegalStateException("data buffer position/limit not restored: " + data);
        }
    }
}
