package org.nvmeof4j.host.multipath;

import java.util.Arrays;
import java.util.Map;

/**
 * An immutable map from {@code int} keys to {@code int} values (NSID to ANA group, group to ANA state code): sorted
 * keys and a binary search, so that a lookup on the I/O path boxes nothing, whatever the NSID ({@code Integer}
 * keys above 127 are not cached by {@code Integer.valueOf}). A change builds a new table; readers on other threads
 * see a table whole through the volatile field that holds it.
 */
final class IntTable
{
    static final IntTable EMPTY = new IntTable(new int[0], new int[0]);

    private final int[] keys;
    private final int[] values;

    private IntTable(final int[] keys, final int[] values)
    {
        this.keys = keys;
        this.values = values;
    }

    /** The table of {@code map}'s entries (built off the I/O path). */
    static IntTable of(final Map<Integer, Integer> map)
    {
        final int[] k = new int[map.size()];
        int n = 0;
        for (final int key : map.keySet())
        {
            k[n++] = key;
        }
        Arrays.sort(k);
        final int[] v = new int[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = map.get(k[i]);
        }
        return new IntTable(k, v);
    }

    /** @return the index of {@code key}, or a negative number when it is absent. Allocation-free. */
    int indexOf(final int key)
    {
        return Arrays.binarySearch(keys, key);
    }

    /** @return the value of {@code key}, or {@code missing}. Allocation-free. */
    int get(final int key, final int missing)
    {
        final int i = Arrays.binarySearch(keys, key);
        return i >= 0 ? values[i] : missing;
    }

    boolean contains(final int key)
    {
        return Arrays.binarySearch(keys, key) >= 0;
    }

    /** @return a copy of this table with {@code key} mapped to {@code value}. */
    IntTable with(final int key, final int value)
    {
        final int i = Arrays.binarySearch(keys, key);
        if (i >= 0)
        {
            final int[] v = values.clone();
            v[i] = value;
            return new IntTable(keys, v);
        }
        final int at = -i - 1;
        final int[] k = new int[keys.length + 1];
        final int[] v = new int[keys.length + 1];
        System.arraycopy(keys, 0, k, 0, at);
        System.arraycopy(values, 0, v, 0, at);
        k[at] = key;
        v[at] = value;
        System.arraycopy(keys, at, k, at + 1, keys.length - at);
        System.arraycopy(values, at, v, at + 1, keys.length - at);
        return new IntTable(k, v);
    }

    int size()
    {
        return keys.length;
    }

    int keyAt(final int i)
    {
        return keys[i];
    }

    int valueAt(final int i)
    {
        return values[i];
    }
}
