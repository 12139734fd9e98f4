package org.nvmeof4j.protocol.auth;

import java.nio.ByteBuffer;

/**
 * AUTH_Negotiate (NVMe Base 2.0, 8.13.5.2; Linux {@code struct nvmf_auth_dhchap_negotiate_data} and
 * {@code nvmf_auth_dhchap_protocol_descriptor}): the host's offer, sent by Authentication Send.
 *
 * <pre>
 *  +---------------+---------------+-------------------------------+
 *  | AUTH_TYPE = 0 | AUTH_ID = 0   |           reserved            |  0
 *  +---------------+---------------+---------------+---------------+
 *  |             T_ID              |     SC_C      |     NAPD      |  4
 *  +---------------+---------------+---------------+---------------+
 *  NAPD protocol descriptors of 64 bytes each, from byte 8:
 *  +---------------+---------------+---------------+---------------+
 *  | AUTHID = 1    |   reserved    |     HALEN     |     DHLEN     |  +0
 *  +---------------+---------------+---------------+---------------+
 *  |  hash IDs (30 bytes, HALEN used) | DH group IDs (30 bytes, DHLEN used) |  +4 .. +63
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class AuthNegotiate extends AuthMessage {

    /** Fixed header length. */
    public static final int HEADER_LENGTH = 8;
    /** Length of one protocol descriptor. */
    public static final int DESCRIPTOR_LENGTH = 64;
    /** AUTHID of the DH-HMAC-CHAP protocol descriptor. */
    public static final int AUTHID_DHCHAP = 0x01;
    /** Most hash IDs / DH group IDs in a descriptor. */
    public static final int MAX_IDS = 30;

    /** Byte offset of SC_C, secure channel concatenation (0: none). */
    public static final int SC_C_OFFSET = 6;
    /** Byte offset of NAPD, the number of protocol descriptors. */
    public static final int NAPD_OFFSET = 7;
    /** Descriptor: offset of AUTHID. */
    public static final int D_AUTHID = 0;
    /** Descriptor: offset of HALEN. */
    public static final int D_HALEN = 2;
    /** Descriptor: offset of DHLEN. */
    public static final int D_DHLEN = 3;
    /** Descriptor: offset of the hash ID list. */
    public static final int D_HASH_IDS = 4;
    /** Descriptor: offset of the DH group ID list. */
    public static final int D_DH_IDS = 4 + MAX_IDS;

    /** Points at a received message of {@code available} bytes. */
    public AuthNegotiate wrap(final ByteBuffer buffer, final int offset, final int available) {
        wrapMessage(buffer, offset, available);
        return this;
    }

    @Override
    public int encodedLength() {
        return HEADER_LENGTH;
    }

    @Override
    public int messageLength() {
        return HEADER_LENGTH + DESCRIPTOR_LENGTH * napd();
    }

    /** Length of a Negotiate with one DH-HMAC-CHAP descriptor. */
    public static int length() {
        return HEADER_LENGTH + DESCRIPTOR_LENGTH;
    }

    /**
     * Writes a Negotiate with one DH-HMAC-CHAP descriptor listing {@code hashIds} and {@code dhIds}.
     *
     * @throws IllegalArgumentException with more than 30 IDs of a kind
     */
    public AuthNegotiate encode(final int tid, final int scC, final byte[] hashIds, final byte[] dhIds) {
        if (hashIds.length > MAX_IDS || dhIds.length > MAX_IDS) {
            throw new IllegalArgumentException("at most 30 hash and 30 DH group IDs");
        }
        initHeader(TYPE_COMMON, ID_NEGOTIATE, tid);
        u8(SC_C_OFFSET, scC);
        u8(NAPD_OFFSET, 1);
        for (int i = 0; i < DESCRIPTOR_LENGTH; i++) {
            u8(HEADER_LENGTH + i, 0);
        }
        final int d = HEADER_LENGTH;
        u8(d + D_AUTHID, AUTHID_DHCHAP);
        u8(d + D_HALEN, hashIds.length);
        u8(d + D_DHLEN, dhIds.length);
        bytes(d + D_HASH_IDS, hashIds);
        bytes(d + D_DH_IDS, dhIds);
        return this;
    }

    /** SC_C. */
    public int scC() {
        return u8(SC_C_OFFSET);
    }

    /** NAPD. */
    public int napd() {
        return u8(NAPD_OFFSET);
    }

    /** AUTHID of descriptor {@code i}. */
    public int authId(final int i) {
        return u8(HEADER_LENGTH + DESCRIPTOR_LENGTH * i + D_AUTHID);
    }

    /** HALEN of descriptor {@code i}, capped at 30. */
    public int halen(final int i) {
        return Math.min(MAX_IDS, u8(HEADER_LENGTH + DESCRIPTOR_LENGTH * i + D_HALEN));
    }

    /** DHLEN of descriptor {@code i}, capped at 30. */
    public int dhlen(final int i) {
        return Math.min(MAX_IDS, u8(HEADER_LENGTH + DESCRIPTOR_LENGTH * i + D_DHLEN));
    }

    /** Hash ID {@code j} of descriptor {@code i}. */
    public int hashId(final int i, final int j) {
        return u8(HEADER_LENGTH + DESCRIPTOR_LENGTH * i + D_HASH_IDS + j);
    }

    /** DH group ID {@code j} of descriptor {@code i}. */
    public int dhId(final int i, final int j) {
        return u8(HEADER_LENGTH + DESCRIPTOR_LENGTH * i + D_DH_IDS + j);
    }

    /** The index of the first DH-HMAC-CHAP descriptor, or -1 (call on a complete message only). */
    public int dhchapDescriptor() {
        for (int i = 0; i < napd(); i++) {
            if (authId(i) == AUTHID_DHCHAP) {
                return i;
            }
        }
        return -1;
    }

    /** Whether descriptor {@code i} lists hash {@code id}. */
    public boolean offersHash(final int i, final int id) {
        for (int j = 0; j < halen(i); j++) {
            if (hashId(i, j) == id) {
                return true;
            }
        }
        return false;
    }

    /** Whether descriptor {@code i} lists DH group {@code id}. */
    public boolean offersDhGroup(final int i, final int id) {
        for (int j = 0; j < dhlen(i); j++) {
            if (dhId(i, j) == id) {
                return true;
            }
        }
        return false;
    }
}
