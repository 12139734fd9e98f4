package org.nvmeof4j.target;

import java.util.concurrent.atomic.LongAdder;

/** How often each {@link ConnectionLimits} bound fired since the target started. Any thread reads them. */
public final class LimitCounters
{
    final LongAdder refusedPerPort = new LongAdder();
    final LongAdder refusedPerAddress = new LongAdder();
    final LongAdder icReqTimeouts = new LongAdder();
    final LongAdder connectTimeouts = new LongAdder();

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

    /** A queue took too long: count it under the step it was waiting for. Any thread. */
    public void timedOut(final boolean waitingForIcReq)
    {
        (waitingForIcReq ? icReqTimeouts : connectTimeouts).increment();
    }

    @Override
    public String toString()
    {
        return "refusedPerPort=" + refusedPerPort() + " refusedPerAddress=" + refusedPerAddress() +
            " icReqTimeouts=" + icReqTimeouts() + " connectTimeouts=" + connectTimeouts();
    }
}
