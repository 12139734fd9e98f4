package org.nvmeof4j.tcp.tls;

/**
 * The hash of an NVMe/TCP TLS PSK (NVMe/TCP Transport 1.1, 3.6.1.3; the {@code <hh>} of the interchange format and
 * of the PSK identity): it names the HMAC used to derive keys and the TLS 1.3 cipher suite the PSK is used with.
 */
public enum TlsPskHash
{
    /** 01: SHA-256, 32-byte keys, TLS_AES_128_GCM_SHA256. */
    SHA_256(1, 32, "HmacSHA256", "TLS_AES_128_GCM_SHA256"),
    /** 02: SHA-384, 48-byte keys, TLS_AES_256_GCM_SHA384. */
    SHA_384(2, 48, "HmacSHA384", "TLS_AES_256_GCM_SHA384");

    private final int code;
    private final int length;
    private final String hmac;
    private final String cipherSuite;

    TlsPskHash(final int code, final int length, final String hmac, final String cipherSuite)
    {
        this.code = code;
        this.length = length;
        this.hmac = hmac;
        this.cipherSuite = cipherSuite;
    }

    /** @return the wire code (1 or 2), printed as two digits in keys and identities. */
    public int code()
    {
        return code;
    }

    /** @return the hash output length in bytes, which is also the key length. */
    public int length()
    {
        return length;
    }

    /** @return the JCA name of the HMAC. */
    public String hmacAlgorithm()
    {
        return hmac;
    }

    /** @return the TLS 1.3 cipher suite this hash goes with. */
    public String cipherSuite()
    {
        return cipherSuite;
    }

    /** @return the hash with this code. */
    public static TlsPskHash valueOf(final int code)
    {
        for (final TlsPskHash h : values())
        {
            if (h.code == code)
            {
                return h;
            }
        }
        throw new IllegalArgumentException("unknown PSK hash " + code + " (01 = SHA-256, 02 = SHA-384)");
    }

    /** @return the hash whose length is {@code keyLength} (for hh 00, an untransformed key). */
    public static TlsPskHash forKeyLength(final int keyLength)
    {
        for (final TlsPskHash h : values())
        {
            if (h.length == keyLength)
            {
                return h;
            }
        }
        throw new IllegalArgumentException("PSK length must be 32 or 48 bytes, not " + keyLength);
    }
}
