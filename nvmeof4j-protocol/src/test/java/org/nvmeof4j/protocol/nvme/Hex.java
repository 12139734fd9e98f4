package org.nvmeof4j.protocol.nvme;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/** Test helpers for golden byte vectors. */
public final class Hex {

    private Hex() {
    }

    /** Bytes from hex text; whitespace, '|' and '_' are ignored. */
    public static byte[] bytes(final String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("[\\s|_]", ""));
    }

    /** Hex of {@code length} bytes at {@code index} of {@code buffer} (absolute, no position change). */
    public static String of(final ByteBuffer buffer, final int index, final int length) {
        final byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = buffer.get(index + i);
        }
        return HexFormat.of().formatHex(b);
    }

    /** Hex of {@code bytes}. */
    public static String of(final byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** Normalised hex (lower case, separators removed). */
    public static String norm(final String hex) {
        return hex.replaceAll("[\\s|_]", "").toLowerCase();
    }
}
