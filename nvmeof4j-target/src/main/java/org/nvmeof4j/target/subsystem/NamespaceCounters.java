package org.nvmeof4j.target.subsystem;

import java.util.concurrent.atomic.LongAdder;

/**
 * I/O counters of one namespace, summed over every queue that serves it (the pollers of several connections may
 * count at once, hence {@link LongAdder}: an increment allocates nothing once the adder exists, and contended
 * increments do not share one cache line). Successful commands are counted by kind with their data bytes; a
 * command that completes with an error status counts as an error only. Read from any thread.
 */
public final class NamespaceCounters
{
    private final LongAdder reads = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final LongAdder flushes = new LongAdder();
    private final LongAdder others = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();

    /** A Read completed successfully with {@code bytes} of data. */
    public void read(final long bytes)
    {
        reads.increment();
        bytesRead.add(bytes);
    }

    /** A Write completed successfully with {@code bytes} of data. */
    public void written(final long bytes)
    {
        writes.increment();
        bytesWritten.add(bytes);
    }

    /** A Flush completed successfully. */
    public void flushed()
    {
        flushes.increment();
    }

    /** Another I/O command (Compare, Write Zeroes, Dataset Management) completed successfully. */
    public void other()
    {
        others.increment();
    }

    /** An I/O command for this namespace completed with an error status. */
    public void error()
    {
        errors.increment();
    }

    /** @return successful Read commands. */
    public long reads()
    {
        return reads.sum();
    }

    /** @return successful Write commands. */
    public long writes()
    {
        return writes.sum();
    }

    /** @return successful Flush commands. */
    public long flushes()
    {
        return flushes.sum();
    }

    /** @return other successful I/O commands (Compare, Write Zeroes, Dataset Management). */
    public long others()
    {
        return others.sum();
    }

    /** @return I/O commands completed with an error status. */
    public long errors()
    {
        return errors.sum();
    }

    /** @return data bytes sent to hosts by successful Reads. */
    public long bytesRead()
    {
        return bytesRead.sum();
    }

    /** @return data bytes stored by successful Writes. */
    public long bytesWritten()
    {
        return bytesWritten.sum();
    }
}
