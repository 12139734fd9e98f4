package org.nvmeof4j.protocol.auth;

import java.nio.ByteBuffer;

import org.nvmeof4j.protocol.nvme.Flyweight;

/**
 * Base of the in-band authentication message flyweights (NVMe Base 2.0, 8.13.5; Linux {@code struct
 * nvmf_auth_dhchap_*_data}): the payload of an Authentication Send (host to controller) or the data of an
 * Authentication Receive (controller to host), SECP 0xE9.
 *
 * <p>Every message starts with the same 6 bytes:
 *
 * <pre>
 *   0               1               2               3
 *  +---------------+---------------+-------------------------------+
 *  |   AUTH_TYPE   |    AUTH_ID    |           reserved            |  0
 *  +---------------+---------------+-------------------------------+
 *  |             T_ID              |   (message specific)          |  4
 *  +-------------------------------+-------------------------------+
 * </pre>
 *
 * <p>Messages have a fixed header ({@link #encodedLength()}) and a variable tail whose size the header gives. A
 * flyweight is wrapped over {@code available} bytes, the bytes the peer actually transferred; {@link #isComplete()}
 * says whether the tail the header announces fits in them, and must be checked before any tail accessor is used on
 * bytes from the wire.
 */
public abstract class AuthMessage extends Flyweight {

    /** SECP of NVMe in-band authentication. */
    public static final int SECP = 0xE9;
    /** SPSP0 and SPSP1 of a DH-HMAC-CHAP message (Linux sets both to 0x01). */
    public static final int SPSP = 0x01;

    /** AUTH_TYPE of the common messages (Negotiate, Failure1, Failure2). */
    public static final int TYPE_COMMON = 0x00;
    /** AUTH_TYPE of the DH-HMAC-CHAP messages (Challenge, Reply, Success1, Success2). */
    public static final int TYPE_DHCHAP = 0x01;

    /** AUTH_ID: AUTH_Negotiate. */
    public static final int ID_NEGOTIATE = 0x00;
    /** AUTH_ID: DH-HMAC-CHAP_Challenge. */
    public static final int ID_CHALLENGE = 0x01;
    /** AUTH_ID: DH-HMAC-CHAP_Reply. */
    public static final int ID_REPLY = 0x02;
    /** AUTH_ID: DH-HMAC-CHAP_Success1. */
    public static final int ID_SUCCESS1 = 0x03;
    /** AUTH_ID: DH-HMAC-CHAP_Success2. */
    public static final int ID_SUCCESS2 = 0x04;
    /** AUTH_ID: AUTH_Failure2 (host to controller). */
    public static final int ID_FAILURE2 = 0xF0;
    /** AUTH_ID: AUTH_Failure1 (controller to host). */
    public static final int ID_FAILURE1 = 0xF1;

    /** Byte offset of AUTH_TYPE. */
    public static final int AUTH_TYPE_OFFSET = 0;
    /** Byte offset of AUTH_ID. */
    public static final int AUTH_ID_OFFSET = 1;
    /** Byte offset of T_ID, the transaction identifier. */
    public static final int T_ID_OFFSET = 4;

    /** Bytes the peer transferred from {@link #offset()} on. */
    protected int available;

    /**
     * Points this flyweight at a message of {@code available} bytes at {@code offset} of {@code buffer}.
     *
     * @throws IndexOutOfBoundsException if the fixed header does not fit, in the buffer or in {@code available}
     */
    protected final void wrapMessage(final ByteBuffer buffer, final int offset, final int available) {
        if (available < encodedLength()) {
            throw new IndexOutOfBoundsException("message of " + available + " bytes, header is " + encodedLength());
        }
        wrapBuffer(buffer, offset);
        if (offset + available > buffer.limit()) {
            throw new IndexOutOfBoundsException("message of " + available + " bytes beyond the buffer's limit");
        }
        this.available = available;
    }

    /** The whole length of the message as its header describes it. */
    public abstract int messageLength();

    /** Whether the bytes transferred hold the whole message the header describes. */
    public final boolean isComplete() {
        return messageLength() <= available;
    }

    /** The bytes transferred. */
    public final int available() {
        return available;
    }

    /** AUTH_TYPE. */
    public final int authType() {
        return u8(AUTH_TYPE_OFFSET);
    }

    /** AUTH_ID. */
    public final int authId() {
        return u8(AUTH_ID_OFFSET);
    }

    /** T_ID. */
    public final int tid() {
        return u16(T_ID_OFFSET);
    }

    /** Zeroes the message's header and writes AUTH_TYPE, AUTH_ID and T_ID. */
    protected final void initHeader(final int type, final int id, final int tid) {
        zero();
        u8(AUTH_TYPE_OFFSET, type);
        u8(AUTH_ID_OFFSET, id);
        u16(T_ID_OFFSET, tid);
    }

    /** Copies {@code length} bytes at {@code field} of the message into a new array. */
    protected final byte[] bytes(final int field, final int length) {
        final byte[] out = new byte[length];
        buffer.get(offset + field, out);
        return out;
    }

    /** Writes {@code value} at {@code field} of the message. */
    protected final void bytes(final int field, final byte[] value) {
        buffer.put(offset + field, value);
    }

    /** AUTH_TYPE and AUTH_ID of the message at {@code offset} of {@code buffer}, as {@code type << 8 | id}. */
    public static int kind(final ByteBuffer buffer, final int offset) {
        return (buffer.get(offset + AUTH_TYPE_OFFSET) & 0xFF) << 8 | buffer.get(offset + AUTH_ID_OFFSET) & 0xFF;
    }

    /** The name of a message kind from {@link #kind}. */
    public static String name(final int kind) {
        switch (kind) {
            case TYPE_COMMON << 8 | ID_NEGOTIATE: return "AUTH_Negotiate";
            case TYPE_DHCHAP << 8 | ID_CHALLENGE: return "DH-HMAC-CHAP_Challenge";
            case TYPE_DHCHAP << 8 | ID_REPLY: return "DH-HMAC-CHAP_Reply";
            case TYPE_DHCHAP << 8 | ID_SUCCESS1: return "DH-HMAC-CHAP_Success1";
            case TYPE_DHCHAP << 8 | ID_SUCCESS2: return "DH-HMAC-CHAP_Success2";
            case TYPE_COMMON << 8 | ID_FAILURE1: return "AUTH_Failure1";
            case TYPE_COMMON << 8 | ID_FAILURE2: return "AUTH_Failure2";
            default: return "unknown auth message 0x" + Integer.toHexString(kind);
        }
    }
}
