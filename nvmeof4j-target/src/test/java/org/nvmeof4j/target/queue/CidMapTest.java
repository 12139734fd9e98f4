package org.nvmeof4j.target.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CidMapTest
{
    @Test
    void shouldSizeTheTableToTwiceTheSlotsAtLeast()
    {
        assertEquals(4, new CidMap(1).tableSize());
        assertEquals(4, new CidMap(2).tableSize());
        assertEquals(256, new CidMap(128).tableSize());
        assertEquals(512, new CidMap(129).tableSize());
        assertEquals(262144, new CidMap(65537).tableSize());
    }

    @Test
    void shouldMapPutReplaceAndRemove()
    {
        final CidMap m = new CidMap(4);
        assertEquals(0, m.get(7));
        m.put(7, 1);
        m.put(0xFFFF, 2);
        m.put(0, 3);
        assertEquals(1, m.get(7));
        assertEquals(2, m.get(0xFFFF));
        assertEquals(3, m.get(0));
        m.put(7, 4);
        assertEquals(4, m.get(7));
        m.remove(7);
        m.remove(7);
        m.remove(12345);
        assertEquals(0, m.get(7));
        assertEquals(2, m.get(0xFFFF));
        assertEquals(3, m.get(0));
    }

    /** Any order of puts and removes, up to a full queue, against a HashMap: colliding runs survive deletions. */
    @Test
    void shouldAgreeWithAHashMapWhateverTheCids()
    {
        for (final int capacity : new int[] {1, 2, 3, 16, 129})
        {
            final Random random = new Random(capacity);
            final CidMap m = new CidMap(capacity);
            final Map<Integer, Integer> model = new HashMap<>();
            final List<Integer> inFlight = new ArrayList<>();
            for (int op = 0; op < 200_000; op++)
            {
                if (inFlight.size() < capacity && random.nextBoolean())
                {
                    // few distinct CIDs for small queues, so that runs collide and wrap around the table's end
                    final int cid = random.nextInt(capacity < 16 ? 64 : 65536);
                    final int slot = 1 + random.nextInt(capacity);
                    if (!model.containsKey(cid))
                    {
                        inFlight.add(cid);
                    }
                    model.put(cid, slot);
                    m.put(cid, slot);
                }
                else if (!inFlight.isEmpty())
                {
                    final int cid = inFlight.remove(random.nextInt(inFlight.size()));
                    model.remove(cid);
                    m.remove(cid);
                }
                final int probe = random.nextInt(capacity < 16 ? 64 : 65536);
                assertEquals(model.getOrDefault(probe, 0), m.get(probe), "CID " + probe + " after op " + op);
                for (final int cid : inFlight)
                {
                    if (capacity <= 16)
                    {
                        assertEquals(model.get(cid), m.get(cid), "CID " + cid + " after op " + op);
                    }
                }
            }
            for (final int cid : inFlight)
            {
                assertEquals(model.get(cid), m.get(cid), "CID " + cid);
            }
        }
    }
}
