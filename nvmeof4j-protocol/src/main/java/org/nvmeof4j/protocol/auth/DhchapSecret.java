package org.nvmeof4j.protocol.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.CRC32;

import javax.crypto.Mac;

/**
 * A DH-HMAC-CHAP secret in its representation {@code DHHC-1:<hh>:<base64(key || crc32)>:} (NVMe Base 2.0,
 * 8.13.5.8; as {@code nvme gen-dhchap-key} writes it and Linux {@code nvme_auth_extract_key} reads it): {@code hh} is
 * the hash of the key transformation (00 none, 01 SHA-256, 02 SHA-384, 03 SHA-512), the key is 32, 48 or 64 bytes,
 * and the CRC-32 (IEEE, the zlib one) of the key follows it little-endian.
 *
 * <p>The key never leaves this object in printable form: {@link #toString()} says only the hash and length, and no
 * parse error repeats the input. {@link #format()} is the one way to get the representation back (for a key file).
 */
public final class DhchapSecret {

    private static final String PREFIX = "DHHC-1:";
    private static final byte[] TRANSFORM_SUFFIX = "NVMe-over-Fabrics".getBytes(StandardCharsets.US_ASCII);

    private final int hmacId;
    private final byte[] key;

    private DhchapSecret(final int hmacId, final byte[] key) {
        this.hmacId = hmacId;
        this.key = key;
    }

    /**
     * A secret from a raw key.
     *
     * @param hmacId 0 (no transformation) or a {@link AuthHash#id()}
     * @throws IllegalArgumentException for a key length other than 32, 48 or 64, or one that does not fit the hash
     */
    public static DhchapSecret of(final int hmacId, final byte[] key) {
        if (key.length != 32 && key.length != 48 && key.length != 64) {
            throw new IllegalArgumentException("DH-HMAC-CHAP key length must be 32, 48 or 64 bytes");
        }
        if (hmacId < 0 || hmacId > 3) {
            throw new IllegalArgumentException("DH-HMAC-CHAP key hash must be 0..3");
        }
        if (hmacId != 0 && AuthHash.fromId(hmacId).length() != key.length) {
            throw new IllegalArgumentException("DH-HMAC-CHAP key of " + key.length + " bytes does not fit hash " +
                AuthHash.fromId(hmacId));
        }
        return new DhchapSecret(hmacId, key.clone());
    }

    /**
     * Parses {@code DHHC-1:<hh>:<base64>:} (the trailing colon may be missing, surrounding white space is ignored).
     *
     * @throws IllegalArgumentException with a message that never contains the input
     */
    public static DhchapSecret parse(final String text) {
        final String s = text.trim();
        if (!s.startsWith(PREFIX) || s.length() < PREFIX.length() + 4 || s.charAt(PREFIX.length() + 2) != ':') {
            throw new IllegalArgumentException("not a DH-HMAC-CHAP secret (expected DHHC-1:<hh>:<base64>:)");
        }
        final int hmacId;
        try {
            hmacId = Integer.parseInt(s.substring(PREFIX.length(), PREFIX.length() + 2));
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("DH-HMAC-CHAP secret: hash field is not 00..03");
        }
        if (hmacId < 0 || hmacId > 3) {
            throw new IllegalArgumentException("DH-HMAC-CHAP secret: hash field is not 00..03");
        }
        String b64 = s.substring(PREFIX.length() + 3);
        if (b64.endsWith(":")) {
            b64 = b64.substring(0, b64.length() - 1);
        }
        final byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(b64);
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("DH-HMAC-CHAP secret: not base64");
        }
        try {
            if (decoded.length != 36 && decoded.length != 52 && decoded.length != 68) {
                throw new IllegalArgumentException("DH-HMAC-CHAP secret: key length must be 32, 48 or 64 bytes");
            }
            final int n = decoded.length - 4;
            final long crc = crc32(decoded, n);
            final long stored = (decoded[n] & 0xFFL) | (decoded[n + 1] & 0xFFL) << 8 | (decoded[n + 2] & 0xFFL) << 16 |
                (decoded[n + 3] & 0xFFL) << 24;
            if (crc != stored) {
                throw new IllegalArgumentException("DH-HMAC-CHAP secret: CRC-32 mismatch (mistyped key?)");
            }
            return of(hmacId, Arrays.copyOf(decoded, n));
        } finally {
            Arrays.fill(decoded, (byte)0);
        }
    }

    /**
     * A new random secret, as {@code nvme gen-dhchap-key} makes one: {@code length} random bytes, or {@code raw}
     * if given, transformed with HMAC-{@code hmacId}(raw, {@code nqn} || "NVMe-over-Fabrics") when {@code hmacId}
     * is not 0.
     */
    public static DhchapSecret generate(final int hmacId, final int length, final byte[] raw, final String nqn,
        final SecureRandom random) {
        final byte[] secret;
        if (raw != null) {
            secret = raw.clone();
        } else {
            secret = new byte[length];
            random.nextBytes(secret);
        }
        try {
            if (hmacId == 0) {
                return of(0, secret);
            }
            final AuthHash h = AuthHash.fromId(hmacId);
            if (h == null) {
                throw new IllegalArgumentException("DH-HMAC-CHAP key hash must be 0..3");
            }
            if (secret.length != h.length()) {
                throw new IllegalArgumentException("key length " + secret.length + " does not fit " + h +
                    " (needs " + h.length() + ")");
            }
            final byte[] t = transform(h, secret, nqn);
            try {
                return of(hmacId, t);
            } finally {
                Arrays.fill(t, (byte)0);
            }
        } finally {
            Arrays.fill(secret, (byte)0);
        }
    }

    /** The representation {@code DHHC-1:<hh>:<base64(key || crc32 LE)>:}. */
    public String format() {
        final byte[] b = Arrays.copyOf(key, key.length + 4);
        final long crc = crc32(key, key.length);
        for (int i = 0; i < 4; i++) {
            b[key.length + i] = (byte)(crc >>> (8 * i));
        }
        final String s = String.format("%s%02d:%s:", PREFIX, hmacId, Base64.getEncoder().encodeToString(b));
        Arrays.fill(b, (byte)0);
        return s;
    }

    /** The transformation hash {@code hh} (0: none). */
    public int hmacId() {
        return hmacId;
    }

    /** The key length in bytes. */
    public int length() {
        return key.length;
    }

    /**
     * The transformed key Ks the HMAC of a response is keyed with (NVMe Base 2.0, 8.13.5.8; Linux
     * {@code nvme_auth_transform_key}): the key itself for hh 00, else HMAC-hh(key, nqn || "NVMe-over-Fabrics"), where
     * nqn is the host NQN for the host's key and the subsystem NQN for the controller's key.
     */
    public byte[] transformedKey(final String nqn) {
        if (hmacId == 0) {
            return key.clone();
        }
        return transform(AuthHash.fromId(hmacId), key, nqn);
    }

    private static byte[] transform(final AuthHash h, final byte[] key, final String nqn) {
        final Mac mac = h.mac(key);
        mac.update(nqn.getBytes(StandardCharsets.UTF_8));
        mac.update(TRANSFORM_SUFFIX);
        return mac.doFinal();
    }

    private static long crc32(final byte[] b, final int n) {
        final CRC32 c = new CRC32();
        c.update(b, 0, n);
        return c.getValue();
    }

    /** Constant-time equality of the keys. */
    @Override
    public boolean equals(final Object o) {
        return o instanceof DhchapSecret && ((DhchapSecret)o).hmacId == hmacId &&
            MessageDigest.isEqual(((DhchapSecret)o).key, key);
    }

    @Override
    public int hashCode() {
        return hmacId * 31 + key.length;
    }

    /** Never the key: the hash and the length only. */
    @Override
    public String toString() {
        return "DhchapSecret{hh=" + String.format("%02d", hmacId) + ", " + key.length + " bytes, redacted}";
    }
}
