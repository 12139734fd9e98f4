package org.nvmeof4j.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Random;
import java.util.Vector;
import org.bouncycastle.tls.AbstractTlsClient;
import org.bouncycastle.tls.BasicTlsPSKExternal;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.PRFAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsPSKExternal;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.Test;

/** The ClientHello reader that finds the PSK binder lengths: real ClientHellos at every split, and bad input. */
class ClientHelloBindersTest
{
    /** A Bouncy Castle ClientHello offering PSKs whose binders use these PRFs. */
    static byte[] clientHello(final int... prfs) throws IOException
    {
        final TlsClientProtocol protocol = new TlsClientProtocol();
        protocol.connect(new AbstractTlsClient(new BcTlsCrypto(new SecureRandom()))
        {
            @Override
            protected ProtocolVersion[] getSupportedVersions()
            {
                return ProtocolVersion.TLSv13.only();
            }

            @Override
            protected int[] getSupportedCipherSuites()
            {
                return new int[] {CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_AES_128_GCM_SHA256};
            }

            @Override
            public Vector getExternalPSKs()
            {
                final Vector<TlsPSKExternal> v = new Vector<>();
                for (int i = 0; i < prfs.length; i++)
                {
                    final int length = prfs[i] == PRFAlgorithm.tls13_hkdf_sha384 ? 48 : 32;
                    v.add(new BasicTlsPSKExternal(("NVMe0R0" + (length == 48 ? 2 : 1) + " host" + i + " sub")
                        .getBytes(StandardCharsets.UTF_8), getCrypto().createSecret(new byte[length]), prfs[i]));
                }
                return v;
            }

            @Override
            public TlsAuthentication getAuthentication()
            {
                return null;
            }
        });
        final byte[] out = new byte[protocol.getAvailableOutputBytes()];
        protocol.readOutput(out, 0, out.length);
        return out;
    }

    @Test
    void shouldFindTheBinderLengthsAtEverySplitPoint() throws IOException
    {
        final byte[] hello = clientHello(PRFAlgorithm.tls13_hkdf_sha384, PRFAlgorithm.tls13_hkdf_sha256);
        for (int split = 0; split <= hello.length; split++)
        {
            final ClientHelloBinders r = new ClientHelloBinders();
            r.feed(hello, 0, split);
            if (split < hello.length)
            {
                assertThat(r.done()).as("done after %d of %d bytes", split, hello.length).isFalse();
            }
            r.feed(hello, split, hello.length - split);
            assertThat(r.done()).isTrue();
            assertThat(r.binderLengths()).as("split at %d", split).containsExactly(48, 32);
        }
    }

    @Test
    void shouldReadOneByteAtATime() throws IOException
    {
        final byte[] hello = clientHello(PRFAlgorithm.tls13_hkdf_sha256);
        final ClientHelloBinders r = new ClientHelloBinders();
        for (int i = 0; i < hello.length; i++)
        {
            r.feed(hello, i, 1);
        }
        assertThat(r.binderLengths()).containsExactly(32);
    }

    @Test
    void shouldReadAClientHelloSplitOverTwoRecords() throws IOException
    {
        final byte[] hello = clientHello(PRFAlgorithm.tls13_hkdf_sha384);
        final int fragment = hello.length - 5;
        final int first = fragment / 3;
        // one handshake message in two records: header + first part, header + the rest
        final byte[] two = new byte[hello.length + 5];
        System.arraycopy(hello, 0, two, 0, 5 + first);
        two[3] = (byte)(first >> 8);
        two[4] = (byte)first;
        final int rest = fragment - first;
        System.arraycopy(hello, 0, two, 5 + first, 3);
        two[5 + first + 3] = (byte)(rest >> 8);
        two[5 + first + 4] = (byte)rest;
        System.arraycopy(hello, 5 + first, two, 10 + first, rest);
        final ClientHelloBinders r = new ClientHelloBinders();
        r.feed(two, 0, two.length);
        assertThat(r.binderLengths()).containsExactly(48);
    }

    @Test
    void shouldGiveUpWithoutThrowingOnAnythingElse() throws IOException
    {
        // a plaintext ICReq, an alert record, an empty record
        for (final byte[] bad : new byte[][] {{0x00, 0x00, (byte)128, 0x00, (byte)0x80, 0, 0, 0}, {21, 3, 3, 0, 2, 2,
            40}, {22, 3, 1, 0, 0}})
        {
            final ClientHelloBinders r = new ClientHelloBinders();
            r.feed(bad, 0, bad.length);
            assertThat(r.done()).isTrue();
            assertThat(r.binderLengths()).isNull();
        }
        // every byte of a real ClientHello corrupted in turn, and random bytes: never an exception
        final byte[] hello = clientHello(PRFAlgorithm.tls13_hkdf_sha256);
        final Random random = new Random(42);
        for (int i = 0; i < hello.length; i++)
        {
            final byte[] c = hello.clone();
            c[i] = (byte)random.nextInt(256);
            final ClientHelloBinders r = new ClientHelloBinders();
            r.feed(c, 0, c.length);
            if (r.binderLengths() != null)
            {
                for (final int n : r.binderLengths())
                {
                    assertThat(n).isBetween(0, 255);
                }
            }
        }
        for (int n = 0; n < 200; n++)
        {
            final byte[] junk = new byte[random.nextInt(2000)];
            random.nextBytes(junk);
            junk[0] = 22;
            new ClientHelloBinders().feed(junk, 0, junk.length);
        }
    }
}
