package org.nvmeof4j.protocol.auth;

import java.nio.ByteBuffer;

/**
 * AUTH_Failure1 (controller to host) and AUTH_Failure2 (host to controller) (NVMe Base 2.0, 8.13.5.7; Linux
 * {@code struct nvmf_auth_dhchap_failure_data}).
 *
 * <pre>
 *  +---------------+---------------+-------------------------------+
 *  | AUTH_TYPE = 0 | AUTH_ID F1/F0 |           reserved            |  0
 *  +---------------+---------------+---------------+---------------+
 *  |             T_ID              |  REASON CODE  |  EXPLANATION  |  4
 *  +-------------------------------+---------------+---------------+
 * </pre>
 *
 * The reason code is {@link #REASON_FAILED} (01h), the explanation one of {@link AuthFailureReason}.
 */
public final class AuthFailure extends AuthMessage {

    /** Message length (Linux sends and expects 8 bytes). */
    public static final int LENGTH = 8;
    /** Byte offset of the reason code. */
    public static final int RESCODE_OFFSET = 6;
    /** Byte offset of the reason code explanation. */
    public static final int RESCODE_EXP_OFFSET = 7;
    /** The only defined reason code: authentication failure. */
    public static final int REASON_FAILED = 0x01;

    /** Points at a message of {@code available} bytes. */
    public AuthFailure wrap(final ByteBuffer buffer, final int offset, final int available) {
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

    /** Writes an AUTH_Failure1 ({@code failure1}) or AUTH_Failure2. */
    public AuthFailure encode(final boolean failure1, final int tid, final AuthFailureReason explanation) {
        initHeader(TYPE_COMMON, failure1 ? ID_FAILURE1 : ID_FAILURE2, tid);
        u8(RESCODE_OFFSET, REASON_FAILED);
        u8(RESCODE_EXP_OFFSET, explanation.code());
        return this;
    }

    /** Reason code. */
    public int rescode() {
        return u8(RESCODE_OFFSET);
    }

    /** Reason code explanation (see {@link AuthFailureReason#valueOf(int)}). */
    public int rescodeExp() {
        return u8(RESCODE_EXP_OFFSET);
    }
}
