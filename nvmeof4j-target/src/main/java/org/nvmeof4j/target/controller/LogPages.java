package org.nvmeof4j.target.controller;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.nvmeof4j.protocol.admin.AnaLogPage;
import org.nvmeof4j.protocol.admin.AnaState;
import org.nvmeof4j.protocol.admin.DiscoveryLogEntry;
import org.nvmeof4j.protocol.admin.DiscoveryLogPage;
import org.nvmeof4j.protocol.admin.SmartHealthLog;
import org.nvmeof4j.protocol.fabrics.Nqn;
import org.nvmeof4j.protocol.nvme.FixedStrings;
import org.nvmeof4j.target.Listener;
import org.nvmeof4j.target.Referral;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.queue.TargetQueue;
import org.nvmeof4j.target.subsystem.Namespace;
import org.nvmeof4j.target.subsystem.Subsystem;

/**
 * Log pages (NVMe Base 1.4, 5.14.1): SMART / Health (02h), Firmware Slot (03h), ANA (0Ch) and the Discovery log (70h,
 * NVMe-oF 1.1 5.3). Built on the admin path, where allocation is fine.
 */
public final class LogPages
{
    /** TREQ: secure channel not specified; SQ flow control disable supported (bit 2). */
    /** TREQ of a TLS port: secure channel required, SQ flow control disable supported. */
    public static final int TREQ_TLS =
        DiscoveryLogEntry.TREQ_SECURE_CHANNEL_REQUIRED | DiscoveryLogEntry.TREQ_DISABLE_SQ_FLOW_CONTROL;
    /** TREQ of a port where TLS is offered but not required. */
    public static final int TREQ_TLS_OPTIONAL =
        DiscoveryLogEntry.TREQ_SECURE_CHANNEL_NOT_REQUIRED | DiscoveryLogEntry.TREQ_DISABLE_SQ_FLOW_CONTROL;
    public static final int TREQ =
        DiscoveryLogEntry.TREQ_SECURE_CHANNEL_NOT_SPECIFIED | DiscoveryLogEntry.TREQ_DISABLE_SQ_FLOW_CONTROL;
    /** Admin max SQ size reported in the discovery entries (ASQSZ). */
    public static final int ASQSZ = 32;

    private LogPages()
    {
    }

    /** SMART / Health Information: healthy, 298 K, 100% spare. */
    public static byte[] smart()
    {
        final byte[] page = new byte[SmartHealthLog.LENGTH];
        new SmartHealthLog().wrap(ByteBuffer.wrap(page), 0)
            .compositeTemperature(298)
            .availableSpare(100)
            .availableSpareThreshold(10);
        return page;
    }

    /** Firmware Slot Information: slot 1 active, holding {@code revision}. */
    public static byte[] firmwareSlot(final String revision)
    {
        final byte[] page = new byte[512];
        final ByteBuffer b = ByteBuffer.wrap(page);
        b.put(0, (byte)1);
        FixedStrings.writeSpacePadded(b, 8, 8, revision);
        return page;
    }

    /**
     * The ANA log page (0Ch, NVMe Base 2.0 5.16.1.9) as a controller whose host came in through {@code port} sees
     * it: one descriptor per group that a port of the target has or a namespace of {@code s} is in (group 1 always),
     * in increasing group order, each with this port's state and, unless {@code groupsOnly} (RGO), the NSIDs of
     * {@code s} in that group. CHGCNT is the target's ANA change count, in the header and in every descriptor, as
     * nvmet does it.
     */
    public static byte[] ana(final Target target, final Subsystem s, final Listener port, final boolean groupsOnly)
    {
        final java.util.SortedSet<Integer> groups = target.anaGroupIds();
        final List<Namespace> namespaces = s.namespaces();
        for (final Namespace ns : namespaces)
        {
            groups.add(ns.anaGrpId());
        }
        final long chgcnt = target.anaChangeCount();
        final byte[] page = new byte[(int)AnaLogPage.pageLength(groups.size(), groupsOnly ? 0 : namespaces.size())];
        final ByteBuffer b = ByteBuffer.wrap(page);
        AnaLogPage.writeHeader(b, 0, chgcnt, groups.size());
        final int[] nsids = new int[namespaces.size()];
        int at = AnaLogPage.HEADER_LENGTH;
        for (final int g : groups)
        {
            int n = 0;
            if (!groupsOnly)
            {
                for (final Namespace ns : namespaces)
                {
                    if (ns.anaGrpId() == g)
                    {
                        nsids[n++] = ns.nsid();
                    }
                }
            }
            final AnaState state = port == null ? AnaState.OPTIMIZED : port.anaGroups().state(g);
            at = AnaLogPage.writeDescriptor(b, at, g, chgcnt, state, nsids, n);
        }
        return page;
    }

    /** One discovery log entry's worth of facts: a port of ours, or (referral) another service's address. */
    private static final class Entry
    {
        final int subtype;
        final String nqn;
        final Listener listener;
        final Referral referral;

        Entry(final int subtype, final String nqn, final Listener listener, final Referral referral)
        {
            this.subtype = subtype;
            this.nqn = nqn;
            this.listener = listener;
            this.referral = referral;
        }
    }

    /**
     * The Discovery log page as a host sees it: one entry per (subsystem this host may use × port exporting it),
     * then the current discovery subsystem on each port. Wildcard listen addresses are reported as the address the
     * host reached us on.
     */
    public static byte[] discovery(final Target target, final String hostNqn, final TargetQueue queue)
    {
        final List<Entry> entries = new ArrayList<>();
        for (final Subsystem s : target.subsystems())
        {
            if (s.isDiscovery() || !s.isHostAllowed(hostNqn))
            {
                continue;
            }
            for (final Listener l : target.listeners())
            {
                if (l.serves(s))
                {
                    entries.add(new Entry(DiscoveryLogEntry.SUBTYPE_NVME, s.nqn(), l, null));
                }
            }
        }
        for (final Listener l : target.listeners())
        {
            entries.add(new Entry(DiscoveryLogEntry.SUBTYPE_CURRENT_DISCOVERY, Nqn.DISCOVERY, l, null));
        }
        // referrals are per port, as in nvmet: those of the port this host came in on
        if (queue.listener() != null)
        {
            for (final Referral r : queue.listener().referrals())
            {
                entries.add(new Entry(DiscoveryLogEntry.SUBTYPE_REFERRAL, Nqn.DISCOVERY, null, r));
            }
        }
        final byte[] page = new byte[(int)DiscoveryLogPage.pageLength(entries.size())];
        final ByteBuffer b = ByteBuffer.wrap(page);
        new DiscoveryLogPage().wrap(b, 0).genctr(target.discoveryGeneration()).numrec(entries.size()).recfmt(0);
        final DiscoveryLogEntry entry = new DiscoveryLogEntry();
        final InetSocketAddress local = queue.localAddress();
        for (int i = 0; i < entries.size(); i++)
        {
            final Entry e = entries.get(i);
            final boolean ipv6;
            final boolean tls = e.listener != null && e.listener.tls() != null;
            final String traddr;
            final int trsvcid;
            final int portId;
            if (e.referral != null)
            {
                ipv6 = e.referral.ipv6();
                traddr = e.referral.traddr();
                trsvcid = e.referral.trsvcid();
                portId = e.referral.portId();
            }
            else
            {
                InetAddress addr = e.listener.address().getAddress();
                if (addr.isAnyLocalAddress() && local != null)
                {
                    addr = local.getAddress();
                }
                ipv6 = addr instanceof Inet6Address;
                traddr = addr.getHostAddress();
                trsvcid = e.listener.port();
                portId = e.listener.portId();
            }
            entry.wrapEntry(b, 0, i)
                .trtype(DiscoveryLogEntry.TRTYPE_TCP)
                .adrfam(ipv6 ? DiscoveryLogEntry.ADRFAM_IPV6 : DiscoveryLogEntry.ADRFAM_IPV4)
                .subtype(e.subtype)
                // a TLS port: secure channel required, TSAS SECTYPE TLS 1.3 (what nvmet reports for addr_tsas tls1.3)
                .treq(tls ? (e.listener.tlsRequired() ? TREQ_TLS : TREQ_TLS_OPTIONAL) : TREQ)
                .portid(portId)
                .cntlid(0xFFFF) // dynamic
                .asqsz(ASQSZ)
                .eflags(0)
                .trsvcid(Integer.toString(trsvcid))
                .subnqn(e.nqn)
                .traddr(traddr)
                .sectype(tls ? DiscoveryLogEntry.SECTYPE_TLS13 : DiscoveryLogEntry.SECTYPE_NONE);
        }
        return page;
    }
}
