package org.nvmeof4j.protocol.fabrics;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

import org.nvmeof4j.protocol.nvme.LittleEndian;

/**
 * NVMe Qualified Names in fixed-size, NUL-terminated and NUL-padded fields.
 *
 * <p>An NQN is a UTF-8 string (RFC 3629) of at most 223 bytes, NUL-terminated when stored in a field (NVMe Base 2.0,
 * section 4.5 "NVMe Qualified Names"; NVMe Base 1.4, section 7.9). Fields are 256 bytes in Connect data (SUBNQN,
 * HOSTNQN), the Identify Controller data (SUBNQN) and discovery log entries (SUBNQN). The spec is ambiguous whether
 * the 223 bytes include the terminator: this class accepts up to 223 bytes before the NUL; Linux ({@code nvme connect},
 * {@code strlen >= NVMF_NQN_SIZE} is rejected) and SPDK cap names at 222 bytes, so names this stack generates should
 * stay at or below 222 to interoperate.
 *
 * <p>Readers never throw on peer data: {@link #check} reports what is wrong, {@link #read} decodes leniently (to the
 * first NUL or the end of the field, malformed UTF-8 replaced by U+FFFD). {@link #check} and {@link #matches} do not
 * allocate. Writers are strict and throw {@link IllegalArgumentException} for a value that is not a valid NQN.
 */
public final class Nqn {

    /** Most bytes an NQN may have, not counting the NUL terminator. */
    public static final int MAX_LENGTH = 223;
    /** Size of the NQN fields of Connect data, Identify Controller and discovery log entries. */
    public static final int FIELD_LENGTH = 256;
    /** The well-known discovery subsystem NQN. */
    public static final String DISCOVERY = "nqn.2014-08.org.nvmexpress.discovery";
    /** Prefix of a UUID-based NQN (NVMe Base 2.0, section 4.5, second format). */
    public static final String UUID_PREFIX = "nqn.2014-08.org.nvmexpress:uuid:";

    private Nqn() {
    }

    /** The UUID-based NQN {@code nqn.2014-08.org.nvmexpress:uuid:<uuid>} (the Linux default host NQN format). */
    public static String forUuid(final UUID uuid) {
        return UUID_PREFIX + uuid;
    }

    /**
     * Number of bytes before the first NUL of the {@code fieldLength}-byte field at {@code index}, or -1 when the
     * field has no NUL.
     */
    public static int length(final ByteBuffer buffer, final int index, final int fieldLength) {
        for (int i = 0; i < fieldLength; i++) {
            if (buffer.get(index + i) == 0) {
                return i;
            }
        }
        return -1;
    }

    /** Checks the NQN in the {@code fieldLength}-byte field at {@code index}; never throws for field contents. */
    public static NqnCheck check(final ByteBuffer buffer, final int index, final int fieldLength) {
        final int length = length(buffer, index, fieldLength);
        if (length < 0) {
            return NqnCheck.NOT_TERMINATED;
        }
        if (length == 0) {
            return NqnCheck.EMPTY;
        }
        if (length > MAX_LENGTH) {
            return NqnCheck.TOO_LONG;
        }
        return isWellFormedUtf8(buffer, index, length) ? NqnCheck.VALID : NqnCheck.INVALID_UTF8;
    }

    /** Checks a candidate NQN string (e.g. from configuration), using the same rules as for a received field. */
    public static NqnCheck check(final String nqn) {
        if (nqn.isEmpty()) {
            return NqnCheck.EMPTY;
        }
        if (nqn.indexOf('\0') >= 0) {
            return NqnCheck.INVALID_UTF8;
        }
        final byte[] utf8 = nqn.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > MAX_LENGTH) {
            return NqnCheck.TOO_LONG;
        }
        // lone surrogates encode as '?', so compare the round trip
        return new String(utf8, StandardCharsets.UTF_8).equals(nqn) ? NqnCheck.VALID : NqnCheck.INVALID_UTF8;
    }

    /**
     * Reads the NQN leniently: the bytes before the first NUL (or the whole field if there is none) decoded as UTF-8,
     * malformed sequences replaced by U+FFFD. Never throws for field contents; use {@link #check} to validate.
     * Allocates the returned string.
     */
    public static String read(final ByteBuffer buffer, final int index, final int fieldLength) {
        int length = length(buffer, index, fieldLength);
        if (length < 0) {
            length = fieldLength;
        }
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = buffer.get(index + i);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Writes {@code nqn} as UTF-8 into the {@code fieldLength}-byte field at {@code index} and NUL-pads the rest.
     *
     * @throws IllegalArgumentException if {@code nqn} is not {@link NqnCheck#VALID} or does not fit with its NUL
     */
    public static void write(final ByteBuffer buffer, final int index, final int fieldLength, final String nqn) {
        Objects.requireNonNull(nqn, "nqn");
        final NqnCheck check = check(nqn);
        if (check != NqnCheck.VALID) {
            throw new IllegalArgumentException("invalid NQN (" + check + "): " + nqn);
        }
        final byte[] utf8 = nqn.getBytes(StandardCharsets.UTF_8);
        if (utf8.length >= fieldLength) {
            throw new IllegalArgumentException("NQN does not fit a " + fieldLength + "-byte field: " + nqn);
        }
        for (int i = 0; i < utf8.length; i++) {
            buffer.put(index + i, utf8[i]);
        }
        LittleEndian.fill(buffer, index + utf8.length, fieldLength - utf8.length, 0);
    }

    /**
     * Whether the field holds exactly {@code utf8} followed by a NUL: a binary comparison as the spec requires, and
     * allocation-free so a target can match a Connect against its subsystems on the I/O thread.
     */
    public static boolean matches(final ByteBuffer buffer, final int index, final int fieldLength,
                                  final byte[] utf8) {
        if (utf8.length >= fieldLength) {
            return false;
        }
        for (int i = 0; i < utf8.length; i++) {
            if (buffer.get(index + i) != utf8[i]) {
                return false;
            }
        }
        return buffer.get(index + utf8.length) == 0;
    }

    /** Whether {@code length} bytes at {@code index} are well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
    static boolean isWellFormedUtf8(final ByteBuffer buffer, final int index, final int length) {
        int i = 0;
        while (i < length) {
            final int b0 = buffer.get(index + i) & 0xFF;
            if (b0 < 0x80) {
                i++;
                continue;
            }
            final int n;
            int lo = 0x80;
            int hi = 0xBF;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                n = 1;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                n = 2;
                if (b0 == 0xE0) {
                    lo = 0xA0;
                } else if (b0 == 0xED) {
                    hi = 0x9F;
                }
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                n = 3;
                if (b0 == 0xF0) {
                    lo = 0x90;
                } else if (b0 == 0xF4) {
                    hi = 0x8F;
                }
            } else {
                return false;
            }
            if (i + n >= length) { // truncated sequence
                return false;
            }
            final int b1 = buffer.get(index + i + 1) & 0xFF;
            if (b1 < lo || b1 > hi) {
                return false;
            }
            for (int k = 2; k <= n; k++) {
                final int b = buffer.get(index + i + k) & 0xFF;
                if (b < 0x80 || b > 0xBF) {
                    return false;
                }
            }
            i += n + 1;
        }
        return true;
    }
}
