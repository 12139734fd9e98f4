package org.nvmeof4j.target;

import java.util.concurrent.atomic.LongAdder;

/** How often each {@link ConnectionLimits} bound fired since the target started. Any thread reads them. */
public final class LimitCounters
{
    final LongAdder refusedPerPort = new LongAdder();
    final LongAdder refusedPerAddress = new LongAdder();
    final LongAdder icReqTimeouts = new LongAdder();
    final LongAdder connectTimeouts = new LongAdder();
    final LongAdder refusedPerHost = new LongAdder();
    final LongAdder stagingWaits = new LongAdder();
    private final LogLimiter log = new LogLimiter(10_000_000_000L);

    LimitCounters()
    {
    }

    /** @return connections closed at accept because their port held its limit. */
    public long refusedPerPort()
    {
        return refusedPerPort.sum();
    }

    /** @return connections closed at accept because their remote address held its limit. */
    public long refusedPerAddress()
    {
        return refusedPerAddress.sum();
    }

    /** @return connections dropped for sending no ICReq in time. */
    public long icReqTimeouts()
    {
        return icReqTimeouts.sum();
    }

    /** @return connections dropped for sending no Fabrics Connect in time after ICResp. */
    public long connectTimeouts()
    {
        return connectTimeouts.sum();
    }

    /** @return Fabrics Connects refused (Connect Controller Busy) because their host NQN held its limit. */
    public long refusedPerHost()
    {
        return refusedPerHost.sum();
    }

    /**
     * @return commands that had to wait for staging memory because their connection held its staging budget (each
     *         wait counted once per command).
     */
    public long stagingWaits()
    {
        return stagingWaits.sum();
    }

    /**
     * @return the limiter of the log lines about limits that fired (one line per 10 s; the counters count every
     *         event): a flood of connections must not become a flood of log lines.
     */
    public LogLimiter log()
    {
        return log;
    }

    /** A command waits for its connection's staging to free. Any thread. */
    public void stagingWait()
    {
        stagingWaits.increment();
    }

    /** A queue took too long: count it under the step it was waiting for. Any thread. */
    public void timedOut(final boolean waitingForIcReq)
    {
        (waitingForIcReq ? icReqTimeouts : connectTimeouts).increment();
    }

    @Override
    public String toString()
    {
        return "refusedPerPort=" + refusedPerPort() + " refusedPerAddress=" + refusedPerAddress() +
            " icReqTimeouts=" + icReqTimeouts() + " connectTimeouts=" + connectTimeouts() +
            " refusedPerHost=" + refusedPerHost() + " stagingWaits=" + stagingWaits();
    }
}
