package org.nvmeof4j.ddp.spi;

import java.nio.ByteBuffer;
import org.nvmeof4j.protocol.nvme.LittleEndian;
import org.nvmeof4j.protocol.pdu.CommonHeader;
import org.nvmeof4j.protocol.pdu.PduType;
import org.nvmeof4j.protocol.pdu.TermReqPdu;

/**
 * The framing a device needs to follow a host's receive stream: from a PDU's 8-byte common header, the lengths of
 * its parts (header, header digest, pad, data, data digest) under the connection's negotiated digests and CPDA.
 * This is the "magic pattern" check of seed 003 ("Resync handling"): a byte run is a plausible PDU start when its
 * type, HLEN, flags, PDO and PLEN are all consistent with the connection.
 *
 * <p>Only controller-to-host PDUs after initialization are accepted: CapsuleResp, C2HData, R2T and C2HTermReq. A
 * device that finds anything else stops interpreting the stream (the ULP reports the error). Mutable and reused;
 * never allocates.
 */
public final class PduShape
{
    private final boolean hdgst;
    private final boolean ddgst;
    private final int cpda;
    private final long maxData;

    /** The PDU type. */
    public PduType type;
    /** Common header flags. */
    public int flags;
    /** Bytes from the PDU start to the end of the header digest (or the whole PDU for a TermReq). */
    public int headerLength;
    /** HLEN. */
    public int hlen;
    /** Pad bytes between the header (and digest) and the data. */
    public int padLength;
    /** PDU data bytes (0 for none). */
    public int dataLength;
    /** Data digest bytes after the data (0 or 4). */
    public int ddgstLength;
    /** PLEN. */
    public long plen;

    /**
     * @param hdgst   header digests negotiated.
     * @param ddgst   data digests negotiated.
     * @param cpda    controller PDU data alignment (0's based dwords).
     * @param maxData largest DATAL this connection can carry; larger is implausible.
     */
    public PduShape(final boolean hdgst, final boolean ddgst, final int cpda, final long maxData)
    {
        this.hdgst = hdgst;
        this.ddgst = ddgst;
        this.cpda = cpda;
        this.maxData = maxData;
    }

    public boolean hdgst()
    {
        return hdgst;
    }

    public boolean ddgst()
    {
        return ddgst;
    }

    /**
     * Parse and check a common header.
     *
     * @param b      buffer holding at least 8 bytes from {@code index}.
     * @param index  absolute index of the PDU start.
     * @param strict also require reserved flag bits clear and PDO 0 on PDUs without data (for pattern search, where
     *               a false match costs a resync round trip).
     * @return whether the header is plausible; the fields are valid only when true.
     */
    public boolean parse(final ByteBuffer b, final int index, final boolean strict)
    {
        return parse(LittleEndian.getI64(b, index), strict);
    }

    /**
     * {@link #parse(ByteBuffer, int, boolean)} on the common header read as one little-endian long (one buffer
     * access instead of eight: the receive path calls this for every PDU).
     */
    public boolean parse(final long ch, final boolean strict)
    {
        final PduType t = PduType.valueOf((int)ch & 0xFF);
        if (t == null)
        {
            return false;
        }
        final int f = (int)(ch >>> 8) & 0xFF;
        final int hl = (int)(ch >>> 16) & 0xFF;
        final int pdo = (int)(ch >>> 24) & 0xFF;
        final long pl = ch >>> 32;
        if (hl != t.hlen())
        {
            return false;
        }
        type = t;
        flags = f;
        hlen = hl;
        plen = pl;
        dataLength = 0;
        ddgstLength = 0;
        padLength = 0;
        final int hd = hdgst ? CommonHeader.DIGEST_LENGTH : 0;
        switch (t)
        {
            case C2H_TERM_REQ:
                if (pl < hl || pl > TermReqPdu.MAX_LENGTH || (strict && f != 0))
                {
                    return false;
                }
                headerLength = (int)pl;
                return true;

            case CAPSULE_RESP:
            case R2T:
                if (((f & CommonHeader.FLAG_HDGSTF) != 0) != hdgst || pl != hl + hd ||
                    (strict && ((f & ~CommonHeader.FLAG_HDGSTF) != 0 || pdo != 0)))
                {
                    return false;
                }
                headerLength = hl + hd;
                return true;

            case C2H_DATA:
            {
                if (((f & CommonHeader.FLAG_HDGSTF) != 0) != hdgst || ((f & CommonHeader.FLAG_DDGSTF) != 0) != ddgst)
                {
                    return false;
                }
                if (strict && (f & ~0x0F) != 0)
                {
                    return false;
                }
                final int unit = (cpda + 1) * 4;
                if (pdo < hl + hd || (cpda > 0 && pdo % unit != 0))
                {
                    return false;
                }
                final int dd = ddgst ? CommonHeader.DIGEST_LENGTH : 0;
                final long data = pl - pdo - dd;
                if (data <= 0 || data > maxData)
                {
                    return false;
                }
                headerLength = hl + hd;
                padLength = pdo - headerLength;
                dataLength = (int)data;
                ddgstLength = dd;
                return true;
            }

            default:
                return false;
        }
    }
}
