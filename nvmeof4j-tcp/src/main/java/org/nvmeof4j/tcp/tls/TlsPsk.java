package org.nvmeof4j.tcp.tls;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A TLS PSK ready for the handshake: its PSK identity and the key TLS uses, derived from a configured PSK the way
 * NVMe/TCP Transport 1.1 3.6.1.3 and libnvme ({@code derive_nvme_keys}) do:
 *
 * <pre>
 *   retained PSK = HKDF-Expand-Label(HKDF-Extract(0, configured PSK), "HostNQN", hostnqn, L)   (hh 01/02; hh 00: as is)
 *   identity v0  = "NVMe0R&lt;hh&gt; &lt;hostnqn&gt; &lt;subnqn&gt;"
 *   identity v1  = "NVMe1R&lt;hh&gt; &lt;hostnqn&gt; &lt;subnqn&gt; &lt;digest&gt;",
 *                  digest = base64(HMAC(retained, hostnqn " " subnqn " NVMe-over-Fabrics"))
 *   TLS PSK      = HKDF-Expand-Label(HKDF-Extract(0, retained), "nvme-tls-psk", context, L),
 *                  context = the v0 identity, or "&lt;hh&gt; &lt;digest&gt;" for v1
 * </pre>
 *
 * HKDF-Expand-Label is RFC 8446's (label prefixed "tls13 ", length-prefixed label and context). libnvme before
 * its fix (up to 1.10, e.g. nvme-cli 2.3's libnvme 1.3) built a malformed HkdfLabel; {@link #deriveCompat} gives
 * those keys for peers that still have them. The key bytes never appear in {@link #toString()}.
 */
public final class TlsPsk
{
    private static final byte[] SEED = ConfiguredPsk.ascii("NVMe-over-Fabrics");

    private final String identity;
    private final TlsPskHash hash;
    private final byte[] key;
    private final boolean sha256Binder;

    private TlsPsk(final String identity, final TlsPskHash hash, final byte[] key)
    {
        this(identity, hash, key, false);
    }

    private TlsPsk(final String identity, final TlsPskHash hash, final byte[] key, final boolean sha256Binder)
    {
        this.identity = identity;
        this.hash = hash;
        this.key = key;
        this.sha256Binder = sha256Binder;
    }

    /**
     * This PSK as GnuTLS before 3.8.11 (Debian 13's tlshd, Linux 6.12's handshake agent) uses a SHA-384 PSK: its
     * binder computed with HMAC-SHA256 and only SHA-256 cipher suites offered, since that GnuTLS assumes SHA-256 for
     * every external PSK. A SHA-256 PSK is returned as it is. RFC 8446 4.2.11 binds a SHA-384 PSK to SHA-384: this
     * is for talking to such peers only.
     */
    public TlsPsk withSha256Binder()
    {
        return hash == TlsPskHash.SHA_256 ? this : new TlsPsk(identity, hash, key.clone(), true);
    }

    /** @return whether the handshake binds this PSK to SHA-256 although it is a SHA-384 one ({@link #withSha256Binder}). */
    public boolean sha256Binder()
    {
        return sha256Binder;
    }

    /** A PSK whose TLS key is given directly (tests, or a key taken from a keyring). */
    public static TlsPsk of(final String identity, final TlsPskHash hash, final byte[] key)
    {
        if (key.length != hash.length())
        {
            throw new IllegalArgumentException("a " + hash + " TLS PSK has " + hash.length() + " bytes");
        }
        return new TlsPsk(identity, hash, key.clone());
    }

    /**
     * Derive identity and TLS PSK from a configured PSK.
     *
     * @param version 0 or 1: the PSK identity version.
     */
    public static TlsPsk derive(final ConfiguredPsk configured, final String hostNqn, final String subNqn,
        final int version)
    {
        return derive(configured, hostNqn, subNqn, version, false);
    }

    /** As {@link #derive} with the HkdfLabel of libnvme up to 1.10 (interoperability with old keyrings only). */
    public static TlsPsk deriveCompat(final ConfiguredPsk configured, final String hostNqn, final String subNqn,
        final int version)
    {
        return derive(configured, hostNqn, subNqn, version, true);
    }

    private static TlsPsk derive(final ConfiguredPsk configured, final String hostNqn, final String subNqn,
        final int version, final boolean compat)
    {
        if (version != 0 && version != 1)
        {
            throw new IllegalArgumentException("PSK identity version must be 0 or 1, not " + version);
        }
        final TlsPskHash hash = configured.hash();
        final byte[] configuredKey = configured.key();
        final byte[] retained = retainedPsk(configured.transform(), configuredKey, hostNqn, compat);
        Arrays.fill(configuredKey, (byte)0);
        final String hh = String.format("%02d", hash.code());
        final String identity;
        final String context;
        if (version == 0)
        {
            identity = "NVMe0R" + hh + " " + hostNqn + " " + subNqn;
            context = identity;
        }
        else
        {
            final String digest = pskDigest(hash, retained, hostNqn, subNqn);
            identity = "NVMe1R" + hh + " " + hostNqn + " " + subNqn + " " + digest;
            context = hh + " " + digest;
        }
        final byte[] prk = hkdfExtract(hash, retained);
        Arrays.fill(retained, (byte)0);
        final byte[] tlsKey = compat
            ? hkdfExpand(hash, prk, compatInfo("tls13 nvme-tls-psk", context, hash.length()), hash.length())
            : hkdfExpandLabel(hash, prk, "nvme-tls-psk", ConfiguredPsk.ascii(context), hash.length());
        Arrays.fill(prk, (byte)0);
        return new TlsPsk(identity, hash, tlsKey);
    }

    /** The retained PSK: the configured one transformed with the host NQN (hh 01/02), or the same bytes (hh 00). */
    static byte[] retainedPsk(final int transform, final byte[] configured, final String hostNqn,
        final boolean compat)
    {
        if (transform == 0)
        {
            return configured.clone();
        }
        final TlsPskHash h = TlsPskHash.valueOf(transform);
        final byte[] prk = hkdfExtract(h, configured);
        final byte[] r = compat
            ? hkdfExpand(h, prk, compatInfo("tls13 HostNQN", hostNqn, configured.length), configured.length)
            : hkdfExpandLabel(h, prk, "HostNQN", ConfiguredPsk.ascii(hostNqn), configured.length);
        Arrays.fill(prk, (byte)0);
        return r;
    }

    /** The base64 HMAC that identity version 1 carries (libnvme's {@code derive_psk_digest}). */
    static String pskDigest(final TlsPskHash hash, final byte[] retained, final String hostNqn, final String subNqn)
    {
        final Mac mac = mac(hash, retained);
        mac.update(ConfiguredPsk.ascii(hostNqn));
        mac.update((byte)' ');
        mac.update(ConfiguredPsk.ascii(subNqn));
        mac.update((byte)' ');
        mac.update(SEED);
        return Base64.getEncoder().encodeToString(mac.doFinal());
    }

    /** RFC 5869 HKDF-Extract with an all-zero salt of the hash length (also the TLS 1.3 early secret of a PSK). */
    public static byte[] hkdfExtract(final TlsPskHash hash, final byte[] ikm)
    {
        return mac(hash, new byte[hash.length()]).doFinal(ikm);
    }

    /** RFC 8446 7.1 HKDF-Expand-Label. */
    public static byte[] hkdfExpandLabel(final TlsPskHash hash, final byte[] prk, final String label, final byte[] context,
        final int length)
    {
        final byte[] fullLabel = ConfiguredPsk.ascii("tls13 " + label);
        final ByteArrayOutputStream info = new ByteArrayOutputStream();
        info.write(length >>> 8);
        info.write(length);
        info.write(fullLabel.length);
        info.writeBytes(fullLabel);
        info.write(context.length);
        info.writeBytes(context);
        return hkdfExpand(hash, prk, info.toByteArray(), length);
    }

    /** The info libnvme up to 1.10 built: little-endian length, label and context without length bytes. */
    private static byte[] compatInfo(final String label, final String context, final int length)
    {
        final ByteArrayOutputStream info = new ByteArrayOutputStream();
        info.write(length);
        info.write(length >>> 8);
        info.writeBytes(ConfiguredPsk.ascii(label));
        info.writeBytes(ConfiguredPsk.ascii(context));
        return info.toByteArray();
    }

    /** RFC 5869 HKDF-Expand. */
    static byte[] hkdfExpand(final TlsPskHash hash, final byte[] prk, final byte[] info, final int length)
    {
        final Mac mac = mac(hash, prk);
        final byte[] out = new byte[length];
        byte[] t = new byte[0];
        int done = 0;
        for (int i = 1; done < length; i++)
        {
            mac.update(t);
            mac.update(info);
            mac.update((byte)i);
            t = mac.doFinal();
            final int n = Math.min(t.length, length - done);
            System.arraycopy(t, 0, out, done, n);
            done += n;
        }
        Arrays.fill(t, (byte)0);
        return out;
    }

    /** @return HMAC of {@code data} under {@code key} with the hash's HMAC. */
    public static byte[] hmac(final TlsPskHash hash, final byte[] key, final byte[] data)
    {
        return mac(hash, key).doFinal(data);
    }

    private static Mac mac(final TlsPskHash hash, final byte[] key)
    {
        try
        {
            final Mac mac = Mac.getInstance(hash.hmacAlgorithm());
            mac.init(new SecretKeySpec(key, hash.hmacAlgorithm()));
            return mac;
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalStateException(hash.hmacAlgorithm() + " not available", e);
        }
    }

    /** @return the PSK identity sent in the ClientHello (not a secret). */
    public String identity()
    {
        return identity;
    }

    public TlsPskHash hash()
    {
        return hash;
    }

    /** @return a copy of the TLS PSK (a secret). */
    public byte[] key()
    {
        return key.clone();
    }

    @Override
    public String toString()
    {
        return "TlsPsk[" + identity + ", " + hash + (sha256Binder ? ", SHA-256 binder" : "") + "]";
    }
}
