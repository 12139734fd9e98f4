package org.nvmeof4j.protocol.auth;

import java.nio.ByteBuffer;

/**
 * DH-HMAC-CHAP_Reply (NVMe Base 2.0, 8.13.5.4; Linux {@code struct nvmf_auth_dhchap_reply_data}): the host's
 * response R1, its challenge C2 to the controller for bidirectional authentication (CVALID set, SEQNUM = S2) and,
 * with a DH group, the host's public value; sent by Authentication Send.
 *
 * <pre>
 *  +---------------+---------------+-------------------------------+
 *  | AUTH_TYPE = 1 | AUTH_ID = 2   |           reserved            |  0
 *  +---------------+---------------+---------------+---------------+
 *  |             T_ID              |      HL       |   reserved    |  4
 *  +---------------+---------------+---------------+---------------+
 *  |    CVALID     |   reserved    |            DHVLEN             |  8
 *  +---------------+---------------+-------------------------------+
 *  |                     SEQNUM (S2, u32)                          | 12
 *  +---------------------------------------------------------------+
 *  |  R1 (HL bytes) | C2 (HL bytes) | DH value (DHVLEN bytes)      | 16
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class DhchapReply extends AuthMessage {

    /** Fixed header length. */
    public static final int HEADER_LENGTH = 16;
    /** Byte offset of HL. */
    public static final int HL_OFFSET = 6;
    /** Byte offset of CVALID (bit 0: C2 is valid, the host wants the controller to authenticate too). */
    public static final int CVALID_OFFSET = 8;
    /** Byte offset of DHVLEN. */
    public static final int DHVLEN_OFFSET = 10;
    /** Byte offset of SEQNUM (S2). */
    public static final int SEQNUM_OFFSET = 12;
    /** Byte offset of the response value. */
    public static final int RVAL_OFFSET = 16;

    /** Points at a message of {@code available} bytes. */
    public DhchapReply wrap(final ByteBuffer buffer, final int offset, final int available) {
        wrapMessage(buffer, offset, available);
        return this;
    }

    @Override
    public int encodedLength() {
        return HEADER_LENGTH;
    }

    @Override
    public int messageLength() {
        return HEADER_LENGTH + 2 * hl() + dhvlen();
    }

    /** Length of a Reply with {@code hl}-byte values and a {@code dhvlen}-byte DH value. */
    public static int length(final int hl, final int dhvlen) {
        return HEADER_LENGTH + 2 * hl + dhvlen;
    }

    /**
     * Writes the whole message; {@code c2} null: unidirectional (CVALID 0, C2 zeroed, SEQNUM 0).
     */
    public DhchapReply encode(final int tid, final byte[] response, final byte[] c2, final long seqnum,
        final byte[] dhValue) {
        initHeader(TYPE_DHCHAP, ID_REPLY, tid);
        final int hl = response.length;
        u8(HL_OFFSET, hl);
        u8(CVALID_OFFSET, c2 != null ? 1 : 0);
        u16(DHVLEN_OFFSET, dhValue.length);
        u32(SEQNUM_OFFSET, c2 != null ? seqnum : 0);
        bytes(RVAL_OFFSET, response);
        bytes(RVAL_OFFSET + hl, c2 != null ? c2 : new byte[hl]);
        bytes(RVAL_OFFSET + 2 * hl, dhValue);
        return this;
    }

    /** HL. */
    public int hl() {
        return u8(HL_OFFSET);
    }

    /** Whether CVALID says C2 is valid. */
    public boolean cvalid() {
        return (u8(CVALID_OFFSET) & 1) != 0;
    }

    /** DHVLEN. */
    public int dhvlen() {
        return u16(DHVLEN_OFFSET);
    }

    /** SEQNUM (S2). */
    public long seqnum() {
        return u32(SEQNUM_OFFSET);
    }

    /** A copy of R1. */
    public byte[] response() {
        return bytes(RVAL_OFFSET, hl());
    }

    /** A copy of C2. */
    public byte[] challenge() {
        return bytes(RVAL_OFFSET + hl(), hl());
    }

    /** A copy of the host's DH value. */
    public byte[] dhValue() {
        return bytes(RVAL_OFFSET + 2 * hl(), dhvlen());
    }
}
