package org.nvmeof4j.host.queue;

import java.nio.ByteBuffer;
import org.nvmeof4j.protocol.nvme.Sqe;

/**
 * The request slots of one {@link HostQueue}, preallocated at its depth: one row per request across parallel
 * arrays (a struct of arrays, so nothing is allocated or boxed per I/O), the SQE template of each request in one
 * direct buffer, and the stack of free slots. A request may become several commands (split above MDTS or the NLB
 * limit); the row tracks how far it has been issued and how many of its commands are still out. Owned by the
 * queue's thread.
 */
final class RequestTable
{
    /** How a request is cut into commands. */
    static final byte SPLIT_NONE = 0;
    static final byte SPLIT_DATA = 1;
    static final byte SPLIT_BLOCKS = 2;

    /** SQE templates, {@link Sqe#LENGTH} bytes per slot. */
    final ByteBuffer templates;
    /** 16 bytes per slot of command data the queue builds itself (a Dataset Management range). */
    final ByteBuffer aux;
    final boolean[] active;
    /** Sent by the queue for itself (Keep Alive): completed without telling the handler. */
    final boolean[] internal;
    final byte[] split;
    final byte[] dir;
    final ByteBuffer[] buf;
    final int[] index;
    final int[] length;
    final int[] shift;
    final long[] slba;
    final long[] blocks;
    final long[] nextBlock;
    final boolean[] issuedAll;
    final int[] outstanding;
    final int[] status;
    final long[] result;
    final long[] userTag;
    private final int[] free;
    private int freeTop;
    private int activeCount;

    RequestTable(final int n)
    {
        templates = ByteBuffer.allocateDirect(n * Sqe.LENGTH);
        aux = ByteBuffer.allocateDirect(n * 16);
        active = new boolean[n];
        internal = new boolean[n];
        split = new byte[n];
        dir = new byte[n];
        buf = new ByteBuffer[n];
        index = new int[n];
        length = new int[n];
        shift = new int[n];
        slba = new long[n];
        blocks = new long[n];
        nextBlock = new long[n];
        issuedAll = new boolean[n];
        outstanding = new int[n];
        status = new int[n];
        result = new long[n];
        userTag = new long[n];
        free = new int[n];
        for (int i = 0; i < n; i++)
        {
            free[i] = n - 1 - i;
        }
        freeTop = n;
    }

    /** @return a cleared slot, or -1 when all are in use. */
    int alloc()
    {
        if (freeTop == 0)
        {
            return -1;
        }
        final int r = free[--freeTop];
        active[r] = true;
        internal[r] = false;
        issuedAll[r] = false;
        outstanding[r] = 0;
        status[r] = 0;
        result[r] = 0;
        nextBlock[r] = 0;
        buf[r] = null;
        length[r] = 0;
        index[r] = 0;
        activeCount++;
        return r;
    }

    /** Slot {@code r} ended: it is free again and lets go of the caller's buffer. */
    void release(final int r)
    {
        active[r] = false;
        buf[r] = null;
        free[freeTop++] = r;
        activeCount--;
    }

    /** @return requests in use. */
    int activeCount()
    {
        return activeCount;
    }
}
