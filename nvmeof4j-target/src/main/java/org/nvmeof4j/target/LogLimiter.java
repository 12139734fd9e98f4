package org.nvmeof4j.target;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * At most one log line per interval for an event that abusive peers can repeat at will (a connection dropped for
 * no ICReq, refused at accept): a flood of 2,000 connections used to write 4,000 lines, each with a stack walk to
 * find its caller, on the poller thread. The lines left out are counted and the next line says how many.
 * Any thread.
 */
public final class LogLimiter
{
    /** The value of {@link #acquire()} when this event is not to be logged. */
    public static final long SUPPRESSED = -1;

    private final long intervalNanos;
    private final LongSupplier clock;
    private final AtomicLong next;
    private final AtomicLong suppressed = new AtomicLong();

    /** @param intervalNanos the shortest time between two lines. */
    public LogLimiter(final long intervalNanos, final LongSupplier clock)
    {
        this.intervalNanos = intervalNanos;
        this.clock = clock;
        this.next = new AtomicLong(clock.getAsLong());
    }

    /** A limiter on {@link System#nanoTime()}. */
    public LogLimiter(final long intervalNanos)
    {
        this(intervalNanos, System::nanoTime);
    }

    /**
     * @return {@link #SUPPRESSED} if this event must not be logged (it is counted), else how many were left out
     *         since the last one logged.
     */
    public long acquire()
    {
        final long now = clock.getAsLong();
        final long due = next.get();
        if (now - due >= 0 && next.compareAndSet(due, now + intervalNanos))
        {
            return suppressed.getAndSet(0);
        }
        suppressed.incrementAndGet();
        return SUPPRESSED;
    }

    /** @return " (and N more like it since the last one)", or "" when none was left out. */
    public static String more(final long leftOut)
    {
        return leftOut > 0 ? " (and " + leftOut + " more like it since the last one)" : "";
    }
}
