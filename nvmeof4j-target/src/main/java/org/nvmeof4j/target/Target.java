package org.nvmeof4j.target;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.nvmeof4j.protocol.fabrics.Nqn;
import org.nvmeof4j.protocol.fabrics.NqnCheck;
import org.nvmeof4j.target.backend.Backend;
import org.nvmeof4j.target.backend.FileBackend;
import org.nvmeof4j.target.backend.NullBackend;
import org.nvmeof4j.target.backend.RamBackend;
import org.nvmeof4j.target.controller.Controller;
import org.nvmeof4j.target.queue.TargetQueue;
import org.nvmeof4j.target.subsystem.Namespace;
import org.nvmeof4j.target.subsystem.Subsystem;
import org.nvmeof4j.tcp.IdleStrategy;
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
 */
public final class Target implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger("org.nvmeof4j.target");
    /** Firmware revision in Identify Controller. */
    public static final String FIRMWARE_REVISION = "0.1";

    private final List<ListenSpec> listenSpecs;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Subsystem> subsystems = new ConcurrentHashMap<>();
    private final List<Subsystem> subsystemOrder = new CopyOnWriteArrayList<>();
    private final Map<ControllerKey, Controller> controllers = new ConcurrentHashMap<>();
    private final int inlineDataSize;
    private final int maxH2cData;
    private final int maxTransferSize;
    private final int maxQueueSize;
    private final int maxIoQueues;
    private final int pollerCount;
    private final Supplier<IdleStrategy> idleStrategy;
    private final AtomicLong generation = new AtomicLong(1);
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final AtomicLong connections = new AtomicLong();
    private Poller[] pollers;
    private volatile boolean started;
    private volatile boolean closed;

    private Target(final Builder b)
    {
        this.listenSpecs = List.copyOf(b.listens);
        this.inlineDataSize = b.inlineDataSize;
        this.maxH2cData = b.maxH2cData;
        this.maxTransferSize = b.maxTransferSize;
        this.maxQueueSize = b.maxQueueSize;
        this.maxIoQueues = b.maxIoQueues;
        this.pollerCount = b.pollers;
        this.idleStrategy = b.idleStrategy;
        addSubsystem(new Subsystem(Nqn.DISCOVERY, null, "nvmeof4j discovery"));
        for (final Subsystem s : b.builtSubsystems)
        {
            addSubsystem(s);
        }
    }

    /** @return a new builder. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** Bind every listener and start the pollers and acceptors. */
    public Target start() throws IOException
    {
        if (started)
        {
            throw new IllegalStateException("already started");
        }
        started = true;
        pollers = new Poller[pollerCount];
        for (int i = 0; i < pollerCount; i++)
        {
            pollers[i] = new Poller("nvmeof4j-target-poller-" + i, idleStrategy.get()).start();
        }
        try
        {
            int id = 1;
            for (final ListenSpec l : listenSpecs)
            {
                final Listener listener = new Listener(this, id++, l.host, l.port, l.discoveryOnly, l.subsystems,
                    l.referrals);
                listener.open();
                listeners.add(listener);
            }
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
        for (final Controller c : controllers.values())
        {
            if (c.subsystem() == s)
            {
                c.shutdown("subsystem removed");
            }
        }
        discoveryLogChanged();
        return s;
    }

    /**
     * The discovery log changed (a subsystem came or went, or a host list changed): a new GENCTR, and a Discovery
     * Log Page Change notice to every discovery controller whose host asked for one (persistent discovery).
     */
    /** One instance, so that {@link #removeSubsystem} can unregister it. */
    private final Runnable accessListener = this::discoveryLogChanged;

    void discoveryLogChanged()
    {
        generation.incrementAndGet();
        for (final Controller c : controllers.values())
        {
            c.onDiscoveryLogChanged();
        }
    }

    /** @return live controllers (all subsystems). */
    public Collection<Controller> controllers()
    {
        return Collections.unmodifiableCollection(controllers.values());
    }

    /** @return connections accepted since start. */
    public long connectionsAccepted()
    {
        return connections.get();
    }

    public int inlineDataSize()
    {
        return inlineDataSize;
    }

    public int maxH2cData()
    {
        return maxH2cData;
    }

    public int maxTransferSize()
    {
        return maxTransferSize;
    }

    public int maxQueueSize()
    {
        return maxQueueSize;
    }

    public int maxIoQueues()
    {
        return maxIoQueues;
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
        final Poller poller = pollers[Math.floorMod(roundRobin.getAndIncrement(), pollers.length)];
        try
        {
            final TargetQueue q = new TargetQueue(ch, this, listener, poller);
            poller.add(q, ch);
            LOG.log(System.Logger.Level.DEBUG, () -> "accepted " + remote(ch) + " on " + listener);
        }
        catch (final IOException | RuntimeException e)
        {
            closeQuietly(ch);
        }
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
        final int cntlid = s.allocateCntlid();
        if (cntlid < 0)
        {
            return null;
        }
        final Controller c = new Controller(this, s, cntlid, hostNqn, hostId, adminQueue, katoMillis);
        controllers.put(key(s, cntlid), c);
        LOG.log(System.Logger.Level.INFO, () -> "created " + c + " (KATO " + katoMillis + " ms)");
        return c;
    }

    /** @return the live controller {@code cntlid} of {@code s}, or null. */
    public Controller controller(final Subsystem s, final int cntlid)
    {
        final Controller c = controllers.get(key(s, cntlid));
        return c == null || c.isDead() ? null : c;
    }

    /** A controller was torn down. */
    public void controllerGone(final Controller c, final String reason)
    {
        controllers.remove(key(c.subsystem(), c.cntlid()), c);
        c.subsystem().releaseCntlid(c.cntlid());
        LOG.log(System.Logger.Level.INFO, () -> "removed " + c + ": " + reason);
    }

    /** A queue closed (for logging). */
    public void queueClosed(final TargetQueue q, final String reason, final Throwable cause)
    {
        LOG.log(reason != null && reason.startsWith("fatal") ? System.Logger.Level.WARNING :
            System.Logger.Level.DEBUG, () -> q + " closed: " + reason);
    }

    /** Controllers are found by (subsystem, CNTLID); identity hash codes of two subsystems may collide. */
    private record ControllerKey(Subsystem subsystem, int cntlid)
    {
    }

    private static ControllerKey key(final Subsystem s, final int cntlid)
    {
        return new ControllerKey(s, cntlid);
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
        for (final Listener l : listeners)
        {
            l.close();
        }
        for (final Controller c : controllers.values())
        {
            c.shutdown("target stopping");
        }
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

    // ------------------------------------------------------------------------------------------------------------
    // builder

    private static final class ListenSpec
    {
        final String host;
        final int port;
        final boolean discoveryOnly;
        final Set<String> subsystems;
        final List<Referral> referrals;

        ListenSpec(final String host, final int port, final boolean discoveryOnly, final Set<String> subsystems,
            final List<Referral> referrals)
        {
            this.host = host;
            this.port = port;
            this.discoveryOnly = discoveryOnly;
            this.subsystems = subsystems;
            this.referrals = referrals;
        }
    }

    /** Configures a {@link Target}. */
    public static final class Builder
    {
        private final List<ListenSpec> listens = new ArrayList<>();
        private final List<Subsystem> builtSubsystems = new ArrayList<>();
        private final List<Backend> opened = new ArrayList<>();
        private int discoveryPort = -1;
        private int inlineDataSize = 8192;
        private int maxH2cData = 128 * 1024;
        private int maxTransferSize = 1 << 20;
        private int maxQueueSize = 1024;
        private int maxIoQueues = 64;
        private int pollers = 1;
        private Supplier<IdleStrategy> idleStrategy = IdleStrategy::defaultStrategy;

        private Builder()
        {
        }

        /** Listen on {@code host:port} (port 0 = ephemeral) exporting every subsystem. */
        public Builder listen(final String host, final int port)
        {
            return listen(host, port, null);
        }

        /** Listen on {@code host:port} exporting only the named subsystems (null = all). */
        public Builder listen(final String host, final int port, final Collection<String> subsystemNqns)
        {
            return listen(host, port, subsystemNqns, List.of());
        }

        /**
         * Listen on {@code host:port} exporting only the named subsystems (null = all), and refer hosts that
         * discover through this port to other discovery services.
         */
        public Builder listen(final String host, final int port, final Collection<String> subsystemNqns,
            final List<Referral> referrals)
        {
            checkPort(port);
            listens.add(new ListenSpec(Objects.requireNonNull(host, "host"), port, false,
                subsystemNqns == null ? null : Set.copyOf(subsystemNqns), List.copyOf(referrals)));
            return this;
        }

        /** Also serve the discovery controller alone on {@code port} (8009 is the well-known one). */
        public Builder discoveryPort(final int port)
        {
            checkPort(port);
            this.discoveryPort = port;
            return this;
        }

        private static void checkPort(final int port)
        {
            if (port < 0 || port > 65535)
            {
                throw new IllegalArgumentException("port must be 0..65535: " + port);
            }
        }

        /** In-capsule data accepted on I/O queues (IOCCSZ = (bytes + 64) / 16); 0..1 MiB, multiple of 16. */
        public Builder inlineDataSize(final int bytes)
        {
            if (bytes < 0 || bytes > (1 << 20) || bytes % 16 != 0)
            {
                throw new IllegalArgumentException("inline data size must be 0..1048576 and a multiple of 16: " + bytes);
            }
            this.inlineDataSize = bytes;
            return this;
        }

        /** MAXH2CDATA announced in ICResp: at least 4096, a multiple of 4. */
        public Builder maxH2cData(final int bytes)
        {
            if (bytes < 4096 || bytes % 4 != 0)
            {
                throw new IllegalArgumentException("MAXH2CDATA must be >= 4096 and a multiple of 4: " + bytes);
            }
            this.maxH2cData = bytes;
            return this;
        }

        /** Largest data transfer of one command (MDTS), a power of two from 4 KiB to 64 MiB. */
        public Builder maxTransferSize(final int bytes)
        {
            if (Integer.bitCount(bytes) != 1 || bytes < 4096 || bytes > (64 << 20))
            {
                throw new IllegalArgumentException("max transfer size must be a power of two, 4 KiB..64 MiB: " + bytes);
            }
            this.maxTransferSize = bytes;
            return this;
        }

        /** Largest queue (SQSIZE + 1) a host may connect with: 2..1024 entries (MQES + 1). */
        public Builder maxQueueSize(final int entries)
        {
            if (entries < 2 || entries > 1024)
            {
                throw new IllegalArgumentException("max queue size must be 2..1024: " + entries);
            }
            this.maxQueueSize = entries;
            return this;
        }

        /** Most I/O queues per controller (Set Features Number of Queues is capped to this). */
        public Builder maxIoQueues(final int queues)
        {
            if (queues < 1 || queues > 1024)
            {
                throw new IllegalArgumentException("max I/O queues must be 1..1024: " + queues);
            }
            this.maxIoQueues = queues;
            return this;
        }

        /** Poller threads (default 1). */
        public Builder pollers(final int n)
        {
            if (n < 1 || n > 256)
            {
                throw new IllegalArgumentException("pollers must be 1..256: " + n);
            }
            this.pollers = n;
            return this;
        }

        /** Idle strategy of each poller (default: spin briefly, then block in the selector). */
        public Builder idleStrategy(final Supplier<IdleStrategy> strategy)
        {
            this.idleStrategy = Objects.requireNonNull(strategy);
            return this;
        }

        /** Add a subsystem configured by {@code spec}. */
        public Builder subsystem(final Consumer<SubsystemSpec> spec)
        {
            final SubsystemSpec s = new SubsystemSpec();
            spec.accept(s);
            builtSubsystems.add(s.build(opened));
            return this;
        }

        /** Add an already built subsystem. */
        public Builder subsystem(final Subsystem subsystem)
        {
            builtSubsystems.add(subsystem);
            return this;
        }

        public Target build()
        {
            if (listens.isEmpty())
            {
                listen("127.0.0.1", 4420);
            }
            if (discoveryPort >= 0)
            {
                final Set<String> hosts = new LinkedHashSet<>();
                for (final ListenSpec l : listens)
                {
                    hosts.add(l.host);
                }
                for (final String h : hosts)
                {
                    listens.add(new ListenSpec(h, discoveryPort, true, null, List.of()));
                }
            }
            final Set<String> nqns = new java.util.HashSet<>();
            for (final Subsystem s : builtSubsystems)
            {
                if (!nqns.add(s.nqn()) || s.isDiscovery())
                {
                    throw new IllegalArgumentException("duplicate or reserved subsystem NQN " + s.nqn());
                }
            }
            return new Target(this);
        }
    }

    /** A subsystem description to build later or in parts ({@link SubsystemSpec#build()}), e.g. for a config reload. */
    public static SubsystemSpec subsystemSpec()
    {
        return new SubsystemSpec();
    }

    /** Describes one subsystem for {@link Builder#subsystem(Consumer)}. */
    public static final class SubsystemSpec
    {
        private String nqn;
        private String serial;
        private String model;
        private boolean allowAnyHost;
        private final List<String> hosts = new ArrayList<>();
        private final List<NamespaceSpec> namespaces = new ArrayList<>();
        private int blockSize = 512;

        private SubsystemSpec()
        {
        }

        public SubsystemSpec nqn(final String nqn)
        {
            if (Nqn.check(nqn) != NqnCheck.VALID)
            {
                throw new IllegalArgumentException("invalid NQN: " + nqn);
            }
            this.nqn = nqn;
            return this;
        }

        public SubsystemSpec serial(final String serial)
        {
            this.serial = serial;
            return this;
        }

        public SubsystemSpec model(final String model)
        {
            this.model = model;
            return this;
        }

        public SubsystemSpec allowAnyHost()
        {
            this.allowAnyHost = true;
            return this;
        }

        public SubsystemSpec allowHost(final String hostNqn)
        {
            if (Nqn.check(hostNqn) != NqnCheck.VALID)
            {
                throw new IllegalArgumentException("invalid host NQN: " + hostNqn);
            }
            hosts.add(hostNqn);
            return this;
        }

        /** Logical block size of the namespaces declared after this call (default 512). */
        public SubsystemSpec blockSize(final int bytes)
        {
            this.blockSize = bytes;
            return this;
        }

        public SubsystemSpec ramNamespace(final int nsid, final long bytes)
        {
            final int bs = blockSize;
            namespaces.add(new NamespaceSpec(nsid, bs, null, () -> new RamBackend(bytes / bs * bs)));
            return this;
        }

        public SubsystemSpec nullNamespace(final int nsid, final long bytes)
        {
            final int bs = blockSize;
            namespaces.add(new NamespaceSpec(nsid, bs, null, () -> new NullBackend(bytes / bs * bs)));
            return this;
        }

        /** A file or block device; created (sparse) at {@code bytes} when missing; {@code bytes} 0 = its size. */
        public SubsystemSpec fileNamespace(final int nsid, final Path path, final long bytes)
        {
            return fileNamespace(nsid, path, bytes, null);
        }

        public SubsystemSpec fileNamespace(final int nsid, final Path path, final long bytes, final UUID uuid)
        {
            namespaces.add(new NamespaceSpec(nsid, blockSize, uuid, () ->
            {
                try
                {
                    return new FileBackend(path, bytes);
                }
                catch (final IOException e)
                {
                    throw new IllegalArgumentException(e.getMessage(), e);
                }
            }));
            return this;
        }

        /** Any backend. */
        public SubsystemSpec namespace(final int nsid, final Backend backend, final UUID uuid)
        {
            namespaces.add(new NamespaceSpec(nsid, blockSize, uuid, () -> backend));
            return this;
        }

        public String nqn()
        {
            return nqn;
        }

        public boolean allowsAnyHost()
        {
            return allowAnyHost;
        }

        public List<String> allowedHosts()
        {
            return List.copyOf(hosts);
        }

        /** @return the NSIDs declared, in order. */
        public List<Integer> namespaceIds()
        {
            final List<Integer> ids = new ArrayList<>();
            for (final NamespaceSpec n : namespaces)
            {
                ids.add(n.nsid);
            }
            return ids;
        }

        /** Open every backend and build the subsystem; on failure what was opened is closed again. */
        public Subsystem build()
        {
            final List<Backend> opened = new ArrayList<>();
            try
            {
                return build(opened);
            }
            catch (final RuntimeException e)
            {
                for (final Backend b : opened)
                {
                    try
                    {
                        b.close();
                    }
                    catch (final Exception ignore)
                    {
                        // failing anyway
                    }
                }
                throw e;
            }
        }

        /** Open one declared namespace's backend and make the namespace (to add it to a running subsystem). */
        public Namespace buildNamespace(final int nsid)
        {
            for (final NamespaceSpec n : namespaces)
            {
                if (n.nsid == nsid)
                {
                    return new Namespace(n.nsid, n.backend.get(), n.blockSize, n.uuid, nqn);
                }
            }
            throw new IllegalArgumentException("namespace " + nsid + " is not declared");
        }

        Subsystem build(final List<Backend> opened)
        {
            if (nqn == null)
            {
                throw new IllegalArgumentException("a subsystem needs an NQN");
            }
            final Subsystem s = new Subsystem(nqn, serial, model);
            s.allowAnyHost(allowAnyHost);
            for (final String h : hosts)
            {
                s.allowHost(h);
            }
            for (final NamespaceSpec n : namespaces)
            {
                final Backend b = n.backend.get();
                opened.add(b);
                s.addNamespace(new Namespace(n.nsid, b, n.blockSize, n.uuid, nqn));
            }
            return s;
        }
    }

    private static final class NamespaceSpec
    {
        final int nsid;
        final int blockSize;
        final UUID uuid;
        final Supplier<Backend> backend;

        NamespaceSpec(final int nsid, final int blockSize, final UUID uuid, final Supplier<Backend> backend)
        {
            this.nsid = nsid;
            this.blockSize = blockSize;
            this.uuid = uuid;
            this.backend = backend;
        }
    }
}
