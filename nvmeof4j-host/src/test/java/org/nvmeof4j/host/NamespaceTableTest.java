package org.nvmeof4j.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.protocol.admin.Identify;
import org.nvmeof4j.protocol.admin.IdentifyNamespace;

/** {@link NamespaceTable} against a fake controller: what a rescan keeps of an Active Namespace ID list. */
class NamespaceTableTest
{
    private final List<int[]> published = new ArrayList<>();
    private final ByteBuffer list = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    /** The LBA data size (log2) of every namespace the fake controller identifies. */
    private int lbads = 12;

    /** The controller's Active Namespace ID list from now on. */
    private void active(final int... activeNsids)
    {
        list.clear().put(new byte[4096]).clear();
        for (int i = 0; i < activeNsids.length; i++)
        {
            list.putInt(4 * i, activeNsids[i]);
        }
    }

    private NamespaceTable table(final int... activeNsids)
    {
        active(activeNsids);
        return new NamespaceTable(new NamespaceTable.Admin()
        {
            @Override
            public ByteBuffer identify(final int cns, final int nsid)
            {
                if (cns == Identify.CNS_ACTIVE_NAMESPACE_LIST)
                {
                    return list.duplicate().order(ByteOrder.LITTLE_ENDIAN);
                }
                final ByteBuffer b = ByteBuffer.allocate(IdentifyNamespace.LENGTH).order(ByteOrder.LITTLE_ENDIAN);
                new IdentifyNamespace().wrap(b, 0).nsze(1000).ncap(1000).lbaf(0, 0, lbads, 0);
                return b;
            }

            @Override
            public void publishLbaShifts(final int[] shifts)
            {
                published.add(shifts.clone());
            }
        });
    }

    @Test
    void shouldSkipNsidsTheHostCannotAddress()
    {
        // found by HostLogPageFuzzTest: NSID 83FFFFF5h (negative as an int) failed the rescan with an
        // ArrayIndexOutOfBoundsException; 7FFFFFFFh would have asked for a 2^31-entry LBA-size table
        final NamespaceTable t = table(1, 0x83FF_FFF5, 0x7FFF_FFFF, 0xFFFF_FFFF, NamespaceTable.MAX_NSID + 1, 3);
        t.rescan();
        assertThat(t.list()).extracting(Namespace::nsid).containsExactly(1, 3);
        assertThat(t.list()).allMatch(ns -> ns.blockSize() == 4096);
        final int[] shifts = published.get(published.size() - 1);
        assertThat(shifts).hasSize(4);
        assertThat(shifts[1]).isEqualTo(12);
        assertThat(shifts[3]).isEqualTo(12);
    }

    @Test
    void shouldKeepTheLargestAddressableNsid()
    {
        final NamespaceTable t = table(NamespaceTable.MAX_NSID);
        t.rescan();
        assertThat(t.list()).extracting(Namespace::nsid).containsExactly(NamespaceTable.MAX_NSID);
        assertThat(published.get(published.size() - 1)[NamespaceTable.MAX_NSID]).isEqualTo(12);
    }

    @Test
    void shouldPublishOnlyRescansThatChangeTheNamespaces()
    {
        final NamespaceTable t = table(1, 2);
        t.rescan();
        assertThat(published).hasSize(1);
        assertThat(published.get(0)).containsExactly(0, 12, 12);

        t.rescan(); // the same two namespaces: the queues already have their sizes
        t.rescan(List.of(2));
        assertThat(published).hasSize(1);

        active(1, 2, 5);
        t.rescan(List.of(5)); // an addition: one table with the new namespace
        assertThat(published).hasSize(2);
        assertThat(published.get(1)).containsExactly(0, 12, 12, 0, 0, 12);

        active(5);
        t.rescan(); // removals only: one table without 1 and 2, once they are gone from the table
        assertThat(t.list()).extracting(Namespace::nsid).containsExactly(5);
        assertThat(published).hasSize(3);
        assertThat(published.get(2)).containsExactly(0, 0, 0, 0, 0, 12);

        lbads = 9;
        t.rescan(List.of(5)); // a format change: the same namespace, another block size
        assertThat(published).hasSize(4);
        assertThat(published.get(3)).containsExactly(0, 0, 0, 0, 0, 9);
        assertThat(t.get(5).blockSize()).isEqualTo(512);
    }

    @Test
    void shouldPublishAnEmptyTableOnTheFirstRescanEvenWithoutNamespaces()
    {
        final NamespaceTable t = table();
        t.rescan();
        assertThat(t.list()).isEmpty();
        assertThat(published).hasSize(1);
        assertThat(published.get(0)).containsExactly(0);
    }
}
