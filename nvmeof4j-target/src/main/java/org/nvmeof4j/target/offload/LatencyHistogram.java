package org.nvmeof4j.target.offload;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fixed-bucket latency histogram, wait-free and allocation-free to record from any thread: bucket {@code b} holds
 * values in {@code [2^(b-1), 2^b)} nanoseconds (bucket 0 holds 0), so percentiles are known within a factor of two.
 * The target module depends on the JDK alone, hence no HdrHistogram here; the CLI prints these buckets.
 */
public final class LatencyHistogram
{
    /** Buckets: up to 2^47 ns (about 39 hours); larger values land in the last one. */
    public static final int BUCKETS = 48;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final AtomicLong sumNanos = new AtomicLong();

    /** Record one value in nanoseconds (negative counts as 0). Any thread. */
    public void record(final long nanos)
    {
        final int b = nanos <= 0 ? 0 : Math.min(BUCKETS - 1, 64 - Long.numberOfLeadingZeros(nanos));
        counts.incrementAndGet(b);
        sumNanos.addAndGet(Math.max(0, nanos));
    }

    /** @return the sum of the values recorded, in nanoseconds (exact, unlike the buckets: Prometheus' _sum). */
    public long sumNanos()
    {
        return sumNanos.get();
    }

    /** @return the count of bucket {@code b}. */
    public long count(final int b)
    {
        return counts.get(b);
    }

    /** @return the upper bound in nanoseconds of bucket {@code b} (exclusive): {@code 2^b}. */
    public static long upperBoundNanos(final int b)
    {
        return 1L << b;
    }

    /** @return values recorded. */
    public long totalCount()
    {
        long n = 0;
        for (int b = 0; b < BUCKETS; b++)
        {
            n += counts.get(b);
        }
        return n;
    }

    /**
     * @param percentile 0 to 100.
     * @return the upper bound (ns) of the bucket that holds the given percentile, 0 when nothing was recorded.
     */
    public long percentileUpperBoundNanos(final double percentile)
    {
        return percentileUpperBoundNanos(snapshot(), percentile);
    }

    /**
     * @param buckets    counts by bucket, as {@link #snapshot} gives them (or as JMX carries them).
     * @param percentile 0 to 100.
     * @return the upper bound (ns) of the bucket that holds the given percentile, 0 when {@code buckets} are empty.
     */
    public static long percentileUpperBoundNanos(final long[] buckets, final double percentile)
    {
        final long total = total(buckets);
        if (total == 0)
        {
            return 0;
        }
        final long rank = Math.max(1, (long)Math.ceil(percentile / 100.0 * total));
        long seen = 0;
        for (int b = 0; b < buckets.length; b++)
        {
            seen += buckets[b];
            if (seen >= rank)
            {
                return upperBoundNanos(b);
            }
        }
        return upperBoundNanos(buckets.length - 1);
    }

    /** @return the sum of the bucket counts. */
    public static long total(final long[] buckets)
    {
        long n = 0;
        for (final long c : buckets)
        {
            n += c;
        }
        return n;
    }

    /** @return a copy of the bucket counts. */
    public long[] snapshot()
    {
        final long[] s = new long[BUCKETS];
        for (int b = 0; b < BUCKETS; b++)
        {
            s[b] = counts.get(b);
        }
        return s;
    }
}
