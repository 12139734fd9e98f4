package org.nvmeof4j.tcp;

import java.nio.ByteBuffer;
import org.nvmeof4j.protocol.pdu.Fes;
import org.nvmeof4j.protocol.pdu.PduType;

/**
 * What the receive state machine tells the upper layer (the host's or the target's queue).
 *
 * <p>All calls come on the thread that feeds {@link PduReceiver}. The {@code header} buffer holds the PDU from
 * index 0 (common header, PDU-specific header, header digest); it stays valid until the next PDU's bytes arrive,
 * that is until the call that follows returns.
 */
public interface PduListener
{
    /**
     * A PDU header arrived whole and passed the common checks (type, direction, HLEN, PLEN, PDO, flags, header
     * digest). For a PDU with data ({@code dataLength > 0}) the listener must, before returning, either name where
     * the data goes with {@link PduReceiver#receiveDataInto}, ask for it to be dropped with
     * {@link PduReceiver#discardData()}, or fail the connection with {@link PduReceiver#fatal}.
     *
     * @param rx         the receiver, to call back into.
     * @param type       the PDU type.
     * @param header     the header bytes from index 0.
     * @param dataLength PDU data bytes that follow (0 for none). For a TermReq the copied header is part of
     *                   {@code header}, and this is 0.
     */
    void onPduHeader(PduReceiver rx, PduType type, ByteBuffer header, int dataLength);

    /**
     * All data of the current PDU was placed and its digest checked.
     *
     * @param dataDigestOk false when the data digest was negotiated and did not match: the ULP fails that one
     *                     command with a Data Transfer Error; the connection stays up (NVMe/TCP 3.6.2.x).
     */
    void onPduDataComplete(PduReceiver rx, PduType type, ByteBuffer header, boolean dataDigestOk);

    /**
     * The stream broke a rule that ends the connection. The listener sends a TermReq with these values (unless the
     * PDU at fault was itself a TermReq, signalled by {@code fes == null}) and closes the connection. The receiver
     * consumes nothing more.
     *
     * @param fes          fatal error status, or {@code null} when the peer sent a TermReq (nothing to answer).
     * @param fei          field error information.
     * @param header       the offending header bytes from index 0; for a peer's TermReq ({@code fes == null}), that
     *                     TermReq itself.
     * @param headerLength how many of them are valid: at most 128 (what a TermReq can carry) when {@code fes} is set,
     *                     at most {@link PduReceiver#MAX_HEADER} for a peer's TermReq.
     * @param reason       one line for the log.
     */
    void onFatalError(Fes fes, long fei, ByteBuffer header, int headerLength, String reason);

    /**
     * The receiver is about to read the common header of a new PDU at this stream offset. DDP uses this to
     * confirm a pending resync request; the default does nothing.
     */
    default void onPduBoundary(final long streamOffset)
    {
    }
}
