package org.nvmeof4j.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nvmeof4j.protocol.auth.AuthFailureReason;
import org.nvmeof4j.protocol.auth.DhchapSecret;

/**
 * This host authenticating with DH-HMAC-CHAP to the Linux kernel target (nvmet, interop/linux-target.sh
 * {@code --dhchap-host/--dhchap-key}): data written and read back through authenticated queues, re-authentication,
 * and a wrong secret refused with the reason nvmet sends.
 *
 * <p>Needs a guest kernel with {@code CONFIG_NVME_TARGET_AUTH}: Debian 6.1's has none, so it always boots the 6.12
 * guest ({@code --kernel 6.12}; {@code interop/setup.sh} prepares both). Alone: {@code mvn -Pinterop -pl
 * nvmeof4j-host -am verify -Dtest=LinuxTargetAuthInteropTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("linux-interop")
class LinuxTargetAuthInteropTest
{
    static final String NQN = "nqn.2024-01.org.nvmeof4j:linux-auth";
    static final String HOSTNQN = "nqn.2014-08.org.nvmexpress:uuid:7a7a7a7a-0000-4000-8000-000000000001";

    @ParameterizedTest(name = "{0} {1} bidirectional={2}")
    @CsvSource({
        "hmac(sha256), null,      false",
        "hmac(sha512), ffdhe2048, true",
    })
    void shouldAuthenticateToNvmet(final String hash, final String group, final boolean bidirectional)
        throws Exception
    {
        final SecureRandom random = new SecureRandom();
        final DhchapSecret key = DhchapSecret.generate(1, 32, null, HOSTNQN, random);
        final DhchapSecret ctrlKey = DhchapSecret.generate(3, 64, null, NQN, random);
        final List<String> more = new java.util.ArrayList<>(List.of("--kernel", "6.12", "--dhchap-host", HOSTNQN, "--dhchap-key",
            key.format(), "--dhchap-hash", hash, "--dhchap-dhgroup", group));
        if (bidirectional)
        {
            more.add("--dhchap-ctrl-key");
            more.add(ctrlKey.format());
        }
        try (LinuxTargetVm vm = LinuxTargetVm.start(NQN, 64, more))
        {
            final ConnectOptions o = vm.options().hostnqn(HOSTNQN).nrIoQueues(2).dhchapSecret(key);
            if (bidirectional)
            {
                o.dhchapCtrlSecret(ctrlKey);
            }
            try (NvmeController c = NvmeController.connect(o))
            {
                final ByteBuffer w = TestTargets.pattern(128 << 10, 7, true);
                final ByteBuffer r = ByteBuffer.allocateDirect(128 << 10);
                final int bs = c.namespace(1).blockSize();
                c.writeBlocking(1, 0, (128 << 10) / bs, w);
                c.readBlocking(1, 0, (128 << 10) / bs, r);
                assertThat(r).isEqualTo(w);
                c.reauthenticate();
                c.readBlocking(1, 0, (128 << 10) / bs, r.clear());
                assertThat(r).isEqualTo(w);
                assertThat(c.state()).isEqualTo(NvmeController.State.LIVE);
            }
            final ConnectOptions wrong = vm.options().hostnqn(HOSTNQN)
                .dhchapSecret(DhchapSecret.generate(1, 32, null, HOSTNQN, random));
            // nvmet answers a wrong response with AUTH_Failure1 and then declares a fatal controller error at once
            // (6.12 logs "qid 0 failure1 (1)", then "fatal error occurred!"), so whether the Failure1 or the closed
            // connection reaches the host first is a race on nvmet's side: either way the connect fails
            final Throwable t = catchThrowable(() -> NvmeController.connect(wrong));
            if (t instanceof NvmeAuthenticationException e)
            {
                assertThat(e.reason()).isEqualTo(AuthFailureReason.FAILED);
            }
            else
            {
                assertThat(t).as("the connect with a wrong key").isInstanceOfAny(NvmeException.class,
                    NvmeTransportException.class).hasMessageContaining("Authentication Receive");
            }
            assertThat(t.getMessage()).doesNotContain(key.format());
        }
    }
}
