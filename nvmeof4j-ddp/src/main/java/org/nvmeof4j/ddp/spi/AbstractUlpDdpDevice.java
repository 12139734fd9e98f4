package org.nvmeof4j.ddp.spi;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.nvmeof4j.ddp.UlpDdpCaps;
import org.nvmeof4j.ddp.UlpDdpConfig;
import org.nvmeof4j.ddp.UlpDdpDevice;
import org.nvmeof4j.ddp.UlpDdpDeviceListener;
import org.nvmeof4j.ddp.UlpDdpIo;
import org.nvmeof4j.ddp.UlpDdpLimits;
import org.nvmeof4j.ddp.UlpDdpStats;
import org.nvmeof4j.ddp.UlpDdpUlpOps;
import org.nvmeof4j.tcp.NvmeTcpConnection;

/**
 * What every device shares: caps, up/down state and listeners, the checks around {@code sk_add} (pfv, caps, I/O
 * queue only, one offload per connection), statistics aggregation, and dispatch of the per-connection operations
 * to the {@link UlpDdpContext} installed on the connection (found through the connection's segment source: no map
 * lookup on the I/O path).
 */
public abstract class AbstractUlpDdpDevice implements UlpDdpDevice
{
    private final String name;
    private volatile UlpDdpCaps caps;
    private volatile UlpDdpLimits limits;
    private volatile boolean up = true;
    private final CopyOnWriteArrayList<UlpDdpDeviceListener> listeners = new CopyOnWriteArrayList<>();
    private final Set<UlpDdpContext> live = ConcurrentHashMap.newKeySet();
    private final long[] retired = new long[UlpDdpStats.NAMES.size()];
    private final AtomicLong skAdd = new AtomicLong();
    private final AtomicLong skAddFail = new AtomicLong();
    private final AtomicLong skDel = new AtomicLong();
    private final AtomicLong setupFailNoContext = new AtomicLong();

    protected AbstractUlpDdpDevice(final String name, final UlpDdpCaps caps, final UlpDdpLimits limits)
    {
        this.name = name;
        this.caps = caps;
        this.limits = limits;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public UlpDdpCaps getCaps()
    {
        return caps;
    }

    @Override
    public synchronized UlpDdpCaps setCaps(final long active)
    {
        caps = caps.withActive(active);
        return caps;
    }

    @Override
    public UlpDdpLimits limits()
    {
        return up && caps.isActive(UlpDdpCaps.NVME_TCP) ? limits : null;
    }

    /** Change the limits reported to connections set up from now on (tests, tuning). */
    public void limits(final UlpDdpLimits limits)
    {
        this.limits = limits;
    }

    @Override
    public final boolean skAdd(final NvmeTcpConnection connection, final UlpDdpConfig config, final UlpDdpUlpOps ops)
    {
        final UlpDdpCaps c = caps;
        final UlpDdpLimits l = limits;
        if (!up || !c.isActive(UlpDdpCaps.NVME_TCP) || config.pfv() != UlpDdpConfig.PFV_1_0 ||
            config.queueId() < 1 || contextOf(connection) != null && contextOf(connection).isOffloaded())
        {
            skAddFail.incrementAndGet();
            return false;
        }
        final UlpDdpContext ctx;
        try
        {
            ctx = createContext(connection, config, ops, c, l);
        }
        catch (final RuntimeException e)
        {
            skAddFail.incrementAndGet();
            return false;
        }
        if (ctx == null)
        {
            skAddFail.incrementAndGet();
            return false;
        }
        live.add(ctx);
        connection.segmentSource(ctx);
        skAdd.incrementAndGet();
        return true;
    }

    /**
     * Build the context for a connection; it is installed as the connection's segment source by the caller.
     *
     * @return the context, or null to refuse (counted as sk_add_fail).
     */
    protected abstract UlpDdpContext createContext(
        NvmeTcpConnection connection, UlpDdpConfig config, UlpDdpUlpOps ops, UlpDdpCaps caps, UlpDdpLimits limits);

    @Override
    public void skDel(final NvmeTcpConnection connection)
    {
        final UlpDdpContext ctx = contextOf(connection);
        if (ctx == null || !ctx.isOffloaded())
        {
            return;
        }
        ctx.release();
        if (live.remove(ctx))
        {
            synchronized (retired)
            {
                ctx.addCounters(retired);
            }
        }
        skDel.incrementAndGet();
    }

    /** @return this device's live context on the connection, or null. */
    protected final UlpDdpContext contextOf(final NvmeTcpConnection connection)
    {
        return connection.segmentSource() instanceof UlpDdpContext ctx && ctx.device == this ? ctx : null;
    }

    @Override
    public boolean setup(final NvmeTcpConnection connection, final UlpDdpIo io)
    {
        final UlpDdpContext ctx = contextOf(connection);
        if (ctx == null)
        {
            setupFailNoContext.incrementAndGet();
            return false;
        }
        return ctx.setup(io);
    }

    @Override
    public void teardown(final NvmeTcpConnection connection, final UlpDdpIo io, final Object ddpCtx)
    {
        final UlpDdpContext ctx = contextOf(connection);
        if (ctx == null)
        {
            throw new IllegalStateException("teardown on a connection this device never offloaded");
        }
        ctx.teardown(io, ddpCtx);
    }

    @Override
    public void resync(final NvmeTcpConnection connection, final int seq)
    {
        final UlpDdpContext ctx = contextOf(connection);
        if (ctx != null)
        {
            ctx.resync(seq);
        }
    }

    @Override
    public UlpDdpStats getStats()
    {
        final long[] sums;
        synchronized (retired)
        {
            sums = retired.clone();
        }
        for (final UlpDdpContext ctx : live)
        {
            ctx.addCounters(sums);
        }
        sums[0] = skAdd.get();
        sums[1] = skAddFail.get();
        sums[2] = skDel.get();
        sums[4] += setupFailNoContext.get();
        return new UlpDdpStats(sums);
    }

    /** @return connections currently offloaded. */
    public int liveContexts()
    {
        return live.size();
    }

    @Override
    public boolean isUp()
    {
        return up;
    }

    /**
     * Take the device down: limits and new offloads fail, contexts stop placing at the next PDU, and listeners are
     * told so that transports tear their offloads down and reconnect.
     */
    public void down()
    {
        if (!up)
        {
            return;
        }
        up = false;
        for (final UlpDdpDeviceListener l : listeners)
        {
            l.onDeviceDown(this);
        }
    }

    /** Bring the device back up. */
    public void up()
    {
        if (up)
        {
            return;
        }
        up = true;
        for (final UlpDdpDeviceListener l : listeners)
        {
            l.onDeviceUp(this);
        }
    }

    @Override
    public void addListener(final UlpDdpDeviceListener listener)
    {
        listeners.addIfAbsent(listener);
    }

    @Override
    public void removeListener(final UlpDdpDeviceListener listener)
    {
        listeners.remove(listener);
    }

    @Override
    public String toString()
    {
        return getClass().getSimpleName() + "{" + name + ", " + caps + ", up=" + up + '}';
    }
}
