package org.nvmeof4j.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;

/**
 * Mixed 4 KiB reads and writes at a fixed depth on one polled {@link IoQueue}, busy-polled and resubmitted from the
 * completion handler: the steady state the allocation tests measure (nothing is allocated once it runs).
 */
public final class MixedIoLoop implements CompletionHandler
{
    private final IoQueue q;
    private final ByteBuffer[] bufs;
    private final int blocks;
    private final int nsid;
    private long submitted;
    private long completed;
    private long goal;
    private int errors;

    /**
     * @param depth  I/Os in flight, each with its own 4 KiB direct buffer.
     * @param blocks blocks per I/O: 4 KiB in the namespace's block size (8 of 512 B, 1 of 4 KiB).
     */
    public MixedIoLoop(final IoQueue q, final int depth, final int blocks)
    {
        this(q, 1, depth, blocks);
    }

    /** As {@link #MixedIoLoop(IoQueue, int, int)}, on namespace {@code nsid}. */
    public MixedIoLoop(final IoQueue q, final int nsid, final int depth, final int blocks)
    {
        this.q = q;
        this.nsid = nsid;
        this.blocks = blocks;
        bufs = new ByteBuffer[depth];
        for (int i = 0; i < depth; i++)
        {
            bufs[i] = ByteBuffer.allocateDirect(4096);
        }
    }

    /** Run {@code n} more I/Os to completion; every one must succeed. */
    public void run(final long n)
    {
        goal = completed + n;
        for (int i = 0; i < bufs.length && submitted < goal; i++)
        {
            submit(i);
        }
        while (completed < goal)
        {
            q.poll(this);
        }
        assertThat(errors).isZero();
    }

    private void submit(final int slot)
    {
        submitted++;
        final long lba = (submitted * 7919) % 4096;
        if ((submitted & 1) == 0)
        {
            q.submitRead(nsid, lba, blocks, bufs[slot], slot);
        }
        else
        {
            q.submitWrite(nsid, lba, blocks, bufs[slot], slot);
        }
    }

    @Override
    public void onComplete(final long userTag, final int status)
    {
        completed++;
        if (status != 0)
        {
            errors++;
        }
        if (submitted < goal)
        {
            submit((int)userTag);
        }
    }
}
