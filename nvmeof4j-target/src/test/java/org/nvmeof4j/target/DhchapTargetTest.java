package org.nvmeof4j.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.protocol.auth.AuthFailure;
import org.nvmeof4j.protocol.auth.AuthFailureReason;
import org.nvmeof4j.protocol.auth.AuthHash;
import org.nvmeof4j.protocol.auth.AuthMessage;
import org.nvmeof4j.protocol.auth.DhGroup;
import org.nvmeof4j.protocol.auth.DhchapHost;
import org.nvmeof4j.protocol.auth.DhchapSecret;
import org.nvmeof4j.protocol.fabrics.ConnectResponse;
import org.nvmeof4j.target.subsystem.HostAuth;

/**
 * The target's side of DH-HMAC-CHAP driven byte by byte from a raw host: AUTHREQ in the Connect response, commands
 * refused until authentication, the AUTH_Failure1 reason of each bad input, the queue closed behind it, the count,
 * and other connections untouched.
 */
class DhchapTargetTest
{
    private static final String SUB = "nqn.2024-01.org.nvmeof4j:auth";
    private static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:aaaaaaaa-0000-4000-8000-000000000001";
    private static final String HOST512 = "nqn.2014-08.org.nvmexpress:uuid:aaaaaaaa-0000-4000-8000-000000000002";
    private static final String HOSTDH = "nqn.2014-08.org.nvmexpress:uuid:aaaaaaaa-0000-4000-8000-000000000003";
    private static final String OPEN = "nqn.2014-08.org.nvmexpress:uuid:aaaaaaaa-0000-4000-8000-000000000004";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DhchapSecret KEY = DhchapSecret.generate(1, 32, null, HOST, RANDOM);
    /** nvme-cli's status field: SCT 1 (command specific), SC 0x91 authentication required. */
    private static final int AUTH_REQUIRED = 0x191;
    private static final int INVALID_FIELD = 0x002;

    private static Target target;

    @BeforeAll
    static void start() throws IOException
    {
        target = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(SUB).ramNamespace(1, 1 << 20)
                .allowHost(HOST, new HostAuth(KEY, null, null, null))
                .allowHost(HOST512, new HostAuth(KEY, null, AuthHash.SHA512, null))
                .allowHost(HOSTDH, new HostAuth(KEY, null, null, DhGroup.FFDHE2048))
                .allowHost(OPEN))
            .build().start();
    }

    @AfterAll
    static void stop()
    {
        target.close();
    }

    private static RawHost connected(final String hostNqn, final boolean expectAtr) throws IOException
    {
        final RawHost h = new RawHost(target.boundPort());
        h.initialize(false, false);
        final ByteBuffer c = h.connect(0, 0xFFFF, SUB, hostNqn, 31);
        assertThat(RawHost.status(c)).isZero();
        assertThat(ConnectResponse.authenticationRequired(RawHost.dw0(c))).isEqualTo(expectAtr);
        return h;
    }

    private static ByteBuffer authSqe(final int fctype, final int cid, final int length)
    {
        final ByteBuffer s = RawHost.sqe(0x7F, cid, 0);
        s.put(4, (byte)fctype).put(41, (byte)1).put(42, (byte)1).put(43, (byte)0xE9).putInt(44, length);
        return s;
    }

    /** Authentication Send of the first {@code tl} bytes of {@code msg}; returns the CQE status. */
    private static int send(final RawHost h, final ByteBuffer msg, final int tl) throws IOException
    {
        final byte[] data = new byte[tl];
        msg.get(0, data);
        h.send(h.capsule(RawHost.sglInCapsule(authSqe(0x05, 10, tl), tl), data));
        return RawHost.status(h.readPdu());
    }

    /** Authentication Receive: the message returned, at index 0 of {@code into}; returns its length. */
    private static int receive(final RawHost h, final ByteBuffer into) throws IOException
    {
        h.send(h.capsule(RawHost.sglTransport(authSqe(0x06, 11, 4096), 4096), null));
        final ByteBuffer data = h.readPdu();
        assertThat(data.get(0)).as("C2HData").isEqualTo((byte)0x07);
        final int len = data.getInt(16);
        into.put(0, data, RawHost.pdo(data), len);
        final ByteBuffer resp = h.readPdu();
        assertThat(RawHost.status(resp)).isZero();
        return len;
    }

    private static void authenticate(final RawHost h, final DhchapHost dh) throws Exception
    {
        final ByteBuffer out = ByteBuffer.allocate(4096);
        final ByteBuffer in = ByteBuffer.allocate(4096);
        assertThat(send(h, out, dh.negotiate(out))).isZero();
        int n = receive(h, in);
        assertThat(send(h, out, dh.reply(in, n, out))).isZero();
        n = receive(h, in);
        assertThat(dh.success1(in, n, out)).isZero();
    }

    private static DhchapHost host(final String nqn, final DhchapSecret key, final byte[] hashes, final byte[] groups)
    {
        return new DhchapHost(key, null, nqn, SUB, 1, RANDOM, hashes, groups);
    }

    private static AuthFailureReason failure1(final RawHost h) throws IOException
    {
        final ByteBuffer in = ByteBuffer.allocate(4096);
        final int n = receive(h, in);
        assertThat(n).isEqualTo(AuthFailure.LENGTH);
        final AuthFailure f = new AuthFailure().wrap(in, 0, n);
        assertThat(f.authId()).isEqualTo(AuthMessage.ID_FAILURE1);
        return AuthFailureReason.valueOf(f.rescodeExp());
    }

    @Test
    void shouldAskForAuthenticationAndRefuseEverythingElseUntilDone() throws Exception
    {
        try (RawHost h = connected(HOST, true))
        {
            assertThat(RawHost.sctSc(h.propertyGet(1, 0, true))).isEqualTo(AUTH_REQUIRED);
            assertThat(RawHost.sctSc(h.propertySet(2, 0x14, 0x460001))).isEqualTo(AUTH_REQUIRED);
            final long before = target.authenticationsSucceeded();
            authenticate(h, host(HOST, KEY, null, null));
            assertThat(target.authenticationsSucceeded()).isEqualTo(before + 1);
            assertThat(RawHost.status(h.propertyGet(3, 0, true))).isZero();
        }
    }

    @Test
    void shouldNotAskAHostWithoutKey() throws Exception
    {
        try (RawHost h = connected(OPEN, false))
        {
            assertThat(RawHost.status(h.propertyGet(1, 0, true))).isZero();
        }
    }

    @Test
    void shouldAuthenticateWithADhGroup() throws Exception
    {
        try (RawHost h = connected(HOSTDH, true))
        {
            authenticate(h, host(HOSTDH, KEY, null, null));
            assertThat(RawHost.status(h.propertyGet(3, 0, true))).isZero();
        }
    }

    @Test
    void shouldFailAWrongKeyWithReasonFailedCloseTheQueueAndCountIt() throws Exception
    {
        try (RawHost other = connected(HOST, true); RawHost h = connected(HOST, true))
        {
            authenticate(other, host(HOST, KEY, null, null));
            final long failed = target.authenticationsFailed();
            final DhchapHost dh = host(HOST, DhchapSecret.generate(1, 32, null, HOST, RANDOM), null, null);
            final ByteBuffer out = ByteBuffer.allocate(4096);
            final ByteBuffer in = ByteBuffer.allocate(4096);
            send(h, out, dh.negotiate(out));
            final int n = receive(h, in);
            assertThat(send(h, out, dh.reply(in, n, out))).isZero();
            assertThat(failure1(h)).isEqualTo(AuthFailureReason.FAILED);
            assertThat(h.closedByPeer()).isTrue();
            assertThat(target.authenticationsFailed()).isEqualTo(failed + 1);
            // the other association goes on
            assertThat(RawHost.status(other.propertyGet(4, 0, true))).isZero();
        }
    }

    @Test
    void shouldFailAHashTheTargetDoesNotUse() throws Exception
    {
        try (RawHost h = connected(HOST512, true))
        {
            final ByteBuffer out = ByteBuffer.allocate(4096);
            assertThat(send(h, out, host(HOST512, KEY, new byte[] {1, 2}, null).negotiate(out))).isZero();
            assertThat(failure1(h)).isEqualTo(AuthFailureReason.HASH_UNUSABLE);
            assertThat(h.closedByPeer()).isTrue();
        }
    }

    @Test
    void shouldFailADhGroupTheTargetDoesNotUse() throws Exception
    {
        try (RawHost h = connected(HOSTDH, true))
        {
            final ByteBuffer out = ByteBuffer.allocate(4096);
            assertThat(send(h, out, host(HOSTDH, KEY, null, new byte[] {0, 2}).negotiate(out))).isZero();
            assertThat(failure1(h)).isEqualTo(AuthFailureReason.DHGROUP_UNUSABLE);
        }
    }

    @Test
    void shouldFailATruncatedReplyWithIncorrectPayload() throws Exception
    {
        try (RawHost h = connected(HOST, true))
        {
            final DhchapHost dh = host(HOST, KEY, null, null);
            final ByteBuffer out = ByteBuffer.allocate(4096);
            final ByteBuffer in = ByteBuffer.allocate(4096);
            send(h, out, dh.negotiate(out));
            final int n = receive(h, in);
            final int len = dh.reply(in, n, out);
            assertThat(send(h, out, len - 20)).isZero();
            assertThat(failure1(h)).isEqualTo(AuthFailureReason.INCORRECT_PAYLOAD);
        }
    }

    @Test
    void shouldFailAReplayedReplyWithIncorrectMessage() throws Exception
    {
        try (RawHost h = connected(HOST, true))
        {
            final DhchapHost dh = host(HOST, KEY, null, null);
            final ByteBuffer out = ByteBuffer.allocate(4096);
            final ByteBuffer in = ByteBuffer.allocate(4096);
            send(h, out, dh.negotiate(out));
            int n = receive(h, in);
            final int len = dh.reply(in, n, out);
            final ByteBuffer replay = ByteBuffer.allocate(len).put(0, out, 0, len);
            send(h, out, len);
            n = receive(h, in);
            assertThat(dh.success1(in, n, out)).isZero();
            assertThat(send(h, replay, len)).isZero();
            assertThat(failure1(h)).isEqualTo(AuthFailureReason.INCORRECT_MESSAGE);
            assertThat(h.closedByPeer()).isTrue();
        }
    }

    @Test
    void shouldRefuseABadSecpOrEmptyTransferWithInvalidField() throws Exception
    {
        try (RawHost h = connected(HOST, true))
        {
            final ByteBuffer out = ByteBuffer.allocate(4096);
            final int len = host(HOST, KEY, null, null).negotiate(out);
            final byte[] data = new byte[len];
            out.get(0, data);
            final ByteBuffer bad = RawHost.sglInCapsule(authSqe(0x05, 12, len), len).put(43, (byte)0xEA);
            h.send(h.capsule(bad, data));
            assertThat(RawHost.sctSc(h.readPdu())).isEqualTo(INVALID_FIELD);
            final ByteBuffer tl = RawHost.sglInCapsule(authSqe(0x05, 13, len - 1), len);
            h.send(h.capsule(tl, data));
            assertThat(RawHost.sctSc(h.readPdu())).isEqualTo(INVALID_FIELD);
            // the queue is still usable: a proper transaction authenticates it
            authenticate(h, host(HOST, KEY, null, null));
        }
    }

    @Test
    void shouldAskEveryIoQueueToAuthenticateBeforeIo() throws Exception
    {
        final RawHost admin = new RawHost(target.boundPort());
        admin.initialize(false, false);
        final ByteBuffer c = admin.connect(0, 0xFFFF, SUB, HOST, 31);
        final int cntlid = RawHost.dw0(c) & 0xFFFF;
        authenticate(admin, host(HOST, KEY, null, null));
        assertThat(RawHost.status(admin.propertySet(3, 0x14, 0x00460001))).isZero();
        final ByteBuffer sf = RawHost.sqe(0x09, 5, 0);
        sf.putInt(40, 0x07).putInt(44, 0);
        admin.send(admin.capsule(sf, null));
        assertThat(RawHost.status(admin.readPdu())).isZero();
        try (admin; RawHost io = new RawHost(target.boundPort()))
        {
            io.initialize(false, false);
            final ByteBuffer ioc = io.connect(1, cntlid, SUB, HOST, 31);
            assertThat(RawHost.status(ioc)).isZero();
            assertThat(ConnectResponse.authenticationRequired(RawHost.dw0(ioc))).isTrue();
            final ByteBuffer read = RawHost.sglTransport(TargetTestSupport.rw(0x02, 7, 0, 1), 512);
            io.send(io.capsule(read, null));
            assertThat(RawHost.sctSc(io.readPdu())).isEqualTo(AUTH_REQUIRED);
            authenticate(io, host(HOST, KEY, null, null));
            io.send(io.capsule(read, null));
            assertThat(io.readPdu().get(0)).as("C2HData of the read").isEqualTo((byte)0x07);
            assertThat(RawHost.status(io.readPdu())).isZero();
        }
    }

    @Test
    void shouldDropAHostThatNeverAuthenticatesAndCountIt() throws Exception
    {
        final DhchapSecret key = DhchapSecret.generate(0, 32, null, HOST, RANDOM);
        try (Target t = Target.builder().listen("127.0.0.1", 0).connectionLimits(new ConnectionLimits(16, 16, 0, 300))
            .subsystem(s -> s.nqn(SUB).ramNamespace(1, 1 << 20).allowHost(HOST, new HostAuth(key, null, null, null)))
            .build().start(); RawHost h = new RawHost(t.boundPort()))
        {
            h.initialize(false, false);
            assertThat(RawHost.status(h.connect(0, 0xFFFF, SUB, HOST, 31))).isZero();
            assertThat(t.controllers()).hasSize(1);
            // the target closes the connection once its Connect timeout (300 ms) has passed without authentication
            assertThat(h.closedByPeer()).isTrue();
            assertThat(t.authenticationsFailed()).isEqualTo(1);
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (!t.controllers().isEmpty() && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
            assertThat(t.controllers()).isEmpty();
        }
    }
}
