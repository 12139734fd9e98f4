package org.nvmeof4j.tcp.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import org.nvmeof4j.protocol.pdu.DataPdu;
import org.nvmeof4j.protocol.pdu.Fes;
import org.nvmeof4j.protocol.pdu.PduType;
import org.nvmeof4j.tcp.PduListener;
import org.nvmeof4j.tcp.PduReceiver;

/**
 * Jazzer fuzz target for the receive state machine, both roles, any negotiation, any segmentation. The property:
 * no exception escapes, and data never lands outside the destination the listener named (the listener places at
 * DATAO only after checking it fits, as the host and target queues do).
 *
 * <p>In the default test run this replays the stored inputs (src/test/resources/.../PduReceiverFuzzTestInputs) and
 * crash regressions; to fuzz: {@code JAZZER_FUZZ=1 mvn -pl nvmeof4j-tcp test -Dtest=PduReceiverFuzzTest}.
 */
class PduReceiverFuzzTest
{
    private static final int SINK = 64 * 1024;

    @FuzzTest(maxDuration = "30s")
    void receiverNeverThrows(final FuzzedDataProvider data)
    {
        final boolean controller = data.consumeBoolean();
        final boolean hdgst = data.consumeBoolean();
        final boolean ddgst = data.consumeBoolean();
        final boolean initialized = data.consumeBoolean();
        final ByteBuffer sink = ByteBuffer.allocate(SINK);
        final DataPdu view = new DataPdu();
        final PduReceiver rx = new PduReceiver(controller ? PduReceiver.Role.CONTROLLER : PduReceiver.Role.HOST,
            new PduListener()
            {
                @Override
                public void onPduHeader(final PduReceiver r, final PduType type, final ByteBuffer header,
                    final int dataLength)
                {
                    if (dataLength == 0)
                    {
                        return;
                    }
                    final long at = type == PduType.CAPSULE_CMD ? 0 : view.wrap(header, 0).datao();
                    if (at + dataLength > SINK)
                    {
                        r.fatal(Fes.DATA_TRANSFER_OUT_OF_RANGE, 0, "out of range");
                        return;
                    }
                    r.receiveDataInto(sink, (int)at);
                }

                @Override
                public void onPduDataComplete(final PduReceiver r, final PduType type, final ByteBuffer header,
                    final boolean ok)
                {
                }

                @Override
                public void onFatalError(final Fes fes, final long fei, final ByteBuffer header, final int len,
                    final String reason)
                {
                    // ours to copy into a TermReq: at most 128 bytes; a peer's TermReq (fes null) is passed whole
                    final int max = fes == null ? PduReceiver.MAX_HEADER : 128;
                    if (len < 0 || len > max)
                    {
                        throw new AssertionError("header length " + len + " (fes " + fes + ")");
                    }
                }
            });
        if (initialized)
        {
            rx.connectionInitialized(hdgst, ddgst, data.consumeInt(0, 3));
        }
        rx.maxInCapsuleData(8192);
        rx.maxDataPdu(32768);
        while (data.remainingBytes() > 0 && !rx.isStopped())
        {
            final byte[] chunk = data.consumeBytes(data.consumeInt(1, 300));
            if (chunk.length == 0)
            {
                break;
            }
            rx.consume(ByteBuffer.wrap(chunk), 0, chunk.length);
        }
    }
}
