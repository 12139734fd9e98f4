package org.nvmeof4j.target;

import java.util.List;
import java.util.Set;

/** One declared port: where to listen, which subsystems it exports (null = all) and the referrals it hands out. */
final class ListenSpec
{
    final String host;
    final int port;
    final boolean discoveryOnly;
    final Set<String> subsystems;
    final List<Referral> referrals;

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
