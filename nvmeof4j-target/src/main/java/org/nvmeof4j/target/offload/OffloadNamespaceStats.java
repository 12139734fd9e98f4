package org.nvmeof4j.target.offload;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one mapped namespace, for the commands the device served (software fall-through is not counted here).
 * Updated from poller threads without locks; read from any thread (JMX, the CLI).
 */
public final class OffloadNamespaceStats implements OffloadNamespaceStatsMXBean
{
    private final String subsystemNqn;
    private final int feNsid;
    private final String backend;
    private final LongAdder reads = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final LongAdder flushes = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder zeroCopyReads = new LongAdder();
    private final LongAdder mappedReads = new LongAdder();
    private final LongAdder stagedWrites = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LatencyHistogram latency = new LatencyHistogram();

    OffloadNamespaceStats(final String subsystemNqn, final int feNsid, final String backend)
    {
        this.subsystemNqn = subsystemNqn;
        this.feNsid = feNsid;
        this.backend = backend;
    }

    void read(final int bytes, final long nanos, final boolean zeroCopy)
    {
        reads.increment();
        bytesRead.add(bytes);
        if (zeroCopy)
        {
            zeroCopyReads.increment();
        }
        latency.record(nanos);
    }

    void mappedRead(final int bytes, final long nanos)
    {
        reads.increment();
        bytesRead.add(bytes);
        mappedReads.increment();
        latency.record(nanos);
    }

    void write(final int bytes, final long nanos, final boolean staged)
    {
        writes.increment();
        bytesWritten.add(bytes);
        if (staged)
        {
            stagedWrites.increment();
        }
        latency.record(nanos);
    }

    void flush(final long nanos)
    {
        flushes.increment();
        latency.record(nanos);
    }

    void error()
    {
        errors.increment();
    }

    /** @return the latency histogram of served commands (receipt of the command to its completion queued). */
    public LatencyHistogram latency()
    {
        return latency;
    }

    @Override
    public String getSubsystemNqn()
    {
        return subsystemNqn;
    }

    @Override
    public int getFeNsid()
    {
        return feNsid;
    }

    @Override
    public String getBackend()
    {
        return backend;
    }

    @Override
    public long getReads()
    {
        return reads.sum();
    }

    @Override
    public long getWrites()
    {
        return writes.sum();
    }

    @Override
    public long getFlushes()
    {
        return flushes.sum();
    }

    @Override
    public long getBytesRead()
    {
        return bytesRead.sum();
    }

    @Override
    public long getBytesWritten()
    {
        return bytesWritten.sum();
    }

    @Override
    public long getZeroCopyReads()
    {
        return zeroCopyReads.sum();
    }

    @Override
    public long getMappedReads()
    {
        return mappedReads.sum();
    }

    @Override
    public long getStagedWrites()
    {
        return stagedWrites.sum();
    }

    @Override
    public long getErrors()
    {
        return errors.sum();
    }

    @Override
    public long getLatencyP50UpperBoundNanos()
    {
        return latency.percentileUpperBoundNanos(50);
    }

    @Override
    public long getLatencyP99UpperBoundNanos()
    {
        return latency.percentileUpperBoundNanos(99);
    }

    @Override
    public long[] getLatencyBuckets()
    {
        return latency.snapshot();
    }

    @Override
    public String toString()
    {
        return "nsid " + feNsid + " -> " + backend + ": reads " + getReads() + " (" + getZeroCopyReads() +
            " zero-copy, " + getMappedReads() + " mapped), writes " + getWrites() + " (" + getStagedWrites() +
            " staged), flushes " + getFlushes() +
            ", bytes read " + getBytesRead() + ", bytes written " + getBytesWritten() + ", errors " + getErrors() +
            ", latency p50 < " + getLatencyP50UpperBoundNanos() / 1000.0 + " us, p99 < " +
            getLatencyP99UpperBoundNanos() / 1000.0 + " us";
    }
}
