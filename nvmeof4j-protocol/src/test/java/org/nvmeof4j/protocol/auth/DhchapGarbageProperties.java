package org.nvmeof4j.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Bad input never crashes either side: any sequence of arbitrary messages (with real message kinds in front, to
 * reach every step) and allocation lengths leaves the controller without an exception and unauthenticated, and the
 * host reports arbitrary controller messages as {@link DhchapException}s only.
 */
class DhchapGarbageProperties
{
    private static final String HOSTNQN = "nqn.2014-08.org.nvmexpress:uuid:dddddddd-0000-4000-8000-000000000001";
    private static final String SUBNQN = "nqn.2024-01.org.nvmeof4j:garbage";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DhchapSecret KEY = DhchapSecret.generate(1, 32, null, HOSTNQN, RANDOM);
    private static final int[] KINDS = {0x0000, 0x0101, 0x0102, 0x0103, 0x0104, 0x00F0, 0x00F1};

    @Property(tries = 300)
    void controllerNeverThrowsNorAuthenticatesOnGarbage(
        @ForAll @Size(max = 8) final List<@Size(max = 400) byte[]> messages,
        @ForAll @Size(max = 8) final List<@IntRange(min = 0, max = 6) Integer> kinds,
        @ForAll @IntRange(min = 0, max = 2000) final int al, @ForAll final boolean dh)
    {
        final DhchapController c = new DhchapController(KEY, KEY, AuthHash.SHA256, dh ? DhGroup.FFDHE2048 :
            DhGroup.NULL, HOSTNQN, SUBNQN, RANDOM);
        final ByteBuffer out = ByteBuffer.allocate(4096);
        final DhchapHost honest = new DhchapHost(KEY, null, HOSTNQN, SUBNQN, 3, RANDOM, null, null);
        // start from a valid Negotiate half the time, so that garbage reaches the Reply step too
        if (!messages.isEmpty() && messages.get(0).length % 2 == 0)
        {
            c.send(out, honest.negotiate(out));
            c.receive(out, 4096);
        }
        for (int i = 0; i < messages.size(); i++)
        {
            final byte[] m = messages.get(i);
            final ByteBuffer in = ByteBuffer.allocate(Math.max(m.length, 2)).put(0, m);
            if (i < kinds.size() && m.length >= 2)
            {
                final int kind = KINDS[kinds.get(i)];
                in.put(0, (byte)(kind >> 8)).put(1, (byte)kind);
            }
            c.send(in, m.length);
            final int n = c.receive(out, al);
            assertThat(n).isBetween(DhchapController.AL_TOO_SMALL, 4096);
            assertThat(c.authenticated()).isFalse();
        }
    }

    @Property(tries = 300)
    void hostReportsGarbageAsAuthenticationFailures(@ForAll @Size(max = 1200) final byte[] challenge,
        @ForAll @Size(max = 200) final byte[] success1, @ForAll @IntRange(min = 0, max = 6) final int kind)
    {
        final DhchapHost h = new DhchapHost(KEY, KEY, HOSTNQN, SUBNQN, 3, RANDOM, null, null);
        final ByteBuffer out = ByteBuffer.allocate(4096);
        final ByteBuffer in = ByteBuffer.allocate(4096).put(0, challenge);
        if (challenge.length >= 2)
        {
            in.put(0, (byte)(KINDS[kind] >> 8)).put(1, (byte)KINDS[kind]);
        }
        try
        {
            h.reply(in, challenge.length, out);
        }
        catch (final DhchapException e)
        {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        final ByteBuffer s = ByteBuffer.allocate(4096).put(0, success1);
        try
        {
            h.success1(s, success1.length, out);
            throw new AssertionError("random bytes passed as the controller's response");
        }
        catch (final DhchapException expected)
        {
            assertThat(expected.reason()).isNotNull();
        }
    }
}
