package org.nvmeof4j.protocol.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The hash functions of DH-HMAC-CHAP (NVMe Base 2.0, 8.13.4.2; Linux {@code NVME_AUTH_HASH_*}), with nvmet's names
 * ({@code hmac(sha256)} ...) for {@code dhchap_hash}.
 */
public enum AuthHash {
    /** SHA-256, HL 32. */
    SHA256(0x01, 32, "HmacSHA256", "SHA-256", "hmac(sha256)"),
    /** SHA-384, HL 48. */
    SHA384(0x02, 48, "HmacSHA384", "SHA-384", "hmac(sha384)"),
    /** SHA-512, HL 64. */
    SHA512(0x03, 64, "HmacSHA512", "SHA-512", "hmac(sha512)");

    private final int id;
    private final int length;
    private final String macAlgorithm;
    private final String digestAlgorithm;
    private final String nvmetName;

    AuthHash(final int id, final int length, final String mac, final String digest, final String nvmetName) {
        this.id = id;
        this.length = length;
        this.macAlgorithm = mac;
        this.digestAlgorithm = digest;
        this.nvmetName = nvmetName;
    }

    /** The hash identifier on the wire (HASHID, and the {@code <hh>} of a secret). */
    public int id() {
        return id;
    }

    /** The hash length HL in bytes. */
    public int length() {
        return length;
    }

    /** The name nvmet uses in {@code dhchap_hash}. */
    public String nvmetName() {
        return nvmetName;
    }

    /** The hash with identifier {@code id}, or null. */
    public static AuthHash fromId(final int id) {
        for (final AuthHash h : values()) {
            if (h.id == id) {
                return h;
            }
        }
        return null;
    }

    /**
     * The hash named {@code name}: nvmet's {@code hmac(sha256)}, or {@code sha256} / {@code sha-256} / {@code SHA256}.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static AuthHash fromName(final String name) {
        final String n = name.trim().toLowerCase(java.util.Locale.ROOT).replace("-", "");
        for (final AuthHash h : values()) {
            if (n.equals(h.nvmetName) || n.equals(h.name().toLowerCase(java.util.Locale.ROOT))) {
                return h;
            }
        }
        throw new IllegalArgumentException("unknown DH-HMAC-CHAP hash '" + name +
            "' (hmac(sha256), hmac(sha384) or hmac(sha512))");
    }

    /** A new HMAC keyed with {@code key}. */
    public Mac mac(final byte[] key) {
        try {
            final Mac mac = Mac.getInstance(macAlgorithm);
            mac.init(new SecretKeySpec(key, macAlgorithm));
            return mac;
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException(macAlgorithm + " unavailable", e);
        }
    }

    /** The plain digest of {@code data}. */
    public byte[] digest(final byte[] data) {
        try {
            return MessageDigest.getInstance(digestAlgorithm).digest(data);
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException(digestAlgorithm + " unavailable", e);
        }
    }
}
