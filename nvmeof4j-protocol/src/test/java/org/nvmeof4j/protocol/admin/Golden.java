package org.nvmeof4j.protocol.admin;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Hand-built golden structures: bytes placed at spec offsets without the code under test. */
final class Golden {

    private Golden() {
    }

    /** Puts {@code size} bytes of {@code value} little-endian at {@code off}. */
    static void le(final byte[] a, final int off, final long value, final int size) {
        for (int i = 0; i < size; i++) {
            a[off + i] = (byte) (value >>> (8 * i));
        }
    }

    /** Puts ASCII {@code s} at {@code off} and pads to {@code length} with {@code pad}. */
    static void ascii(final byte[] a, final int off, final int length, final String s, final char pad) {
        Arrays.fill(a, off, off + length, (byte) pad);
        final byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, a, off, b.length);
    }

    /** Puts raw bytes at {@code off}. */
    static void raw(final byte[] a, final int off, final byte[] b) {
        System.arraycopy(b, 0, a, off, b.length);
    }
}
