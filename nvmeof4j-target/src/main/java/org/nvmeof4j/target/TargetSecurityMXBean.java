package org.nvmeof4j.target;

/**
 * A target's security counters on JMX ({@code org.nvmeof4j:type=TargetSecurity,name=<first port>}): failed TLS
 * sessions by reason and DH-HMAC-CHAP outcomes. Any thread reads them.
 */
public interface TargetSecurityMXBean
{
    /** @return handshakes whose host offered no PSK identity we hold a key for. */
    long getTlsUnknownIdentity();

    /** @return handshakes with a known identity and the wrong key (binder mismatch), or records that failed their MAC. */
    long getTlsBadKey();

    /** @return sessions ended by a fatal alert from the host. */
    long getTlsAlertReceived();

    /** @return connections that spoke plaintext on a port that requires TLS. */
    long getTlsPlaintext();

    /** @return handshakes not finished within the ICReq timeout. */
    long getTlsTimeout();

    /** @return other TLS protocol errors, and hosts that left in the middle of the handshake. */
    long getTlsOther();

    /** @return DH-HMAC-CHAP transactions that authenticated a queue. */
    long getAuthenticationsSucceeded();

    /** @return DH-HMAC-CHAP transactions that failed (wrong key, hash or group, bad message, timeout). */
    long getAuthenticationsFailed();
}
