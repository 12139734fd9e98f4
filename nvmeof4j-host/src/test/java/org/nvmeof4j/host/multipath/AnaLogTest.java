package org.nvmeof4j.host.multipath;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.protocol.admin.AnaLogPage;
import org.nvmeof4j.protocol.admin.AnaState;

/** The host's reading of ANA log pages, including logs that lie. */
class AnaLogTest
{
    private static ByteBuffer page(final int size)
    {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void shouldReadGroupsAndNsids()
    {
        final ByteBuffer b = page(4096);
        AnaLogPage.writeHeader(b, 0, 9, 2);
        int at = AnaLogPage.writeDescriptor(b, 16, 1, 9, AnaState.OPTIMIZED, new int[] {1, 4}, 2);
        AnaLogPage.writeDescriptor(b, at, 3, 9, AnaState.CHANGE, new int[] {2}, 1);
        final AnaLog log = AnaLog.parse(b, 4096, 128);
        assertThat(log.problems()).isZero();
        assertThat(log.chgcnt()).isEqualTo(9);
        assertThat(log.groups()).containsEntry(1, AnaState.OPTIMIZED).containsEntry(3, AnaState.CHANGE).hasSize(2);
        assertThat(log.groupOfNsid()).containsEntry(1, 1).containsEntry(4, 1).containsEntry(2, 3).hasSize(3);
    }

    @Test
    void shouldSkipUnknownGroupsAndReservedStatesButKeepTheRest()
    {
        final ByteBuffer b = page(4096);
        AnaLogPage.writeHeader(b, 0, 1, 4);
        int at = AnaLogPage.writeDescriptor(b, 16, 200, 1, AnaState.OPTIMIZED, new int[] {1}, 1); // > ANAGRPMAX
        at = AnaLogPage.writeDescriptor(b, at, 0, 1, AnaState.OPTIMIZED, new int[] {2}, 1);       // group 0
        final int reserved = at;
        at = AnaLogPage.writeDescriptor(b, at, 5, 1, AnaState.OPTIMIZED, new int[] {3}, 1);
        b.put(reserved + AnaLogPage.DESC_STATE_OFFSET, (byte)0x07);                              // reserved state
        AnaLogPage.writeDescriptor(b, at, 2, 1, AnaState.INACCESSIBLE, new int[] {4, 0, -1}, 3);
        final AnaLog log = AnaLog.parse(b, 4096, 128);
        assertThat(log.problems()).isEqualTo(3);
        assertThat(log.firstProblem()).contains("group 200");
        assertThat(log.groups()).containsOnlyKeys(2);
        assertThat(log.groupOfNsid()).as("NSIDs 0 and FFFFFFFFh ignored").containsOnlyKeys(4);
    }

    @Test
    void shouldStopWhereTheLogLiesAboutItsLength()
    {
        final ByteBuffer b = page(4096);
        AnaLogPage.writeHeader(b, 0, 1, 3);
        final int at = AnaLogPage.writeDescriptor(b, 16, 1, 1, AnaState.OPTIMIZED, new int[] {1}, 1);
        b.putInt(at + AnaLogPage.DESC_ANAGRPID_OFFSET, 2);
        b.putInt(at + AnaLogPage.DESC_NNSIDS_OFFSET, 1_000_000);                                  // past the end
        final AnaLog log = AnaLog.parse(b, 4096, 128);
        assertThat(log.groups()).containsOnlyKeys(1);
        assertThat(log.firstProblem()).contains("past the log's end");

        final ByteBuffer many = page(64);
        AnaLogPage.writeHeader(many, 0, 1, 65535);                                              // NGRPS lies
        AnaLogPage.writeDescriptor(many, 16, 1, 1, AnaState.NON_OPTIMIZED, new int[0], 0);
        final AnaLog l2 = AnaLog.parse(many, 64, 128);
        assertThat(l2.groups()).containsOnlyKeys(1);
        assertThat(l2.firstProblem()).contains("65535 groups");

        assertThat(AnaLog.parse(page(8), 8, 128).problems()).isEqualTo(1);
    }

    @Test
    void shouldRefuseAGroupNamedTwice()
    {
        final ByteBuffer b = page(256);
        AnaLogPage.writeHeader(b, 0, 1, 2);
        final int at = AnaLogPage.writeDescriptor(b, 16, 1, 1, AnaState.OPTIMIZED, new int[] {1}, 1);
        AnaLogPage.writeDescriptor(b, at, 1, 1, AnaState.INACCESSIBLE, new int[] {1}, 1);
        final AnaLog log = AnaLog.parse(b, 256, 128);
        assertThat(log.groups()).containsEntry(1, AnaState.OPTIMIZED);
        assertThat(log.firstProblem()).contains("twice");
    }
}
