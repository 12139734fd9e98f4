package org.nvmeof4j.protocol.pdu;

import java.nio.ByteBuffer;

/**
 * H2CData (type 0x06), C2HData (type 0x07) and R2T (type 0x09): the three 24-byte data-transfer headers
 * (NVMe/TCP 3.6.2.8, 3.6.2.9, 3.6.2.10). They share one layout; R2T names DATAO/DATAL R2TO/R2TL.
 *
 * <pre>
 *  0   CH
 *  8   CCCID (u16)   10 TTAG (u16; reserved in C2HData)
 *  12  DATAO / R2TO (u32)
 *  16  DATAL / R2TL (u32)
 *  20  reserved (u32)
 *  24  [HDGST]  [pad up to PDO]  [data]  [DDGST]   (no data for R2T)
 * </pre>
 */
public final class DataPdu extends CommonHeader
{
    public static final int HLEN = 24;
    public static final int CCCID_OFFSET = 8;
    public static final int TTAG_OFFSET = 10;
    public static final int DATAO_OFFSET = 12;
    public static final int DATAL_OFFSET = 16;
    public static final int R2TO_OFFSET = DATAO_OFFSET;
    public static final int R2TL_OFFSET = DATAL_OFFSET;

    @Override
    public DataPdu wrap(final ByteBuffer buffer, final int offset)
    {
        super.wrap(buffer, offset);
        return this;
    }

    /** Zero the 24-byte header and write CH + all fields. */
    public DataPdu encode(
        final PduType type, final int flags, final int pdo, final long plen, final int cccid, final int ttag,
        final long datao, final long datal)
    {
        clear(HLEN);
        header(type, flags, pdo, plen);
        cccid(cccid);
        ttag(ttag);
        datao(datao);
        datal(datal);
        return this;
    }

    public int cccid()
    {
        return getU16(CCCID_OFFSET);
    }

    public DataPdu cccid(final int cccid)
    {
        putU16(CCCID_OFFSET, cccid);
        return this;
    }

    public int ttag()
    {
        return getU16(TTAG_OFFSET);
    }

    public DataPdu ttag(final int ttag)
    {
        putU16(TTAG_OFFSET, ttag);
        return this;
    }

    public long datao()
    {
        return getU32(DATAO_OFFSET);
    }

    public DataPdu datao(final long datao)
    {
        putU32(DATAO_OFFSET, datao);
        return this;
    }

    public long datal()
    {
        return getU32(DATAL_OFFSET);
    }

    public DataPdu datal(final long datal)
    {
        putU32(DATAL_OFFSET, datal);
        return this;
    }

    /** R2T name for {@link #datao()}. */
    public long r2to()
    {
        return datao();
    }

    /** R2T name for {@link #datal()}. */
    public long r2tl()
    {
        return datal();
    }
}
