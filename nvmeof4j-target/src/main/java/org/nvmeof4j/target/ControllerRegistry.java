package org.nvmeof4j.target;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.nvmeof4j.target.controller.Controller;
import org.nvmeof4j.target.queue.TargetQueue;
import org.nvmeof4j.target.subsystem.Subsystem;

/**
 * The live controllers of a {@link Target}, found by (subsystem, CNTLID) as an I/O queue's Connect names them. Each
 * CNTLID is taken from its subsystem when the controller is created and given back when it is torn down.
 *
 * <p>Thread model: Connects arrive on any poller and teardowns on any thread, so the map is concurrent.
 */
final class ControllerRegistry
{
    private static final System.Logger LOG = System.getLogger("org.nvmeof4j.target");

    private final Target target;
    private final Map<ControllerKey, Controller> controllers = new ConcurrentHashMap<>();

    ControllerRegistry(final Target target)
    {
        this.target = target;
    }

    /** See {@link Target#createController}. */
    Controller create(final Subsystem s, final String hostNqn, final UUID hostId, final TargetQueue adminQueue,
        final long katoMillis)
    {
        final int cntlid = s.allocateCntlid();
        if (cntlid < 0)
        {
            return null;
        }
        final Controller c = new Controller(target, s, cntlid, hostNqn, hostId, adminQueue, katoMillis);
        controllers.put(key(s, cntlid), c);
        LOG.log(System.Logger.Level.INFO, () -> "created " + c + " (KATO " + katoMillis + " ms)");
        return c;
    }

    /** See {@link Target#controller}. */
    Controller find(final Subsystem s, final int cntlid)
    {
        final Controller c = controllers.get(key(s, cntlid));
        return c == null || c.isDead() ? null : c;
    }

    /** See {@link Target#controllerGone}. */
    void remove(final Controller c, final String reason)
    {
        controllers.remove(key(c.subsystem(), c.cntlid()), c);
        c.subsystem().releaseCntlid(c.cntlid());
        LOG.log(System.Logger.Level.INFO, () -> "removed " + c + ": " + reason);
    }

    /** @return live controllers (all subsystems), as a read-only view. */
    Collection<Controller> all()
    {
        return Collections.unmodifiableCollection(controllers.values());
    }

    /** Tear down the controllers of {@code s}. */
    void shutdown(final Subsystem s, final String reason)
    {
        for (final Controller c : controllers.values())
        {
            if (c.subsystem() == s)
            {
                c.shutdown(reason);
            }
        }
    }

    /**
     * Tear down the controllers with a queue that came in through {@code port}: the admin queue or any I/O queue (a
     * host may connect an I/O queue through another port of the subsystem than its admin queue; that connection
     * goes with the port, as nvmet closes every queue of a port it removes, and a controller that lost a queue is
     * torn down here as any failed queue ends the association).
     */
    void shutdownPort(final Listener port, final String reason)
    {
        for (final Controller c : controllers.values())
        {
            if (c.hasQueueThrough(port))
            {
                c.shutdown(reason);
            }
        }
    }

    /** Tear down every controller. */
    void shutdownAll(final String reason)
    {
        for (final Controller c : controllers.values())
        {
            c.shutdown(reason);
        }
    }

    /** Tell every controller; only discovery controllers whose host asked for the notice act on it. */
    void onDiscoveryLogChanged()
    {
        for (final Controller c : controllers.values())
        {
            c.onDiscoveryLogChanged();
        }
    }

    /** ANA notice to the controllers that came in through {@code port} (non-null), or those of {@code s}. */
    void onAnaChanged(final Listener port, final Subsystem s)
    {
        for (final Controller c : controllers.values())
        {
            if (c.isDiscovery())
            {
                continue;
            }
            if (port != null ? c.adminQueue().listener() == port : c.subsystem() == s)
            {
                c.onAnaChanged();
            }
        }
    }

    /** Controllers are found by (subsystem, CNTLID); identity hash codes of two subsystems may collide. */
    private record ControllerKey(Subsystem subsystem, int cntlid)
    {
    }

    private static ControllerKey key(final Subsystem s, final int cntlid)
    {
        return new ControllerKey(s, cntlid);
    }
}
