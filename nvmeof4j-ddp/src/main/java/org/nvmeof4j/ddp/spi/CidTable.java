package org.nvmeof4j.ddp.spi;

import org.nvmeof4j.ddp.UlpDdpIo;

/**
 * Command ID → registration map of one offloaded queue: the device's "mapping between tags and corresponding
 * buffers" (seed 003, "Normal operation"). Open addressing with linear probing and backward-shift deletion, sized
 * once from the queue size: no allocation, no boxing. Not thread-safe (the connection's thread owns it).
 */
public final class CidTable
{
    private final int[] keys;
    private final UlpDdpIo[] values;
    private final int mask;
    private final int capacity;
    private int size;

    /** @param entries most registrations held at once (the queue size). */
    public CidTable(final int entries)
    {
        final int slots = Integer.highestOneBit(Math.max(8, entries * 2 - 1)) << 1;
        keys = new int[slots];
        values = new UlpDdpIo[slots];
        mask = slots - 1;
        capacity = entries;
        java.util.Arrays.fill(keys, -1);
    }

    private static int hash(final int cid)
    {
        return cid * 0x9E3779B1 >>> 16;
    }

    /** @return the registration for a command ID, or null. */
    public UlpDdpIo get(final int cid)
    {
        int i = hash(cid) & mask;
        while (true)
        {
            final int k = keys[i];
            if (k == cid)
            {
                return values[i];
            }
            if (k < 0)
            {
                return null;
            }
            i = (i + 1) & mask;
        }
    }

    /** @return false when the table is full or the command ID is already registered. */
    public boolean put(final int cid, final UlpDdpIo io)
    {
        if (size >= capacity)
        {
            return false;
        }
        int i = hash(cid) & mask;
        while (keys[i] >= 0)
        {
            if (keys[i] == cid)
            {
                return false;
            }
            i = (i + 1) & mask;
        }
        keys[i] = cid;
        values[i] = io;
        size++;
        return true;
    }

    /** @return the removed registration, or null when none was there. */
    public UlpDdpIo remove(final int cid)
    {
        int i = hash(cid) & mask;
        while (keys[i] != cid)
        {
            if (keys[i] < 0)
            {
                return null;
            }
            i = (i + 1) & mask;
        }
        final UlpDdpIo removed = values[i];
        // backward-shift deletion keeps every probe chain unbroken without tombstones
        int hole = i;
        int j = (i + 1) & mask;
        while (keys[j] >= 0)
        {
            final int home = hash(keys[j]) & mask;
            if (((j - home) & mask) >= ((j - hole) & mask))
            {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
            j = (j + 1) & mask;
        }
        keys[hole] = -1;
        values[hole] = null;
        size--;
        return removed;
    }

    public int size()
    {
        return size;
    }

    /** Remove everything. */
    public void clear()
    {
        java.util.Arrays.fill(keys, -1);
        java.util.Arrays.fill(values, null);
        size = 0;
    }
}
