package org.nvmeof4j.protocol.auth;

import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The host's side of one DH-HMAC-CHAP transaction on one queue (NVMe Base 2.0, 8.13.5; the steps of Linux
 * {@code nvme_queue_auth_work}): Negotiate, then Challenge to Reply, then Success1 to (bidirectional) Success2.
 * The caller moves the bytes with Authentication Send and Receive; this class only reads and writes messages, so it
 * runs the same on any transport and in tests.
 *
 * <pre>
 *   negotiate(out)            -> Authentication Send   AUTH_Negotiate
 *   Authentication Receive    -> reply(in, n, out)  -> Authentication Send   DH-HMAC-CHAP_Reply
 *   Authentication Receive    -> success1(in, n, out) -> [Authentication Send DH-HMAC-CHAP_Success2]
 * </pre>
 *
 * A {@link DhchapException} that is not {@link DhchapException#fromController()} should be reported to the
 * controller with {@link #failure2(ByteBuffer, AuthFailureReason)} before giving up.
 */
public final class DhchapHost {

    /** Largest message a host receives: a Challenge with HL 64 and an ffdhe8192 value. */
    public static final int MAX_RECEIVE = DhchapChallenge.length(64, 1024);
    /** Largest message a host sends: a Reply with HL 64 and an ffdhe8192 value. */
    public static final int MAX_SEND = DhchapReply.length(64, 1024);

    private static final byte[] ALL_HASHES = {0x01, 0x02, 0x03};
    private static final byte[] ALL_GROUPS = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05};

    private final DhchapSecret hostKey;
    private final DhchapSecret ctrlKey;
    private final String hostNqn;
    private final String subNqn;
    private final int tid;
    private final SecureRandom random;
    private final byte[] hashIds;
    private final byte[] groupIds;

    private AuthHash hash;
    private DhGroup group;
    private byte[] c2;
    private long s2;
    private boolean replied;

    /**
     * @param hostKey  the host's secret ({@code dhchap_secret})
     * @param ctrlKey  the controller's secret for bidirectional authentication ({@code dhchap_ctrl_secret}), or null
     * @param tid      the transaction identifier (Linux uses the queue ID)
     * @param hashes   hash IDs to offer, null for all
     * @param groups   DH group IDs to offer, null for all
     */
    public DhchapHost(final DhchapSecret hostKey, final DhchapSecret ctrlKey, final String hostNqn, final String subNqn,
        final int tid, final SecureRandom random, final byte[] hashes, final byte[] groups) {
        this.hostKey = hostKey;
        this.ctrlKey = ctrlKey;
        this.hostNqn = hostNqn;
        this.subNqn = subNqn;
        this.tid = tid & 0xFFFF;
        this.random = random;
        this.hashIds = hashes == null ? ALL_HASHES : hashes.clone();
        this.groupIds = groups == null ? ALL_GROUPS : groups.clone();
    }

    /** Writes AUTH_Negotiate at index 0 of {@code out}; returns its length. */
    public int negotiate(final ByteBuffer out) {
        new AuthNegotiate().wrap(out, 0, AuthNegotiate.length()).encode(tid, 0, hashIds, groupIds);
        return AuthNegotiate.length();
    }

    /**
     * Reads the controller's Challenge ({@code n} bytes at index 0 of {@code in}) and writes the Reply at index 0 of
     * {@code out}.
     *
     * @return the length of the Reply
     */
    public int reply(final ByteBuffer in, final int n, final ByteBuffer out) throws DhchapException {
        expect(in, n, AuthMessage.TYPE_DHCHAP, AuthMessage.ID_CHALLENGE, DhchapChallenge.HEADER_LENGTH);
        final DhchapChallenge ch = new DhchapChallenge().wrap(in, 0, n);
        if (!ch.isComplete()) {
            throw local(AuthFailureReason.INCORRECT_PAYLOAD, "Challenge truncated: " + n + " of " +
                ch.messageLength() + " bytes");
        }
        if (ch.tid() != tid) {
            throw local(AuthFailureReason.INCORRECT_PAYLOAD, "Challenge T_ID " + ch.tid() + ", expected " + tid);
        }
        hash = AuthHash.fromId(ch.hashId());
        if (hash == null || !contains(hashIds, ch.hashId())) {
            throw local(AuthFailureReason.HASH_UNUSABLE, "Challenge HASHID " + ch.hashId() + " was not offered");
        }
        if (ch.hl() != hash.length()) {
            throw local(AuthFailureReason.INCORRECT_PAYLOAD, "Challenge HL " + ch.hl() + " for " + hash);
        }
        group = DhGroup.fromId(ch.dhgid());
        if (group == null || !contains(groupIds, ch.dhgid())) {
            throw local(AuthFailureReason.DHGROUP_UNUSABLE, "Challenge DHGID " + ch.dhgid() + " was not offered");
        }
        if (ch.dhvlen() != group.valueLength()) {
            throw local(AuthFailureReason.INCORRECT_PAYLOAD, "Challenge DHVLEN " + ch.dhvlen() + " for " + group);
        }
        byte[] c1 = ch.challenge();
        byte[] sessionKey = null;
        byte[] ownValue = new byte[0];
        if (group != DhGroup.NULL) {
            final KeyPair pair = group.generateKeyPair();
            sessionKey = group.sharedSecret(pair.getPrivate(), ch.dhValue());
            if (sessionKey == null) {
                throw local(AuthFailureReason.INCORRECT_PAYLOAD, "Challenge DH value out of range");
            }
            ownValue = group.publicValue(pair);
            c1 = Dhchap.augmentedChallenge(hash, sessionKey, c1);
        }
        final byte[] kh = hostKey.transformedKey(hostNqn);
        final byte[] r1 = Dhchap.hostResponse(hash, kh, c1, ch.seqnum(), tid, hostNqn, subNqn);
        Arrays.fill(kh, (byte)0);
        byte[] c2Wire = null;
        if (ctrlKey != null) {
            c2Wire = new byte[hash.length()];
            random.nextBytes(c2Wire);
            do {
                s2 = random.nextInt() & 0xFFFF_FFFFL;
            } while (s2 == 0);
            c2 = sessionKey != null ? Dhchap.augmentedChallenge(hash, sessionKey, c2Wire) : c2Wire;
        }
        if (sessionKey != null) {
            Arrays.fill(sessionKey, (byte)0);
        }
        new DhchapReply().wrap(out, 0, DhchapReply.length(hash.length(), ownValue.length))
            .encode(tid, r1, c2Wire, s2, ownValue);
        replied = true;
        return DhchapReply.length(hash.length(), ownValue.length);
    }

    /**
     * Reads Success1 ({@code n} bytes of {@code in}); for bidirectional authentication checks the controller's
     * response and writes Success2 at index 0 of {@code out}.
     *
     * @return the length of Success2 to send, or 0 when the transaction is complete (unidirectional)
     */
    public int success1(final ByteBuffer in, final int n, final ByteBuffer out) throws DhchapException {
        if (!replied) {
            throw new IllegalStateException("success1 before reply");
        }
        expect(in, n, AuthMessage.TYPE_DHCHAP, AuthMessage.ID_SUCCESS1, DhchapSuccess1.HEADER_LENGTH);
        final DhchapSuccess1 s = new DhchapSuccess1().wrap(in, 0, n);
        if (!s.isComplete() || s.tid() != tid || s.hl() != hash.length()) {
            throw local(AuthFailureReason.INCORRECT_PAYLOAD, "Success1 truncated or with wrong T_ID/HL");
        }
        if (ctrlKey == null) {
            return 0;
        }
        if (!s.rvalid()) {
            throw local(AuthFailureReason.FAILED, "controller did not authenticate itself (RVALID 0)");
        }
        final byte[] kc = ctrlKey.transformedKey(subNqn);
        final byte[] expected = Dhchap.controllerResponse(hash, kc, c2, s2, tid, hostNqn, subNqn);
        Arrays.fill(kc, (byte)0);
        if (!MessageDigest.isEqual(expected, s.response())) {
            throw local(AuthFailureReason.FAILED, "controller response did not verify (wrong controller key?)");
        }
        new DhchapSuccess2().wrap(out, 0, DhchapSuccess2.LENGTH).encode(tid);
        return DhchapSuccess2.LENGTH;
    }

    /** Writes AUTH_Failure2 with {@code reason} at index 0 of {@code out}; returns its length. */
    public int failure2(final ByteBuffer out, final AuthFailureReason reason) {
        new AuthFailure().wrap(out, 0, AuthFailure.LENGTH).encode(false, tid, reason);
        return AuthFailure.LENGTH;
    }

    /** The hash the controller chose, after {@link #reply}. */
    public AuthHash hash() {
        return hash;
    }

    /** The DH group the controller chose, after {@link #reply}. */
    public DhGroup group() {
        return group;
    }

    private void expect(final ByteBuffer in, final int n, final int type, final int id, final int header)
        throws DhchapException {
        if (n >= 2 && AuthMessage.kind(in, 0) == (AuthMessage.TYPE_COMMON << 8 | AuthMessage.ID_FAILURE1)) {
            final int exp = n >= AuthFailure.LENGTH ? new AuthFailure().wrap(in, 0, n).rescodeExp() : 0;
            final AuthFailureReason r = AuthFailureReason.valueOf(exp);
            // a reason code this version does not know is still a failure: reported as FAILED, never as null
            throw new DhchapException(r == null ? AuthFailureReason.FAILED : r, true,
                "controller sent AUTH_Failure1, reason " + (r == null ? "0x" + Integer.toHexString(exp) : r.name()));
        }
        if (n < header) {
            throw local(AuthFailureReason.INCORRECT_PAYLOAD, "message of " + n + " bytes, expected at least " + header);
        }
        if (AuthMessage.kind(in, 0) != (type << 8 | id)) {
            throw local(AuthFailureReason.INCORRECT_MESSAGE, "expected " + AuthMessage.name(type << 8 | id) +
                ", got " + AuthMessage.name(AuthMessage.kind(in, 0)));
        }
    }

    private static DhchapException local(final AuthFailureReason reason, final String message) {
        return new DhchapException(reason, false, message);
    }

    private static boolean contains(final byte[] ids, final int id) {
        for (final byte b : ids) {
            if ((b & 0xFF) == id) {
                return true;
            }
        }
        return false;
    }
}
