package org.nvmeof4j.tcp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.nvmeof4j.protocol.pdu.DataPdu;
import org.nvmeof4j.protocol.pdu.Fes;
import org.nvmeof4j.protocol.pdu.PduType;

/** A PduListener that records what it sees and places all PDU data into one sink at DATAO (or 0). */
final class RecordingListener implements PduListener
{
    /** Runs before a header is recorded; returns false to swallow it (e.g. after failing the receiver). */
    @FunctionalInterface
    interface HeaderHook
    {
        boolean beforeHeader(PduReceiver rx, PduType type, ByteBuffer header, int dataLength);
    }

    /** Marks the connection initialized (no digests unless asked) when the ICReq/ICResp arrives. */
    static HeaderHook initializeOnIc(final boolean hdgst, final boolean ddgst)
    {
        return (rx, type, header, n) ->
        {
            if (type == PduType.IC_REQ || type == PduType.IC_RESP)
            {
                rx.connectionInitialized(hdgst, ddgst, 0);
            }
            return true;
        };
    }

    /** Runs before each header is recorded; the default lets every header through. */
    HeaderHook hook = (rx, type, header, n) -> true;
    final List<String> events = new ArrayList<>();
    final ByteBuffer sink = ByteBuffer.allocate(1 << 20);
    Fes fes;
    long fei = -1;
    byte[] termHeader;
    boolean fatal;
    boolean discard;
    final List<Long> boundaries = new ArrayList<>();

    RecordingListener()
    {
    }

    RecordingListener(final HeaderHook hook)
    {
        this.hook = hook;
    }

    @Override
    public void onPduHeader(final PduReceiver rx, final PduType type, final ByteBuffer header, final int dataLength)
    {
        if (!hook.beforeHeader(rx, type, header, dataLength))
        {
            return;
        }
        events.add(type + ":" + dataLength);
        if (dataLength > 0)
        {
            if (discard)
            {
                rx.discardData();
            }
            else
            {
                final int at = type == PduType.CAPSULE_CMD ? 0 : (int)new DataPdu().wrap(header, 0).datao();
                rx.receiveDataInto(sink, at);
            }
        }
    }

    @Override
    public void onPduDataComplete(final PduReceiver rx, final PduType type, final ByteBuffer header,
        final boolean dataDigestOk)
    {
        events.add(type + ":data:" + (dataDigestOk ? "ok" : "bad"));
    }

    @Override
    public void onFatalError(final Fes fes, final long fei, final ByteBuffer header, final int headerLength,
        final String reason)
    {
        this.fatal = true;
        this.fes = fes;
        this.fei = fei;
        this.termHeader = new byte[headerLength];
        header.get(0, termHeader);
        events.add("fatal:" + (fes == null ? "peer" : fes.name()) + ":" + fei);
    }

    @Override
    public void onPduBoundary(final long streamOffset)
    {
        boundaries.add(streamOffset);
    }
}
