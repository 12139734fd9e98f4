package org.nvmeof4j.protocol.pdu;

/**
 * NVMe/TCP PDU types (NVMe/TCP Transport Specification 3.6.1), each with its fixed header length (HLEN).
 *
 * <p>0x08 is undefined; {@link #valueOf(int)} returns {@code null} for it and for every code above 0x09.
 */
public enum PduType
{
    IC_REQ(0x00, 128),
    IC_RESP(0x01, 128),
    H2C_TERM_REQ(0x02, 24),
    C2H_TERM_REQ(0x03, 24),
    CAPSULE_CMD(0x04, 72),
    CAPSULE_RESP(0x05, 24),
    H2C_DATA(0x06, 24),
    C2H_DATA(0x07, 24),
    R2T(0x09, 24);

    private static final PduType[] BY_CODE = new PduType[16];

    static
    {
        for (final PduType t : values())
        {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final int hlen;

    PduType(final int code, final int hlen)
    {
        this.code = code;
        this.hlen = hlen;
    }

    /** @return the wire value of the PDU-Type field. */
    public int code()
    {
        return code;
    }

    /** @return the header length (without header digest) every PDU of this type must carry in HLEN. */
    public int hlen()
    {
        return hlen;
    }

    /** @return whether a header digest follows this type's header when header digests were negotiated. */
    public boolean mayCarryHeaderDigest()
    {
        return code >= 0x04;
    }

    /** @return whether PDUs of this type may carry PDU data (and so a data digest when negotiated). */
    public boolean mayCarryData()
    {
        return this == CAPSULE_CMD || this == H2C_DATA || this == C2H_DATA;
    }

    /** @return whether a host sends this type (as opposed to a controller). */
    public boolean isHostToController()
    {
        return this == IC_REQ || this == H2C_TERM_REQ || this == CAPSULE_CMD || this == H2C_DATA;
    }

    /**
     * @param code PDU-Type byte from the wire (0..255).
     * @return the type, or {@code null} if the code is not a defined PDU type.
     */
    public static PduType valueOf(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
