package org.nvmeof4j.target;

import java.util.Objects;

/**
 * A referral to another discovery service (NVMe-oF 1.1, 5.3: a Discovery Log entry with SUBTYPE 1, referral, whose
 * SUBNQN is the discovery NQN), as nvmetcli's {@code ports[].referrals[]} configures one. A host discovering through
 * the port that carries it is pointed at {@code traddr:trsvcid}.
 *
 * @param traddr  the other discovery service's address (IPv4 or IPv6 literal, or a host name), at most 256 bytes.
 * @param trsvcid its TCP port.
 * @param portId  PORTID reported in the entry (the port ID on the referred service).
 */
public record Referral(String traddr, int trsvcid, int portId)
{
    public Referral
    {
        Objects.requireNonNull(traddr, "traddr");
        if (traddr.isEmpty() || traddr.length() > 256 || !traddr.chars().allMatch(c -> c > 0x20 && c < 0x7F))
        {
            throw new IllegalArgumentException("bad referral address '" + traddr + "'");
        }
        if (trsvcid < 1 || trsvcid > 65535)
        {
            throw new IllegalArgumentException("bad referral port " + trsvcid + " (1..65535)");
        }
        if (portId < 0 || portId > 0xFFFF)
        {
            throw new IllegalArgumentException("bad referral portid " + portId + " (0..65535)");
        }
    }

    /** @return whether the address is an IPv6 literal (ADRFAM 2), else IPv4 or a name (ADRFAM 1). */
    public boolean ipv6()
    {
        return traddr.indexOf(':') >= 0;
    }
}
