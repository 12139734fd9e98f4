package org.nvmeof4j.tls;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import org.nvmeof4j.tcp.tls.TlsPsk;
import org.nvmeof4j.tcp.tls.TlsPskHash;

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
        final TlsPskHash hash = sha384 ? TlsPskHash.SHA_384 : TlsPskHash.SHA_256;
        final int length = hash.length();
        if (binder == null || binder.length != length)
        {
            return false;
        }
        final MessageDigest digest;
        try
        {
            digest = MessageDigest.getInstance(sha384 ? "SHA-384" : "SHA-256");
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalStateException("SHA-256/384 not available", e);
        }
        final byte[] early = TlsPsk.hkdfExtract(hash, psk);
        final byte[] binderKey = TlsPsk.hkdfExpandLabel(hash, early, "ext binder", digest.digest(), length);
        final byte[] finishedKey = TlsPsk.hkdfExpandLabel(hash, binderKey, "finished", new byte[0], length);
        final byte[] computed = TlsPsk.hmac(hash, finishedKey, digest.digest(truncated));
        java.util.Arrays.fill(early, (byte)0);
        java.util.Arrays.fill(binderKey, (byte)0);
        java.util.Arrays.fill(finishedKey, (byte)0);
        return MessageDigest.isEqual(computed, binder);
    }
}
