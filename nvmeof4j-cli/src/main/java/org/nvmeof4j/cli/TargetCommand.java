package org.nvmeof4j.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import org.nvmeof4j.cli.Nvmeof4j.UsageException;
import org.nvmeof4j.cli.metrics.MetricsServer;
import org.nvmeof4j.cli.metrics.Nvmeof4jMetrics;
import org.nvmeof4j.cli.metrics.PrometheusText;
import org.nvmeof4j.protocol.fabrics.Nqn;
import org.nvmeof4j.protocol.fabrics.NqnCheck;
import org.nvmeof4j.protocol.admin.AnaState;
import org.nvmeof4j.target.AnaGroups;
import org.nvmeof4j.target.ConnectionLimits;
import org.nvmeof4j.target.Listener;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.subsystem.Namespace;
import org.nvmeof4j.target.subsystem.Subsystem;
import org.nvmeof4j.tcp.IdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nvmeof4j target}: serve NVMe/TCP. One subsystem from flags (default: a 1 GiB RAM namespace on
 * 127.0.0.1:4420 under {@code nqn.2014-08.org.nvmeof4j:default}), or anything larger from an nvmetcli JSON file
 * ({@code --config}, see {@link NvmetConfig}). Runs until Ctrl-C / SIGTERM, then closes every connection.
 */
@Command(name = "target", mixinStandardHelpOptions = true,
    description = {"Serve NVMe/TCP subsystems (a Linux host connects as to nvmet-tcp or SPDK nvmf_tgt).",
        "Without --config: one subsystem from the flags below (default: 1 GiB RAM namespace on 127.0.0.1:4420)."})
public final class TargetCommand implements Callable<Integer>
{
    public static final String DEFAULT_NQN = "nqn.2014-08.org.nvmeof4j:default";

    @Option(names = "--config", paramLabel = "FILE",
        description = "nvmetcli JSON configuration (hosts, ports, subsystems); SIGHUP re-reads it and applies the "
            + "changes to subsystems, namespaces and host lists")
    Path config;

    /** The config the target runs (SIGHUP replaces it). */
    private NvmetConfig running;

    @Option(names = {"--listen", "-a"}, paramLabel = "ADDR", description = "address to listen on (default ${DEFAULT-VALUE})",
        defaultValue = "127.0.0.1")
    String listen;

    @Option(names = {"--port", "-s"}, paramLabel = "PORT", description = "TCP port (default ${DEFAULT-VALUE}; 0 = any free port)",
        defaultValue = "4420")
    int port;

    @Option(names = "--extra-port", paramLabel = "PORT",
        description = "one more port on --listen exporting the subsystem (repeatable: one port per path)")
    List<Integer> extraPorts = new ArrayList<>();

    @Option(names = "--ana-state", paramLabel = "[PORT@]GRPID=STATE",
        description = "ANA group state on the port numbered PORT (--port or --extra-port; default every port): "
            + "optimized, non-optimized, inaccessible, persistent-loss or change (repeatable)")
    List<String> anaStates = new ArrayList<>();

    @Option(names = "--ana-grpid", paramLabel = "GRPID", description = "ANA group of the namespaces (default ${DEFAULT-VALUE})",
        defaultValue = "1")
    int anaGrpId;

    @Option(names = {"--nqn", "-n"}, paramLabel = "NQN", description = "subsystem NQN (default ${DEFAULT-VALUE})",
        defaultValue = DEFAULT_NQN)
    String nqn;

    @Option(names = "--ram-mib", paramLabel = "MIB", description = "RAM namespace of this size (default 1024 when no other backend is given)")
    Long ramMib;

    @Option(names = "--file", paramLabel = "PATH", description = "file or block device namespace (created when missing; needs --size-mib)")
    Path file;

    @Option(names = "--size-mib", paramLabel = "MIB", description = "size of the --file namespace (0 = the file's size)")
    Long sizeMib;

    @Option(names = "--write-through", description = "open the --file namespace with O_DSYNC: every write is "
        + "durable before it completes, and Identify reports no volatile write cache (VWC 0)")
    boolean writeThrough;

    @Option(names = "--null-mib", paramLabel = "MIB", description = "null namespace (reads zeroes, discards writes) of this size")
    Long nullMib;

    @Option(names = "--block-size", paramLabel = "BYTES", description = "logical block size (default ${DEFAULT-VALUE})",
        defaultValue = "512")
    int blockSize;

    /** One {@code --allow-host} with the DH-HMAC-CHAP options that follow it (nvmet's per-host attributes). */
    static final class AllowedHost
    {
        @Option(names = "--allow-host", paramLabel = "HOSTNQN", required = true,
            description = "allow only these hosts (repeatable; default: any host)")
        String nqn;

        @Option(names = "--dhchap-key", paramLabel = "KEY|FILE",
            description = "this host must authenticate with DH-HMAC-CHAP: its secret (DHHC-1:hh:...: or a key file)")
        String key;

        @Option(names = "--dhchap-ctrl-key", paramLabel = "KEY|FILE",
            description = "the controller's secret, for hosts that ask for bidirectional authentication")
        String ctrlKey;

        @Option(names = "--dhchap-hash", paramLabel = "HASH",
            description = "hmac(sha256) (default), hmac(sha384) or hmac(sha512)")
        String hash;

        @Option(names = "--dhchap-dhgroup", paramLabel = "GROUP",
            description = "null (default), ffdhe2048, ffdhe3072, ffdhe4096, ffdhe6144 or ffdhe8192")
        String dhgroup;

        org.nvmeof4j.target.subsystem.HostAuth auth()
        {
            if (key == null)
            {
                if (ctrlKey != null || hash != null || dhgroup != null)
                {
                    throw new UsageException("--dhchap-ctrl-key/--dhchap-hash/--dhchap-dhgroup need --dhchap-key " +
                        "(host " + nqn + ")");
                }
                return null;
            }
            try
            {
                return new org.nvmeof4j.target.subsystem.HostAuth(
                    org.nvmeof4j.host.DhchapKeys.read("--dhchap-key", key, System.err::println),
                    ctrlKey == null ? null :
                        org.nvmeof4j.host.DhchapKeys.read("--dhchap-ctrl-key", ctrlKey, System.err::println),
                    hash == null ? null : org.nvmeof4j.protocol.auth.AuthHash.fromName(hash),
                    dhgroup == null ? null : org.nvmeof4j.protocol.auth.DhGroup.fromName(dhgroup));
            }
            catch (final IllegalArgumentException e)
            {
                throw new UsageException(e.getMessage());
            }
        }
    }

    @picocli.CommandLine.ArgGroup(exclusive = false, multiplicity = "0..*")
    List<AllowedHost> allowedHostGroups = new ArrayList<>();

    /** The NQNs of {@link #allowedHostGroups}. */
    List<String> allowHosts = new ArrayList<>();

    @Option(names = "--tls", description = "require NVMe/TCP TLS 1.3 with a PSK on every port (needs --tls-key)")
    boolean tls;

    @Option(names = "--tls-key", paramLabel = "HOSTNQN=KEY|FILE",
        description = "configured TLS PSK of a host (interchange format, or a file holding it); repeatable")
    java.util.List<String> tlsKeys;

    @Option(names = "--tls-compat",
        description = "try the hosts' TLS PSKs derived as libnvme 1.x / nvme-cli 2.x do (non-RFC 8446 HkdfLabel) " +
            "first; either derivation is accepted anyway (the ClientHello's binder tells which the host used)")
    boolean tlsCompat;

    @Option(names = "--discovery-port", paramLabel = "PORT", description = "also serve discovery alone on this port (8009 is the well-known one)")
    Integer discoveryPort;

    @Option(names = "--inline-data-size", paramLabel = "BYTES", description = "in-capsule data on I/O queues (default ${DEFAULT-VALUE})",
        defaultValue = "8192")
    int inlineDataSize;

    @Option(names = "--max-h2c-data", paramLabel = "BYTES", description = "MAXH2CDATA announced in ICResp (default ${DEFAULT-VALUE})",
        defaultValue = "131072")
    int maxH2cData;

    @Option(names = "--max-connections-per-port", paramLabel = "N",
        description = "live connections one port holds; more are closed at accept (default ${DEFAULT-VALUE})",
        defaultValue = "4096")
    int maxConnectionsPerPort;

    @Option(names = "--max-connections-per-address", paramLabel = "N",
        description = "live connections from one host IP address (default ${DEFAULT-VALUE})", defaultValue = "1024")
    int maxConnectionsPerAddress;

    @Option(names = "--max-connections-per-host", paramLabel = "N",
        description = "connected queues (admin and I/O) of one host NQN over all subsystems and ports; more fail " +
            "with Connect Controller Busy (default ${DEFAULT-VALUE})",
        defaultValue = "" + ConnectionLimits.DEFAULT_MAX_CONNECTIONS_PER_HOST)
    int maxConnectionsPerHost;

    @Option(names = "--staging-per-connection", paramLabel = "N",
        description = "staging memory one connection may hold, in MAXH2CDATA units; must hold one command of the " +
            "largest transfer size (default ${DEFAULT-VALUE})",
        defaultValue = "" + ConnectionLimits.DEFAULT_STAGING_PER_CONNECTION)
    int stagingPerConnection;

    @Option(names = "--icreq-timeout-ms", paramLabel = "MS",
        description = "drop a connection that sends no ICReq this long after accept; 0: never (default ${DEFAULT-VALUE})",
        defaultValue = "10000")
    long icReqTimeoutMillis;

    @Option(names = "--connect-timeout-ms", paramLabel = "MS",
        description = "drop a connection that sends no Fabrics Connect this long after ICResp; 0: never " +
            "(default ${DEFAULT-VALUE})",
        defaultValue = "10000")
    long connectTimeoutMillis;

    @Option(names = "--pollers", paramLabel = "N", description = "poller threads (default ${DEFAULT-VALUE})", defaultValue = "1")
    int pollers;

    @Option(names = "--idle", paramLabel = "spin|backoff|block", description = "poller idle strategy (default ${DEFAULT-VALUE})",
        defaultValue = "backoff")
    String idle;

    @Option(names = "--metrics", paramLabel = "ADDR:PORT",
        description = "serve Prometheus metrics on http://ADDR:PORT/metrics: connections, limits, and counters per " +
            "subsystem, namespace and queue (port 0: any free port; the URL is printed at start)")
    String metrics;

    @Option(names = "--offload", paramLabel = "DEVICE",
        description = "serve the file namespace's Read/Write/Flush with a target offload device (seed 004): fastpath")
    String offload;

    @Option(names = "--fastpath-zero-copy-min", paramLabel = "BYTES",
        description = "fastpath: the smallest Read of a file the mapping cannot serve that goes out with sendfile"
            + " instead of a staging copy (default 65536; 0: every such Read)")
    Integer fastpathZeroCopyMin;

    @Option(names = "--fastpath-mapped-reads", paramLabel = "BOOL", arity = "1",
        description = "fastpath: send file Reads out of a read-only mapping of the file, one kernel copy"
            + " (default true; false: sendfile or staging)")
    Boolean fastpathMappedReads;

    @Option(names = "--offload-type", paramLabel = "TYPE",
        description = "what --offload serves: write, read, read_write, read_write_flush (default)")
    String offloadType;

    /** Lines about offload mappings for the banner. */
    private final List<String> offloadLines = new ArrayList<>();

    @Override
    public Integer call() throws Exception
    {
        final InetSocketAddress metricsAddress = metrics == null ? null : PerfCommand.metricsAddress(metrics);
        final Target.Builder builder = Target.builder();
        try
        {
            IdleStrategy.parse(idle);
        }
        catch (final IllegalArgumentException e)
        {
            throw new UsageException(e.getMessage());
        }
        final String idleName = idle;
        try
        {
            builder.connectionLimits(connectionLimits());
            builder.inlineDataSize(inlineDataSize).maxH2cData(maxH2cData).pollers(pollers)
                .idleStrategy(() -> IdleStrategy.parse(idleName));
            if (discoveryPort != null)
            {
                builder.discoveryPort(discoveryPort);
            }
            if (config != null)
            {
                if (offload != null || offloadType != null)
                {
                    throw new UsageException("--offload goes with the flags form; with --config give a subsystem " +
                        "an \"offload\" object");
                }
                if (tls || (tlsKeys != null && !tlsKeys.isEmpty()))
                {
                    throw new UsageException("--tls and --tls-key go with the flags form; with --config set a " +
                        "port's addr.tsas \"tls1.3\" and the hosts' tls_key");
                }
                running = NvmetConfig.load(config);
                running.apply(builder);
            }
            else
            {
                if (offloadType != null && offload == null)
                {
                    throw new UsageException("--offload-type needs --offload");
                }
                fromFlags(builder);
            }
        }
        catch (final IllegalArgumentException e)
        {
            throw new UsageException(e.getMessage());
        }
        TargetOffloads.readPaths(fastpathZeroCopyMin, fastpathMappedReads);
        final TargetOffloads.Spec flagsOffload = offload == null ? null : TargetOffloads.fromFlags(offload, offloadType);
        final Target target;
        try
        {
            target = builder.build();
        }
        catch (final IllegalArgumentException e)
        {
            throw new UsageException(e.getMessage());
        }
        try
        {
            final org.nvmeof4j.tcp.tls.HostPskTable psks = tlsTable();
            if (psks != null)
            {
                target.requireTlsOnEveryPort(psks); // before the ports open: no plaintext moment
            }
            // offload contexts attach before the listeners open: no host connects to a half-configured subsystem
            attachOffloads(target, flagsOffload);
            target.start();
        }
        catch (final IllegalArgumentException e)
        {
            target.close();
            throw new UsageException(e.getMessage());
        }
        catch (final UsageException | IOException e)
        {
            target.close();
            throw e;
        }
        final MetricsServer metricsServer;
        try
        {
            metricsServer = metricsAddress == null ? null : MetricsServer.start(
                metricsAddress, () ->
                {
                    final PrometheusText p = new PrometheusText();
                    Nvmeof4jMetrics.target(target, p);
                    return p.text();
                });
        }
        catch (final IOException e)
        {
            target.close();
            throw new UsageException("cannot serve --metrics on " + metricsAddress + ": " + e.getMessage());
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread hook = new Thread(() ->
        {
            System.err.println("nvmeof4j target: stopping");
            if (metricsServer != null)
            {
                metricsServer.close();
            }
            target.close();
            stopped.countDown();
        }, "nvmeof4j-target-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (config != null)
        {
            onHangup(() -> reload(target));
        }
        printBanner(target);
        if (metricsServer != null)
        {
            System.out.println("  metrics on " + metricsServer.url());
            System.out.flush();
        }
        stopped.await();
        return 0;
    }

    /**
     * The connection limits the flags give ({@code --config} port params may override them).
     *
     * @throws IllegalArgumentException for a value out of range.
     */
    ConnectionLimits connectionLimits()
    {
        return new ConnectionLimits(maxConnectionsPerPort, maxConnectionsPerAddress, icReqTimeoutMillis,
            connectTimeoutMillis, maxConnectionsPerHost, stagingPerConnection);
    }

    /**
     * SIGHUP: read {@code --config} again and apply what changed to the running target ({@link ConfigReload}). A
     * config that does not parse or check is reported on one line and changes nothing.
     */
    synchronized void reload(final Target target)
    {
        try
        {
            final NvmetConfig next = NvmetConfig.load(config);
            final String summary = ConfigReload.apply(target, running, next);
            running = next;
            System.err.println("nvmeof4j target: reloaded " + config + ": " + summary);
        }
        catch (final UsageException e)
        {
            System.err.println("nvmeof4j target: reload rejected, nothing changed: " + e.getMessage());
        }
    }

    private void attachOffloads(final Target target, final TargetOffloads.Spec flagsOffload)
    {
        for (final Subsystem s : target.subsystems())
        {
            if (s.isDiscovery())
            {
                continue;
            }
            final TargetOffloads.Spec spec = config != null ? running.offload(s.nqn()) : flagsOffload;
            if (spec != null)
            {
                offloadLines.addAll(TargetOffloads.attach(s, spec, target.inlineDataSize(),
                    config != null ? TargetOffloads.withQueuesFor(running.passthru(s.nqn()), target.pollerCount())
                        : List.of()));
            }
        }
    }

    private static void onHangup(final Runnable action)
    {
        try
        {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> action.run());
        }
        catch (final IllegalArgumentException | UnsupportedOperationException e)
        {
            System.err.println("nvmeof4j target: SIGHUP reload unavailable here: " + e.getMessage());
        }
    }

    private void fromFlags(final Target.Builder builder)
    {
        if (Nqn.check(nqn) != NqnCheck.VALID)
        {
            throw new UsageException("invalid --nqn '" + nqn + "'");
        }
        if (port < 0 || port > 65535)
        {
            throw new UsageException("--port must be 0..65535: " + port);
        }
        if (file == null && sizeMib != null)
        {
            throw new UsageException("--size-mib needs --file");
        }
        if (file == null && writeThrough)
        {
            throw new UsageException("--write-through needs --file");
        }
        allowHosts = new ArrayList<>();
        final java.util.Map<String, org.nvmeof4j.target.subsystem.HostAuth> hostAuth = new java.util.HashMap<>();
        for (final AllowedHost a : allowedHostGroups)
        {
            allowHosts.add(a.nqn);
            final org.nvmeof4j.target.subsystem.HostAuth auth = a.auth();
            if (auth != null)
            {
                hostAuth.put(a.nqn, auth);
            }
        }
        for (final String h : allowHosts)
        {
            if (Nqn.check(h) != NqnCheck.VALID)
            {
                throw new UsageException("invalid --allow-host '" + h + "'");
            }
        }
        final List<Integer> ports = new ArrayList<>();
        ports.add(port);
        ports.addAll(extraPorts);
        final List<int[]> ana = new ArrayList<>(); // {port or -1, grpid, state index}
        for (final String a : anaStates)
        {
            ana.add(parseAnaState(a, ports));
        }
        if (anaGrpId < 1 || anaGrpId > AnaGroups.MAX_GROUPS)
        {
            throw new UsageException("--ana-grpid must be 1.." + AnaGroups.MAX_GROUPS + ": " + anaGrpId);
        }
        for (final int p : ports)
        {
            if (p < 0 || p > 65535)
            {
                throw new UsageException("port must be 0..65535: " + p);
            }
            builder.listen(listen, p);
            for (final int[] a : ana)
            {
                if (a[0] < 0 || a[0] == p)
                {
                    builder.anaGroup(a[1], AnaState.values()[a[2]]);
                }
            }
        }
        final long ram = ramMib != null ? ramMib : (file == null && nullMib == null ? 1024 : 0);
        if (ram < 0 || (nullMib != null && nullMib <= 0) || (sizeMib != null && sizeMib < 0))
        {
            throw new UsageException("sizes must be positive");
        }
        if (ramMib != null && ramMib == 0)
        {
            throw new UsageException("--ram-mib must be positive");
        }
        if (file != null && !Files.exists(file) && (sizeMib == null || sizeMib == 0))
        {
            throw new UsageException(file + " does not exist: give --size-mib to create it");
        }
        builder.subsystem(s ->
        {
            s.nqn(nqn).blockSize(blockSize).anaGroup(anaGrpId);
            if (allowHosts.isEmpty())
            {
                s.allowAnyHost();
            }
            allowHosts.forEach(h -> s.allowHost(h, hostAuth.get(h)));
            int nsid = 1;
            if (ram > 0)
            {
                s.ramNamespace(nsid++, ram << 20);
            }
            if (file != null)
            {
                s.fileNamespace(nsid++, file, sizeMib == null ? 0 : sizeMib << 20, null, writeThrough);
            }
            if (nullMib != null)
            {
                s.nullNamespace(nsid, nullMib << 20);
            }
        });
    }

    private void printBanner(final Target target)
    {
        for (final Listener l : target.listeners())
        {
            System.out.println("nvmeof4j target: listening on " + l.address().getAddress().getHostAddress() + ":" +
                l.port() + (l.discoveryOnly() ? " (discovery only)" : ""));
            if (!l.discoveryOnly() && !"1=optimized".equals(l.anaGroups().toString()))
            {
                // a line of its own: scripts read the port from the line above
                System.out.println("nvmeof4j target: port " + l.port() + " ana groups " + l.anaGroups());
            }
        }
        for (final Subsystem s : target.subsystems())
        {
            if (s.isDiscovery())
            {
                continue;
            }
            System.out.println("  subsystem " + s.nqn() + " (" + (s.allowAnyHost() ? "any host" :
                "hosts " + s.allowedHosts()) + ")");
            for (final Namespace n : s.namespaces())
            {
                System.out.println("    " + n);
            }
        }
        for (final String line : offloadLines)
        {
            System.out.println("  " + line);
        }
        System.out.println("  discovery " + Nqn.DISCOVERY + " on every port; Ctrl-C stops");
        System.out.flush();
    }

    /** {@code [PORT@]GRPID=STATE} into {port or -1, grpid, AnaState ordinal}; a mistake is one usage line. */
    static int[] parseAnaState(final String spec, final List<Integer> ports)
    {
        final String usage = "--ana-state expects [PORT@]GRPID=STATE with STATE optimized, non-optimized, "
            + "inaccessible, persistent-loss or change: '" + spec + "'";
        final int eq = spec.indexOf('=');
        if (eq < 0)
        {
            throw new UsageException(usage);
        }
        final String left = spec.substring(0, eq);
        final AnaState state = AnaState.fromConfigName(spec.substring(eq + 1).trim());
        if (state == null)
        {
            throw new UsageException(usage);
        }
        final int at = left.indexOf('@');
        final int portNumber;
        final int grpid;
        try
        {
            portNumber = at < 0 ? -1 : Integer.parseInt(left.substring(0, at).trim());
            grpid = Integer.parseInt(left.substring(at + 1).trim());
        }
        catch (final NumberFormatException e)
        {
            throw new UsageException(usage);
        }
        if (grpid < 1 || grpid > AnaGroups.MAX_GROUPS)
        {
            throw new UsageException("--ana-state: ANA group must be 1.." + AnaGroups.MAX_GROUPS + ": '" + spec + "'");
        }
        if (portNumber >= 0 && !ports.contains(portNumber))
        {
            throw new UsageException("--ana-state: port " + portNumber + " is not a --port or --extra-port: '" + spec
                + "'");
        }
        return new int[] {portNumber, grpid, state.ordinal()};
    }

    /** @return the hosts' PSKs when --tls is given, null for a plain target. */
    private org.nvmeof4j.tcp.tls.HostPskTable tlsTable()
    {
        if (!tls)
        {
            if (tlsKeys != null && !tlsKeys.isEmpty())
            {
                throw new UsageException("--tls-key needs --tls");
            }
            return null;
        }
        if (tlsKeys == null || tlsKeys.isEmpty())
        {
            throw new UsageException("--tls needs at least one --tls-key HOSTNQN=KEY");
        }
        final org.nvmeof4j.tcp.tls.HostPskTable t = new org.nvmeof4j.tcp.tls.HostPskTable();
        for (final String spec : tlsKeys)
        {
            final int eq = spec.indexOf('=');
            if (eq <= 0)
            {
                throw new UsageException("--tls-key wants HOSTNQN=KEY|FILE");
            }
            t.put(spec.substring(0, eq), TlsKeys.read(spec.substring(eq + 1), "--tls-key"), tlsCompat);
        }
        org.nvmeof4j.tcp.tls.TlsProvider.get();
        return t;
    }
}
