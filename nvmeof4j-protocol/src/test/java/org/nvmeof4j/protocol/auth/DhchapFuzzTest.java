package org.nvmeof4j.protocol.auth;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Jazzer fuzz target for DH-HMAC-CHAP: a {@link DhchapHost} and a {@link DhchapController} with fixed keys talk to
 * each other through a channel the input controls. Each step sends an honest message (Negotiate, Challenge, Reply,
 * Success1, Success2), the same message cut short or with one byte changed, or arbitrary bytes, to either side,
 * and the controller's Authentication Receive runs with any allocation length.
 *
 * <p>The properties: the host throws nothing but {@link DhchapException}; the controller throws nothing and its
 * Receive returns {@link DhchapController#AL_TOO_SMALL} or a length within both AL and its buffer; with a wrong host
 * key the controller never authenticates the host, and with a wrong controller key the host never accepts the
 * controller (it never answers Success1 with Success2). The DH group is the NULL group: a key pair per input of a
 * real FFDHE group would make each input cost milliseconds (the groups' range checks are in DhchapTransactionTest).
 *
 * <p>In the default test run this replays the stored inputs (src/test/resources/.../DhchapFuzzTestInputs); to
 * fuzz: {@code fuzz/run.sh DhchapFuzzTest}.
 */
class DhchapFuzzTest
{
    private static final String HOSTNQN = "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555";
    private static final String SUBNQN = "nqn.2024-01.org.nvmeof4j:auth-fuzz";
    /** Key length per secret hash field hh (00: any; 01, 02, 03: the hash's length). */
    private static final int[] KEY_LENGTH = {48, 32, 48, 64};
    private static final int MAX_STEPS = 16;
    private static final int BUFFER = Math.max(DhchapHost.MAX_RECEIVE, DhchapHost.MAX_SEND) + 64;

    private final ByteBuffer toController = ByteBuffer.allocate(BUFFER);
    private final ByteBuffer toHost = ByteBuffer.allocate(BUFFER);
    private final ByteBuffer scratch = ByteBuffer.allocate(BUFFER);

    private static byte[] filled(final int b, final int n)
    {
        final byte[] k = new byte[n];
        Arrays.fill(k, (byte)b);
        return k;
    }

    private static DhchapSecret key(final int hmac, final int fill)
    {
        return DhchapSecret.of(hmac, filled(fill, KEY_LENGTH[hmac]));
    }

    @FuzzTest(maxDuration = "30s")
    void dhchapNeverThrows(final FuzzedDataProvider data)
    {
        final AuthHash hash = AuthHash.values()[data.consumeInt(0, 2)];
        final boolean bidirectional = data.consumeBoolean();
        final boolean rightHostKey = data.consumeInt(0, 7) != 0;
        final boolean rightCtrlKey = data.consumeInt(0, 7) != 0;
        final int hmac = data.consumeInt(0, 3);
        final DhchapSecret hostKey = key(hmac, 0x11);
        final DhchapSecret ctrlKey = key(data.consumeInt(0, 3), 0x22);
        final byte[] hashes = data.consumeBoolean() ? null : new byte[] {(byte)data.consumeInt(0, 4)};
        final SecureRandom random = new FixedRandom(data.consumeLong());
        final DhchapHost host = new DhchapHost(rightHostKey ? hostKey : key(hmac, 0x33),
            bidirectional ? (rightCtrlKey ? ctrlKey : key(0, 0x33)) : null, HOSTNQN, SUBNQN,
            data.consumeInt(0, 0xFFFF), random, hashes, new byte[] {0x00});
        final DhchapController ctrl = new DhchapController(hostKey, data.consumeInt(0, 7) == 0 ? null : ctrlKey, hash,
            DhGroup.NULL, HOSTNQN, SUBNQN, random);
        boolean replied = false;
        int toControllerLength = host.negotiate(toController.clear());
        int toHostLength = 0;
        for (int step = 0; step < MAX_STEPS && data.remainingBytes() > 0; step++)
        {
            switch (data.consumeInt(0, 4))
            {
                case 0: // the host's last message, as sent or tampered with, to the controller
                    ctrl.send(toController, tamper(data, toController, toControllerLength));
                    break;
                case 1: // Authentication Receive
                {
                    final long al = data.consumeBoolean() ? BUFFER : data.consumeLong(-1, BUFFER + 16);
                    final int n = ctrl.receive(toHost.clear(), al);
                    if (n != DhchapController.AL_TOO_SMALL && (n <= 0 || n > al || n > BUFFER))
                    {
                        throw new AssertionError("Receive with AL " + al + " returned " + n);
                    }
                    toHostLength = Math.max(0, n);
                    break;
                }
                case 2: // the controller's last message, as sent or tampered with, to the host
                {
                    final int n = tamper(data, toHost, toHostLength);
                    try
                    {
                        if (!replied)
                        {
                            toControllerLength = host.reply(toHost, n, toController.clear());
                            replied = true;
                        }
                        else
                        {
                            final int s2 = host.success1(toHost, n, scratch.clear());
                            if (s2 > 0)
                            {
                                if (!bidirectional || !rightCtrlKey)
                                {
                                    throw new AssertionError("the host accepted a controller it cannot verify");
                                }
                                toController.clear().put(0, scratch, 0, s2);
                                toControllerLength = s2;
                            }
                        }
                    }
                    catch (final DhchapException e)
                    {
                        oneLine(e);
                        if (e.reason() == null)
                        {
                            throw new AssertionError("a DhchapException without a reason: " + e.getMessage(), e);
                        }
                        if (!e.fromController()) // after an AUTH_Failure1 there is nothing more to send
                        {
                            toControllerLength = host.failure2(toController.clear(), e.reason());
                        }
                    }
                    break;
                }
                case 3: // arbitrary bytes to the controller
                {
                    final byte[] b = data.consumeBytes(data.consumeInt(0, 600));
                    toController.clear().put(b);
                    ctrl.send(toController, b.length);
                    break;
                }
                default: // arbitrary bytes to the host
                {
                    final byte[] b = data.consumeBytes(data.consumeInt(0, 600));
                    toHost.clear().put(b);
                    toHostLength = b.length;
                }
            }
            if (ctrl.authenticated() && !rightHostKey)
            {
                throw new AssertionError("the controller authenticated a host with the wrong key");
            }
            if (ctrl.failed() && ctrl.failureReason() == null)
            {
                throw new AssertionError("the controller failed without a reason: " + ctrl.failureDetail());
            }
        }
    }

    /** The message's length as received: whole, cut short, or whole with one byte changed. */
    private static int tamper(final FuzzedDataProvider data, final ByteBuffer message, final int length)
    {
        switch (data.consumeInt(0, 3))
        {
            case 0:
                return length == 0 ? 0 : data.consumeInt(0, length - 1);
            case 1:
                if (length > 0)
                {
                    final int at = data.consumeInt(0, length - 1);
                    message.put(at, (byte)(message.get(at) ^ data.consumeInt(1, 255)));
                }
                return length;
            default:
                return length;
        }
    }

    private static void oneLine(final Exception e)
    {
        if (e.getMessage() == null || e.getMessage().indexOf('\n') >= 0)
        {
            throw new AssertionError("not a one-line message: " + e.getMessage(), e);
        }
    }

    /** Deterministic "randomness" (SecureRandom draws every value through nextBytes), so a crash input replays. */
    private static final class FixedRandom extends SecureRandom
    {
        private static final long serialVersionUID = 1L;
        private long state;

        FixedRandom(final long seed)
        {
            state = seed;
        }

        @Override
        public void nextBytes(final byte[] bytes)
        {
            for (int i = 0; i < bytes.length; i++)
            {
                state = state * 6364136223846793005L + 1442695040888963407L;
                bytes[i] = (byte)(state >>> 56);
            }
        }
    }
}
