package org.nvmeof4j.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.nvmeof4j.target.Target;

/** Java targets on loopback for the end-to-end tests. */
final class TestTargets
{
    static final String NQN = "nqn.2014-08.org.nvmeof4j:test";

    private TestTargets()
    {
    }

    /** A RAM target (64 MiB namespace 1, 4 KiB blocks when asked) on an ephemeral port. */
    static Target ram(final int blockSize)
    {
        return start(Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().blockSize(blockSize).ramNamespace(1, 64L << 20)));
    }

    /** A file-backed target on {@code port} (0 = ephemeral): survives a restart with its data. */
    static Target file(final int port, final Path file)
    {
        return start(Target.builder().listen("127.0.0.1", port)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().fileNamespace(1, file, 16L << 20)));
    }

    static Target start(final Target.Builder b)
    {
        try
        {
            return b.build().start();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    static ConnectOptions options(final Target t)
    {
        return ConnectOptions.tcp("127.0.0.1", t.boundPort(), NQN).nrIoQueues(2).nrPollQueues(2);
    }

    static ByteBuffer pattern(final int size, final long seed, final boolean direct)
    {
        final ByteBuffer b = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
        long x = seed * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < size; i += 8)
        {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            for (int j = 0; j < 8 && i + j < size; j++)
            {
                b.put(i + j, (byte)(x >>> (8 * j)));
            }
        }
        return b;
    }
}
