package org.nvmeof4j.tls;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The TLS 1.3 PSK binder of an external PSK (RFC 8446 4.2.11.2, 7.1), computed with the JDK so the server can tell
 * which of several candidate keys a ClientHello was made with before Bouncy Castle, which takes one PSK only, checks
 * it:
 *
 * <pre>
 *   early_secret = HKDF-Extract(0, PSK)
 *   binder_key   = HKDF-Expand-Label(early_secret, "ext binder", Hash(""), Hash.length)
 *   finished_key = HKDF-Expand-Label(binder_key, "finished", "", Hash.length)
 *   binder       = HMAC(finished_key, Hash(ClientHello up to the binders list))
 * </pre>
 */
final class PskBinder
{
    private PskBinder()
    {
    }

    /**
     * @param sha384    the hash the binder uses (SHA-384, else SHA-256).
     * @param psk       the TLS PSK (not kept).
     * @param truncated the ClientHello message, handshake header included, up to its binders list.
     * @return whether {@code binder} is the binder of {@code psk} for that ClientHello (constant time compare).
     */
    static boolean matches(final boolean sha384, final byte[] psk, final byte[] truncated, final byte[] binder)
    {
        try
        {
            final String mac = sha384 ? "HmacSHA384" : "HmacSHA256";
            final String digest = sha384 ? "SHA-384" : "SHA-256";
            final int length = sha384 ? 48 : 32;
            if (binder == null || binder.length != length)
            {
                return false;
            }
            final byte[] early = hmac(mac, new byte[length], psk);
            final byte[] binderKey = expandLabel(mac, early, "ext binder",
                MessageDigest.getInstance(digest).digest(), length);
            final byte[] finishedKey = expandLabel(mac, binderKey, "finished", new byte[0], length);
            final byte[] computed = hmac(mac, finishedKey, MessageDigest.getInstance(digest).digest(truncated));
            java.util.Arrays.fill(early, (byte)0);
            java.util.Arrays.fill(binderKey, (byte)0);
            java.util.Arrays.fill(finishedKey, (byte)0);
            return MessageDigest.isEqual(computed, binder);
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalStateException("HMAC-SHA256/384 not available", e);
        }
    }

    private static byte[] hmac(final String algorithm, final byte[] key, final byte[] data)
        throws GeneralSecurityException
    {
        final Mac m = Mac.getInstance(algorithm);
        m.init(new SecretKeySpec(key, algorithm));
        return m.doFinal(data);
    }

    /** HKDF-Expand-Label for outputs of at most one hash length (one HMAC block). */
    private static byte[] expandLabel(final String algorithm, final byte[] secret, final String label,
        final byte[] context, final int length) throws GeneralSecurityException
    {
        final byte[] full = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
        final ByteArrayOutputStream info = new ByteArrayOutputStream();
        info.write(length >>> 8);
        info.write(length);
        info.write(full.length);
        info.writeBytes(full);
        info.write(context.length);
        info.writeBytes(context);
        info.write(1); // HKDF-Expand's first block counter
        final byte[] out = hmac(algorithm, secret, info.toByteArray());
        return java.util.Arrays.copyOf(out, length);
    }
}
