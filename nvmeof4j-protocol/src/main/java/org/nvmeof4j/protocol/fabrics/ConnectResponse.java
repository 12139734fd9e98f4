package org.nvmeof4j.protocol.fabrics;

/**
 * Encoding of DW0 of a Connect response (NVMe over Fabrics 1.1, section 3.3, Figure "Connect Response"; NVMe Base
 * 2.0, section 6.3).
 *
 * <p>On success: CNTLID in bits 15:0, and AUTHREQ with ATR (bit 17, authentication required) and ASCR (bit 18,
 * secure channel concatenation required). On {@code CONNECT_INVALID_PARAMETERS}: IPO (offset of the invalid parameter)
 * in bits 15:0 and IATTR in bits 23:16, bit 16 set when the offset is into the Connect data, clear when into the SQE
 * (as Linux {@code IPO_IATTR_CONNECT_DATA} / {@code IPO_IATTR_CONNECT_SQE}).
 */
public final class ConnectResponse {

    /** DW0 bit 17: ATR, authentication required. */
    public static final int AUTHREQ_ATR = 1 << 17;
    /** DW0 bit 18: ASCR, secure channel concatenation required. */
    public static final int AUTHREQ_ASCR = 1 << 18;
    /** IATTR bit 0 (DW0 bit 16): the invalid parameter is in the Connect data, not the SQE. */
    public static final int IATTR_CONNECT_DATA = 1 << 16;

    private ConnectResponse() {
    }

    /** DW0 of a successful Connect: {@code cntlid} and the authentication requirement bits. */
    public static int success(final int cntlid, final boolean atr, final boolean ascr) {
        return (cntlid & 0xFFFF) | (atr ? AUTHREQ_ATR : 0) | (ascr ? AUTHREQ_ASCR : 0);
    }

    /** CNTLID from DW0 of a successful Connect. */
    public static int cntlid(final int dw0) {
        return dw0 & 0xFFFF;
    }

    /** Whether DW0 of a successful Connect says authentication is required (ATR). */
    public static boolean authenticationRequired(final int dw0) {
        return (dw0 & AUTHREQ_ATR) != 0;
    }

    /** Whether DW0 of a successful Connect says secure channel concatenation is required (ASCR). */
    public static boolean secureChannelConcatenationRequired(final int dw0) {
        return (dw0 & AUTHREQ_ASCR) != 0;
    }

    /**
     * DW0 for CONNECT_INVALID_PARAMETERS: IPO {@code offset} in bits 15:0, IATTR bit 0 set if the offset is into the
     * Connect data (e.g. {@link ConnectData#SUBNQN_OFFSET}), clear if into the SQE (e.g.
     * {@link FabricsCommand#QID_OFFSET}).
     */
    public static int invalidParameter(final boolean inConnectData, final int offset) {
        return (offset & 0xFFFF) | (inConnectData ? IATTR_CONNECT_DATA : 0);
    }

    /** IPO: offset of the invalid parameter. */
    public static int invalidParameterOffset(final int dw0) {
        return dw0 & 0xFFFF;
    }

    /** Whether IPO points into the Connect data (IATTR bit 0). */
    public static boolean invalidParameterInConnectData(final int dw0) {
        return (dw0 & IATTR_CONNECT_DATA) != 0;
    }
}
