package org.nvmeof4j.target;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.nvmeof4j.protocol.fabrics.Nqn;
import org.nvmeof4j.target.controller.Controller;
import org.nvmeof4j.target.queue.TargetQueue;
import org.nvmeof4j.target.subsystem.Subsystem;
import org.nvmeof4j.tcp.Poller;

/**
 * An NVMe/TCP target (NVMe-oF 1.1 + NVMe/TCP Transport 1.0): listeners, subsystems with namespaces, a discovery
 * controller on every port, and pollers that run the queues.
 *
 * <pre>{@code
 * Target target = Target.builder()
 *     .listen("127.0.0.1", 0)                      // port 0 = ephemeral (tests)
 *     .subsystem(s -> s.nqn("nqn.2024-01.org.example:disk")
 *                      .allowAnyHost()             // or .allowHost("nqn.2014-08.org.nvmexpress:uuid:...")
 *                      .ramNamespace(1, 64L << 20)) // also fileNamespace(nsid, path, bytes), nullNamespace(...)
 *     .build()
 *     .start();
 * int port = target.boundPort();
 * target.subsystem("nqn.2024-01.org.example:disk").addNamespace(...);   // at runtime: hosts get an AEN
 * target.close();
 * }</pre>
 *
 * <p>Threads: one acceptor per listener, {@link Builder#pollers(int)} pollers (default 1) driving the queues
 * round-robin with a back-off idle strategy that blocks when idle. Defaults: in-capsule data 8 KiB (IOCCSZ 516),
 * MAXH2CDATA 128 KiB (a bounded receive unit; Linux's nvmet announces 4 MiB), maximum transfer 1 MiB (MDTS 8), queues
 * of up to 1024 entries, up to 64 I/O queues per controller.
 *
 * <p>The fluent configuration ({@link Builder}, {@link SubsystemSpec}) lives in {@link TargetConfiguration}, the live
 * controllers in a {@code ControllerRegistry}; this class runs the listeners and pollers and keeps the subsystems.
 */
public final class Target implements AutoCloseable, TargetConfiguration
{
    private static final System.Logger LOG = System.getLogger("org.nvmeof4j.target");
    /** Firmware revision in Identify Controller. */
    public static final String FIRMWARE_REVISION = "0.1";
    /** Where a connection whose peer address cannot be read any more is counted (and released). */
    private static final InetAddress UNKNOWN_ADDRESS = InetAddress.getLoopbackAddress();

    private final TargetSettings settings;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private org.nvmeof4j.tcp.tls.TlsProvider.PskLookup tlsOnEveryPort;
    private final Map<String, Subsystem> subsystems = new ConcurrentHashMap<>();
    private final List<Subsystem> subsystemOrder = new CopyOnWriteArrayList<>();
    private final ControllerRegistry controllers = new ControllerRegistry(this);
    private final AtomicLong generation = new AtomicLong(1);
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final AtomicLong connections = new AtomicLong();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> perHost = new ConcurrentHashMap<>();
    private final LimitCounters limitCounters = new LimitCounters();
    private final java.util.concurrent.atomic.LongAdder authSucceeded = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder authFailed = new java.util.concurrent.atomic.LongAdder();
    /** Failed TLS sessions by {@link org.nvmeof4j.tcp.tls.TlsFailure} ordinal. */
    private final java.util.concurrent.atomic.AtomicLongArray tlsFailures =
        new java.util.concurrent.atomic.AtomicLongArray(org.nvmeof4j.tcp.tls.TlsFailure.values().length);
    private javax.management.ObjectName securityMBean;
    /** One instance, so that {@link #removeSubsystem} can unregister it. */
    private final Runnable accessListener = this::discoveryLogChanged;
    /** One instance, so that {@link #removeSubsystem} can unregister it. */
    private final java.util.function.Consumer<Subsystem> anaListener = this::anaChanged;
    /** CHGCNT of the ANA log page: counts every ANA change of the target (as nvmet's one counter). */
    private final AtomicLong anaChangeCount = new AtomicLong();
    private Poller[] pollers;
    private volatile boolean started;
    private volatile boolean closed;

    Target(final TargetSettings settings)
    {
        this.settings = settings;
        addSubsystem(new Subsystem(Nqn.DISCOVERY, null, "nvmeof4j discovery"));
        for (final Subsystem s : settings.subsystems())
        {
            addSubsystem(s);
        }
    }

    /** @return a new builder. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** A subsystem description to build later or in parts ({@link SubsystemSpec#build()}), e.g. for a config reload. */
    public static SubsystemSpec subsystemSpec()
    {
        return new SubsystemSpec();
    }

    /**
     * Require TLS 1.3 with a PSK that {@code lookup} knows on every port, from the first connection on: call before
     * {@link #start()} (a {@link Listener#requireTls} after it leaves a moment in which the port is plain).
     */
    public Target requireTlsOnEveryPort(final org.nvmeof4j.tcp.tls.TlsProvider.PskLookup lookup)
    {
        if (started)
        {
            throw new IllegalStateException("already started: use Listener.requireTls");
        }
        tlsOnEveryPort = lookup;
        return this;
    }

    /** Bind every listener and start the pollers and acceptors. */
    public Target start() throws IOException
    {
        if (started)
        {
            throw new IllegalStateException("already started");
        }
        started = true;
        final int pollerCount = settings.pollers();
        pollers = new Poller[pollerCount];
        for (int i = 0; i < pollerCount; i++)
        {
            pollers[i] = new Poller("nvmeof4j-target-poller-" + i, settings.idleStrategy().get()).start();
        }
        try
        {
            int id = 1;
            for (final ListenSpec l : settings.listens())
            {
                final Listener listener = new Listener(this, id++, l.host, l.port, l.discoveryOnly, l.subsystems,
                    l.referrals, l.anaGroups);
                if (l.tls != null)
                {
                    listener.tlsBeforeOpen(l.tls, l.tlsRequired);
                }
                else
                {
                    listener.tlsBeforeOpen(tlsOnEveryPort, true);
                }
                listener.open();
                listeners.add(listener);
            }
            securityMBean = TargetSecurity.register(this);
        }
        catch (final IOException | RuntimeException e)
        {
            close();
            throw e;
        }
        return this;
    }

    /** @return the port of the first (non-discovery-only, if any) listener: the one to use with port 0. */
    public int boundPort()
    {
        for (final Listener l : listeners)
        {
            if (!l.discoveryOnly())
            {
                return l.port();
            }
        }
        return listeners.get(0).port();
    }

    /** @return the port of listener {@code index} in the order they were declared. */
    public int boundPort(final int index)
    {
        return listeners.get(index).port();
    }

    public List<Listener> listeners()
    {
        return Collections.unmodifiableList(listeners);
    }

    /** @return every subsystem, the discovery subsystem first. */
    public Collection<Subsystem> subsystems()
    {
        return Collections.unmodifiableList(subsystemOrder);
    }

    /** @return the subsystem with this NQN, or null. */
    public Subsystem subsystem(final String nqn)
    {
        return subsystems.get(nqn);
    }

    /** Add a subsystem (also at runtime); the discovery log generation changes. */
    public Subsystem addSubsystem(final Subsystem s)
    {
        if (subsystems.putIfAbsent(s.nqn(), s) != null)
        {
            throw new IllegalArgumentException("subsystem " + s.nqn() + " already exists");
        }
        subsystemOrder.add(s);
        s.addNamespaceListener(nsid -> generation.incrementAndGet());
        s.addAccessListener(accessListener);
        s.addAnaListener(anaListener);
        discoveryLogChanged();
        return s;
    }

    /** Remove a subsystem at runtime: its controllers are torn down. */
    public Subsystem removeSubsystem(final String nqn)
    {
        final Subsystem s = subsystems.get(nqn);
        if (s == null || s.isDiscovery())
        {
            return null;
        }
        subsystems.remove(nqn);
        subsystemOrder.remove(s);
        s.removeAccessListener(accessListener);
        s.removeAnaListener(anaListener);
        controllers.shutdown(s, "subsystem removed");
        discoveryLogChanged();
        return s;
    }

    /**
     * The discovery log changed (a subsystem came or went, or a host list changed): a new GENCTR, and a Discovery
     * Log Page Change notice to every discovery controller whose host asked for one (persistent discovery).
     */
    void discoveryLogChanged()
    {
        generation.incrementAndGet();
        controllers.onDiscoveryLogChanged();
    }

    /**
     * An ANA group changed state on {@code port}: a new ANA change count, and an ANA change notice to every
     * controller whose host came in through that port (nvmet's {@code nvmet_port_send_ana_event}).
     */
    void anaChanged(final Listener port)
    {
        anaChangeCount.incrementAndGet();
        controllers.onAnaChanged(port, null);
    }

    /** A namespace of {@code s} moved to another ANA group: every controller of {@code s} gets the notice. */
    void anaChanged(final Subsystem s)
    {
        anaChangeCount.incrementAndGet();
        controllers.onAnaChanged(null, s);
    }

    /** @return the ANA change count (CHGCNT of the ANA log page). */
    public long anaChangeCount()
    {
        return anaChangeCount.get();
    }

    /** @return the ANA group IDs created on any port, with group 1: those every ANA log page lists. */
    public java.util.SortedSet<Integer> anaGroupIds()
    {
        final java.util.SortedSet<Integer> ids = new java.util.TreeSet<>();
        ids.add(AnaGroups.DEFAULT_GROUP);
        for (final Listener l : listeners)
        {
            if (!l.discoveryOnly())
            {
                ids.addAll(l.anaGroups().groups().keySet());
            }
        }
        return ids;
    }

    /** Tear down every controller whose host came in through {@code port} ({@link Listener#disconnect()}). */
    void disconnectPort(final Listener port)
    {
        controllers.shutdownPort(port, "port " + port + " taken down");
    }

    /** @return live controllers (all subsystems). */
    public Collection<Controller> controllers()
    {
        return controllers.all();
    }

    /** @return connections accepted since start. */
    public long connectionsAccepted()
    {
        return connections.get();
    }

    public int inlineDataSize()
    {
        return settings.inlineDataSize();
    }

    public int maxH2cData()
    {
        return settings.maxH2cData();
    }

    public int maxTransferSize()
    {
        return settings.maxTransferSize();
    }

    public int maxQueueSize()
    {
        return settings.maxQueueSize();
    }

    public int maxIoQueues()
    {
        return settings.maxIoQueues();
    }

    public String firmwareRevision()
    {
        return FIRMWARE_REVISION;
    }

    /** @return the discovery log generation counter (GENCTR). */
    public long discoveryGeneration()
    {
        return generation.get();
    }

    /** @return the number of poller threads the target runs (once started), as configured. */
    public int pollerCount()
    {
        return settings.pollers();
    }

    /** @return the pollers (for statistics and tests). */
    public List<Poller> pollers()
    {
        return pollers == null ? List.of() : List.of(pollers);
    }

    // ------------------------------------------------------------------------------------------------------------
    // called by listeners, queues and controllers

    void accept(final SocketChannel ch, final Listener listener)
    {
        if (closed)
        {
            closeQuietly(ch);
            return;
        }
        connections.incrementAndGet();
        final InetAddress address = remoteAddress(ch);
        if (!admit(listener, address))
        {
            closeQuietly(ch);
            return;
        }
        final Poller poller = pollers[Math.floorMod(roundRobin.getAndIncrement(), pollers.length)];
        try
        {
            final TargetQueue q = new TargetQueue(ch, this, listener, poller, address);
            final org.nvmeof4j.tcp.tls.TlsProvider.PskLookup tls = listener.tls();
            if (tls != null)
            {
                // every byte from the ClientHello on; a plaintext ICReq is not a TLS record and fails the session
                q.secure(org.nvmeof4j.tcp.tls.TlsProvider.get().server(ch, tls, !listener.tlsRequired()));
            }
            poller.add(q, ch);
            LOG.log(System.Logger.Level.DEBUG, () -> "accepted " + remote(ch) + " on " + listener);
        }
        catch (final IOException | RuntimeException e)
        {
            release(listener, address);
            closeQuietly(ch);
        }
    }

    /** Count a new connection against its port's and its address's bounds; false (and counted) when over one. */
    private boolean admit(final Listener listener, final InetAddress address)
    {
        final ConnectionLimits limits = settings.limits();
        if (listener.liveConnections().incrementAndGet() > limits.maxConnectionsPerPort())
        {
            listener.liveConnections().decrementAndGet();
            limitCounters.refusedPerPort.increment();
            final long more = limitCounters.log().acquire();
            if (more != LogLimiter.SUPPRESSED)
            {
                LOG.log(System.Logger.Level.WARNING, () -> "refused a connection from " + address + " on " +
                    listener + ": port holds " + limits.maxConnectionsPerPort() + " connections (the limit)" +
                    LogLimiter.more(more));
            }
            return false;
        }
        final AtomicInteger n = perAddress.compute(address, (k, v) -> v == null ? new AtomicInteger() : v);
        if (n.incrementAndGet() > limits.maxConnectionsPerAddress())
        {
            release(listener, address);
            limitCounters.refusedPerAddress.increment();
            final long more = limitCounters.log().acquire();
            if (more != LogLimiter.SUPPRESSED)
            {
                LOG.log(System.Logger.Level.WARNING, () -> "refused a connection from " + address + " on " +
                    listener + ": that address holds " + limits.maxConnectionsPerAddress() +
                    " connections (the limit)" + LogLimiter.more(more));
            }
            return false;
        }
        return true;
    }

    /** Undo {@link #admit}: the connection closed. */
    private void release(final Listener listener, final InetAddress address)
    {
        listener.liveConnections().decrementAndGet();
        perAddress.computeIfPresent(address, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
    }

    private static InetAddress remoteAddress(final SocketChannel ch)
    {
        try
        {
            if (ch.getRemoteAddress() instanceof InetSocketAddress a)
            {
                return a.getAddress();
            }
        }
        catch (final IOException e)
        {
            // closed already: counted under the unspecified address, released the same way
        }
        return UNKNOWN_ADDRESS;
    }

    /** @return the staging budget of one connection in bytes ({@link ConnectionLimits#stagingPerConnection()} x
     *          MAXH2CDATA). */
    public long stagingBudget()
    {
        return (long)settings.limits().stagingPerConnection() * settings.maxH2cData();
    }

    /** @return the connection limits in force. */
    public ConnectionLimits connectionLimits()
    {
        return settings.limits();
    }

    /** @return how often each connection limit fired since start. */
    public LimitCounters limitCounters()
    {
        return limitCounters;
    }

    /** @return DH-HMAC-CHAP transactions that authenticated a queue (re-authentications included). */
    public long authenticationsSucceeded()
    {
        return authSucceeded.sum();
    }

    /** @return DH-HMAC-CHAP transactions that failed (each one ended its queue, and its controller). */
    public long authenticationsFailed()
    {
        return authFailed.sum();
    }

    /** @return TLS sessions that failed for {@code reason} since start. */
    public long tlsFailures(final org.nvmeof4j.tcp.tls.TlsFailure reason)
    {
        return tlsFailures.get(reason.ordinal());
    }

    /**
     * Count a failed TLS session (called by the queue whose session failed, once) and log it once, without any key:
     * the peer, the reason and the one-line detail.
     */
    public void countTlsFailure(final org.nvmeof4j.tcp.tls.TlsFailure reason, final String peer, final String detail)
    {
        tlsFailures.incrementAndGet(reason.ordinal());
        LOG.log(System.Logger.Level.WARNING, () -> "TLS session from " + peer + " failed (" + reason.label() + ")" +
            (detail == null ? "" : ": " + detail));
    }

    /** Count one DH-HMAC-CHAP outcome (called by the queue that ran it). */
    public void countAuthentication(final boolean succeeded)
    {
        (succeeded ? authSucceeded : authFailed).increment();
    }

    private static String remote(final SocketChannel ch)
    {
        try
        {
            return String.valueOf(ch.getRemoteAddress());
        }
        catch (final IOException e)
        {
            return "?";
        }
    }

    private static void closeQuietly(final SocketChannel ch)
    {
        try
        {
            ch.close();
        }
        catch (final IOException ignore)
        {
            // nothing to do
        }
    }

    /** Find the subsystem a Connect names (binary NQN comparison, NVMe-oF 1.1 7.2). */
    public Subsystem findSubsystem(final ByteBuffer buffer, final int index)
    {
        for (final Subsystem s : subsystemOrder)
        {
            if (Nqn.matches(buffer, index, Nqn.FIELD_LENGTH, s.nqnUtf8()))
            {
                return s;
            }
        }
        return null;
    }

    /** Create a controller for an admin queue's Connect; null when no CNTLID is left. */
    public Controller createController(final Subsystem s, final String hostNqn, final UUID hostId,
        final TargetQueue adminQueue, final long katoMillis)
    {
        return controllers.create(s, hostNqn, hostId, adminQueue, katoMillis);
    }

    /** @return the live controller {@code cntlid} of {@code s}, or null. */
    public Controller controller(final Subsystem s, final int cntlid)
    {
        return controllers.find(s, cntlid);
    }

    /** A controller was torn down. */
    public void controllerGone(final Controller c, final String reason)
    {
        controllers.remove(c, reason);
    }

    /**
     * A queue's Connect names {@code hostNqn}: count it against the per-host bound ({@link
     * ConnectionLimits#maxConnectionsPerHost()}). Called on the queue's poller thread.
     *
     * @return true when admitted (the queue must call {@link #releaseHost} when it closes); false, and counted, when
     *         that host NQN already holds its limit.
     */
    public boolean admitHost(final String hostNqn)
    {
        final int limit = settings.limits().maxConnectionsPerHost();
        final AtomicInteger n = perHost.compute(hostNqn, (k, v) -> v == null ? new AtomicInteger() : v);
        if (n.incrementAndGet() > limit)
        {
            releaseHost(hostNqn);
            limitCounters.refusedPerHost.increment();
            LOG.log(System.Logger.Level.WARNING, () -> "refused a Connect from host '" + hostNqn +
                "': it holds " + limit + " connections (the limit)");
            return false;
        }
        return true;
    }

    /** Undo {@link #admitHost}: the queue closed. */
    public void releaseHost(final String hostNqn)
    {
        perHost.computeIfPresent(hostNqn, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
    }

    /** @return connected queues the host NQN holds now (0 when none). */
    public int connectionsOfHost(final String hostNqn)
    {
        final AtomicInteger n = perHost.get(hostNqn);
        return n == null ? 0 : n.get();
    }

    /** A queue closed: release what it was counted under, and log. */
    public void queueClosed(final TargetQueue q, final String reason, final Throwable cause)
    {
        if (q.remoteAddress() != null)
        {
            release(q.listener(), q.remoteAddress());
        }
        if (q.countedHostNqn() != null)
        {
            releaseHost(q.countedHostNqn());
        }
        LOG.log(reason != null && reason.startsWith("fatal") ? System.Logger.Level.WARNING :
            System.Logger.Level.DEBUG, () -> q + " closed: " + reason);
    }

    /** Stop listening, close every connection, stop the pollers and close the backends. Idempotent. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        MBeans.unregister(securityMBean);
        for (final Listener l : listeners)
        {
            l.close();
        }
        controllers.shutdownAll("target stopping");
        if (pollers != null)
        {
            for (final Poller p : pollers)
            {
                if (p != null)
                {
                    p.close();
                }
            }
        }
        for (final Subsystem s : subsystemOrder)
        {
            s.closeBackends();
        }
    }
}
