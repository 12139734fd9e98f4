package org.nvmeof4j.host.discovery;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.host.NvmeTransportException;
import org.nvmeof4j.protocol.admin.DiscoveryLogPage;
import org.nvmeof4j.protocol.admin.GetLogPage;
import org.nvmeof4j.protocol.fabrics.Nqn;

/**
 * Reads the Discovery Log Page of a discovery controller, whole and consistent, as {@code nvme discover} does:
 * the 1024-byte header for NUMREC, then header and every entry, then the header again; if GENCTR changed in
 * between, the log changed while it was read and it is read again (NVMe over Fabrics 1.1, 5.3).
 */
public final class Discovery
{
    /** Log identifier of the Discovery Log Page. */
    public static final int LID_DISCOVERY = GetLogPage.LID_DISCOVERY;
    /** Header length. */
    public static final int HEADER_LENGTH = DiscoveryLogPage.LENGTH;
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

    /**
     * Connect a persistent discovery controller ({@code nvme discover --persistent}): it stays connected with
     * keep-alive, and {@code onLog} gets the whole log now, again after every Discovery Log Page Change notice, and
     * after every reconnect (on the controller's event thread; a failed re-read is skipped). Calls never overlap and
     * come in the order the logs were read. Close the controller to stop.
     */
    public static NvmeController persistent(final ConnectOptions options, final Consumer<Log> onLog)
    {
        final ConnectOptions o = options.copy().nqn(Nqn.DISCOVERY).nrIoQueues(0).nrPollQueues(0).persistent(true);
        final NvmeController c = NvmeController.connect(o);
        // each read-and-deliver under one lock: whichever runs second reads the newer log and delivers it last
        final Object order = new Object();
        try
        {
            c.addAsyncEventListener((ctrl, notice) ->
            {
                if (notice.logPage() == LID_DISCOVERY)
                {
                    synchronized (order)
                    {
                        onLog.accept(readLog(ctrl));
                    }
                }
            });
            synchronized (order)
            {
                onLog.accept(readLog(c)); // after the listener: a change in between is seen here or notified
            }
            return c;
        }
        catch (final RuntimeException e)
        {
            c.close();
            throw e;
        }
    }

    /**
     * Where {@link #readLogFrom} reads the log: Get Log Page on a connected discovery controller
     * ({@link NvmeController#getLogPage}), or a test's stand-in for one.
     */
    @FunctionalInterface
    public interface LogPages
    {
        /**
         * Get Log Page {@code lid} for {@code nsid} from byte {@code offset}.
         *
         * @return the {@code length} bytes the controller returned.
         */
        ByteBuffer getLogPage(int lid, int nsid, long offset, int length);
    }

    /** Read the whole log from a connected discovery controller. */
    public static Log readLog(final NvmeController c)
    {
        return readLogFrom(c::getLogPage);
    }

    /**
     * Read the whole log through {@code c}: whatever the pages hold, this returns a log of NUMREC entries or throws
     * {@link NvmeTransportException} (a NUMREC out of range, a log that keeps changing) or what {@code c} throws.
     */
    public static Log readLogFrom(final LogPages c)
    {
        final DiscoveryLogPage page = new DiscoveryLogPage();
        for (int attempt = 0; attempt < MAX_RETRIES; attempt++)
        {
            final ByteBuffer head = c.getLogPage(LID_DISCOVERY, 0, 0, HEADER_LENGTH);
            final long genctr = page.wrap(head, 0).genctr();
            final long numrec = page.numrec();
            if (numrec < 0 || numrec > 65536)
            {
                throw new NvmeTransportException("discovery log with " + numrec + " records");
            }
            final int length = (int)DiscoveryLogPage.pageLength(numrec);
            final ByteBuffer log = numrec == 0 ? head : c.getLogPage(LID_DISCOVERY, 0, 0, length);
            final ByteBuffer again = numrec == 0 ? head : c.getLogPage(LID_DISCOVERY, 0, 0, HEADER_LENGTH);
            final long genctr3 = page.wrap(again, 0).genctr();
            page.wrap(log, 0);
            if (genctr != page.genctr() || page.genctr() != genctr3 || page.numrec() != numrec)
            {
                continue;
            }
            final List<DiscoveryLogEntry> entries = new ArrayList<>((int)numrec);
            for (int i = 0; i < numrec; i++)
            {
                entries.add(DiscoveryLogEntry.decode(log, (int)DiscoveryLogPage.entryOffset(i)));
            }
            return new Log(genctr, page.recfmt(), Collections.unmodifiableList(entries));
        }
        throw new NvmeTransportException("discovery log kept changing while being read (" + MAX_RETRIES +
            " attempts)");
    }
}
