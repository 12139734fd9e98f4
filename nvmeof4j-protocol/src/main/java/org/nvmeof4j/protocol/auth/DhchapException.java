package org.nvmeof4j.protocol.auth;

/**
 * A DH-HMAC-CHAP transaction failed: either the controller said so in an AUTH_Failure1 ({@link #fromController()}),
 * or this side found a message wrong and reports {@link #reason()} to the peer. The message names the step, never a
 * key or a computed value.
 */
public final class DhchapException extends Exception {

    private static final long serialVersionUID = 1L;

    private final AuthFailureReason reason;
    private final boolean fromController;

    /** A failure with reason {@code reason}; {@code fromController}: reported by an AUTH_Failure1. */
    public DhchapException(final AuthFailureReason reason, final boolean fromController, final String message) {
        super(message);
        this.reason = reason;
        this.fromController = fromController;
    }

    /**
     * The reason code explanation, never null: a code the controller sent that this version does not know is
     * {@link AuthFailureReason#FAILED} (the message names the code).
     */
    public AuthFailureReason reason() {
        return reason;
    }

    /** Whether the controller sent an AUTH_Failure1 (nothing more to send), rather than this host finding a fault. */
    public boolean fromController() {
        return fromController;
    }
}
