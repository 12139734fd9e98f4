package org.nvmeof4j.tcp.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.CRC32;
import org.nvmeof4j.protocol.auth.DhchapSecret;
import org.nvmeof4j.tcp.tls.ConfiguredPsk;
import org.nvmeof4j.tcp.tls.HostPskTable;
import org.nvmeof4j.tcp.tls.TlsPsk;

/**
 * Jazzer fuzz target for the key texts a user or a config file gives: the TLS PSK interchange format
 * ({@code NVMeTLSkey-1:<hh>:<base64>:}, {@link ConfiguredPsk#parse}), the DH-HMAC-CHAP secret
 * ({@code DHHC-1:<hh>:<base64>:}, {@link DhchapSecret#parse}), and the PSK identities a host offers a controller
 * ({@link HostPskTable#find}). The input is either any text or a text built in the format (prefix, hash field,
 * base64 of a key of any length whose CRC-32 is right or not, trailing colon or not, white space around).
 *
 * <p>The properties: each parser returns or throws {@link IllegalArgumentException} with a one-line message that
 * does not quote the key; what parses formats back to a text that parses to the same key; a parsed PSK derives a
 * TLS PSK for any host and subsystem NQN, and the identity it gives is found in a table holding that key, while any
 * other identity is not found and throws nothing.
 *
 * <p>In the default test run this replays the stored inputs (src/test/resources/.../KeyParsingFuzzTestInputs); to
 * fuzz: {@code fuzz/run.sh KeyParsingFuzzTest}.
 */
class KeyParsingFuzzTest
{
    private static final String[] PREFIXES = {"NVMeTLSkey-1:", "DHHC-1:", "NVMeTLSkey-1:", "DHHC-1:", ""};
    private static final int[] LENGTHS = {32, 48, 64, 0, 31, 33};

    @FuzzTest(maxDuration = "30s")
    void keysParseOrFailCleanly(final FuzzedDataProvider data)
    {
        final boolean built = data.consumeBoolean();
        final String secretPart;
        final String text;
        if (built)
        {
            final String prefix = PREFIXES[data.consumeInt(0, PREFIXES.length - 1)];
            final String hh = data.consumeBoolean() ? String.format("%02d", data.consumeInt(0, 3)) :
                data.consumeString(3);
            final int n = data.consumeBoolean() ? LENGTHS[data.consumeInt(0, LENGTHS.length - 1)] :
                data.consumeInt(0, 80);
            final byte[] key = Arrays.copyOf(data.consumeBytes(n), n + 4);
            final CRC32 crc = new CRC32();
            crc.update(key, 0, n);
            final long c = crc.getValue() ^ (data.consumeInt(0, 7) == 0 ? data.consumeInt(1, 255) : 0);
            key[n] = (byte)c;
            key[n + 1] = (byte)(c >>> 8);
            key[n + 2] = (byte)(c >>> 16);
            key[n + 3] = (byte)(c >>> 24);
            secretPart = Base64.getEncoder().encodeToString(key);
            final String b64 = data.consumeInt(0, 7) == 0 ? secretPart + data.consumeString(4) : secretPart;
            text = (data.consumeBoolean() ? " \t" : "") + prefix + hh + ":" + b64 + (data.consumeBoolean() ? ":" : "") +
                (data.consumeBoolean() ? "\n" : "");
        }
        else
        {
            text = data.consumeString(200);
            secretPart = null;
        }
        final String hostNqn = data.consumeBoolean() ? "nqn.2014-08.org.nvmexpress:uuid:1" : data.consumeString(64);
        final String subNqn = data.consumeBoolean() ? "nqn.2024-01.org.nvmeof4j:keys" : data.consumeString(64);
        final String identity = data.consumeRemainingAsString();

        tlsKey(text, secretPart, hostNqn, subNqn, identity);
        dhchapSecret(text, secretPart, hostNqn);
    }

    private static void tlsKey(final String text, final String secretPart, final String hostNqn, final String subNqn,
        final String identity)
    {
        final ConfiguredPsk psk;
        try
        {
            psk = ConfiguredPsk.parse(text);
        }
        catch (final IllegalArgumentException e)
        {
            clean(e, secretPart);
            return;
        }
        final ConfiguredPsk again = ConfiguredPsk.parse(psk.format());
        if (again.transform() != psk.transform() || !Arrays.equals(again.key(), psk.key()))
        {
            throw new AssertionError("a TLS PSK did not survive format and parse");
        }
        final HostPskTable table = new HostPskTable().put(hostNqn, psk);
        for (int version = 0; version <= 1; version++)
        {
            final TlsPsk derived = TlsPsk.derive(psk, hostNqn, subNqn, version);
            if (derived.key().length != psk.hash().length())
            {
                throw new AssertionError("a derived TLS PSK of " + derived.key().length + " bytes for " + psk.hash());
            }
            final TlsPsk found = table.find(derived.identity());
            if (ok(hostNqn) && ok(subNqn) && (found == null || !Arrays.equals(found.key(), derived.key())))
            {
                throw new AssertionError("identity " + derived.identity() + " not found with its own key");
            }
        }
        final TlsPsk other = table.find(identity);
        if (other != null && !other.identity().equals(identity))
        {
            throw new AssertionError("identity " + identity + " found as " + other.identity());
        }
    }

    /** An NQN a PSK identity can carry: no space (the field separator), not empty. */
    private static boolean ok(final String nqn)
    {
        return !nqn.isEmpty() && nqn.indexOf(' ') < 0;
    }

    private static void dhchapSecret(final String text, final String secretPart, final String nqn)
    {
        final DhchapSecret s;
        try
        {
            s = DhchapSecret.parse(text);
        }
        catch (final IllegalArgumentException e)
        {
            clean(e, secretPart);
            return;
        }
        if (!DhchapSecret.parse(s.format()).equals(s))
        {
            throw new AssertionError("a DH-HMAC-CHAP secret did not survive format and parse");
        }
        final byte[] transformed = s.transformedKey(nqn);
        if (transformed.length != (s.hmacId() == 0 ? s.length() : new int[] {0, 32, 48, 64}[s.hmacId()]))
        {
            throw new AssertionError("transformed key of " + transformed.length + " bytes for hash " + s.hmacId());
        }
    }

    /** A parse error: one line, and the key's text is not in it. */
    private static void clean(final IllegalArgumentException e, final String secretPart)
    {
        final String m = e.getMessage();
        if (m == null || m.isEmpty() || m.indexOf('\n') >= 0 || m.indexOf('\r') >= 0)
        {
            throw new AssertionError("not a one-line message: " + m, e);
        }
        if (secretPart != null && secretPart.length() >= 8 && m.contains(secretPart))
        {
            throw new AssertionError("the error quotes the key: " + m, e);
        }
    }
}
