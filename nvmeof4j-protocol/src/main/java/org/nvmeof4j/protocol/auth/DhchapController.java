package org.nvmeof4j.protocol.auth;

import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The controller's side of DH-HMAC-CHAP on one queue (NVMe Base 2.0, 8.13.5; the steps of Linux nvmet
 * {@code nvmet_execute_auth_send} / {@code nvmet_execute_auth_receive}). The target hands it the payload of each
 * Authentication Send ({@link #send}) and asks it for the data of each Authentication Receive ({@link #receive});
 * this class keeps the step, checks every message and decides the AUTH_Failure1 reason.
 *
 * <p>Steps: {@code NEGOTIATE} (expects AUTH_Negotiate) → {@code CHALLENGE} (the next Receive returns the Challenge)
 * → {@code REPLY} → {@code SUCCESS1} (Receive returns Success1) → {@code SUCCESS2} (bidirectional only) →
 * {@code DONE}. A wrong, truncated, replayed or out-of-order message moves to {@code FAILURE1}: the next Receive
 * returns AUTH_Failure1 with the reason, after which the transaction is {@code FAILED} and the target ends the
 * queue. An AUTH_Negotiate at any step but {@code FAILED} restarts the transaction (re-authentication), as in nvmet.
 */
public final class DhchapController {

    /** The transaction steps. */
    public enum Step {
        /** Waiting for AUTH_Negotiate. */
        NEGOTIATE,
        /** Challenge ready for the next Receive. */
        CHALLENGE,
        /** Waiting for the Reply. */
        REPLY,
        /** Success1 ready for the next Receive. */
        SUCCESS1,
        /** Waiting for Success2 (bidirectional). */
        SUCCESS2,
        /** Authenticated. */
        DONE,
        /** AUTH_Failure1 ready for the next Receive. */
        FAILURE1,
        /** Failed; nothing more is accepted. */
        FAILED
    }

    /** Returned by {@link #receive} when AL is too small for the message (the command fails, Invalid Field). */
    public static final int AL_TOO_SMALL = -1;

    private final DhchapSecret hostKey;
    private final DhchapSecret ctrlKey;
    private final AuthHash hash;
    private final DhGroup group;
    private final String hostNqn;
    private final String subNqn;
    private final SecureRandom random;

    private Step step = Step.NEGOTIATE;
    private boolean authenticated;
    private AuthFailureReason failure;
    private String failureDetail;
    private int tid;
    private byte[] c1;
    private long s1;
    private KeyPair pair;
    private byte[] r2;

    /**
     * @param hostKey the host's key ({@code dhchap_key})
     * @param ctrlKey the controller's key ({@code dhchap_ctrl_key}), or null: bidirectional requests fail
     * @param hash    the hash the controller insists on ({@code dhchap_hash})
     * @param group   the DH group the controller insists on ({@code dhchap_dhgroup})
     */
    public DhchapController(final DhchapSecret hostKey, final DhchapSecret ctrlKey, final AuthHash hash,
        final DhGroup group, final String hostNqn, final String subNqn, final SecureRandom random) {
        this.hostKey = hostKey;
        this.ctrlKey = ctrlKey;
        this.hash = hash;
        this.group = group;
        this.hostNqn = hostNqn;
        this.subNqn = subNqn;
        this.random = random;
    }

    /** The current step. */
    public Step step() {
        return step;
    }

    /** Whether the host has authenticated (and stays so during a re-authentication until it fails). */
    public boolean authenticated() {
        return authenticated;
    }

    /** Whether the transaction failed for good (Failure1 delivered or Failure2 received). */
    public boolean failed() {
        return step == Step.FAILED;
    }

    /** Why it failed (null before a failure). */
    public AuthFailureReason failureReason() {
        return failure;
    }

    /** A one-line description of the failure, without secrets. */
    public String failureDetail() {
        return failureDetail;
    }

    /**
     * The payload of an Authentication Send: {@code n} bytes at index 0 of {@code in}. Problems with the message
     * only change the step (the command itself succeeds, as in nvmet; the reason comes with the next Receive).
     */
    public void send(final ByteBuffer in, final int n) {
        if (step == Step.FAILED) {
            return;
        }
        if (n < 6) {
            fail(AuthFailureReason.INCORRECT_PAYLOAD, "message of " + n + " bytes");
            return;
        }
        final int kind = AuthMessage.kind(in, 0);
        if (kind == (AuthMessage.TYPE_COMMON << 8 | AuthMessage.ID_NEGOTIATE)) {
            negotiate(in, n);
        } else if (kind == (AuthMessage.TYPE_DHCHAP << 8 | AuthMessage.ID_REPLY) && step == Step.REPLY) {
            reply(in, n);
        } else if (kind == (AuthMessage.TYPE_DHCHAP << 8 | AuthMessage.ID_SUCCESS2) && step == Step.SUCCESS2) {
            if (n < DhchapSuccess2.LENGTH || new DhchapSuccess2().wrap(in, 0, n).tid() != tid) {
                fail(AuthFailureReason.INCORRECT_PAYLOAD, "Success2 truncated or with a wrong T_ID");
                return;
            }
            step = Step.DONE;
            authenticated = true;
        } else if (kind == (AuthMessage.TYPE_COMMON << 8 | AuthMessage.ID_FAILURE2) && step == Step.SUCCESS2) {
            final int exp = n >= AuthFailure.LENGTH ? new AuthFailure().wrap(in, 0, n).rescodeExp() : 0;
            final AuthFailureReason r = AuthFailureReason.valueOf(exp);
            failure = r == null ? AuthFailureReason.FAILED : r; // an unknown code is still a failure, never null
            failureDetail = "host rejected the controller's response (AUTH_Failure2, reason 0x" +
                Integer.toHexString(exp) + ")";
            authenticated = false;
            step = Step.FAILED;
        } else {
            fail(AuthFailureReason.INCORRECT_MESSAGE, AuthMessage.name(kind) + " at step " + step);
        }
    }

    /**
     * The data of an Authentication Receive with allocation length {@code al}, written at index 0 of {@code out}.
     *
     * @return the message length, or {@link #AL_TOO_SMALL}
     */
    public int receive(final ByteBuffer out, final long al) {
        switch (step) {
            case CHALLENGE: {
                final byte[] value = pair == null ? new byte[0] : group.publicValue(pair);
                final int len = DhchapChallenge.length(hash.length(), value.length);
                if (al < len) {
                    return AL_TOO_SMALL;
                }
                new DhchapChallenge().wrap(out, 0, len).encode(tid, hash.id(), group.id(), s1, c1, value);
                step = Step.REPLY;
                return len;
            }
            case SUCCESS1: {
                final int len = DhchapSuccess1.length(hash.length(), r2 != null);
                if (al < len) {
                    return AL_TOO_SMALL;
                }
                new DhchapSuccess1().wrap(out, 0, len).encode(tid, hash.length(), r2);
                if (r2 != null) {
                    step = Step.SUCCESS2;
                } else {
                    step = Step.DONE;
                    authenticated = true;
                }
                clearSession();
                return len;
            }
            case FAILURE1:
                break;
            default:
                fail(AuthFailureReason.INCORRECT_MESSAGE, "Authentication Receive at step " + step);
                break;
        }
        if (al < AuthFailure.LENGTH) {
            return AL_TOO_SMALL;
        }
        new AuthFailure().wrap(out, 0, AuthFailure.LENGTH).encode(true, tid, failure);
        step = Step.FAILED;
        return AuthFailure.LENGTH;
    }

    private void negotiate(final ByteBuffer in, final int n) {
        if (n < AuthNegotiate.HEADER_LENGTH) {
            fail(AuthFailureReason.INCORRECT_PAYLOAD, "Negotiate truncated");
            return;
        }
        final AuthNegotiate neg = new AuthNegotiate().wrap(in, 0, n);
        tid = neg.tid();
        clearSession();
        if (!neg.isComplete()) {
            fail(AuthFailureReason.INCORRECT_PAYLOAD, "Negotiate truncated: " + n + " of " + neg.messageLength() +
                " bytes");
            return;
        }
        if (neg.scC() != 0) {
            fail(AuthFailureReason.CONCAT_MISMATCH, "secure channel concatenation asked, not supported");
            return;
        }
        final int d = neg.dhchapDescriptor();
        if (d < 0) {
            fail(AuthFailureReason.NOT_USABLE, "no DH-HMAC-CHAP protocol descriptor");
            return;
        }
        if (!neg.offersHash(d, hash.id())) {
            fail(AuthFailureReason.HASH_UNUSABLE, "host does not offer " + hash.nvmetName());
            return;
        }
        if (!neg.offersDhGroup(d, group.id())) {
            fail(AuthFailureReason.DHGROUP_UNUSABLE, "host does not offer DH group " + group.nvmetName());
            return;
        }
        c1 = new byte[hash.length()];
        random.nextBytes(c1);
        do {
            s1 = random.nextInt() & 0xFFFF_FFFFL;
        } while (s1 == 0);
        pair = group == DhGroup.NULL ? null : group.generateKeyPair();
        step = Step.CHALLENGE;
    }

    private void reply(final ByteBuffer in, final int n) {
        if (n < DhchapReply.HEADER_LENGTH) {
            fail(AuthFailureReason.INCORRECT_PAYLOAD, "Reply truncated");
            return;
        }
        final DhchapReply rep = new DhchapReply().wrap(in, 0, n);
        if (!rep.isComplete()) {
            fail(AuthFailureReason.INCORRECT_PAYLOAD, "Reply truncated: " + n + " of " + rep.messageLength() +
                " bytes");
            return;
        }
        if (rep.tid() != tid) {
            fail(AuthFailureReason.INCORRECT_PAYLOAD, "Reply T_ID " + rep.tid() + ", transaction " + tid);
            return;
        }
        if (rep.hl() != hash.length() || rep.dhvlen() != group.valueLength()) {
            fail(AuthFailureReason.INCORRECT_PAYLOAD, "Reply HL " + rep.hl() + " / DHVLEN " + rep.dhvlen() +
                " do not match " + hash.nvmetName() + " / " + group.nvmetName());
            return;
        }
        if (rep.cvalid() && (ctrlKey == null || rep.seqnum() == 0)) {
            fail(AuthFailureReason.FAILED, ctrlKey == null ?
                "host asks for bidirectional authentication, no controller key configured" : "Reply SEQNUM 0");
            return;
        }
        byte[] challenge = c1;
        byte[] sessionKey = null;
        if (pair != null) {
            sessionKey = group.sharedSecret(pair.getPrivate(), rep.dhValue());
            if (sessionKey == null) {
                fail(AuthFailureReason.INCORRECT_PAYLOAD, "Reply DH value out of range");
                return;
            }
            challenge = Dhchap.augmentedChallenge(hash, sessionKey, c1);
        }
        final byte[] kh = hostKey.transformedKey(hostNqn);
        final byte[] expected = Dhchap.hostResponse(hash, kh, challenge, s1, tid, hostNqn, subNqn);
        Arrays.fill(kh, (byte)0);
        if (!MessageDigest.isEqual(expected, rep.response())) {
            if (sessionKey != null) {
                Arrays.fill(sessionKey, (byte)0);
            }
            fail(AuthFailureReason.FAILED, "host response did not verify (wrong host key?)");
            return;
        }
        r2 = null;
        if (rep.cvalid()) {
            byte[] c2 = rep.challenge();
            if (sessionKey != null) {
                c2 = Dhchap.augmentedChallenge(hash, sessionKey, c2);
            }
            final byte[] kc = ctrlKey.transformedKey(subNqn);
            r2 = Dhchap.controllerResponse(hash, kc, c2, rep.seqnum(), tid, hostNqn, subNqn);
            Arrays.fill(kc, (byte)0);
        }
        if (sessionKey != null) {
            Arrays.fill(sessionKey, (byte)0);
        }
        step = Step.SUCCESS1;
    }

    private void fail(final AuthFailureReason reason, final String detail) {
        failure = reason;
        failureDetail = detail;
        authenticated = false;
        clearSession();
        step = Step.FAILURE1;
    }

    private void clearSession() {
        if (c1 != null) {
            Arrays.fill(c1, (byte)0);
        }
        pair = null;
    }
}
