package org.nvmeof4j.protocol.pdu;

/**
 * Fatal Error Status carried by H2CTermReq / C2HTermReq (NVMe/TCP 3.6.2.4, 3.6.2.5).
 */
public enum Fes
{
    /** FEI is the byte offset of the offending header field. */
    INVALID_HEADER_FIELD(0x01),
    /** A PDU arrived that the protocol state does not allow. */
    PDU_SEQUENCE_ERROR(0x02),
    /** The header digest did not match. */
    HEADER_DIGEST_ERROR(0x03),
    /** DATAO/DATAL (or R2TO/R2TL) outside the command's data. */
    DATA_TRANSFER_OUT_OF_RANGE(0x04),
    /** Too many R2Ts outstanding, or more data than MAXH2CDATA / the in-capsule limit. */
    DATA_TRANSFER_LIMIT_EXCEEDED(0x05),
    /** FEI is the byte offset of the unsupported parameter (e.g. PFV, HPDA). */
    UNSUPPORTED_PARAMETER(0x06);

    private final int code;

    Fes(final int code)
    {
        this.code = code;
    }

    /** @return the wire value. */
    public int code()
    {
        return code;
    }

    /** @return the constant for a wire value, or {@code null} when it is reserved. */
    public static Fes valueOf(final int code)
    {
        for (final Fes f : values())
        {
            if (f.code == code)
            {
                return f;
            }
        }
        return null;
    }

    /** @return whether the FEI of this status names a byte offset (otherwise it is 0). */
    public boolean feiIsOffset()
    {
        return this == INVALID_HEADER_FIELD || this == UNSUPPORTED_PARAMETER;
    }
}
