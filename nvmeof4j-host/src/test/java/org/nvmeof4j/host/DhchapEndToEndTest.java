package org.nvmeof4j.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.security.SecureRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nvmeof4j.protocol.auth.AuthFailureReason;
import org.nvmeof4j.protocol.auth.AuthHash;
import org.nvmeof4j.protocol.auth.DhGroup;
import org.nvmeof4j.protocol.auth.DhchapSecret;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.subsystem.HostAuth;

/**
 * Java host ↔ Java target with DH-HMAC-CHAP on every queue: each hash (unidirectional), each DH group
 * (bidirectional), data through the authenticated I/O queues, re-authentication, and the failures.
 */
class DhchapEndToEndTest
{
    private static final String SUB = "nqn.2024-01.org.nvmeof4j:auth-e2e";
    private static final String PREFIX = "nqn.2014-08.org.nvmexpress:uuid:bbbbbbbb-0000-4000-8000-0000000000";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DhchapSecret HOST_KEY = DhchapSecret.generate(0, 48, null, null, RANDOM);
    private static final DhchapSecret CTRL_KEY = DhchapSecret.generate(2, 48, null, SUB, RANDOM);
    private static final String PLAIN = PREFIX + "99";

    private static Target target;

    private static String hashHost(final AuthHash h)
    {
        return PREFIX + "1" + h.id();
    }

    private static String groupHost(final DhGroup g)
    {
        return PREFIX + "2" + g.id();
    }

    @BeforeAll
    static void start()
    {
        target = TestTargets.start(Target.builder().listen("127.0.0.1", 0).subsystem(s -> {
            s.nqn(SUB).ramNamespace(1, 8L << 20).allowHost(PLAIN);
            for (final AuthHash h : AuthHash.values())
            {
                s.allowHost(hashHost(h), new HostAuth(HOST_KEY, null, h, null));
            }
            for (final DhGroup g : DhGroup.values())
            {
                s.allowHost(groupHost(g), new HostAuth(HOST_KEY, CTRL_KEY, AuthHash.SHA256, g));
            }
        }));
    }

    @AfterAll
    static void stop()
    {
        target.close();
    }

    private static ConnectOptions options(final String hostNqn)
    {
        return ConnectOptions.tcp("127.0.0.1", target.boundPort(), SUB).hostnqn(hostNqn).nrIoQueues(1)
            .nrPollQueues(1).dhchapSecret(HOST_KEY);
    }

    private static void writeAndReadBack(final NvmeController c, final long lba)
    {
        final ByteBuffer w = TestTargets.pattern(4096, lba, true);
        final ByteBuffer r = ByteBuffer.allocateDirect(4096);
        c.writeBlocking(1, lba, 8, w);
        c.readBlocking(1, lba, 8, r);
        assertThat(r).isEqualTo(w);
        final IoQueue q = c.openIoQueue();
        final ByteBuffer r2 = ByteBuffer.allocateDirect(4096);
        q.submitRead(1, lba, 8, r2, 1);
        final long deadline = System.nanoTime() + 10_000_000_000L;
        final int[] done = {-1};
        while (done[0] < 0 && System.nanoTime() < deadline)
        {
            q.poll((tag, status) -> done[0] = status);
        }
        assertThat(done[0]).isZero();
        assertThat(r2).isEqualTo(w);
        q.close();
    }

    @ParameterizedTest
    @EnumSource(AuthHash.class)
    void shouldAuthenticateEveryQueueWithEachHash(final AuthHash h)
    {
        final long before = target.authenticationsSucceeded();
        try (NvmeController c = NvmeController.connect(options(hashHost(h))))
        {
            writeAndReadBack(c, h.id() * 16L);
        }
        // the admin queue, one async I/O queue, one polled queue
        assertThat(target.authenticationsSucceeded() - before).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(DhGroup.class)
    void shouldAuthenticateBidirectionallyWithEachGroup(final DhGroup g)
    {
        try (NvmeController c = NvmeController.connect(options(groupHost(g)).dhchapCtrlSecret(CTRL_KEY)))
        {
            writeAndReadBack(c, 100 + g.id() * 16L);
        }
    }

    @Test
    void shouldReauthenticateTheAdminQueue()
    {
        try (NvmeController c = NvmeController.connect(options(groupHost(DhGroup.FFDHE2048))
            .dhchapCtrlSecret(CTRL_KEY)))
        {
            final long before = target.authenticationsSucceeded();
            c.reauthenticate();
            c.reauthenticate();
            assertThat(target.authenticationsSucceeded() - before).isEqualTo(2);
            assertThat(c.reauthentications()).isEqualTo(2);
            assertThat(c.state()).isEqualTo(NvmeController.State.LIVE);
            writeAndReadBack(c, 300);
        }
    }

    @Test
    void shouldFailAWrongHostKeyAndLeaveNoControllerBehind()
    {
        final long failed = target.authenticationsFailed();
        final ConnectOptions o = options(hashHost(AuthHash.SHA256))
            .dhchapSecret(DhchapSecret.generate(0, 48, null, null, RANDOM));
        assertThatThrownBy(() -> NvmeController.connect(o)).isInstanceOfSatisfying(
            NvmeAuthenticationException.class, e -> {
                assertThat(e.reason()).isEqualTo(AuthFailureReason.FAILED);
                assertThat(e.getMessage()).contains("AUTH_Failure1").doesNotContain(HOST_KEY.format());
            });
        assertThat(target.authenticationsFailed()).isEqualTo(failed + 1);
        awaitNoControllerOf(hashHost(AuthHash.SHA256));
    }

    @Test
    void shouldFailAWrongControllerKeyWithFailure2()
    {
        final long failed = target.authenticationsFailed();
        final ConnectOptions o = options(groupHost(DhGroup.NULL))
            .dhchapCtrlSecret(DhchapSecret.generate(2, 48, null, SUB, RANDOM));
        assertThatThrownBy(() -> NvmeController.connect(o)).isInstanceOfSatisfying(
            NvmeAuthenticationException.class, e -> assertThat(e.getMessage()).contains("controller response"));
        awaitNoControllerOf(groupHost(DhGroup.NULL));
        assertThat(target.authenticationsFailed()).isEqualTo(failed + 1);
    }

    @Test
    void shouldRefuseWithoutASecretWhenTheControllerAsks()
    {
        final ConnectOptions o = options(hashHost(AuthHash.SHA384)).dhchapSecret(null);
        assertThatThrownBy(() -> NvmeController.connect(o)).isInstanceOf(NvmeAuthenticationException.class)
            .hasMessageContaining("requires DH-HMAC-CHAP");
        awaitNoControllerOf(hashHost(AuthHash.SHA384));
    }

    @Test
    void shouldRefuseAControllerThatSkipsBidirectionalAuthentication()
    {
        final ConnectOptions o = options(PLAIN).dhchapCtrlSecret(CTRL_KEY);
        assertThatThrownBy(() -> NvmeController.connect(o)).isInstanceOf(NvmeAuthenticationException.class)
            .hasMessageContaining("did not ask for authentication");
    }

    @Test
    void shouldConnectWithoutAuthenticationToAHostWithoutKey()
    {
        try (NvmeController c = NvmeController.connect(options(PLAIN)))
        {
            writeAndReadBack(c, 400);
        }
    }

    @Test
    void shouldParseNvmeCliOptionNamesAndNeverPrintTheSecrets()
    {
        final String secret = HOST_KEY.format();
        final ConnectOptions o = ConnectOptions.parse("transport=tcp,traddr=127.0.0.1,nqn=" + SUB +
            ",dhchap_secret=" + secret + ",dhchap_ctrl_secret=" + CTRL_KEY.format());
        assertThat(o.dhchapSecret()).isEqualTo(HOST_KEY);
        assertThat(o.dhchapCtrlSecret()).isEqualTo(CTRL_KEY);
        assertThat(o.toString()).doesNotContain(secret).doesNotContain(CTRL_KEY.format()).contains("<redacted>");
        assertThat(o.usedKeys()).contains("dhchap_secret", "dhchap_ctrl_secret");
        assertThatThrownBy(() -> ConnectOptions.parse("traddr=x,nqn=y,dhchap_secret=" + secret.replace('A', 'B')
            .replace("DHHC-1:00:", "DHHC-1:00:Q"))).isInstanceOf(IllegalArgumentException.class)
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret.substring(10, 30)));
    }

    /** The target closes a failed association on its pollers: wait (bounded) for its controller to go. */
    private static void awaitNoControllerOf(final String hostNqn)
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline &&
            target.controllers().stream().anyMatch(c -> c.hostNqn().equals(hostNqn)))
        {
            Thread.onSpinWait();
        }
        assertThat(target.controllers()).noneMatch(c -> c.hostNqn().equals(hostNqn));
    }
}
