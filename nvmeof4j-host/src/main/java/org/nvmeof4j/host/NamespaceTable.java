package org.nvmeof4j.host;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.nvmeof4j.protocol.admin.Identify;
import org.nvmeof4j.protocol.admin.NamespaceIdList;

/**
 * A controller's active namespaces, by NSID, and their rescans (Identify Active Namespace ID list, then Identify
 * Namespace for each). Every rescan publishes the LBA sizes to the I/O queues through the controller: a new
 * namespace's size before the application can see it, a removed one's only after it is gone from the table.
 * Rescans run on one thread at a time (connect, the events thread, after a reconnect); readers are any thread.
 */
final class NamespaceTable
{
    /**
     * The largest NSID a rescan accepts (a 4 MiB LBA-size table at worst). NVMe allows up to FFFFFFFEh, but real
     * controllers number their namespaces from 1 up to NN (Linux nvmet: 1024 by default).
     */
    static final int MAX_NSID = 1 << 20;

    private final Admin controller;
    private final Map<Integer, Namespace> namespaces = new ConcurrentSkipListMap<>();
    /** Whether a rescan has handed the queues an LBA-size table yet (only rescans write it: one thread). */
    private boolean published;

    /** What a rescan needs from the controller (an interface so that the decoding can be fuzzed without one). */
    interface Admin
    {
        /** Identify {@code cns} for {@code nsid}: the 4096 bytes returned. Blocking. */
        ByteBuffer identify(int cns, int nsid);

        /** Hand the LBA sizes (log2, indexed by NSID) to the I/O queues. */
        void publishLbaShifts(int[] shifts);
    }

    NamespaceTable(final NvmeController controller)
    {
        this(new Admin()
        {
            @Override
            public ByteBuffer identify(final int cns, final int nsid)
            {
                return controller.identify(cns, nsid);
            }

            @Override
            public void publishLbaShifts(final int[] shifts)
            {
                controller.publishLbaShifts(shifts);
            }
        });
    }

    NamespaceTable(final Admin controller)
    {
        this.controller = controller;
    }

    List<Namespace> list()
    {
        return Collections.unmodifiableList(new ArrayList<>(namespaces.values()));
    }

    Namespace get(final int nsid)
    {
        return namespaces.get(nsid);
    }

    /** Read the Active Namespace ID list and identify every namespace on it; the others are dropped. Blocking. */
    void rescan()
    {
        rescan(null);
    }

    /**
     * Re-identify {@code changed} (null: every active namespace): each is kept if the Active Namespace ID list names
     * it, dropped otherwise. Blocking (admin queue).
     */
    void rescan(final List<Integer> changed)
    {
        final ByteBuffer list = controller.identify(Identify.CNS_ACTIVE_NAMESPACE_LIST, 0);
        final int count = NamespaceIdList.count(list, 0);
        final Set<Integer> active = new LinkedHashSet<>();
        for (int i = 0; i < count; i++)
        {
            final int nsid = NamespaceIdList.nsid(list, 0, i);
            // the queues index LBA sizes by NSID: one outside 1..MAX_NSID (broadcast FFFFFFFFh, a hostile
            // 80000000h or beyond) is not a namespace this host can address, so it is left out of the table
            if (nsid >= 1 && nsid <= MAX_NSID)
            {
                active.add(nsid);
            }
        }
        final Map<Integer, Namespace> found = new TreeMap<>();
        final Set<Integer> gone = new HashSet<>(changed == null ? namespaces.keySet() : changed);
        for (final int nsid : changed == null ? active : changed)
        {
            final Namespace ns = active.contains(nsid) ?
                new Namespace(nsid, controller.identify(Identify.CNS_NAMESPACE, nsid)) : null;
            if (ns != null && ns.blockSize() > 0)
            {
                found.put(nsid, ns);
                gone.remove(nsid);
            }
        }
        // each table is an int[maxNsid + 1] (4 MiB for a hostile NSID near MAX_NSID): publish only what changes
        // the queues' view; a rescan that adds no namespace, changes no block size and drops none publishes nothing
        // after the first
        if (!published || changesSizes(found))
        {
            final List<Namespace> both = new ArrayList<>(namespaces.values());
            both.addAll(found.values());
            controller.publishLbaShifts(lbaShifts(both));
            published = true;
        }
        namespaces.putAll(found);
        if (namespaces.keySet().removeAll(gone))
        {
            controller.publishLbaShifts(lbaShifts(namespaces.values()));
        }
    }

    /** Whether {@code found} holds a namespace the table does not have, or has with another block size. */
    private boolean changesSizes(final Map<Integer, Namespace> found)
    {
        for (final Namespace ns : found.values())
        {
            final Namespace known = namespaces.get(ns.nsid());
            if (known == null || known.blockSize() != ns.blockSize())
            {
                return true;
            }
        }
        return false;
    }

    /** LBA size per NSID as log2, indexed by NSID. */
    private static int[] lbaShifts(final Collection<Namespace> known)
    {
        int max = 0;
        for (final Namespace ns : known)
        {
            max = Math.max(max, ns.nsid());
        }
        final int[] shifts = new int[max + 1];
        for (final Namespace ns : known)
        {
            shifts[ns.nsid()] = Integer.numberOfTrailingZeros(ns.blockSize());
        }
        return shifts;
    }
}
