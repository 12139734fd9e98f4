package org.nvmeof4j.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.SecureRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Host and controller state machines against each other, in memory: every hash, every group, and the faults. */
class DhchapTransactionTest {

    private static final String HOSTNQN = "nqn.2014-08.org.nvmexpress:uuid:0c8a4a4e-1111-4222-8333-444455556666";
    private static final String SUBNQN = "nqn.2024-01.org.nvmeof4j:auth";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DhchapSecret hostKey = DhchapSecret.generate(1, 32, null, HOSTNQN, RANDOM);
    private final DhchapSecret ctrlKey = DhchapSecret.generate(3, 64, null, SUBNQN, RANDOM);
    private final ByteBuffer toCtrl = ByteBuffer.allocate(4096);
    private final ByteBuffer toHost = ByteBuffer.allocate(4096);

    private DhchapHost host(final DhchapSecret hk, final DhchapSecret ck) {
        return new DhchapHost(hk, ck, HOSTNQN, SUBNQN, 7, RANDOM, null, null);
    }

    private DhchapController ctrl(final AuthHash h, final DhGroup g, final DhchapSecret hk, final DhchapSecret ck) {
        return new DhchapController(hk, ck, h, g, HOSTNQN, SUBNQN, RANDOM);
    }

    /** Runs the transaction; returns the Success2 length (0 unidirectional). */
    private int run(final DhchapHost h, final DhchapController c) throws DhchapException {
        c.send(toCtrl, h.negotiate(toCtrl));
        int n = c.receive(toHost, 4096);
        c.send(toCtrl, h.reply(toHost, n, toCtrl));
        n = c.receive(toHost, 4096);
        final int s2 = h.success1(toHost, n, toCtrl);
        if (s2 > 0) {
            c.send(toCtrl, s2);
        }
        return s2;
    }

    @ParameterizedTest
    @EnumSource(AuthHash.class)
    void shouldAuthenticateUnidirectionallyWithEveryHash(final AuthHash hash) throws Exception {
        final DhchapController c = ctrl(hash, DhGroup.NULL, hostKey, null);
        assertThat(run(host(hostKey, null), c)).isZero();
        assertThat(c.authenticated()).isTrue();
        assertThat(c.step()).isEqualTo(DhchapController.Step.DONE);
    }

    @ParameterizedTest
    @EnumSource(value = DhGroup.class)
    void shouldAuthenticateBidirectionallyWithEveryGroup(final DhGroup group) throws Exception {
        final DhchapController c = ctrl(AuthHash.SHA384, group, hostKey, ctrlKey);
        final DhchapHost h = host(hostKey, ctrlKey);
        assertThat(run(h, c)).isEqualTo(DhchapSuccess2.LENGTH);
        assertThat(c.authenticated()).isTrue();
        assertThat(h.group()).isEqualTo(group);
        assertThat(h.hash()).isEqualTo(AuthHash.SHA384);
    }

    @Test
    void shouldFailWithReasonFailedOnAWrongHostKey() throws Exception {
        final DhchapController c = ctrl(AuthHash.SHA256, DhGroup.FFDHE2048, hostKey, null);
        final DhchapHost h = host(DhchapSecret.generate(1, 32, null, HOSTNQN, RANDOM), null);
        assertThatThrownBy(() -> run(h, c)).isInstanceOfSatisfying(DhchapException.class, e -> {
            assertThat(e.fromController()).isTrue();
            assertThat(e.reason()).isEqualTo(AuthFailureReason.FAILED);
        });
        assertThat(c.failed()).isTrue();
        assertThat(c.authenticated()).isFalse();
    }

    @Test
    void shouldSendFailure2OnAWrongControllerKey() throws Exception {
        final DhchapController c = ctrl(AuthHash.SHA256, DhGroup.NULL, hostKey, ctrlKey);
        final DhchapHost h = host(hostKey, DhchapSecret.generate(3, 64, null, SUBNQN, RANDOM));
        c.send(toCtrl, h.negotiate(toCtrl));
        int n = c.receive(toHost, 4096);
        c.send(toCtrl, h.reply(toHost, n, toCtrl));
        n = c.receive(toHost, 4096);
        final int len = n;
        assertThatThrownBy(() -> h.success1(toHost, len, toCtrl)).isInstanceOfSatisfying(DhchapException.class,
            e -> assertThat(e.fromController()).isFalse());
        c.send(toCtrl, h.failure2(toCtrl, AuthFailureReason.FAILED));
        assertThat(c.failed()).isTrue();
        assertThat(c.authenticated()).isFalse();
    }

    @Test
    void shouldRefuseAHashTheHostDoesNotOffer() {
        final DhchapController c = ctrl(AuthHash.SHA512, DhGroup.NULL, hostKey, null);
        final DhchapHost h = new DhchapHost(hostKey, null, HOSTNQN, SUBNQN, 1, RANDOM, new byte[] {1}, null);
        assertThatThrownBy(() -> run(h, c)).isInstanceOfSatisfying(DhchapException.class,
            e -> assertThat(e.reason()).isEqualTo(AuthFailureReason.HASH_UNUSABLE));
    }

    @Test
    void shouldRefuseAGroupTheHostDoesNotOffer() {
        final DhchapController c = ctrl(AuthHash.SHA256, DhGroup.FFDHE3072, hostKey, null);
        final DhchapHost h = new DhchapHost(hostKey, null, HOSTNQN, SUBNQN, 1, RANDOM, null, new byte[] {0, 1});
        assertThatThrownBy(() -> run(h, c)).isInstanceOfSatisfying(DhchapException.class,
            e -> assertThat(e.reason()).isEqualTo(AuthFailureReason.DHGROUP_UNUSABLE));
    }

    @Test
    void shouldAnswerIncorrectPayloadToATruncatedReply() throws Exception {
        final DhchapController c = ctrl(AuthHash.SHA256, DhGroup.FFDHE2048, hostKey, null);
        final DhchapHost h = host(hostKey, null);
        c.send(toCtrl, h.negotiate(toCtrl));
        final int n = c.receive(toHost, 4096);
        final int len = h.reply(toHost, n, toCtrl);
        c.send(toCtrl, len - 1);
        assertThat(c.step()).isEqualTo(DhchapController.Step.FAILURE1);
        assertFailure1(c, AuthFailureReason.INCORRECT_PAYLOAD);
    }

    @Test
    void shouldAnswerIncorrectMessageToAReplayedReply() throws Exception {
        final DhchapController c = ctrl(AuthHash.SHA256, DhGroup.NULL, hostKey, null);
        final DhchapHost h = host(hostKey, null);
        c.send(toCtrl, h.negotiate(toCtrl));
        int n = c.receive(toHost, 4096);
        final int len = h.reply(toHost, n, toCtrl);
        final ByteBuffer copy = ByteBuffer.allocate(len).put(0, toCtrl, 0, len);
        c.send(toCtrl, len);
        n = c.receive(toHost, 4096);
        h.success1(toHost, n, toCtrl);
        assertThat(c.authenticated()).isTrue();
        c.send(copy, len);
        assertThat(c.authenticated()).isFalse();
        assertFailure1(c, AuthFailureReason.INCORRECT_MESSAGE);
    }

    @Test
    void shouldNotAcceptAReplyFromAnEarlierTransaction() throws Exception {
        // a Reply captured from one transaction does not verify against the fresh challenge of the next
        final DhchapController c = ctrl(AuthHash.SHA256, DhGroup.NULL, hostKey, null);
        final DhchapHost h = host(hostKey, null);
        c.send(toCtrl, h.negotiate(toCtrl));
        int n = c.receive(toHost, 4096);
        final int len = h.reply(toHost, n, toCtrl);
        final ByteBuffer old = ByteBuffer.allocate(len).put(0, toCtrl, 0, len);
        c.send(toCtrl, h.negotiate(toCtrl));
        c.receive(toHost, 4096);
        c.send(old, len);
        assertFailure1(c, AuthFailureReason.FAILED);
    }

    @Test
    void shouldAnswerIncorrectPayloadToAWrongTransactionId() throws Exception {
        final DhchapController c = ctrl(AuthHash.SHA256, DhGroup.NULL, hostKey, null);
        final DhchapHost h = host(hostKey, null);
        c.send(toCtrl, h.negotiate(toCtrl));
        final int n = c.receive(toHost, 4096);
        final int len = h.reply(toHost, n, toCtrl);
        toCtrl.putShort(AuthMessage.T_ID_OFFSET, (short)8);
        c.send(toCtrl, len);
        assertFailure1(c, AuthFailureReason.INCORRECT_PAYLOAD);
    }

    @Test
    void shouldFailAReceiveBeforeNegotiateAndASmallAllocationLength() {
        final DhchapController c = ctrl(AuthHash.SHA256, DhGroup.NULL, hostKey, null);
        c.send(toCtrl, host(hostKey, null).negotiate(toCtrl));
        assertThat(c.receive(toHost, 16)).isEqualTo(DhchapController.AL_TOO_SMALL);
        assertThat(c.step()).isEqualTo(DhchapController.Step.CHALLENGE);
        final DhchapController fresh = ctrl(AuthHash.SHA256, DhGroup.NULL, hostKey, null);
        assertThat(fresh.receive(toHost, 4096)).isEqualTo(AuthFailure.LENGTH);
        assertThat(new AuthFailure().wrap(toHost, 0, 8).rescodeExp())
            .isEqualTo(AuthFailureReason.INCORRECT_MESSAGE.code());
        assertThat(fresh.failed()).isTrue();
    }

    @Test
    void shouldRestartOnANewNegotiate() throws Exception {
        final DhchapController c = ctrl(AuthHash.SHA256, DhGroup.NULL, hostKey, null);
        assertThat(run(host(hostKey, null), c)).isZero();
        assertThat(run(host(hostKey, null), c)).isZero();
        assertThat(c.authenticated()).isTrue();
    }

    @Test
    void shouldReportTheReasonOfAFailure1ToTheHost() {
        new AuthFailure().wrap(toHost, 0, 8).encode(true, 7, AuthFailureReason.DHGROUP_UNUSABLE);
        final DhchapHost h = host(hostKey, null);
        assertThatThrownBy(() -> h.reply(toHost, 8, toCtrl)).isInstanceOfSatisfying(DhchapException.class, e -> {
            assertThat(e.fromController()).isTrue();
            assertThat(e.reason()).isEqualTo(AuthFailureReason.DHGROUP_UNUSABLE);
        });
    }

    @Test
    void shouldRefuseForcedDhValues() {
        final DhGroup g = DhGroup.FFDHE2048;
        final KeyPair pair = g.generateKeyPair();
        final byte[] one = new byte[256];
        one[255] = 1;
        assertThat(g.sharedSecret(pair.getPrivate(), one)).isNull();
        assertThat(g.sharedSecret(pair.getPrivate(), pad(g.prime().subtract(BigInteger.ONE), 256))).isNull();
        assertThat(g.sharedSecret(pair.getPrivate(), new byte[255])).isNull();
        final KeyPair other = g.generateKeyPair();
        assertThat(g.sharedSecret(pair.getPrivate(), g.publicValue(other)))
            .isEqualTo(g.sharedSecret(other.getPrivate(), g.publicValue(pair))).hasSize(256);
    }

    @ParameterizedTest
    @EnumSource(value = DhGroup.class, names = "NULL", mode = EnumSource.Mode.EXCLUDE)
    void shouldCarryTheRfc7919Primes(final DhGroup g) {
        final BigInteger p = g.prime();
        final int bits = p.bitLength();
        assertThat(bits).isEqualTo(Integer.parseInt(g.nvmetName().substring(5)));
        // RFC 7919: the top and bottom 64 bits are all ones, and the middle starts with the digits of e
        assertThat(p.shiftRight(bits - 64).longValue()).isEqualTo(-1L);
        assertThat(p.longValue()).isEqualTo(-1L);
        assertThat(p.shiftRight(bits - 128).longValue()).isEqualTo(0xADF85458A2BB4A9AL);
        assertThat(g.valueLength()).isEqualTo(bits / 8);
    }

    @Test
    void shouldLayOutNegotiateAsLinux() {
        final ByteBuffer b = ByteBuffer.allocate(72);
        new AuthNegotiate().wrap(b, 0, 72).encode(0x1234, 0, new byte[] {1, 2, 3}, new byte[] {0, 1, 2, 3, 4, 5});
        assertThat(b.get(0)).isEqualTo((byte)0); // AUTH_TYPE common
        assertThat(b.get(1)).isEqualTo((byte)0); // AUTH_ID negotiate
        assertThat(b.getShort(4)).isEqualTo(Short.reverseBytes((short)0x1234));
        assertThat(b.get(7)).isEqualTo((byte)1); // NAPD
        assertThat(b.get(8)).isEqualTo((byte)1); // AUTHID DH-HMAC-CHAP
        assertThat(b.get(10)).isEqualTo((byte)3); // HALEN
        assertThat(b.get(11)).isEqualTo((byte)6); // DHLEN
        assertThat(b.get(12)).isEqualTo((byte)1);
        assertThat(b.get(14)).isEqualTo((byte)3);
        assertThat(b.get(42)).isEqualTo((byte)0); // idlist[30]: first DH group
        assertThat(b.get(47)).isEqualTo((byte)5);
    }

    @Test
    void shouldRefuseToWrapLessThanAHeader() {
        assertThatThrownBy(() -> new DhchapReply().wrap(ByteBuffer.allocate(64), 0, 15))
            .isInstanceOf(IndexOutOfBoundsException.class);
        final ByteBuffer b = ByteBuffer.allocate(64);
        b.put(DhchapReply.HL_OFFSET, (byte)32);
        assertThat(new DhchapReply().wrap(b, 0, 64).isComplete()).isFalse();
        assertThat(new DhchapReply().wrap(b, 0, 64).messageLength()).isEqualTo(80);
    }

    private void assertFailure1(final DhchapController c, final AuthFailureReason reason) {
        final int n = c.receive(toHost, 4096);
        assertThat(n).isEqualTo(AuthFailure.LENGTH);
        final AuthFailure f = new AuthFailure().wrap(toHost, 0, n);
        assertThat(f.authId()).isEqualTo(AuthMessage.ID_FAILURE1);
        assertThat(f.rescode()).isEqualTo(AuthFailure.REASON_FAILED);
        assertThat(AuthFailureReason.valueOf(f.rescodeExp())).isEqualTo(reason);
        assertThat(c.failed()).isTrue();
    }

    private static byte[] pad(final BigInteger v, final int n) {
        final byte[] raw = v.toByteArray();
        final byte[] out = new byte[n];
        System.arraycopy(raw, Math.max(0, raw.length - n), out, Math.max(0, n - raw.length), Math.min(n, raw.length));
        return out;
    }
}
