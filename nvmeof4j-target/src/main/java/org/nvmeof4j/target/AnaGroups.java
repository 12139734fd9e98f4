package org.nvmeof4j.target;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.nvmeof4j.protocol.admin.AnaState;

/**
 * The ANA groups of one port (NVMe Base 2.0, 8.1.1; nvmet's {@code ports/<n>/ana_groups/<grpid>/ana_state}): the
 * state, through this port, of every namespace whose ANAGRPID is that group. As in nvmet, group 1 exists on every
 * port and starts optimized, a group created on a port starts optimized, and a group not created on a port is
 * inaccessible through it.
 *
 * <p>Thread model: the I/O path reads a state with one volatile load and no lock ({@link #stateCode}); changes (rare)
 * replace the table copy-on-write under the object's lock.
 */
public final class AnaGroups
{
    /** ANAGRPMAX and NANAGRPID: group identifiers are 1..128 (nvmet's NVMET_MAX_ANAGRPS). */
    public static final int MAX_GROUPS = 128;
    /** The group every port has and every namespace starts in. */
    public static final int DEFAULT_GROUP = 1;
    /** ANATT in Identify Controller: at most this many seconds in the change state (as nvmet). */
    public static final int TRANSITION_TIME_SECONDS = 10;

    /** Per group identifier, its state's wire code, or 0 when the group is not created on this port. */
    private volatile byte[] codes = new byte[MAX_GROUPS + 1];

    AnaGroups(final Map<Integer, AnaState> initial)
    {
        final byte[] c = new byte[MAX_GROUPS + 1];
        c[DEFAULT_GROUP] = (byte)AnaState.OPTIMIZED.code();
        for (final Map.Entry<Integer, AnaState> e : initial.entrySet())
        {
            checkGroup(e.getKey());
            c[e.getKey()] = (byte)Objects.requireNonNull(e.getValue(), "state").code();
        }
        codes = c;
    }

    /** @throws IllegalArgumentException unless {@code grpid} is 1..{@link #MAX_GROUPS}. */
    public static int checkGroup(final int grpid)
    {
        if (grpid < 1 || grpid > MAX_GROUPS)
        {
            throw new IllegalArgumentException("ANA group ID must be 1.." + MAX_GROUPS + ": " + grpid);
        }
        return grpid;
    }

    /**
     * The wire code of {@code grpid}'s state through this port: {@link AnaState#INACCESSIBLE}'s for a group not
     * created here (or out of range). Lock-free and allocation-free: the I/O path calls it.
     */
    public int stateCode(final int grpid)
    {
        final byte[] c = codes;
        final int code = grpid > 0 && grpid < c.length ? c[grpid] : 0;
        return code == 0 ? AnaState.INACCESSIBLE.code() : code;
    }

    /** @return the state of {@code grpid} through this port (inaccessible when not created here). */
    public AnaState state(final int grpid)
    {
        return AnaState.valueOf(stateCode(grpid));
    }

    /** @return whether {@code grpid} is created on this port. */
    public boolean contains(final int grpid)
    {
        return grpid > 0 && grpid <= MAX_GROUPS && codes[grpid] != 0;
    }

    /** @return the groups created on this port and their states, by group ID. */
    public Map<Integer, AnaState> groups()
    {
        final byte[] c = codes;
        final Map<Integer, AnaState> m = new TreeMap<>();
        for (int g = 1; g < c.length; g++)
        {
            if (c[g] != 0)
            {
                m.put(g, AnaState.valueOf(c[g]));
            }
        }
        return m;
    }

    /**
     * Create {@code grpid} on this port or change its state.
     *
     * @return whether anything changed.
     */
    synchronized boolean set(final int grpid, final AnaState state)
    {
        checkGroup(grpid);
        Objects.requireNonNull(state, "state");
        if (codes[grpid] == state.code())
        {
            return false;
        }
        final byte[] c = codes.clone();
        c[grpid] = (byte)state.code();
        codes = c;
        return true;
    }

    /**
     * Remove {@code grpid} from this port (its namespaces become inaccessible through it); group 1 cannot be removed.
     *
     * @return whether it was there.
     */
    synchronized boolean remove(final int grpid)
    {
        checkGroup(grpid);
        if (grpid == DEFAULT_GROUP)
        {
            throw new IllegalArgumentException("ANA group 1 exists on every port and cannot be removed");
        }
        if (codes[grpid] == 0)
        {
            return false;
        }
        final byte[] c = codes.clone();
        c[grpid] = 0;
        codes = c;
        return true;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Map.Entry<Integer, AnaState> e : groups().entrySet())
        {
            sb.append(sb.length() == 0 ? "" : ",").append(e.getKey()).append('=').append(e.getValue().configName());
        }
        return sb.toString();
    }
}
