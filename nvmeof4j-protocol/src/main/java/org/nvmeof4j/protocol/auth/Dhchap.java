package org.nvmeof4j.protocol.auth;

import java.nio.charset.StandardCharsets;

import javax.crypto.Mac;

/**
 * The DH-HMAC-CHAP computations (NVMe Base 2.0, 8.13.4.4 and 8.13.5; Linux {@code nvme_auth_dhchap_setup_host_response},
 * {@code nvme_auth_augmented_challenge}, nvmet {@code nvmet_auth_host_hash} / {@code nvmet_auth_ctrl_hash}).
 *
 * <p>The host's response R1 = HMAC(Kh, C1 || S1 (u32 LE) || T_ID (u16 LE) || SC_C (one byte, 0) || "HostHost" ||
 * hostnqn || 00h || subnqn), the controller's R2 = HMAC(Kc, C2 || S2 || T_ID || SC_C || "Controller" || subnqn || 00h
 * || hostnqn), with Kh / Kc the transformed keys ({@link DhchapSecret#transformedKey}). With a DH group the challenge
 * is first augmented: Ca = HMAC(H(g^xy mod p), C).
 */
public final class Dhchap {

    private static final byte[] HOST = "HostHost".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTROLLER = "Controller".getBytes(StandardCharsets.US_ASCII);

    private Dhchap() {
    }

    /** The host's response R1 to {@code challenge} (augmented already when a DH group is used). */
    public static byte[] hostResponse(final AuthHash hash, final byte[] hostKey, final byte[] challenge,
        final long seqnum, final int tid, final String hostNqn, final String subNqn) {
        return response(hash, hostKey, challenge, seqnum, tid, HOST, hostNqn, subNqn);
    }

    /** The controller's response R2 to {@code challenge} (augmented already when a DH group is used). */
    public static byte[] controllerResponse(final AuthHash hash, final byte[] ctrlKey, final byte[] challenge,
        final long seqnum, final int tid, final String hostNqn, final String subNqn) {
        return response(hash, ctrlKey, challenge, seqnum, tid, CONTROLLER, subNqn, hostNqn);
    }

    /** The augmented challenge Ca = HMAC(H(sessionKey), challenge). */
    public static byte[] augmentedChallenge(final AuthHash hash, final byte[] sessionKey, final byte[] challenge) {
        final Mac mac = hash.mac(hash.digest(sessionKey));
        return mac.doFinal(challenge);
    }

    private static byte[] response(final AuthHash hash, final byte[] key, final byte[] challenge, final long seqnum,
        final int tid, final byte[] role, final String first, final String second) {
        final Mac mac = hash.mac(key);
        mac.update(challenge);
        mac.update(new byte[] {(byte)seqnum, (byte)(seqnum >>> 8), (byte)(seqnum >>> 16), (byte)(seqnum >>> 24)});
        mac.update(new byte[] {(byte)tid, (byte)(tid >>> 8)});
        mac.update((byte)0);
        mac.update(role);
        mac.update(first.getBytes(StandardCharsets.UTF_8));
        mac.update((byte)0);
        mac.update(second.getBytes(StandardCharsets.UTF_8));
        return mac.doFinal();
    }
}
