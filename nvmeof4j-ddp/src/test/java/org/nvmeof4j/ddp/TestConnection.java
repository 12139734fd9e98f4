package org.nvmeof4j.ddp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.nvmeof4j.protocol.pdu.PduType;
import org.nvmeof4j.tcp.NvmeTcpConnection;
import org.nvmeof4j.tcp.PduReceiver;

/** A connection object for device tests: identity and segment source holder over an unconnected socket. */
final class TestConnection extends NvmeTcpConnection
{
    TestConnection() throws IOException
    {
        super(SocketChannel.open(), PduReceiver.Role.HOST, 8);
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
    public void onPduHeader(final PduReceiver rx, final PduType type, final ByteBuffer header, final int dataLength)
    {
        throw new AssertionError("tests use their own receiver");
    }

    @Override
    public void onPduDataComplete(final PduReceiver rx, final PduType type, final ByteBuffer header, final boolean ok)
    {
        throw new AssertionError("tests use their own receiver");
    }
}
