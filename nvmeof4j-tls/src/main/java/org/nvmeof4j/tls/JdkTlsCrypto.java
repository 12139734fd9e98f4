package org.nvmeof4j.tls;

import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.NoSuchPaddingException;
import org.bouncycastle.jcajce.util.DefaultJcaJceHelper;
import org.bouncycastle.jcajce.util.ProviderJcaJceHelper;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;

/**
 * Bouncy Castle's TLS engine with the JDK's own providers for the record protection and the key schedule. The
 * JDK's AES-GCM and HMAC use the CPU's AES-NI, carry-less multiply and SHA instructions; Bouncy Castle's
 * lightweight classes ({@code BcTlsCrypto}) run the same in plain Java, about 150 µs per 4 KiB I/O on this
 * project's test machines, which made TLS I/O 5–15× slower than it needs to be.
 *
 * <p>The one suite the JDK cannot build the way Bouncy Castle asks for it is TLS_CHACHA20_POLY1305_SHA256
 * (Bouncy Castle wants the raw {@code ChaCha7539} stream and a separate {@code Poly1305} MAC; the JDK has only the
 * combined AEAD). Those two come from a Bouncy Castle provider instance, never registered with
 * {@link java.security.Security}, so nothing changes for the rest of the application. That suite is used only
 * with peers that bind a SHA-384 PSK to SHA-256 (GnuTLS before 3.8.11, as in Debian 13's tlshd).
 */
final class JdkTlsCrypto extends JcaTlsCrypto
{
    JdkTlsCrypto(final SecureRandom random)
    {
        super(new JdkFirstHelper(), random, random);
    }

    /** The JDK's providers first; a Bouncy Castle provider instance for the algorithms they do not have. */
    private static final class JdkFirstHelper extends DefaultJcaJceHelper
    {
        @Override
        public Cipher createCipher(final String algorithm) throws NoSuchAlgorithmException, NoSuchPaddingException
        {
            try
            {
                return super.createCipher(algorithm);
            }
            catch (final NoSuchAlgorithmException e)
            {
                return BouncyCastle.HELPER.createCipher(algorithm);
            }
        }

        @Override
        public Mac createMac(final String algorithm) throws NoSuchAlgorithmException
        {
            try
            {
                return super.createMac(algorithm);
            }
            catch (final NoSuchAlgorithmException e)
            {
                return BouncyCastle.HELPER.createMac(algorithm);
            }
        }
    }

    /** Made on first use only: the provider instance maps every algorithm it has, which takes a while. */
    private static final class BouncyCastle
    {
        static final Provider PROVIDER = new org.bouncycastle.jce.provider.BouncyCastleProvider();
        static final ProviderJcaJceHelper HELPER = new ProviderJcaJceHelper(PROVIDER);
    }
}
