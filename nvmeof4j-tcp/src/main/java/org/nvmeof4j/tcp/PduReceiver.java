package org.nvmeof4j.tcp;

import java.nio.ByteBuffer;
import org.nvmeof4j.protocol.crc.Crc32c;
import org.nvmeof4j.protocol.pdu.CommonHeader;
import org.nvmeof4j.protocol.pdu.DataPdu;
import org.nvmeof4j.protocol.pdu.Fes;
import org.nvmeof4j.protocol.pdu.PduType;
import org.nvmeof4j.protocol.pdu.TermReqPdu;

/**
 * The NVMe/TCP receive state machine, shared by host and controller: CH → PSH (+HDGST) → pad → DATA → DDGST.
 *
 * <p>It consumes {@link Segment}s in stream order, of any size, split anywhere. Header bytes are gathered into a
 * private buffer and checked before anything else is read (type and direction, HLEN, PLEN bounds, flags against the
 * negotiated digests, PDO and alignment, DATAL against PLEN, header digest); every length from the wire is checked
 * before it is used. PDU data goes straight to the destination the listener names: copied, or skipped when the
 * segment is {@link Segment#placed}; the data digest is computed during the copy, or skipped when every data
 * segment of the PDU, and every segment carrying its data digest, is {@link Segment#crcOk} (the ULP DDP contract of
 * the Linux offload series: a NIC reports a digest mismatch on the packet that carries the digest).
 *
 * <p>Any violation calls {@link PduListener#onFatalError} with the FES and FEI of NVMe/TCP 3.6.2.4/5, and the
 * receiver then stops. Not thread-safe: one thread owns a receiver, as it owns its connection.
 */
public final class PduReceiver
{
    /** Which end of the connection this receiver serves. */
    public enum Role
    {
        /** Receives controller-to-host PDUs (ICResp, C2HTermReq, CapsuleResp, C2HData, R2T). */
        HOST,
        /** Receives host-to-controller PDUs (ICReq, H2CTermReq, CapsuleCmd, H2CData). */
        CONTROLLER
    }

    private enum State
    {
        /** Gathering the 8-byte common header. */
        AWAIT_CH,
        /** Gathering the rest of the header and its digest (or a TermReq's copied header). */
        AWAIT_PSH,
        /** Skipping the padding between header and data (PDO). */
        AWAIT_PAD,
        /** Delivering PDU data to the destination. */
        AWAIT_DATA,
        /** Gathering the 4-byte data digest. */
        AWAIT_DDGST,
        /** A fatal error was reported or a TermReq received: nothing more is consumed. */
        STOPPED
    }

    /** Largest header this receiver gathers: a TermReq with a 128-byte copied header (PLEN 152) is the longest. */
    public static final int MAX_HEADER = TermReqPdu.MAX_LENGTH + CommonHeader.DIGEST_LENGTH;

    private final Role role;
    private final PduListener listener;
    private final ByteBuffer header = ByteBuffer.allocateDirect(MAX_HEADER + 8);
    private final ByteBuffer ddgst = ByteBuffer.allocateDirect(CommonHeader.DIGEST_LENGTH);
    private final Crc32c crc = new Crc32c();

    private boolean initialized;
    private boolean hdgstEnabled;
    private boolean ddgstEnabled;
    private int rxAlignment;
    private int maxInCapsuleData = 8192;
    private int maxDataPdu = Integer.MAX_VALUE - 256;

    private State state = State.AWAIT_CH;
    private PduType type;
    private int headerFill;
    private int headerNeed;
    private int padLeft;
    private int ddgstLength;
    private int dataLength;
    private int dataDone;
    private ByteBuffer dst;
    private int dstIndex;
    private boolean discard;
    private boolean allCrcOk;
    private int ddgstFill;
    private long streamOffset;
    private long pduStart;
    /** PLEN of the current PDU, once its common header was parsed. */
    private long pduLength;

    // counters, read by tests and statistics
    private long pdusReceived;
    private long dataBytesCopied;
    private long dataBytesPlaced;
    private long digestsSkipped;

    public PduReceiver(final Role role, final PduListener listener)
    {
        this.role = role;
        this.listener = listener;
    }

    /**
     * Called once the ICReq/ICResp exchange is done: from now on only non-IC PDUs are legal and the negotiated
     * digests apply.
     *
     * @param hdgst       header digests negotiated.
     * @param ddgst       data digests negotiated.
     * @param rxAlignment our own PDU data alignment requirement, 0's based dwords (0 = none), as announced in our
     *                    ICReq (HPDA) or ICResp (CPDA).
     */
    public void connectionInitialized(final boolean hdgst, final boolean ddgst, final int rxAlignment)
    {
        this.initialized = true;
        this.hdgstEnabled = hdgst;
        this.ddgstEnabled = ddgst;
        this.rxAlignment = rxAlignment;
    }

    /** Largest in-capsule data accepted in a CapsuleCmd; larger fails with FES 0x05. */
    public void maxInCapsuleData(final int bytes)
    {
        this.maxInCapsuleData = bytes;
    }

    /** Largest DATAL accepted in one H2CData / C2HData (MAXH2CDATA on a controller); larger fails with FES 0x05. */
    public void maxDataPdu(final int bytes)
    {
        this.maxDataPdu = bytes;
    }

    public boolean isInitialized()
    {
        return initialized;
    }

    public boolean isStopped()
    {
        return state == State.STOPPED;
    }

    /** @return bytes consumed since the connection started: the stream offset of the next byte expected. */
    public long streamOffset()
    {
        return streamOffset;
    }

    /**
     * @return the stream offset where the next PDU header starts, or -1 while that is not known (inside a common
     *         header) or after a fatal error. A receive offload that stopped following the framing picks it up here.
     */
    public long nextPduOffset()
    {
        switch (state)
        {
            case AWAIT_CH:
                return headerFill == 0 ? streamOffset : -1;
            case STOPPED:
                return -1;
            default:
                return pduStart + pduLength;
        }
    }

    /**
     * While the receiver is inside a common header: copies the bytes of it received so far to {@code dst} from
     * index 0 and returns how many (1 to 7). Otherwise 0. With {@link #nextPduOffset()}, what a receive offload needs
     * to pick the framing up at any point of the stream.
     */
    public int commonHeaderSoFar(final ByteBuffer dst)
    {
        if (state != State.AWAIT_CH || headerFill == 0)
        {
            return 0;
        }
        dst.put(0, header, 0, headerFill);
        return headerFill;
    }

    /** @return the stream offset of the current (or last) PDU's first byte. */
    public long pduStart()
    {
        return pduStart;
    }

    public long pdusReceived()
    {
        return pdusReceived;
    }

    public long dataBytesCopied()
    {
        return dataBytesCopied;
    }

    public long dataBytesPlaced()
    {
        return dataBytesPlaced;
    }

    public long digestsSkipped()
    {
        return digestsSkipped;
    }

    /**
     * From {@link PduListener#onPduHeader}: put the PDU data at {@code index} of {@code destination}; the caller
     * has checked that {@code dataLength} bytes fit there.
     */
    public void receiveDataInto(final ByteBuffer destination, final int index)
    {
        this.dst = destination;
        this.dstIndex = index;
        this.discard = false;
    }

    /** From {@link PduListener#onPduHeader}: read the PDU data and drop it (the digest is still checked). */
    public void discardData()
    {
        this.dst = null;
        this.discard = true;
    }

    /** Consume bytes from a plain reader: not placed, not digest-verified. */
    public void consume(final ByteBuffer buffer, final int index, final int length)
    {
        consume(buffer, index, length, false, false);
    }

    /** Consume one segment. */
    public void consume(final Segment segment)
    {
        consume(segment.buffer, segment.index, segment.length, segment.placed, segment.crcOk);
    }

    private void consume(ByteBuffer buf, int index, int length, final boolean placed, final boolean crcOk)
    {
        while (length > 0)
        {
            final int n;
            switch (state)
            {
                case AWAIT_CH:
                    if (headerFill == 0)
                    {
                        pduStart = streamOffset;
                        listener.onPduBoundary(streamOffset);
                    }
                    n = Math.min(length, CommonHeader.LENGTH - headerFill);
                    copyHeader(buf, index, n);
                    if (headerFill == CommonHeader.LENGTH)
                    {
                        onCommonHeader();
                    }
                    break;

                case AWAIT_PSH:
                    n = Math.min(length, headerNeed - headerFill);
                    copyHeader(buf, index, n);
                    if (headerFill == headerNeed)
                    {
                        onHeader();
                    }
                    break;

                case AWAIT_PAD:
                    n = Math.min(length, padLeft);
                    padLeft -= n;
                    if (padLeft == 0)
                    {
                        state = State.AWAIT_DATA;
                    }
                    break;

                case AWAIT_DATA:
                    n = Math.min(length, dataLength - dataDone);
                    onData(buf, index, n, placed, crcOk);
                    if (dataDone == dataLength)
                    {
                        if (ddgstLength > 0)
                        {
                            ddgstFill = 0;
                            state = State.AWAIT_DDGST;
                        }
                        else
                        {
                            completeData(true);
                        }
                    }
                    break;

                case AWAIT_DDGST:
                    n = Math.min(length, CommonHeader.DIGEST_LENGTH - ddgstFill);
                    if (allCrcOk && !crcOk && !discard)
                    {
                        // a device reports its digest verdict on the segment that carries the digest (the kernel
                        // ANDs the flag over every skb of the PDU): without it, check in software over the data
                        allCrcOk = false;
                        crc.update(dst, dstIndex, dataDone);
                    }
                    ddgst.put(ddgstFill, buf, index, n);
                    ddgstFill += n;
                    if (ddgstFill == CommonHeader.DIGEST_LENGTH)
                    {
                        final boolean ok;
                        if (allCrcOk && !discard)
                        {
                            digestsSkipped++;
                            ok = true;
                        }
                        else
                        {
                            ok = crc.value() == Crc32c.get(ddgst, 0);
                        }
                        completeData(ok);
                    }
                    break;

                default:
                    return;
            }
            streamOffset += n;
            index += n;
            length -= n;
        }
    }

    private void copyHeader(final ByteBuffer buf, final int index, final int n)
    {
        header.put(headerFill, buf, index, n);
        headerFill += n;
    }

    private void onCommonHeader()
    {
        final int code = header.get(CommonHeader.PDU_TYPE_OFFSET) & 0xFF;
        final PduType t = PduType.valueOf(code);
        if (t == null || t.isHostToController() != (role == Role.CONTROLLER))
        {
            fatal(Fes.INVALID_HEADER_FIELD, CommonHeader.PDU_TYPE_OFFSET, "unexpected PDU type 0x" +
                Integer.toHexString(code));
            return;
        }
        final boolean isIc = t == PduType.IC_REQ || t == PduType.IC_RESP;
        final boolean isTerm = t == PduType.H2C_TERM_REQ || t == PduType.C2H_TERM_REQ;
        if (!isTerm && isIc == initialized)
        {
            fatal(Fes.PDU_SEQUENCE_ERROR, 0, (isIc ? "second " : "before connection initialization: ") + t);
            return;
        }
        final int hlen = header.get(CommonHeader.HLEN_OFFSET) & 0xFF;
        if (hlen != t.hlen())
        {
            fatal(Fes.INVALID_HEADER_FIELD, CommonHeader.HLEN_OFFSET, t + " with HLEN " + hlen);
            return;
        }
        final long plen = CommonHeader.u32(header, CommonHeader.PLEN_OFFSET);
        final int flags = header.get(CommonHeader.FLAGS_OFFSET) & 0xFF;
        type = t;
        pduLength = plen;
        dataLength = 0;
        ddgstLength = 0;
        padLeft = 0;
        if (isIc)
        {
            if (plen != hlen)
            {
                fatal(Fes.INVALID_HEADER_FIELD, CommonHeader.PLEN_OFFSET, t + " with PLEN " + plen);
                return;
            }
            headerNeed = hlen;
        }
        else if (isTerm)
        {
            if (plen < hlen || plen > TermReqPdu.MAX_LENGTH)
            {
                fatal(Fes.INVALID_HEADER_FIELD, CommonHeader.PLEN_OFFSET, t + " with PLEN " + plen);
                return;
            }
            headerNeed = (int)plen;
        }
        else
        {
            int hdgstLength = 0;
            if ((flags & CommonHeader.FLAG_HDGSTF) != 0 != hdgstEnabled)
            {
                fatal(Fes.INVALID_HEADER_FIELD, CommonHeader.FLAGS_OFFSET, "HDGSTF does not match negotiation");
                return;
            }
            if (hdgstEnabled)
            {
                hdgstLength = CommonHeader.DIGEST_LENGTH;
            }
            headerNeed = hlen + hdgstLength;
            if (!t.mayCarryData() || (t == PduType.CAPSULE_CMD && plen == headerNeed))
            {
                if (plen != headerNeed)
                {
                    fatal(Fes.INVALID_HEADER_FIELD, CommonHeader.PLEN_OFFSET, t + " with PLEN " + plen);
                    return;
                }
            }
            else
            {
                if ((flags & CommonHeader.FLAG_DDGSTF) != 0 != ddgstEnabled)
                {
                    fatal(Fes.INVALID_HEADER_FIELD, CommonHeader.FLAGS_OFFSET, "DDGSTF does not match negotiation");
                    return;
                }
                ddgstLength = ddgstEnabled ? CommonHeader.DIGEST_LENGTH : 0;
                final int pdo = header.get(CommonHeader.PDO_OFFSET) & 0xFF;
                if (pdo < headerNeed || (rxAlignment > 0 && pdo % ((rxAlignment + 1) * 4) != 0))
                {
                    fatal(Fes.INVALID_HEADER_FIELD, CommonHeader.PDO_OFFSET, t + " with PDO " + pdo);
                    return;
                }
                final long data = plen - pdo - ddgstLength;
                if (data <= 0)
                {
                    fatal(Fes.INVALID_HEADER_FIELD, CommonHeader.PLEN_OFFSET, t + " with PLEN " + plen);
                    return;
                }
                final int limit = t == PduType.CAPSULE_CMD ? maxInCapsuleData : maxDataPdu;
                if (data > limit)
                {
                    fatal(Fes.DATA_TRANSFER_LIMIT_EXCEEDED, 0, t + " carries " + data + " bytes, limit " + limit);
                    return;
                }
                dataLength = (int)data;
                padLeft = pdo - headerNeed;
            }
        }
        state = State.AWAIT_PSH;
        if (headerFill == headerNeed)
        {
            onHeader();
        }
    }

    private void onHeader()
    {
        final int hlen = type.hlen();
        if (headerNeed > hlen && type.mayCarryHeaderDigest())
        {
            final int expected = crc.compute(header, 0, hlen);
            if (expected != Crc32c.get(header, hlen))
            {
                fatal(Fes.HEADER_DIGEST_ERROR, 0, type + " header digest mismatch");
                return;
            }
        }
        if ((type == PduType.H2C_DATA || type == PduType.C2H_DATA) &&
            CommonHeader.u32(header, DataPdu.DATAL_OFFSET) != dataLength)
        {
            fatal(Fes.INVALID_HEADER_FIELD, DataPdu.DATAL_OFFSET, type + " DATAL does not match PLEN");
            return;
        }
        pdusReceived++;
        dst = null;
        discard = false;
        if (type == PduType.H2C_TERM_REQ || type == PduType.C2H_TERM_REQ)
        {
            state = State.STOPPED;
            listener.onPduHeader(this, type, header, 0);
            final int fes = header.get(TermReqPdu.FES_OFFSET) & 0xFF | (header.get(TermReqPdu.FES_OFFSET + 1) & 0xFF) << 8;
            listener.onFatalError(null, CommonHeader.u32(header, TermReqPdu.FEI_OFFSET), header, headerFill,
                "peer sent " + type + " fes=0x" + Integer.toHexString(fes));
            return;
        }
        listener.onPduHeader(this, type, header, dataLength);
        if (state == State.STOPPED)
        {
            return;
        }
        if (dataLength == 0)
        {
            nextPdu();
            return;
        }
        if (dst == null && !discard)
        {
            fatal(Fes.PDU_SEQUENCE_ERROR, 0, type + " data has no destination");
            return;
        }
        dataDone = 0;
        allCrcOk = ddgstLength > 0;
        crc.reset();
        state = padLeft > 0 ? State.AWAIT_PAD : State.AWAIT_DATA;
    }

    private void onData(final ByteBuffer buf, final int index, final int n, final boolean placed, final boolean crcOk)
    {
        if (discard)
        {
            if (ddgstLength > 0)
            {
                crc.update(buf, index, n);
            }
            dataDone += n;
            return;
        }
        final int at = dstIndex + dataDone;
        if (placed)
        {
            dataBytesPlaced += n;
        }
        else
        {
            copy(buf, index, dst, at, n);
            dataBytesCopied += n;
        }
        if (ddgstLength > 0 && !(crcOk && allCrcOk))
        {
            if (allCrcOk)
            {
                // earlier segments were verified by the device, this one is not: the digest covers the whole PDU
                // data, so catch up over what is already in the destination
                allCrcOk = false;
                crc.update(dst, dstIndex, dataDone);
            }
            crc.update(dst, at, n);
        }
        dataDone += n;
    }

    private void completeData(final boolean digestOk)
    {
        final PduType t = type;
        nextPdu();
        listener.onPduDataComplete(this, t, header, digestOk);
    }

    private void nextPdu()
    {
        headerFill = 0;
        state = State.AWAIT_CH;
        dst = null;
    }

    /**
     * Report a fatal error (from the receiver itself or from the listener's own semantic checks, e.g. an unknown
     * CCCID or a DATAO out of range) and stop.
     */
    public void fatal(final Fes fes, final long fei, final String reason)
    {
        if (state == State.STOPPED)
        {
            return;
        }
        state = State.STOPPED;
        listener.onFatalError(fes, fei, header, Math.min(headerFill, TermReqPdu.MAX_COPIED_HEADER), reason);
    }

    /** Stop consuming (the connection is closing). */
    public void stop()
    {
        state = State.STOPPED;
    }

    /** Copy between buffers by absolute index without touching positions, and without allocating. */
    static void copy(final ByteBuffer src, final int srcIndex, final ByteBuffer dst, final int dstIndex, final int n)
    {
        if (src.hasArray() && dst.hasArray())
        {
            System.arraycopy(src.array(), src.arrayOffset() + srcIndex, dst.array(), dst.arrayOffset() + dstIndex, n);
            return;
        }
        dst.put(dstIndex, src, srcIndex, n);
    }
}
