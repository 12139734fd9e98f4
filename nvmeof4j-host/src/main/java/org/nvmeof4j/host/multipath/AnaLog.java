package org.nvmeof4j.host.multipath;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.nvmeof4j.protocol.admin.AnaLogPage;
import org.nvmeof4j.protocol.admin.AnaState;

/**
 * One ANA log page (0Ch) as the host understood it: the state of each group and the group of each NSID, checked the
 * way Linux's {@code nvme_parse_ana_log} checks it before trusting a byte. A descriptor that runs past the data read,
 * names group 0 or a group above ANAGRPMAX, or carries a reserved state is not used (the problems are counted and
 * the first one named); what came before it is kept.
 */
public final class AnaLog
{
    private final long chgcnt;
    private final Map<Integer, AnaState> groups;
    private final Map<Integer, Integer> groupOfNsid;
    private final int problems;
    private final String firstProblem;

    private AnaLog(final long chgcnt, final Map<Integer, AnaState> groups, final Map<Integer, Integer> groupOfNsid,
        final int problems, final String firstProblem)
    {
        this.chgcnt = chgcnt;
        this.groups = Collections.unmodifiableMap(groups);
        this.groupOfNsid = Collections.unmodifiableMap(groupOfNsid);
        this.problems = problems;
        this.firstProblem = firstProblem;
    }

    /**
     * Parse {@code length} bytes of {@code b} from index 0.
     *
     * @param anagrpmax the controller's ANAGRPMAX: larger group IDs are refused.
     */
    public static AnaLog parse(final ByteBuffer b, final int length, final long anagrpmax)
    {
        final Map<Integer, AnaState> groups = new TreeMap<>();
        final Map<Integer, Integer> nsids = new HashMap<>();
        int problems = 0;
        String first = null;
        if (length < AnaLogPage.HEADER_LENGTH || b.limit() < length)
        {
            return new AnaLog(0, groups, nsids, 1, "ANA log shorter than its header: " + length + " bytes");
        }
        final long chgcnt = AnaLogPage.chgcnt(b, 0);
        final int ngrps = AnaLogPage.ngrps(b, 0);
        int at = AnaLogPage.HEADER_LENGTH;
        for (int i = 0; i < ngrps; i++)
        {
            if (at + AnaLogPage.DESCRIPTOR_LENGTH > length)
            {
                problems++;
                first = first != null ? first : "ANA log names " + ngrps + " groups but holds " + i;
                break;
            }
            final long grpid = AnaLogPage.anagrpid(b, at) & 0xFFFF_FFFFL;
            final long n = AnaLogPage.nnsids(b, at);
            if (n > (length - at - AnaLogPage.DESCRIPTOR_LENGTH) / 4)
            {
                problems++;
                first = first != null ? first : "ANA group " + grpid + " lists " + n + " NSIDs past the log's end";
                break;
            }
            final AnaState state = AnaState.valueOf(AnaLogPage.stateCode(b, at));
            final boolean reservedBits = (b.get(at + AnaLogPage.DESC_STATE_OFFSET) & 0xF0) != 0;
            if (grpid == 0 || grpid > anagrpmax)
            {
                problems++;
                first = first != null ? first : "ANA log names group " + grpid + " (ANAGRPMAX " + anagrpmax + ")";
            }
            else if (state == null || reservedBits)
            {
                problems++;
                first = first != null ? first : "ANA group " + grpid + " has a reserved state 0x" +
                    Integer.toHexString(b.get(at + AnaLogPage.DESC_STATE_OFFSET) & 0xFF);
            }
            else if (groups.putIfAbsent((int)grpid, state) != null)
            {
                problems++;
                first = first != null ? first : "ANA log names group " + grpid + " twice";
            }
            else
            {
                for (int k = 0; k < n; k++)
                {
                    final int nsid = AnaLogPage.nsid(b, at, k);
                    if (nsid != 0 && nsid != -1)
                    {
                        nsids.put(nsid, (int)grpid);
                    }
                }
            }
            at += AnaLogPage.DESCRIPTOR_LENGTH + 4 * (int)n;
        }
        return new AnaLog(chgcnt, groups, nsids, problems, first);
    }

    /** CHGCNT of the header. */
    public long chgcnt()
    {
        return chgcnt;
    }

    /** @return the groups the log reported and their states. */
    public Map<Integer, AnaState> groups()
    {
        return groups;
    }

    /** @return the group of each NSID the log listed. */
    public Map<Integer, Integer> groupOfNsid()
    {
        return groupOfNsid;
    }

    /** @return how many descriptors were not used. */
    public int problems()
    {
        return problems;
    }

    /** @return the first problem, or null. */
    public String firstProblem()
    {
        return firstProblem;
    }
}
