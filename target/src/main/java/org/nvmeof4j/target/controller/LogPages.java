package org.nvmeof4j.target.controller;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.nvmeof4j.protocol.fabrics.Nqn;
import org.nvmeof4j.protocol.nvme.FixedStrings;
import org.nvmeof4j.protocol.nvme.LittleEndian;
import org.nvmeof4j.target.Listener;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.queue.TargetQueue;
import org.nvmeof4j.target.subsystem.Subsystem;

/**
 * Log pages (NVMe Base 1.4, 5.14.1): SMART / Health (02h), Firmware Slot (03h) and the Discovery log (70h,
 * NVMe-oF 1.1 5.3). Built on the admin path, where allocation is fine.
 */
public final class LogPages
{
    public static final int DISCOVERY_HEADER = 1024;
    public static final int DISCOVERY_ENTRY = 1024;
    /** TRTYPE 3: TCP. */
    public static final int TRTYPE_TCP = 3;
    public static final int SUBTYPE_NVM = 2;
    public static final int SUBTYPE_CURRENT_DISCOVERY = 3;
    /** TREQ: secure channel not specified; SQ flow control disable supported (bit 2). */
    public static final int TREQ = 0x04;
    /** Admin max SQ size reported in the discovery entries (ASQSZ). */
    public static final int ASQSZ = 32;

    private LogPages()
    {
    }

    /** SMART / Health Information: healthy, 298 K, 100% spare. */
    public static byte[] smart()
    {
        final byte[] page = new byte[512];
        final ByteBuffer b = ByteBuffer.wrap(page);
        LittleEndian.putU16(b, 1, 298);  // composite temperature
        b.put(3, (byte)100);            // available spare
        b.put(4, (byte)10);             // available spare threshold
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

    /** One discovery log entry's worth of facts. */
    private static final class Entry
    {
        final int subtype;
        final String nqn;
        final Listener listener;

        Entry(final int subtype, final String nqn, final Listener listener)
        {
            this.subtype = subtype;
            this.nqn = nqn;
            this.listener = listener;
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
                    entries.add(new Entry(SUBTYPE_NVM, s.nqn(), l));
                }
            }
        }
        for (final Listener l : target.listeners())
        {
            entries.add(new Entry(SUBTYPE_CURRENT_DISCOVERY, Nqn.DISCOVERY, l));
        }
        final byte[] page = new byte[DISCOVERY_HEADER + DISCOVERY_ENTRY * entries.size()];
        final ByteBuffer b = ByteBuffer.wrap(page);
        LittleEndian.putI64(b, 0, target.discoveryGeneration());
        LittleEndian.putI64(b, 8, entries.size());
        LittleEndian.putU16(b, 16, 0);
        final InetSocketAddress local = queue.localAddress();
        for (int i = 0; i < entries.size(); i++)
        {
            final Entry e = entries.get(i);
            final int at = DISCOVERY_HEADER + DISCOVERY_ENTRY * i;
            InetAddress addr = e.listener.address().getAddress();
            if (addr.isAnyLocalAddress() && local != null)
            {
                addr = local.getAddress();
            }
            b.put(at, (byte)TRTYPE_TCP);
            b.put(at + 1, (byte)(addr instanceof Inet6Address ? 2 : 1));
            b.put(at + 2, (byte)e.subtype);
            b.put(at + 3, (byte)TREQ);
            LittleEndian.putU16(b, at + 4, e.listener.portId());
            LittleEndian.putU16(b, at + 6, 0xFFFF); // CNTLID: dynamic
            LittleEndian.putU16(b, at + 8, ASQSZ);
            LittleEndian.putU16(b, at + 10, 0);     // EFLAGS
            FixedStrings.writeSpacePadded(b, at + 32, 32, Integer.toString(e.listener.port()));
            Nqn.write(b, at + 256, Nqn.FIELD_LENGTH, e.nqn);
            FixedStrings.writeSpacePadded(b, at + 512, 256, addr.getHostAddress());
            b.put(at + 768, (byte)0);               // TSAS SECTYPE: none
        }
        return page;
    }
}
