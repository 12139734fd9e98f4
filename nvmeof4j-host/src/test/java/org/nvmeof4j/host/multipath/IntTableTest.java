package org.nvmeof4j.host.multipath;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link IntTable}: the boxing-free NSID and group lookups of the ANA states. */
class IntTableTest
{
    @Test
    void shouldFindEveryKeyOfTheMapItWasBuiltFromAndNoOther()
    {
        final Map<Integer, Integer> m = new HashMap<>();
        m.put(1000, 2);
        m.put(1, 1);
        m.put(0xFFFF_FFFE, 3); // the largest NSID, negative as an int
        m.put(128, 4);
        final IntTable t = IntTable.of(m);
        assertThat(t.size()).isEqualTo(4);
        m.forEach((k, v) -> assertThat(t.get(k, -1)).as("key " + k).isEqualTo(v));
        assertThat(t.get(2, -1)).isEqualTo(-1);
        assertThat(t.contains(999)).isFalse();
        assertThat(t.indexOf(5)).isNegative();
    }

    @Test
    void shouldAddAndReplaceInACopyAndKeepTheOriginal()
    {
        final IntTable a = IntTable.EMPTY.with(7, 1).with(3, 2).with(1000, 3);
        final IntTable b = a.with(3, 9).with(5, 4);
        assertThat(a.size()).isEqualTo(3);
        assertThat(a.get(3, -1)).isEqualTo(2);
        assertThat(a.contains(5)).isFalse();
        assertThat(b.size()).isEqualTo(4);
        assertThat(b.get(3, -1)).isEqualTo(9);
        assertThat(b.get(5, -1)).isEqualTo(4);
        assertThat(b.get(1000, -1)).isEqualTo(3);
        for (int i = 1; i < b.size(); i++)
        {
            assertThat(b.keyAt(i)).as("sorted").isGreaterThan(b.keyAt(i - 1));
        }
    }
}
