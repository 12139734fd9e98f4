package org.nvmeof4j.protocol.fabrics;

/**
 * Result of checking an NQN field received from a peer (see {@link Nqn#check}). Parsing never throws; the caller
 * turns anything but {@link #VALID} into its own error (a target answers Connect with
 * {@code CONNECT_INVALID_PARAMETERS} and IPO pointing at the field).
 */
public enum NqnCheck {
    /** NUL-terminated, 1..223 bytes, well-formed UTF-8. */
    VALID,
    /** The field starts with NUL. */
    EMPTY,
    /** No NUL anywhere in the field. */
    NOT_TERMINATED,
    /** More than {@link Nqn#MAX_LENGTH} bytes before the NUL. */
    TOO_LONG,
    /** The bytes before the NUL are not well-formed UTF-8 (RFC 3629). */
    INVALID_UTF8
}
