package org.nvmeof4j.ddp.model;

import org.nvmeof4j.ddp.UlpDdpUlpOps;

/**
 * The {@code ddpTeardownDone} completions of one offloaded connection, held until the end of its next receive call,
 * as a hardware invalidation completes asynchronously. Grows, never shrinks: no allocation once it has seen the
 * queue's depth. Not thread-safe (the connection's thread owns it).
 */
final class TeardownCompletions
{
    private final UlpDdpUlpOps ulpOps;
    private Object[] pendingDone = new Object[16];
    private int pendingCount;

    TeardownCompletions(final UlpDdpUlpOps ulpOps)
    {
        this.ulpOps = ulpOps;
    }

    /** Hold {@code ctx}'s completion until the next {@link #complete()}. */
    void add(final Object ctx)
    {
        if (pendingCount == pendingDone.length)
        {
            pendingDone = java.util.Arrays.copyOf(pendingDone, pendingCount * 2);
        }
        pendingDone[pendingCount++] = ctx;
    }

    /** Tell the ULP that every teardown held so far is done. */
    void complete()
    {
        // completions may schedule new teardowns: take a count first
        final int n = pendingCount;
        for (int k = 0; k < n; k++)
        {
            final Object ctx = pendingDone[k];
            pendingDone[k] = null;
            ulpOps.ddpTeardownDone(ctx);
        }
        System.arraycopy(pendingDone, n, pendingDone, 0, pendingCount - n);
        for (int k = pendingCount - n; k < pendingCount; k++)
        {
            pendingDone[k] = null;
        }
        pendingCount -= n;
    }
}
