package org.nvmeof4j.host.multipath;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.protocol.admin.AnaState;

/**
 * One path of an {@link NvmeSubsystem}: a controller reached through one port, its ANA states (per group and per
 * NSID, from its ANA log page) and its requests in flight. The controller is null until the path first connects.
 *
 * <p>Thread model: the states are replaced whole (volatile maps), read lock-free by path selection.
 */
public final class NvmePath
{
    private final int index;
    private final ConnectOptions options;
    private volatile NvmeController controller;
    /** The last ANA log taken: both tables replaced at once, so a reader never mixes two logs. */
    private volatile AnaTables ana = AnaTables.NONE;
    /**
     * NSIDs whose I/O came back with an ANA status since the last log read: the code of the state implied by that
     * status.
     */
    private volatile IntTable impliedByStatus = IntTable.EMPTY;
    /** Reconnect count of the controller when a request saw this path fail; -1 = not failed. */
    private volatile long failedAtReconnects = -1;
    private volatile long lastReconnects;
    private volatile boolean anaSupported;
    private volatile long chgcnt;
    private volatile String lastError;
    final AtomicInteger inflight = new AtomicInteger();
    final AtomicLong anaLogReads = new AtomicLong();
    /** Namespaces refused on this path because their identifiers differ from the subsystem's. */
    private volatile IntTable excluded = IntTable.EMPTY;

    /** The group of each NSID and the state code of each group, from one ANA log; lookups box nothing. */
    private record AnaTables(IntTable groupOfNsid, IntTable groupStates)
    {
        static final AnaTables NONE = new AnaTables(IntTable.EMPTY, IntTable.EMPTY);
    }

    NvmePath(final int index, final ConnectOptions options)
    {
        this.index = index;
        this.options = options;
    }

    /** @return the position of this path in the subsystem (0-based). */
    public int index()
    {
        return index;
    }

    public ConnectOptions options()
    {
        return options;
    }

    /** @return the controller, or null while the path has never connected. */
    public NvmeController controller()
    {
        return controller;
    }

    void controller(final NvmeController c)
    {
        controller = c;
        anaSupported = (c.identifyController().cmic() & 0x08) != 0;
        lastReconnects = c.reconnects();
    }

    /** @return {@code traddr:trsvcid}. */
    public String address()
    {
        return options.traddr() + ":" + options.trsvcid();
    }

    /** @return whether the controller reports ANA (CMIC bit 3). */
    public boolean anaSupported()
    {
        return anaSupported;
    }

    /** @return Linux's words for the controller state: live, connecting, deleting, dead, or new (never connected). */
    public String controllerState()
    {
        final NvmeController c = controller;
        if (c == null)
        {
            return "new";
        }
        switch (c.state())
        {
            case LIVE:
                return failedAtReconnects >= 0 && failedAtReconnects == c.reconnects() ? "resetting" : "live";
            case RECONNECTING:
                return "connecting";
            case DELETING:
                return "deleting";
            default:
                return "dead";
        }
    }

    /** @return the ANA state of {@code nsid} through this path (optimized when the controller has no ANA). */
    public AnaState anaState(final int nsid)
    {
        if (!anaSupported)
        {
            return AnaState.OPTIMIZED;
        }
        final IntTable implied = impliedByStatus;
        final int i = implied.indexOf(nsid);
        if (i >= 0)
        {
            return AnaState.valueOf(implied.valueAt(i));
        }
        final AnaTables t = ana;
        final int g = t.groupOfNsid.indexOf(nsid);
        if (g < 0)
        {
            return AnaState.OPTIMIZED; // not (yet) in a log: an I/O status will tell
        }
        final int s = t.groupStates.indexOf(t.groupOfNsid.valueAt(g));
        return s < 0 ? AnaState.INACCESSIBLE : AnaState.valueOf(t.groupStates.valueAt(s));
    }

    /** @return the group states the last ANA log reported, by group ID. */
    public Map<Integer, AnaState> groupStates()
    {
        final IntTable g = ana.groupStates;
        final Map<Integer, AnaState> m = new TreeMap<>();
        for (int i = 0; i < g.size(); i++)
        {
            m.put(g.keyAt(i), AnaState.valueOf(g.valueAt(i)));
        }
        return m;
    }

    /** @return whether I/O to {@code nsid} may go this way now, and how well (2 optimized, 1 non-optimized, 0 no). */
    int rank(final int nsid)
    {
        final NvmeController c = controller;
        if (c == null || c.state() != NvmeController.State.LIVE || excluded.contains(nsid))
        {
            return 0;
        }
        if (failedAtReconnects >= 0)
        {
            if (failedAtReconnects == c.reconnects())
            {
                return 0; // a request saw it fail; wait for its reconnect
            }
            failedAtReconnects = -1;
        }
        switch (anaState(nsid))
        {
            case OPTIMIZED:
                return 2;
            case NON_OPTIMIZED:
                return 1;
            default:
                return 0;
        }
    }

    /**
     * A request sent when the controller had reconnected {@code reconnectsAtSend} times saw the connection fail (the
     * controller may not know yet): not used until its next reconnect. Late news, of a connection already replaced,
     * marks nothing.
     */
    void markFailed(final long reconnectsAtSend)
    {
        final NvmeController c = controller;
        if (c != null && c.reconnects() == reconnectsAtSend)
        {
            failedAtReconnects = reconnectsAtSend;
        }
    }

    /** An I/O to {@code nsid} came back with an ANA status: use the state it implies until the next log read. */
    synchronized void markAnaStatus(final int nsid, final AnaState state)
    {
        impliedByStatus = impliedByStatus.with(nsid, state.code());
    }

    /** Take a freshly read ANA log, unless it is older (CHGCNT) than the one taken last. */
    synchronized void anaLog(final AnaLog log)
    {
        if (log.chgcnt() != 0 && Long.compareUnsigned(log.chgcnt(), chgcnt) < 0)
        {
            return;
        }
        chgcnt = log.chgcnt();
        final Map<Integer, Integer> codes = new java.util.HashMap<>();
        log.groups().forEach((g, st) -> codes.put(g, st.code()));
        ana = new AnaTables(IntTable.of(log.groupOfNsid()), IntTable.of(codes));
        impliedByStatus = IntTable.EMPTY;
        anaLogReads.incrementAndGet();
        if (log.problems() > 0)
        {
            lastError = log.firstProblem() + " (" + log.problems() + " descriptor(s) not used)";
        }
    }

    synchronized void exclude(final int nsid)
    {
        excluded = excluded.with(nsid, 1);
    }

    /** @return whether the controller reconnected since the last call (its ANA log must be read again). */
    boolean reconnectedSinceLastCheck()
    {
        final NvmeController c = controller;
        if (c == null)
        {
            return false;
        }
        final long r = c.reconnects();
        if (r != lastReconnects)
        {
            lastReconnects = r;
            chgcnt = 0; // a new association, maybe a restarted target: its change count starts again
            return true;
        }
        return false;
    }

    /** @return requests in flight on this path. */
    public int inflight()
    {
        return inflight.get();
    }

    /** @return how many ANA logs were read on this path. */
    public long anaLogReads()
    {
        return anaLogReads.get();
    }

    /** @return the last problem seen on this path (a refused ANA log, a failed connect), or null. */
    public String lastError()
    {
        return lastError;
    }

    void lastError(final String e)
    {
        lastError = e;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Map.Entry<Integer, AnaState> e : groupStates().entrySet())
        {
            sb.append(sb.length() == 0 ? "" : ",").append(e.getKey()).append(':').append(e.getValue().configName());
        }
        return "tcp traddr=" + options.traddr() + ",trsvcid=" + options.trsvcid() + " " + controllerState() +
            (anaSupported ? " ana " + (sb.length() == 0 ? "-" : sb) : "");
    }
}
