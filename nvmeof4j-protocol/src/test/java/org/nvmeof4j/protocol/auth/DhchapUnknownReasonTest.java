package org.nvmeof4j.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Regression for a DhchapFuzzTest finding: an AUTH_Failure1 or AUTH_Failure2 whose reason code explanation this
 * version does not know gave a null reason, on which the host's {@code failure2} (and anything that named the
 * reason) threw a NullPointerException. It is now FAILED, and the message keeps the code.
 */
class DhchapUnknownReasonTest
{
    private static final String HOSTNQN = "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555";
    private static final String SUBNQN = "nqn.2024-01.org.nvmeof4j:auth";

    private static DhchapSecret key(final int fill)
    {
        final byte[] k = new byte[32];
        Arrays.fill(k, (byte)fill);
        return DhchapSecret.of(1, k);
    }

    private static ByteBuffer failure(final boolean failure1, final int tid, final int explanation)
    {
        final ByteBuffer b = ByteBuffer.allocate(AuthFailure.LENGTH);
        new AuthFailure().wrap(b, 0, AuthFailure.LENGTH).encode(failure1, tid, AuthFailureReason.FAILED);
        b.put(AuthFailure.RESCODE_EXP_OFFSET, (byte)explanation);
        return b;
    }

    @Test
    void shouldReportAnUnknownFailure1ReasonAsFailed()
    {
        final DhchapHost host = new DhchapHost(key(1), null, HOSTNQN, SUBNQN, 1, new SecureRandom(), null, null);
        final DhchapException e = catchThrowableOfType(
            () -> host.reply(failure(true, 1, 0x7E), AuthFailure.LENGTH, ByteBuffer.allocate(DhchapHost.MAX_SEND)),
            DhchapException.class);

        assertThat(e.fromController()).isTrue();
        assertThat(e.reason()).isEqualTo(AuthFailureReason.FAILED);
        assertThat(e.getMessage()).contains("0x7e");
        // what the fuzz target did with it: answering it must not throw either
        assertThat(host.failure2(ByteBuffer.allocate(AuthFailure.LENGTH), e.reason())).isEqualTo(AuthFailure.LENGTH);
    }

    @Test
    void shouldReportAnUnknownFailure2ReasonAsFailed()
    {
        final DhchapSecret hostKey = key(1);
        final DhchapSecret ctrlKey = key(2);
        final SecureRandom random = new SecureRandom();
        final DhchapHost host = new DhchapHost(hostKey, ctrlKey, HOSTNQN, SUBNQN, 1, random, null, new byte[] {0});
        final DhchapController ctrl = new DhchapController(hostKey, ctrlKey, AuthHash.SHA256, DhGroup.NULL, HOSTNQN,
            SUBNQN, random);
        final ByteBuffer toCtrl = ByteBuffer.allocate(DhchapHost.MAX_SEND);
        final ByteBuffer toHost = ByteBuffer.allocate(DhchapHost.MAX_RECEIVE);
        ctrl.send(toCtrl, host.negotiate(toCtrl));
        final int challenge = ctrl.receive(toHost, toHost.capacity());
        try
        {
            ctrl.send(toCtrl, host.reply(toHost, challenge, toCtrl.clear()));
        }
        catch (final DhchapException e)
        {
            throw new AssertionError(e);
        }
        ctrl.receive(toHost.clear(), toHost.capacity());
        assertThat(ctrl.step()).isEqualTo(DhchapController.Step.SUCCESS2);

        ctrl.send(failure(false, 1, 0xC3), AuthFailure.LENGTH);

        assertThat(ctrl.failed()).isTrue();
        assertThat(ctrl.failureReason()).isEqualTo(AuthFailureReason.FAILED);
        assertThat(ctrl.failureDetail()).contains("0xc3");
    }
}
