package org.nvmeof4j.host.discovery;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.host.NvmeTransportException;
import org.nvmeof4j.protocol.fabrics.Nqn;
import org.nvmeof4j.protocol.nvme.LittleEndian;

/**
 * Reads the Discovery Log Page of a discovery controller, whole and consistent, as {@code nvme discover} does:
 * the 1024-byte header for NUMREC, then header and every entry, then the header again; if GENCTR changed in
 * between, the log changed while it was read and it is read again (NVMe over Fabrics 1.1, 5.3).
 */
public final class Discovery
{
    /** Log identifier of the Discovery Log Page. */
    public static final int LID_DISCOVERY = 0x70;
    /** Header length. */
    public static final int HEADER_LENGTH = 1024;
    private static final int MAX_RETRIES = 10;

    private Discovery()
    {
    }

    /** The log: its generation counter and entries. */
    public record Log(long genctr, int recfmt, List<DiscoveryLogEntry> entries)
    {
        /** @return NVM subsystem entries. */
        public List<DiscoveryLogEntry> subsystems()
        {
            final List<DiscoveryLogEntry> l = new ArrayList<>();
            for (final DiscoveryLogEntry e : entries)
            {
                if (e.isNvmSubsystem())
                {
                    l.add(e);
                }
            }
            return l;
        }

        /** @return referrals to other discovery services. */
        public List<DiscoveryLogEntry> referrals()
        {
            final List<DiscoveryLogEntry> l = new ArrayList<>();
            for (final DiscoveryLogEntry e : entries)
            {
                if (e.isReferral())
                {
                    l.add(e);
                }
            }
            return l;
        }
    }

    /**
     * Connect to the discovery controller at {@code options}' address (the NQN is set to the discovery NQN), read
     * the log, disconnect.
     */
    public static Log discover(final ConnectOptions options)
    {
        final ConnectOptions o = options.copy().nqn(Nqn.DISCOVERY).nrIoQueues(0).nrPollQueues(0);
        try (NvmeController c = NvmeController.connect(o))
        {
            return readLog(c);
        }
    }

    /** Read the whole log from a connected discovery controller. */
    public static Log readLog(final NvmeController c)
    {
        for (int attempt = 0; attempt < MAX_RETRIES; attempt++)
        {
            final ByteBuffer head = c.getLogPage(LID_DISCOVERY, 0, 0, HEADER_LENGTH);
            final long genctr = LittleEndian.getI64(head, 0);
            final long numrec = LittleEndian.getI64(head, 8);
            if (numrec < 0 || numrec > 65536)
            {
                throw new NvmeTransportException("discovery log with " + numrec + " records");
            }
            final int length = HEADER_LENGTH + (int)numrec * DiscoveryLogEntry.LENGTH;
            final ByteBuffer log = numrec == 0 ? head : c.getLogPage(LID_DISCOVERY, 0, 0, length);
            final ByteBuffer again = numrec == 0 ? head : c.getLogPage(LID_DISCOVERY, 0, 0, HEADER_LENGTH);
            final long genctr2 = LittleEndian.getI64(log, 0);
            final long genctr3 = LittleEndian.getI64(again, 0);
            if (genctr != genctr2 || genctr2 != genctr3 || LittleEndian.getI64(log, 8) != numrec)
            {
                continue;
            }
            final List<DiscoveryLogEntry> entries = new ArrayList<>((int)numrec);
            for (int i = 0; i < numrec; i++)
            {
                entries.add(DiscoveryLogEntry.decode(log, HEADER_LENGTH + i * DiscoveryLogEntry.LENGTH));
            }
            return new Log(genctr, LittleEndian.getU16(log, 16), Collections.unmodifiableList(entries));
        }
        throw new NvmeTransportException("discovery log kept changing while being read (" + MAX_RETRIES +
            " attempts)");
    }
}
