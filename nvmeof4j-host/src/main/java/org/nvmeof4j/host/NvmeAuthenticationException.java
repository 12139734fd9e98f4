package org.nvmeof4j.host;

import org.nvmeof4j.protocol.auth.AuthFailureReason;

/**
 * DH-HMAC-CHAP authentication of a queue failed, or could not be attempted (the controller asks for it and no
 * secret is configured, or bidirectional authentication was asked for and the controller skipped it). The queue
 * was closed; the message names the queue and the reason, never a key.
 */
public final class NvmeAuthenticationException extends NvmeTransportException
{
    private static final long serialVersionUID = 1L;

    private final transient AuthFailureReason reason;

    public NvmeAuthenticationException(final String message, final AuthFailureReason reason)
    {
        super(message);
        this.reason = reason;
    }

    /** @return the AUTH_Failure reason code explanation (sent or received), or null when no transaction ran. */
    public AuthFailureReason reason()
    {
        return reason;
    }
}
