package org.nvmeof4j.protocol.pdu;

import java.nio.ByteBuffer;

/**
 * ICReq: Initialize Connection Request, host to controller, HLEN = PLEN = 128 (NVMe/TCP 3.6.2.2).
 *
 * <pre>
 *  0   CH (type 0x00, HLEN 128, PDO 0, PLEN 128)
 *  8   PFV (u16)         10 HPDA (u8, 0's based dwords)   11 DGST (bit0 HDGST_ENABLE, bit1 DDGST_ENABLE)
 *  12  MAXR2T (u32, 0's based)
 *  16..127 reserved
 * </pre>
 */
public final class IcReqPdu extends CommonHeader
{
    public static final int LENGTH = 128;
    public static final int PFV_OFFSET = 8;
    public static final int HPDA_OFFSET = 10;
    public static final int DGST_OFFSET = 11;
    public static final int MAXR2T_OFFSET = 12;

    public static final int DGST_HDGST_ENABLE = 0x01;
    public static final int DGST_DDGST_ENABLE = 0x02;

    @Override
    public IcReqPdu wrap(final ByteBuffer buffer, final int offset)
    {
        super.wrap(buffer, offset);
        return this;
    }

    /** Write a complete ICReq: zeroes the reserved bytes and fills the common header. */
    public IcReqPdu encode(final int hpda, final boolean hdgst, final boolean ddgst, final long maxr2t)
    {
        clear(LENGTH);
        header(PduType.IC_REQ, 0, 0, LENGTH);
        pfv(0);
        hpda(hpda);
        dgst((hdgst ? DGST_HDGST_ENABLE : 0) | (ddgst ? DGST_DDGST_ENABLE : 0));
        maxr2t(maxr2t);
        return this;
    }

    public int pfv()
    {
        return getU16(PFV_OFFSET);
    }

    public IcReqPdu pfv(final int pfv)
    {
        putU16(PFV_OFFSET, pfv);
        return this;
    }

    public int hpda()
    {
        return buffer.get(offset + HPDA_OFFSET) & 0xFF;
    }

    public IcReqPdu hpda(final int hpda)
    {
        buffer.put(offset + HPDA_OFFSET, (byte)hpda);
        return this;
    }

    public int dgst()
    {
        return buffer.get(offset + DGST_OFFSET) & 0xFF;
    }

    public IcReqPdu dgst(final int dgst)
    {
        buffer.put(offset + DGST_OFFSET, (byte)dgst);
        return this;
    }

    /** @return MAXR2T, 0's based: the number of outstanding R2Ts the host accepts per command minus one. */
    public long maxr2t()
    {
        return getU32(MAXR2T_OFFSET);
    }

    public IcReqPdu maxr2t(final long maxr2t)
    {
        putU32(MAXR2T_OFFSET, maxr2t);
        return this;
    }
}
