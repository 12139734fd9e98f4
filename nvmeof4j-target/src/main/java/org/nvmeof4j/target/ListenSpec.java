package org.nvmeof4j.target;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import org.nvmeof4j.protocol.admin.AnaState;

/**
 * One declared port: where to listen, which subsystems it exports (null = all), the referrals it hands out and the
 * ANA groups it has (group 1 is always there).
 */
final class ListenSpec
{
    final String host;
    final int port;
    final boolean discoveryOnly;
    final Set<String> subsystems;
    final List<Referral> referrals;
    /** ANA groups created on this port beyond the default, by group ID (the builder adds to it). */
    final Map<Integer, AnaState> anaGroups = new TreeMap<>();
    /** TLS on this port (null: plain, or the target-wide setting), and whether plaintext is refused. */
    org.nvmeof4j.tcp.tls.TlsProvider.PskLookup tls;
    boolean tlsRequired = true;

    ListenSpec(final String host, final int port, final boolean discoveryOnly, final Set<String> subsystems,
        final List<Referral> referrals)
    {
        this.host = host;
        this.port = port;
        this.discoveryOnly = discoveryOnly;
        this.subsystems = subsystems;
        this.referrals = referrals;
    }
}
