package org.nvmeof4j.offload.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.IoQueue;
import org.nvmeof4j.target.Target;

/** Java targets and helpers for the offload tests. */
final class OffloadTestSupport
{
    static final String NQN = "nqn.2014-08.org.nvmeof4j:offload-test";

    private OffloadTestSupport()
    {
    }

    static Target ram(final int blockSize)
    {
        try
        {
            return Target.builder().listen("127.0.0.1", 0)
                .subsystem(s -> s.nqn(NQN).allowAnyHost().blockSize(blockSize).ramNamespace(1, 64L << 20))
                .build().start();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    /** tcp_offload options for {@code t}, on device {@code dev}. */
    static ConnectOptions options(final Target t, final String dev)
    {
        return ConnectOptions.tcp("127.0.0.1", t.boundPort(), NQN).transport("tcp_offload").offloadDev(dev)
            .nrIoQueues(2).nrPollQueues(2);
    }

    static ByteBuffer pattern(final int size, final long seed, final boolean direct)
    {
        final ByteBuffer b = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
        long x = seed * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < size; i++)
        {
            if ((i & 7) == 0)
            {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
            }
            b.put(i, (byte)(x >>> (8 * (i & 7))));
        }
        return b;
    }

    /** Submit nothing more; poll until {@code slot}'s request completes; return its status. */
    static int run(final IoQueue q, final int slot)
    {
        if (slot < 0)
        {
            throw new IllegalStateException("queue full");
        }
        final int[] status = {-1};
        final long deadline = System.nanoTime() + 20_000_000_000L;
        while (status[0] < 0)
        {
            q.poll((tag, st) -> status[0] = st);
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("no completion within 20 s");
            }
        }
        return status[0];
    }
}
