package org.nvmeof4j.tcp.tls;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.CRC32;

/**
 * A configured PSK in the NVMe TLS PSK interchange format (NVMe/TCP Transport 1.1, 3.6.1.5):
 * {@code NVMeTLSkey-1:<hh>:<base64(key || CRC-32(key) little endian)>:}, where {@code hh} is 00 (the key is used
 * as the retained PSK without a transform), 01 (SHA-256, 32-byte key) or 02 (SHA-384, 48-byte key). This is the
 * form nvme-cli's {@code gen-tls-key} prints and {@code check-tls-key} reads.
 *
 * <p>The key bytes never appear in {@link #toString()} nor in any exception message.
 */
public final class ConfiguredPsk
{
    private static final String PREFIX = "NVMeTLSkey-1:";

    private final int transform;
    private final byte[] key;

    private ConfiguredPsk(final int transform, final byte[] key)
    {
        this.transform = transform;
        this.key = key;
    }

    /**
     * @param transform 0 (none), 1 (SHA-256) or 2 (SHA-384).
     * @param key       32 or 48 bytes, matching the transform's hash; copied.
     */
    public static ConfiguredPsk of(final int transform, final byte[] key)
    {
        if (transform != 0 && TlsPskHash.valueOf(transform).length() != key.length)
        {
            throw new IllegalArgumentException("a PSK with hash " + transform + " must have " +
                TlsPskHash.valueOf(transform).length() + " bytes, not " + key.length);
        }
        TlsPskHash.forKeyLength(key.length);
        return new ConfiguredPsk(transform, key.clone());
    }

    /** A new random key for the hash, like {@code nvme gen-tls-key --hmac=N}. */
    public static ConfiguredPsk generate(final TlsPskHash hash, final SecureRandom random)
    {
        final byte[] k = new byte[hash.length()];
        random.nextBytes(k);
        return new ConfiguredPsk(hash.code(), k);
    }

    /**
     * Parse the interchange format.
     *
     * @throws IllegalArgumentException with a message that does not quote the key.
     */
    public static ConfiguredPsk parse(final String text)
    {
        if (text == null)
        {
            throw new IllegalArgumentException("no TLS PSK given");
        }
        final String s = text.strip();
        if (!s.startsWith(PREFIX) || s.length() < PREFIX.length() + 4 || s.charAt(PREFIX.length() + 2) != ':' ||
            !s.endsWith(":"))
        {
            throw new IllegalArgumentException("not a TLS PSK in interchange format (NVMeTLSkey-1:<hh>:<base64>:)");
        }
        final int transform;
        try
        {
            transform = Integer.parseInt(s.substring(PREFIX.length(), PREFIX.length() + 2), 16);
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("TLS PSK: the hash field is not two hex digits");
        }
        if (transform > 2)
        {
            throw new IllegalArgumentException("TLS PSK: unknown hash " + transform + " (00, 01 or 02)");
        }
        final byte[] raw;
        try
        {
            raw = Base64.getDecoder().decode(s.substring(PREFIX.length() + 3, s.length() - 1));
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("TLS PSK: the key is not valid base64");
        }
        final int keyLength = raw.length - 4;
        if (keyLength != 32 && keyLength != 48)
        {
            Arrays.fill(raw, (byte)0);
            throw new IllegalArgumentException("TLS PSK: the key must be 32 or 48 bytes plus a CRC-32");
        }
        if (transform != 0 && TlsPskHash.valueOf(transform).length() != keyLength)
        {
            Arrays.fill(raw, (byte)0);
            throw new IllegalArgumentException("TLS PSK: hash " + transform + " needs a " +
                TlsPskHash.valueOf(transform).length() + "-byte key, this one has " + keyLength);
        }
        final byte[] k = Arrays.copyOf(raw, keyLength);
        final long expected = crc32(k);
        final long found = (raw[keyLength] & 0xFFL) | (raw[keyLength + 1] & 0xFFL) << 8 |
            (raw[keyLength + 2] & 0xFFL) << 16 | (raw[keyLength + 3] & 0xFFL) << 24;
        Arrays.fill(raw, (byte)0);
        if (expected != found)
        {
            Arrays.fill(k, (byte)0);
            throw new IllegalArgumentException("TLS PSK: CRC-32 mismatch (the key is corrupted or mistyped)");
        }
        return new ConfiguredPsk(transform, k);
    }

    /** @return the interchange format of this key (a secret: do not log it). */
    public String format()
    {
        final byte[] raw = Arrays.copyOf(key, key.length + 4);
        final long crc = crc32(key);
        for (int i = 0; i < 4; i++)
        {
            raw[key.length + i] = (byte)(crc >>> (8 * i));
        }
        final String s = PREFIX + String.format("%02x", transform) + ":" + Base64.getEncoder().encodeToString(raw) +
            ":";
        Arrays.fill(raw, (byte)0);
        return s;
    }

    /** @return 0 (none), 1 (SHA-256) or 2 (SHA-384). */
    public int transform()
    {
        return transform;
    }

    /** @return the hash of the identities and TLS PSKs made from this key (for hh 00, the one of its length). */
    public TlsPskHash hash()
    {
        return transform == 0 ? TlsPskHash.forKeyLength(key.length) : TlsPskHash.valueOf(transform);
    }

    /** @return a copy of the key bytes. */
    public byte[] key()
    {
        return key.clone();
    }

    static long crc32(final byte[] b)
    {
        final CRC32 crc = new CRC32();
        crc.update(b);
        return crc.getValue();
    }

    static byte[] ascii(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString()
    {
        return "ConfiguredPsk[hash=" + String.format("%02x", transform) + ", " + key.length + " bytes]";
    }
}
