package org.nvmeof4j.protocol.pdu;

import java.nio.ByteBuffer;

/**
 * ICResp: Initialize Connection Response, controller to host, HLEN = PLEN = 128 (NVMe/TCP 3.6.2.3).
 *
 * <pre>
 *  0   CH (type 0x01, HLEN 128, PDO 0, PLEN 128)
 *  8   PFV (u16)         10 CPDA (u8, 0's based dwords)   11 DGST (bit0 HDGST_ENABLE, bit1 DDGST_ENABLE)
 *  12  MAXH2CDATA (u32, bytes; at least 4096 and a multiple of 4)
 *  16..127 reserved
 * </pre>
 */
public final class IcRespPdu extends CommonHeader
{
    public static final int LENGTH = 128;
    public static final int PFV_OFFSET = 8;
    public static final int CPDA_OFFSET = 10;
    public static final int DGST_OFFSET = 11;
    public static final int MAXH2CDATA_OFFSET = 12;

    /** The smallest MAXH2CDATA a controller may announce. */
    public static final int MIN_MAXH2CDATA = 4096;

    @Override
    public IcRespPdu wrap(final ByteBuffer buffer, final int offset)
    {
        super.wrap(buffer, offset);
        return this;
    }

    /** Write a complete ICResp: zeroes the reserved bytes and fills the common header. */
    public IcRespPdu encode(final int cpda, final boolean hdgst, final boolean ddgst, final long maxh2cdata)
    {
        clear(LENGTH);
        header(PduType.IC_RESP, 0, 0, LENGTH);
        pfv(0);
        cpda(cpda);
        dgst((hdgst ? IcReqPdu.DGST_HDGST_ENABLE : 0) | (ddgst ? IcReqPdu.DGST_DDGST_ENABLE : 0));
        maxh2cdata(maxh2cdata);
        return this;
    }

    public int pfv()
    {
        return getU16(PFV_OFFSET);
    }

    public IcRespPdu pfv(final int pfv)
    {
        putU16(PFV_OFFSET, pfv);
        return this;
    }

    public int cpda()
    {
        return buffer.get(offset + CPDA_OFFSET) & 0xFF;
    }

    public IcRespPdu cpda(final int cpda)
    {
        buffer.put(offset + CPDA_OFFSET, (byte)cpda);
        return this;
    }

    public int dgst()
    {
        return buffer.get(offset + DGST_OFFSET) & 0xFF;
    }

    public IcRespPdu dgst(final int dgst)
    {
        buffer.put(offset + DGST_OFFSET, (byte)dgst);
        return this;
    }

    public long maxh2cdata()
    {
        return getU32(MAXH2CDATA_OFFSET);
    }

    public IcRespPdu maxh2cdata(final long maxh2cdata)
    {
        putU32(MAXH2CDATA_OFFSET, maxh2cdata);
        return this;
    }
}
