package org.nvmeof4j.target.queue;

/**
 * The commands in flight on one queue, by CID: CID to slot + 1, 0 when the CID is not in flight. Open addressing
 * with linear probing over a power-of-two table of at least twice the queue's slots (at most half full, so a lookup
 * is a probe or two), and deletion by shifting the entries that follow back, so that no tombstone ever lengthens a
 * probe. A queue of 128 commands (129 slots) holds 3 KiB here; a direct map of every 16-bit CID took 128 KiB per
 * queue, zeroed at its first command.
 */
final class CidMap
{
    private final char[] cids;
    /** Slot + 1 per entry; 0 marks an empty entry. */
    private final int[] slots;
    private final int mask;
    private final int shift;

    /** A map for a queue of {@code capacity} slots (at most that many CIDs in flight at once). */
    CidMap(final int capacity)
    {
        final int size = Math.max(4, Integer.highestOneBit(Math.max(1, capacity) * 2 - 1) << 1);
        cids = new char[size];
        slots = new int[size];
        mask = size - 1;
        shift = 32 - Integer.numberOfTrailingZeros(size);
    }

    /** Entries in the table (twice the capacity asked for, or more, rounded up to a power of two). */
    int tableSize()
    {
        return slots.length;
    }

    /** @return the slot + 1 of {@code cid}, or 0 if it is not in flight. */
    int get(final int cid)
    {
        for (int i = home(cid); ; i = (i + 1) & mask)
        {
            final int s = slots[i];
            if (s == 0 || cids[i] == cid)
            {
                return s;
            }
        }
    }

    /** Map {@code cid} to {@code slotPlusOne} (at least 1), replacing what it was mapped to. */
    void put(final int cid, final int slotPlusOne)
    {
        for (int i = home(cid); ; i = (i + 1) & mask)
        {
            if (slots[i] == 0 || cids[i] == cid)
            {
                cids[i] = (char)cid;
                slots[i] = slotPlusOne;
                return;
            }
        }
    }

    /** Forget {@code cid}, if it is in flight. */
    void remove(final int cid)
    {
        int i = home(cid);
        while (slots[i] != 0 && cids[i] != cid)
        {
            i = (i + 1) & mask;
        }
        if (slots[i] == 0)
        {
            return;
        }
        // move back every entry of the run after i that would not be found from its home past the hole
        for (int j = (i + 1) & mask; slots[j] != 0; j = (j + 1) & mask)
        {
            final int k = home(cids[j]);
            final boolean reachable = i <= j ? i < k && k <= j : i < k || k <= j;
            if (!reachable)
            {
                cids[i] = cids[j];
                slots[i] = slots[j];
                i = j;
            }
        }
        slots[i] = 0;
    }

    /** Fibonacci hashing: hosts number their CIDs 0, 1, 2... or by tag and generation; any spread is even. */
    private int home(final int cid)
    {
        return (cid * 0x9E3779B9) >>> shift;
    }
}
