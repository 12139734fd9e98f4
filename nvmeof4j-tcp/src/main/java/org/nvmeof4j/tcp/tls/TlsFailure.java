package org.nvmeof4j.tcp.tls;

/**
 * Why a TLS session failed before or while it carried NVMe/TCP (the reasons a target counts its failed handshakes
 * under). Each carries the label the metrics use.
 */
public enum TlsFailure
{
    /** The host offered no PSK identity the controller has a key for (we sent handshake_failure). */
    UNKNOWN_IDENTITY("unknown_identity"),
    /** A known identity with the wrong key (the PSK binder did not verify: decrypt_error), or a record whose
     *  authentication tag failed (bad_record_mac). */
    BAD_KEY("bad_key"),
    /** The peer sent a fatal alert (it refused our PSK, or our handshake). */
    ALERT_RECEIVED("alert_received"),
    /** The first bytes on a port that requires TLS were not a TLS handshake record (e.g. a plaintext ICReq). */
    PLAINTEXT("plaintext"),
    /** The handshake did not complete within the ICReq timeout. */
    TIMEOUT("timeout"),
    /** Any other TLS protocol error, or the peer closing in the middle of the handshake. */
    OTHER("other");

    private final String label;

    TlsFailure(final String label)
    {
        this.label = label;
    }

    /** @return the metrics label ({@code unknown_identity}, ...). */
    public String label()
    {
        return label;
    }
}
