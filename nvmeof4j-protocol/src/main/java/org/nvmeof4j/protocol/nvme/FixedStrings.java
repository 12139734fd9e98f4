package org.nvmeof4j.protocol.nvme;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Fixed-width ASCII string fields as NVMe structures carry them.
 *
 * <p>Two paddings exist: <em>space padded</em> (Identify Controller SN/MN/FR, NVMe Base 2.0 section 5.17.2.1; discovery
 * TRSVCID/TRADDR, which Linux and SPDK also pad with spaces) and <em>NUL padded</em> (NQN fields, handled by
 * {@code org.nvmeof4j.protocol.fabrics.Nqn}). Readers are lenient: they stop at the first NUL, drop trailing spaces and
 * map every byte outside printable ASCII to {@code '?'}, so a peer's garbage can be logged but never throws. Writers
 * are strict: a value that is too long or not printable ASCII is a programming error and throws
 * {@link IllegalArgumentException}.
 */
public final class FixedStrings {

    private FixedStrings() {
    }

    /**
     * Reads an ASCII field of {@code length} bytes: up to the first NUL, trailing spaces removed, non-printable bytes
     * shown as {@code '?'}. Allocates the returned string.
     */
    public static String readAscii(final ByteBuffer buffer, final int index, final int length) {
        int end = 0;
        while (end < length && buffer.get(index + end) != 0) {
            end++;
        }
        while (end > 0 && buffer.get(index + end - 1) == ' ') {
            end--;
        }
        final byte[] bytes = new byte[end];
        for (int i = 0; i < end; i++) {
            final byte b = buffer.get(index + i);
            bytes[i] = b >= 0x20 && b < 0x7F ? b : (byte) '?';
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /**
     * Writes {@code value} as ASCII and pads the rest of the {@code length}-byte field with {@code pad} (a space or
     * NUL).
     *
     * @throws IllegalArgumentException if {@code value} is longer than the field or has a character outside
     *                                  printable ASCII (0x20..0x7E)
     */
    public static void writeAscii(final ByteBuffer buffer, final int index, final int length, final CharSequence value,
                                  final byte pad) {
        final int n = value.length();
        if (n > length) {
            throw new IllegalArgumentException("value longer than " + length + " bytes: " + value);
        }
        for (int i = 0; i < n; i++) {
            final char c = value.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                throw new IllegalArgumentException("not printable ASCII at " + i + ": " + value);
            }
        }
        for (int i = 0; i < n; i++) {
            buffer.put(index + i, (byte) value.charAt(i));
        }
        LittleEndian.fill(buffer, index + n, length - n, pad);
    }

    /** Writes {@code value} space padded, see {@link #writeAscii(ByteBuffer, int, int, CharSequence, byte)}. */
    public static void writeSpacePadded(final ByteBuffer buffer, final int index, final int length,
                                        final CharSequence value) {
        writeAscii(buffer, index, length, value, (byte) ' ');
    }
}
