package org.nvmeof4j.protocol.pdu;

import java.nio.ByteBuffer;

/**
 * H2CTermReq / C2HTermReq: connection termination request (NVMe/TCP 3.6.2.4 and 3.6.2.5), HLEN 24.
 *
 * <pre>
 *  0   CH (type 0x02 or 0x03, HLEN 24, PDO 0, PLEN 24 + copied header length)
 *  8   FES (u16)   10 FEI (u32)   14..23 reserved
 *  24  copy of the offending PDU header, at most 128 bytes (PLEN at most 152)
 * </pre>
 */
public final class TermReqPdu extends CommonHeader
{
    public static final int HEADER_LENGTH = 24;
    public static final int FES_OFFSET = 8;
    public static final int FEI_OFFSET = 10;
    public static final int DATA_OFFSET = 24;
    /** Most bytes of the offending PDU header that a TermReq carries. */
    public static final int MAX_COPIED_HEADER = 128;
    public static final int MAX_LENGTH = HEADER_LENGTH + MAX_COPIED_HEADER;

    @Override
    public TermReqPdu wrap(final ByteBuffer buffer, final int offset)
    {
        super.wrap(buffer, offset);
        return this;
    }

    /**
     * Write a complete TermReq.
     *
     * @param type        {@link PduType#H2C_TERM_REQ} (host sends) or {@link PduType#C2H_TERM_REQ}.
     * @param fes         the fatal error status.
     * @param fei         field error information (an offset for FES 0x01 and 0x06, else 0).
     * @param offending   buffer holding the offending header, may be null.
     * @param hdrOffset   where the offending header starts in {@code offending}.
     * @param hdrLength   how many header bytes are available; at most 128 are copied.
     * @return the PDU's total length (PLEN).
     */
    public int encode(
        final PduType type, final Fes fes, final long fei, final ByteBuffer offending, final int hdrOffset,
        final int hdrLength)
    {
        final int copy = offending == null ? 0 : Math.max(0, Math.min(MAX_COPIED_HEADER, hdrLength));
        clear(HEADER_LENGTH);
        header(type, 0, 0, HEADER_LENGTH + copy);
        fes(fes.code());
        fei(fei);
        for (int i = 0; i < copy; i++)
        {
            buffer.put(offset + DATA_OFFSET + i, offending.get(hdrOffset + i));
        }
        return HEADER_LENGTH + copy;
    }

    public int fes()
    {
        return getU16(FES_OFFSET);
    }

    public TermReqPdu fes(final int fes)
    {
        putU16(FES_OFFSET, fes);
        return this;
    }

    public long fei()
    {
        return getU32(FEI_OFFSET);
    }

    public TermReqPdu fei(final long fei)
    {
        putU32(FEI_OFFSET, fei);
        return this;
    }
}
