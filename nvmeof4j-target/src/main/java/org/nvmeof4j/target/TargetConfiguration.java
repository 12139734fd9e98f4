package org.nvmeof4j.target;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.nvmeof4j.protocol.fabrics.Nqn;
import org.nvmeof4j.protocol.fabrics.NqnCheck;
import org.nvmeof4j.target.backend.Backend;
import org.nvmeof4j.target.backend.FileBackend;
import org.nvmeof4j.target.backend.NullBackend;
import org.nvmeof4j.target.backend.RamBackend;
import org.nvmeof4j.target.subsystem.Namespace;
import org.nvmeof4j.target.subsystem.Subsystem;
import org.nvmeof4j.tcp.IdleStrategy;

/**
 * The fluent configuration API of a {@link Target}: the {@link Builder} that configures one, and the
 * {@link SubsystemSpec} that describes each of its subsystems.
 *
 * <p>{@code Target} implements this interface only to inherit the two as member types, so that callers keep naming
 * them {@code Target.Builder} and {@code Target.SubsystemSpec} while the running target's code stays apart; name them
 * that way. It is public because javac checks the declaring type's access when it infers a lambda's parameter type
 * ({@code subsystem(s -> s.nqn(..))} from another package), and sealed because it is no type to implement.
 */
public sealed interface TargetConfiguration permits Target
{
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
        private ConnectionLimits connectionLimits = ConnectionLimits.DEFAULT;
        private int maxIoQueues = 64;
        private int pollers = 1;
        private Supplier<IdleStrategy> idleStrategy = IdleStrategy::defaultStrategy;

        Builder()
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

        /**
         * Create ANA group {@code grpid} on the port declared last ({@link #listen}) with {@code state} (nvmet's
         * {@code ports/<n>/ana_groups/<grpid>/ana_state}); group 1 is on every port, optimized unless set here.
         */
        public Builder anaGroup(final int grpid, final org.nvmeof4j.protocol.admin.AnaState state)
        {
            if (listens.isEmpty())
            {
                throw new IllegalStateException("declare a port (listen) before its ANA groups");
            }
            AnaGroups.checkGroup(grpid);
            listens.get(listens.size() - 1).anaGroups.put(grpid, Objects.requireNonNull(state, "state"));
            return this;
        }

        /**
         * TLS 1.3 with a PSK from {@code lookup} on the port declared last ({@link #listen}), from its first
         * connection on: {@code required} refuses plaintext (nvmet's {@code addr_treq} "required"), false lets a host
         * choose (nvmet's "not required"). Overrides {@link Target#requireTlsOnEveryPort} for that port.
         */
        public Builder tls(final org.nvmeof4j.tcp.tls.TlsProvider.PskLookup lookup, final boolean required)
        {
            if (listens.isEmpty())
            {
                throw new IllegalStateException("declare a port (listen) before its TLS");
            }
            final ListenSpec l = listens.get(listens.size() - 1);
            l.tls = Objects.requireNonNull(lookup, "lookup");
            l.tlsRequired = required;
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
                throw new IllegalArgumentException(
                    "inline data size must be 0..1048576 and a multiple of 16: " + bytes);
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

        /** @return the connection limits set so far. */
        public ConnectionLimits connectionLimits()
        {
            return connectionLimits;
        }

        /** Connection limits (default {@link ConnectionLimits#DEFAULT}). */
        public Builder connectionLimits(final ConnectionLimits limits)
        {
            this.connectionLimits = java.util.Objects.requireNonNull(limits, "limits");
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
            final Set<String> nqns = new HashSet<>();
            for (final Subsystem s : builtSubsystems)
            {
                if (!nqns.add(s.nqn()) || s.isDiscovery())
                {
                    throw new IllegalArgumentException("duplicate or reserved subsystem NQN " + s.nqn());
                }
            }
            final long staging = (long)connectionLimits.stagingPerConnection() * maxH2cData;
            if (staging < Integer.highestOneBit(maxTransferSize - 1) * 2L)
            {
                throw new IllegalArgumentException("staging per connection (" + connectionLimits.stagingPerConnection()
                    + " x MAXH2CDATA " + maxH2cData + " = " + staging + " bytes) must hold one command of the "
                    + "largest transfer size (" + maxTransferSize + " bytes, rounded up to a power of two)");
            }
            return new Target(new TargetSettings(List.copyOf(listens), inlineDataSize, maxH2cData, maxTransferSize,
                maxQueueSize, maxIoQueues, pollers, idleStrategy, List.copyOf(builtSubsystems), connectionLimits));
        }
    }

    /** Describes one subsystem for {@link Builder#subsystem(Consumer)}. */
    public static final class SubsystemSpec
    {
        private String nqn;
        private String serial;
        private String model;
        private boolean allowAnyHost;
        private final List<String> hosts = new ArrayList<>();
        private final java.util.Map<String, org.nvmeof4j.target.subsystem.HostAuth> hostAuth =
            new java.util.HashMap<>();
        private final List<NamespaceSpec> namespaces = new ArrayList<>();
        private int blockSize = 512;
        private int anaGrpId = AnaGroups.DEFAULT_GROUP;

        SubsystemSpec()
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

        /** SN: at most 20 printable ASCII characters (checked here, so that a spec that is accepted builds). */
        public SubsystemSpec serial(final String serial)
        {
            this.serial = serial == null ? null : Subsystem.checkAscii(serial, 20, "serial");
            return this;
        }

        /** MN: at most 40 printable ASCII characters (checked here, so that a spec that is accepted builds). */
        public SubsystemSpec model(final String model)
        {
            this.model = model == null ? null : Subsystem.checkAscii(model, 40, "model");
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

        /** Allow {@code hostNqn} and require DH-HMAC-CHAP with {@code auth} (see {@code HostAuth}). */
        public SubsystemSpec allowHost(final String hostNqn, final org.nvmeof4j.target.subsystem.HostAuth auth)
        {
            allowHost(hostNqn);
            if (auth != null)
            {
                hostAuth.put(hostNqn, auth);
            }
            return this;
        }

        /** @return the DH-HMAC-CHAP settings given for {@code hostNqn}, or null. */
        public org.nvmeof4j.target.subsystem.HostAuth hostAuth(final String hostNqn)
        {
            return hostAuth.get(hostNqn);
        }

        /** Logical block size of the namespaces declared after this call (default 512). */
        public SubsystemSpec blockSize(final int bytes)
        {
            this.blockSize = bytes;
            return this;
        }

        /** ANA group (ANAGRPID, 1..128) of the namespaces declared after this call (default 1). */
        public SubsystemSpec anaGroup(final int grpid)
        {
            this.anaGrpId = AnaGroups.checkGroup(grpid);
            return this;
        }

        public SubsystemSpec ramNamespace(final int nsid, final long bytes)
        {
            final int bs = blockSize;
            namespaces.add(new NamespaceSpec(nsid, bs, null, anaGrpId, () -> new RamBackend(bytes / bs * bs)));
            return this;
        }

        public SubsystemSpec nullNamespace(final int nsid, final long bytes)
        {
            final int bs = blockSize;
            namespaces.add(new NamespaceSpec(nsid, bs, null, anaGrpId, () -> new NullBackend(bytes / bs * bs)));
            return this;
        }

        /** A file or block device; created (sparse) at {@code bytes} when missing; {@code bytes} 0 = its size. */
        public SubsystemSpec fileNamespace(final int nsid, final Path path, final long bytes)
        {
            return fileNamespace(nsid, path, bytes, null);
        }

        public SubsystemSpec fileNamespace(final int nsid, final Path path, final long bytes, final UUID uuid)
        {
            return fileNamespace(nsid, path, bytes, uuid, false);
        }

        /**
         * A file or block device; with {@code writeThrough} it is opened with O_DSYNC, so every write is durable
         * before its completion and the namespace has no volatile write cache ({@link FileBackend}).
         */
        public SubsystemSpec fileNamespace(final int nsid, final Path path, final long bytes, final UUID uuid,
            final boolean writeThrough)
        {
            namespaces.add(new NamespaceSpec(nsid, blockSize, uuid, anaGrpId, () ->
            {
                try
                {
                    return new FileBackend(path, bytes, writeThrough);
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
            namespaces.add(new NamespaceSpec(nsid, blockSize, uuid, anaGrpId, () -> backend));
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
                    return new Namespace(n.nsid, n.backend.get(), n.blockSize, n.uuid, nqn, n.anaGrpId);
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
                s.allowHost(h, hostAuth.get(h));
            }
            for (final NamespaceSpec n : namespaces)
            {
                final Backend b = n.backend.get();
                opened.add(b);
                s.addNamespace(new Namespace(n.nsid, b, n.blockSize, n.uuid, nqn, n.anaGrpId));
            }
            return s;
        }
    }
}
