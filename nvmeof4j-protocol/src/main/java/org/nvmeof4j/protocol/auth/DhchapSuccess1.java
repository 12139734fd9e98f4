package org.nvmeof4j.protocol.auth;

import java.nio.ByteBuffer;

/**
 * DH-HMAC-CHAP_Success1 (NVMe Base 2.0, 8.13.5.5; Linux {@code struct nvmf_auth_dhchap_success1_data}): the
 * controller accepted the host's response; with RVALID set it carries its own response R2 to C2.
 *
 * <pre>
 *  +---------------+---------------+-------------------------------+
 *  | AUTH_TYPE = 1 | AUTH_ID = 3   |           reserved            |  0
 *  +---------------+---------------+---------------+---------------+
 *  |             T_ID              |      HL       |   reserved    |  4
 *  +---------------+---------------+---------------+---------------+
 *  |    RVALID     |              reserved (7 bytes)               |  8
 *  +---------------+-----------------------------------------------+
 *  |  R2 (HL bytes, when RVALID)                                   | 16
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class DhchapSuccess1 extends AuthMessage {

    /** Fixed header length. */
    public static final int HEADER_LENGTH = 16;
    /** Byte offset of HL. */
    public static final int HL_OFFSET = 6;
    /** Byte offset of RVALID. */
    public static final int RVALID_OFFSET = 8;
    /** Byte offset of R2. */
    public static final int RVAL_OFFSET = 16;

    /** Points at a message of {@code available} bytes. */
    public DhchapSuccess1 wrap(final ByteBuffer buffer, final int offset, final int available) {
        wrapMessage(buffer, offset, available);
        return this;
    }

    @Override
    public int encodedLength() {
        return HEADER_LENGTH;
    }

    @Override
    public int messageLength() {
        return HEADER_LENGTH + (rvalid() ? hl() : 0);
    }

    /** Length of a Success1 (HL bytes of R2 when bidirectional). */
    public static int length(final int hl, final boolean rvalid) {
        return HEADER_LENGTH + (rvalid ? hl : 0);
    }

    /** Writes the message; {@code r2} null: unidirectional. */
    public DhchapSuccess1 encode(final int tid, final int hl, final byte[] r2) {
        initHeader(TYPE_DHCHAP, ID_SUCCESS1, tid);
        u8(HL_OFFSET, hl);
        if (r2 != null) {
            u8(RVALID_OFFSET, 1);
            bytes(RVAL_OFFSET, r2);
        }
        return this;
    }

    /** HL. */
    public int hl() {
        return u8(HL_OFFSET);
    }

    /** RVALID. */
    public boolean rvalid() {
        return (u8(RVALID_OFFSET) & 1) != 0;
    }

    /** A copy of R2. */
    public byte[] response() {
        return bytes(RVAL_OFFSET, hl());
    }
}
