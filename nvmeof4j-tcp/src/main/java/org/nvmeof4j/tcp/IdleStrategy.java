package org.nvmeof4j.tcp;

/**
 * What a poller does after a duty cycle, in the manner of Agrona's idle strategies, with one addition: the last
 * step of a back-off may block in the poller's selector, so an idle process uses no CPU and wakes on the first
 * byte that arrives.
 */
public interface IdleStrategy
{
    /** Blocks the calling poller until a channel is ready, it is woken, or the time passes. */
    @FunctionalInterface
    interface Waiter
    {
        void await(long maxNanos);
    }

    /**
     * @param workCount work done in the last duty cycle; 0 means idle.
     * @param waiter    blocks the poller (in its selector) when the strategy decides to sleep.
     */
    void idle(int workCount, Waiter waiter);

    /** Busy-spin forever: lowest latency, one full core per poller. For benchmarks. */
    static IdleStrategy busySpin()
    {
        return (work, waiter) -> Thread.onSpinWait();
    }

    /**
     * Spin, then yield, then block in the selector for at most {@code maxParkNanos} (so timers such as keep-alive
     * still run).
     */
    static IdleStrategy backoff(final int spins, final int yields, final long maxParkNanos)
    {
        return new BackoffIdleStrategy(spins, yields, maxParkNanos);
    }

    /**
     * The default: a short spin (a few µs) before blocking, so a busy queue keeps its latency. No yield phase: with a
     * CPU-bound process on the same core, each {@code Thread.yield} can hand it a whole time slice (measured: a
     * perf thread that yielded twice per wait fell from 142K to 22K IOPS at QD32 beside {@code yes > /dev/null}).
     */
    static IdleStrategy defaultStrategy()
    {
        return backoff(2000, 0, 100_000_000L);
    }

    /** Parse "spin", "backoff" or "block" (block without spinning). */
    static IdleStrategy parse(final String name)
    {
        switch (name)
        {
            case "spin":
                return busySpin();
            case "backoff":
                return defaultStrategy();
            case "block":
                return backoff(0, 0, 100_000_000L);
            default:
                throw new IllegalArgumentException("unknown idle strategy '" + name + "' (spin, backoff, block)");
        }
    }

    /** Spin → yield → block. */
    final class BackoffIdleStrategy implements IdleStrategy
    {
        private final int spins;
        private final int yields;
        private final long maxParkNanos;
        private int idleCycles;

        BackoffIdleStrategy(final int spins, final int yields, final long maxParkNanos)
        {
            this.spins = spins;
            this.yields = yields;
            this.maxParkNanos = maxParkNanos;
        }

        @Override
        public void idle(final int workCount, final Waiter waiter)
        {
            if (workCount > 0)
            {
                idleCycles = 0;
                return;
            }
            if (idleCycles < spins)
            {
                idleCycles++;
                Thread.onSpinWait();
            }
            else if (idleCycles < spins + yields)
            {
                idleCycles++;
                Thread.yield();
            }
            else
            {
                waiter.await(maxParkNanos);
            }
        }
    }
}
