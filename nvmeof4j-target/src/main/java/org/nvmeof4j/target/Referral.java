package org.nvmeof4j.target;

import java.util.Objects;

/**
 * A referral to another discovery service (NVMe-oF 1.1, 5.3: a Discovery Log entry with SUBTYPE 1, referral, whose
 * SUBNQN is the discovery NQN), as nvmetcli's {@code ports[].referrals[]} configures one. A host discovering through
 * the port that carries it is pointed at {@code traddr:trsvcid}.
 *
 * @param traddr  the other discovery service's address: an IPv4 or IPv6 literal.
 * @param trsvcid its TCP port.
 * @param portId  PORTID reported in the entry (the port ID on the referred service).
 */
public record Referral(String traddr, int trsvcid, int portId)
{
    public Referral
    {
        Objects.requireNonNull(traddr, "traddr");
        if (!isIpLiteral(traddr))
        {
            // a host name would go out with ADRFAM IPv4, and hosts (Linux: inet_pton) reject it
            throw new IllegalArgumentException("bad referral address '" + traddr + "' (an IPv4 or IPv6 literal)");
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

    private static boolean isIpLiteral(final String a)
    {
        if (a.matches("\\d{1,3}(\\.\\d{1,3}){3}"))
        {
            for (final String part : a.split("\\."))
            {
                if (Integer.parseInt(part) > 255)
                {
                    return false;
                }
            }
            return true;
        }
        if (a.indexOf(':') < 0 || !a.matches("[0-9A-Fa-f:.]+") || a.length() > 45)
        {
            return false;
        }
        try
        {
            // with a ':' in it, this parses the literal and never asks a resolver
            return java.net.InetAddress.getByName(a) instanceof java.net.Inet6Address;
        }
        catch (final java.net.UnknownHostException e)
        {
            return false;
        }
    }

    /** @return whether the address is an IPv6 literal (ADRFAM 2), else IPv4 (ADRFAM 1). */
    public boolean ipv6()
    {
        return traddr.indexOf(':') >= 0;
    }
}
