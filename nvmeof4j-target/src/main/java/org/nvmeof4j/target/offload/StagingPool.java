package org.nvmeof4j.target.offload;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The staging buffer of an offload context cut into chunks of the context's {@code maxIoSz}, handed out to commands
 * in flight. Lock-free and allocation-free: a chunk is claimed with a compare-and-set from any poller thread. Each
 * chunk is its own {@link ByteBuffer} object (a slice made once), so the PDUs of one gathering write never share one.
 */
final class StagingPool
{
    private final ByteBuffer[] chunks;
    private final AtomicIntegerArray busy;

    StagingPool(final ByteBuffer staging, final int chunkSize)
    {
        final int n = staging.capacity() / chunkSize;
        chunks = new ByteBuffer[n];
        for (int i = 0; i < n; i++)
        {
            chunks[i] = staging.slice(i * chunkSize, chunkSize);
        }
        busy = new AtomicIntegerArray(n);
    }

    /** @return the number of chunks. */
    int size()
    {
        return chunks.length;
    }

    /**
     * @param hint where to start looking (spreads threads over the pool).
     * @return a claimed chunk index, or -1 when every chunk is in use.
     */
    int claim(final int hint)
    {
        final int n = chunks.length;
        for (int k = 0; k < n; k++)
        {
            final int i = (hint + k) % n;
            if (busy.get(i) == 0 && busy.compareAndSet(i, 0, 1))
            {
                return i;
            }
        }
        return -1;
    }

    ByteBuffer chunk(final int i)
    {
        return chunks[i];
    }

    void release(final int i)
    {
        busy.set(i, 0);
    }

    /** @return chunks in use now. */
    int inUse()
    {
        int c = 0;
        for (int i = 0; i < chunks.length; i++)
        {
            c += busy.get(i);
        }
        return c;
    }
}
