package org.nvmeof4j.ddp.model;

import java.nio.ByteBuffer;
import org.nvmeof4j.tcp.NvmeTcpConnection;
import org.nvmeof4j.tcp.PduReceiver;

/** Lets tests outside this package script the packets a {@link ModelDdpDevice} connection's NIC sees. */
public final class ModelScript
{
    private ModelScript()
    {
    }

    /**
     * The packet holding {@code stream[offset, offset + length)} arrives at the NIC of {@code connection} (offloaded
     * on a model device), then goes through reassembly into {@code receiver}.
     */
    public static void arrive(
        final NvmeTcpConnection connection, final PduReceiver receiver, final byte[] stream, final long offset,
        final int length)
    {
        ((ModelDdpContext)connection.segmentSource()).arriveScripted(receiver, ByteBuffer.wrap(stream), offset, length);
    }
}
