package org.nvmeof4j.ddp.model;

import java.nio.ByteBuffer;

/**
 * One modelled TCP packet: its payload (a copy of the stream bytes), its TCP sequence number and stream offset, and
 * what the NIC made of it: runs of bytes that the "driver" builds the receive segments from (plain runs over the
 * packet buffer, placed runs over the destination buffer, like skb fragments pointing at the ring or at the block
 * layer pages) and the per-packet CRC flag. Pooled and reused.
 */
final class Packet
{
    final ByteBuffer data;
    int length;
    long offset;
    int seq;
    boolean crcOk;
    boolean offloaded;
    int runs;
    ByteBuffer[] runBuffer = new ByteBuffer[8];
    int[] runIndex = new int[8];
    int[] runLength = new int[8];
    boolean[] runPlaced = new boolean[8];

    Packet(final int mss)
    {
        data = ByteBuffer.allocate(mss);
    }

    void clearRuns()
    {
        for (int i = 0; i < runs; i++)
        {
            runBuffer[i] = null;
        }
        runs = 0;
        crcOk = false;
        offloaded = false;
    }

    /** Append a run; adjacent plain runs of the packet buffer merge. */
    void addRun(final ByteBuffer buffer, final int index, final int len, final boolean placed)
    {
        if (len <= 0)
        {
            return;
        }
        if (!placed && runs > 0 && !runPlaced[runs - 1] && runBuffer[runs - 1] == buffer &&
            runIndex[runs - 1] + runLength[runs - 1] == index)
        {
            runLength[runs - 1] += len;
            return;
        }
        if (runs == runBuffer.length)
        {
            final int n = runs * 2;
            runBuffer = java.util.Arrays.copyOf(runBuffer, n);
            runIndex = java.util.Arrays.copyOf(runIndex, n);
            runLength = java.util.Arrays.copyOf(runLength, n);
            runPlaced = java.util.Arrays.copyOf(runPlaced, n);
        }
        runBuffer[runs] = buffer;
        runIndex[runs] = index;
        runLength[runs] = len;
        runPlaced[runs] = placed;
        runs++;
    }

    /** Make this a copy of another packet as it left the sender (a duplicate on the wire). */
    Packet copyOf(final Packet p)
    {
        clearRuns();
        data.put(0, p.data, 0, p.length);
        length = p.length;
        offset = p.offset;
        seq = p.seq;
        return this;
    }
}
