package org.nvmeof4j.protocol.auth;

import java.nio.ByteBuffer;

/**
 * DH-HMAC-CHAP_Success2 (NVMe Base 2.0, 8.13.5.6; Linux {@code struct nvmf_auth_dhchap_success2_data}): the host
 * accepted the controller's response R2 (bidirectional authentication only).
 *
 * <pre>
 *  +---------------+---------------+-------------------------------+
 *  | AUTH_TYPE = 1 | AUTH_ID = 4   |           reserved            |  0
 *  +---------------+---------------+-------------------------------+
 *  |             T_ID              |     reserved (10 bytes)       |  4
 *  +-------------------------------+-------------------------------+
 * </pre>
 */
public final class DhchapSuccess2 extends AuthMessage {

    /** Message length. */
    public static final int LENGTH = 16;

    /** Points at a message of {@code available} bytes. */
    public DhchapSuccess2 wrap(final ByteBuffer buffer, final int offset, final int available) {
        wrapMessage(buffer, offset, available);
        return this;
    }

    @Override
    public int encodedLength() {
        return LENGTH;
    }

    @Override
    public int messageLength() {
        return LENGTH;
    }

    /** Writes the message. */
    public DhchapSuccess2 encode(final int tid) {
        initHeader(TYPE_DHCHAP, ID_SUCCESS2, tid);
        return this;
    }
}
