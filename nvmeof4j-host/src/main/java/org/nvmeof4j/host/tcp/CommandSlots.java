package org.nvmeof4j.host.tcp;

import java.nio.ByteBuffer;

/**
 * The command slots of one {@link TcpConnection}, preallocated at the queue size: per slot the command's CID, the
 * owner's request, its data buffer and how much of the data has moved, as parallel arrays (nothing allocated per
 * command). CIDs are {@code generation << 12 | slot}, as Linux builds them (a 4-bit counter per slot), so a
 * response for a command that already ended, even on a slot that has been reused, names no live command; free
 * slots are reused first in, first out, so a late or duplicated response from a misbehaving controller finds its
 * slot idle rather than completing the next command issued on it. Owned by the connection's thread.
 */
final class CommandSlots
{
    /** The slot is the CID's low 12 bits; queue sizes stay below 4096. */
    static final int CID_SLOT_MASK = 0xFFF;
    private static final int CID_GEN_SHIFT = 12;

    private final int size;
    /** Whether CIDs carry the generation (off for offloads that register only IDs below the queue size). */
    boolean cidGeneration = true;
    final int[] cid;
    private final byte[] gen;
    /** The owner's request, -1 while the slot is free. */
    final int[] request;
    final ByteBuffer[] buffer;
    final int[] index;
    final int[] length;
    final byte[] dir;
    /** Controller to host: bytes received so far. */
    final int[] received;
    /** Host to controller: where the data already asked for ends (in-capsule data: all of it). */
    final int[] requested;
    /** A status that replaces the controller's (a data digest error). */
    final int[] statusOverride;
    final long[] startNanos;
    /** Asynchronous Event Requests: outstanding until the controller has an event, so never timed out. */
    final boolean[] noTimeout;
    final boolean[] offloaded;
    /** Fabrics commands (Authentication Receive) may transfer less than their buffer, as admin commands may. */
    final boolean[] fabrics;
    /** The response came; completion waits for the offload's teardown. */
    final boolean[] deferred;
    final int[] deferredStatus;
    final long[] deferredResult;
    private final int[] free;
    private int freeHead;
    private int freeCount;

    CommandSlots(final int size)
    {
        this.size = size;
        cid = new int[size];
        gen = new byte[size];
        request = new int[size];
        buffer = new ByteBuffer[size];
        index = new int[size];
        length = new int[size];
        dir = new byte[size];
        received = new int[size];
        requested = new int[size];
        statusOverride = new int[size];
        startNanos = new long[size];
        noTimeout = new boolean[size];
        offloaded = new boolean[size];
        fabrics = new boolean[size];
        deferred = new boolean[size];
        deferredStatus = new int[size];
        deferredResult = new long[size];
        free = new int[size];
        for (int i = 0; i < size; i++)
        {
            request[i] = -1;
            free[i] = i;
        }
        freeCount = size;
    }

    int freeCount()
    {
        return freeCount;
    }

    /** Take the oldest free slot and give it its next CID. The caller has checked {@link #freeCount()}. */
    int alloc()
    {
        final int slot = free[freeHead];
        freeHead = freeHead + 1 == size ? 0 : freeHead + 1;
        freeCount--;
        if (cidGeneration)
        {
            final int g = (gen[slot] + 1) & 0xF;
            gen[slot] = (byte)g;
            cid[slot] = g << CID_GEN_SHIFT | slot;
        }
        else
        {
            cid[slot] = slot;
        }
        return slot;
    }

    /** The command of {@code slot} ended: the slot goes to the back of the free FIFO. */
    void release(final int slot)
    {
        request[slot] = -1;
        buffer[slot] = null;
        offloaded[slot] = false;
        final int tail = freeHead + freeCount;
        free[tail >= size ? tail - size : tail] = slot;
        freeCount++;
    }

    /** @return the slot of the live command a CID from the wire names, or -1 (unknown, ended, or stale). */
    int slotOf(final int wireCid)
    {
        final int slot = wireCid & CID_SLOT_MASK;
        return slot < size && request[slot] >= 0 && !deferred[slot] && cid[slot] == wireCid ? slot : -1;
    }

    /** @return the slot of the deferred command {@code wireCid} names, or -1. */
    int deferredSlotOf(final int wireCid)
    {
        final int slot = wireCid & CID_SLOT_MASK;
        return wireCid >= 0 && slot < size && deferred[slot] && cid[slot] == wireCid ? slot : -1;
    }

    /** @return the CID of a command older than {@code timeoutNanos}, or -1. */
    int expired(final long nowNanos, final long timeoutNanos)
    {
        for (int slot = 0; slot < size; slot++)
        {
            if (request[slot] >= 0 && !noTimeout[slot] && nowNanos - startNanos[slot] > timeoutNanos)
            {
                return cid[slot];
            }
        }
        return -1;
    }
}
