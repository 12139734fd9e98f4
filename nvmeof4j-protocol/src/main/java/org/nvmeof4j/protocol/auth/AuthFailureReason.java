package org.nvmeof4j.protocol.auth;

/**
 * Reason code explanations of AUTH_Failure1/2 (NVMe Base 2.0, Figure "AUTH_Failure Reason Code Explanations"; Linux
 * {@code NVME_AUTH_DHCHAP_FAILURE_*}).
 */
public enum AuthFailureReason {
    /** The response did not verify. */
    FAILED(0x01),
    /** No usable authentication protocol offered. */
    NOT_USABLE(0x02),
    /** Secure channel concatenation mismatch. */
    CONCAT_MISMATCH(0x03),
    /** None of the offered hash functions is usable. */
    HASH_UNUSABLE(0x04),
    /** None of the offered DH groups is usable. */
    DHGROUP_UNUSABLE(0x05),
    /** A message field is wrong (length, transaction ID, values). */
    INCORRECT_PAYLOAD(0x06),
    /** A message arrived out of sequence. */
    INCORRECT_MESSAGE(0x07);

    private final int code;

    AuthFailureReason(final int code) {
        this.code = code;
    }

    /** The wire value. */
    public int code() {
        return code;
    }

    /** The reason with wire value {@code code}, or null. */
    public static AuthFailureReason valueOf(final int code) {
        for (final AuthFailureReason r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        return null;
    }
}
