package org.nvmeof4j.protocol.auth;

import java.nio.ByteBuffer;

/**
 * DH-HMAC-CHAP_Challenge (NVMe Base 2.0, 8.13.5.3; Linux {@code struct nvmf_auth_dhchap_challenge_data}): the
 * controller's challenge C1 and, with a DH group, its public value, returned by Authentication Receive.
 *
 * <pre>
 *  +---------------+---------------+-------------------------------+
 *  | AUTH_TYPE = 1 | AUTH_ID = 1   |           reserved            |  0
 *  +---------------+---------------+---------------+---------------+
 *  |             T_ID              |      HL       |   reserved    |  4
 *  +---------------+---------------+---------------+---------------+
 *  |    HASHID     |     DHGID     |            DHVLEN             |  8
 *  +---------------+---------------+-------------------------------+
 *  |                     SEQNUM (S1, u32)                          | 12
 *  +---------------------------------------------------------------+
 *  |  C1 (HL bytes) | DH value (DHVLEN bytes)                      | 16
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class DhchapChallenge extends AuthMessage {

    /** Fixed header length. */
    public static final int HEADER_LENGTH = 16;
    /** Byte offset of HL, the hash length. */
    public static final int HL_OFFSET = 6;
    /** Byte offset of HASHID. */
    public static final int HASHID_OFFSET = 8;
    /** Byte offset of DHGID. */
    public static final int DHGID_OFFSET = 9;
    /** Byte offset of DHVLEN. */
    public static final int DHVLEN_OFFSET = 10;
    /** Byte offset of SEQNUM. */
    public static final int SEQNUM_OFFSET = 12;
    /** Byte offset of the challenge value. */
    public static final int CVAL_OFFSET = 16;

    /** Points at a message of {@code available} bytes. */
    public DhchapChallenge wrap(final ByteBuffer buffer, final int offset, final int available) {
        wrapMessage(buffer, offset, available);
        return this;
    }

    @Override
    public int encodedLength() {
        return HEADER_LENGTH;
    }

    @Override
    public int messageLength() {
        return HEADER_LENGTH + hl() + dhvlen();
    }

    /** Length of a Challenge with an {@code hl}-byte challenge and a {@code dhvlen}-byte DH value. */
    public static int length(final int hl, final int dhvlen) {
        return HEADER_LENGTH + hl + dhvlen;
    }

    /** Writes the whole message (the buffer must hold {@link #length(int, int)} bytes). */
    public DhchapChallenge encode(final int tid, final int hashId, final int dhgid, final long seqnum,
        final byte[] c1, final byte[] dhValue) {
        initHeader(TYPE_DHCHAP, ID_CHALLENGE, tid);
        u8(HL_OFFSET, c1.length);
        u8(HASHID_OFFSET, hashId);
        u8(DHGID_OFFSET, dhgid);
        u16(DHVLEN_OFFSET, dhValue.length);
        u32(SEQNUM_OFFSET, seqnum);
        bytes(CVAL_OFFSET, c1);
        bytes(CVAL_OFFSET + c1.length, dhValue);
        return this;
    }

    /** HL. */
    public int hl() {
        return u8(HL_OFFSET);
    }

    /** HASHID. */
    public int hashId() {
        return u8(HASHID_OFFSET);
    }

    /** DHGID. */
    public int dhgid() {
        return u8(DHGID_OFFSET);
    }

    /** DHVLEN. */
    public int dhvlen() {
        return u16(DHVLEN_OFFSET);
    }

    /** SEQNUM (S1). */
    public long seqnum() {
        return u32(SEQNUM_OFFSET);
    }

    /** A copy of C1 (complete messages only). */
    public byte[] challenge() {
        return bytes(CVAL_OFFSET, hl());
    }

    /** A copy of the controller's DH value (complete messages only). */
    public byte[] dhValue() {
        return bytes(CVAL_OFFSET + hl(), dhvlen());
    }
}
