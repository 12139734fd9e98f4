package org.nvmeof4j.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.nvmeof4j.cli.Nvmeof4j.UsageException;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.host.NvmeException;
import org.nvmeof4j.host.NvmeTransportException;
import org.nvmeof4j.host.offload.NvmeTcpOffload;
import org.nvmeof4j.host.offload.TcpOffloadTransport;
import org.nvmeof4j.offload.engine.OffloadEngine;
import org.nvmeof4j.offload.engine.ReferenceEngineDriver;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * nvme-cli's connection flags, shared by the host commands: {@code -t tcp -a TRADDR -s TRSVCID -n SUBNQN} plus
 * digests and queue options. The host NQN is {@code -q} on nvme-cli commands ({@link HostNqnOption}) and
 * {@code --hostnqn} only on {@code perf}, where {@code -q} is the queue depth as in spdk_nvme_perf.
 */
public final class HostConnectOptions
{
    @Option(names = {"-t", "--transport"}, paramLabel = "TRTYPE", defaultValue = "tcp",
        description = "transport (default ${DEFAULT-VALUE})")
    String transport;

    @Option(names = {"-a", "--traddr"}, paramLabel = "TRADDR", description = "target address")
    String traddr;

    @Option(names = {"-s", "--trsvcid"}, paramLabel = "TRSVCID", description = "target port (default 4420; 8009 for discover)")
    Integer trsvcid;

    @Option(names = {"-n", "--nqn"}, paramLabel = "SUBNQN", description = "subsystem NQN")
    String nqn;

    @Option(names = "--hdr-digest", description = "enable the PDU header digest")
    boolean hdrDigest;

    @Option(names = "--data-digest", description = "enable the PDU data digest")
    boolean dataDigest;

    @Option(names = "--tls", description = "NVMe/TCP TLS 1.3 with a pre-shared key (needs --tls-key)")
    boolean tls;

    @Option(names = "--tls-key", paramLabel = "KEY|FILE",
        description = "configured TLS PSK in interchange format (NVMeTLSkey-1:..:), or a file holding it; implies --tls")
    String tlsKey;

    @Option(names = "--tls-identity", paramLabel = "V", defaultValue = "0",
        description = "PSK identity version 0 (NVMe0R0x, default, as Linux 6.12) or 1 (NVMe1R0x)")
    int tlsIdentity;

    @Option(names = "--tls-compat",
        description = "derive the TLS PSK as libnvme 1.x / nvme-cli 2.x do (non-RFC 8446 HkdfLabel): needed for a " +
            "Linux target whose key was inserted by nvme-cli 2.x (e.g. Debian 13's 2.13)")
    boolean tlsCompat;

    @Option(names = {"--nr-io-queues"}, paramLabel = "N", description = "I/O queues (default 1 for these commands)")
    Integer nrIoQueues;

    @Option(names = {"--queue-size"}, paramLabel = "N", defaultValue = "128",
        description = "I/O queue size (default ${DEFAULT-VALUE})")
    int queueSize;

    @Option(names = "--keep-alive-tmo", paramLabel = "S", description = "keep-alive timeout in seconds (default 5)")
    Integer keepAliveTmo;

    @Option(names = "--disable-sqflow", description = "disable SQ flow control (reads may then complete on the last " +
        "C2HData with SUCCESS, without a CapsuleResp)")
    boolean disableSqflow;

    @Option(names = "--dhchap-secret", paramLabel = "KEY|FILE",
        description = "DH-HMAC-CHAP host secret (DHHC-1:hh:...: or a key file holding it), as nvme-cli takes it")
    String dhchapSecret;

    @Option(names = "--dhchap-ctrl-secret", paramLabel = "KEY|FILE",
        description = "DH-HMAC-CHAP controller secret: bidirectional authentication")
    String dhchapCtrlSecret;

    @Option(names = "--offload-dev", paramLabel = "NAME",
        description = "-t tcp_offload: the offload device (default: the first registered device that claims the " +
            "address; the reference engine 'engine' is registered by default)")
    String offloadDev;

    @Option(names = "--offload-threads", paramLabel = "N",
        description = "-t tcp_offload: engine threads of the reference engine (1..64, default 1)")
    Integer offloadThreads;

    @Option(names = "--offload-cpus", paramLabel = "LIST",
        description = "-t tcp_offload: pin the reference engine's threads to these CPUs, as taskset takes them " +
            "(0,2 or 2-3; thread i on the i-th CPU, round robin; default: not pinned)")
    String offloadCpus;

    @Option(names = "--offload-idle", paramLabel = "MODE",
        description = "-t tcp_offload: what an idle engine thread does: spin, backoff or block (default block)")
    String offloadIdle;

    /**
     * Check the offload flags against the transport and hand the reference engine's to it (system properties read
     * when the engine is first created, i.e. at this process's first tcp_offload connect).
     */
    void applyOffloadOptions(final ConnectOptions o)
    {
        final boolean any = offloadDev != null || offloadThreads != null || offloadCpus != null ||
            offloadIdle != null;
        if (!TcpOffloadTransport.NAME.equals(transport))
        {
            if (any)
            {
                throw new UsageException("--offload-* flags need -t " + TcpOffloadTransport.NAME);
            }
            return;
        }
        if (offloadThreads != null)
        {
            if (offloadThreads < 1 || offloadThreads > 64)
            {
                throw new UsageException("bad --offload-threads " + offloadThreads + " (1..64)");
            }
            System.setProperty(ReferenceEngineDriver.THREADS, Integer.toString(offloadThreads));
        }
        if (offloadCpus != null)
        {
            try
            {
                OffloadEngine.Options.parseCpus(offloadCpus);
            }
            catch (final IllegalArgumentException e)
            {
                throw new UsageException("bad --offload-cpus: " + e.getMessage());
            }
            System.setProperty(ReferenceEngineDriver.CPUS, offloadCpus);
        }
        if (offloadIdle != null)
        {
            switch (offloadIdle)
            {
                case "spin": case "backoff": case "block":
                    break;
                default:
                    throw new UsageException("bad --offload-idle '" + offloadIdle + "' (spin, backoff, block)");
            }
            System.setProperty(ReferenceEngineDriver.IDLE, offloadIdle);
        }
        if (offloadDev != null)
        {
            if (NvmeTcpOffload.byName(offloadDev) == null)
            {
                final List<String> names = new ArrayList<>();
                NvmeTcpOffload.devices().forEach(d -> names.add(d.name()));
                throw new UsageException("no offload device '" + offloadDev + "' (registered: " +
                    (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
            }
            o.offloadDev(offloadDev);
        }
    }

    @Option(names = "--path", paramLabel = "ADDR:PORT",
        description = "a path of one multipath subsystem (repeatable; -a/-s, when given, is the first path)")
    java.util.List<String> paths = new java.util.ArrayList<>();

    @Option(names = "--iopolicy", paramLabel = "POLICY", defaultValue = "numa",
        description = "path selection with --path: numa, round-robin or queue-depth (default ${DEFAULT-VALUE})")
    String iopolicy;

    /** @return whether {@code --path} names the paths of a multipath subsystem. */
    boolean multipath()
    {
        return !paths.isEmpty();
    }

    /** The I/O policy {@code --iopolicy} names; a bad name is one usage line. */
    org.nvmeof4j.host.multipath.IoPolicy ioPolicy()
    {
        final org.nvmeof4j.host.multipath.IoPolicy p = org.nvmeof4j.host.multipath.IoPolicy.fromName(iopolicy);
        if (p == null)
        {
            throw new UsageException("--iopolicy must be numa, round-robin or queue-depth: '" + iopolicy + "'");
        }
        return p;
    }

    /**
     * One set of options per path: -a/-s first when given, then every {@code --path ADDR:PORT} ({@code [v6]:PORT}
     * for IPv6), each with the other flags.
     */
    java.util.List<ConnectOptions> pathOptions(final String hostnqn)
    {
        final java.util.List<ConnectOptions> out = new java.util.ArrayList<>();
        final String savedAddr = traddr;
        final Integer savedPort = trsvcid;
        try
        {
            if (traddr != null && !traddr.isEmpty())
            {
                out.add(pathOptions(hostnqn, ConnectOptions.DEFAULT_PORT));
            }
            for (final String p : paths)
            {
                final int colon = p.lastIndexOf(':');
                if (colon <= 0 || colon == p.length() - 1)
                {
                    throw new UsageException("--path expects ADDR:PORT: '" + p + "'");
                }
                String addr = p.substring(0, colon);
                if (addr.startsWith("[") && addr.endsWith("]"))
                {
                    addr = addr.substring(1, addr.length() - 1);
                }
                try
                {
                    trsvcid = Integer.parseInt(p.substring(colon + 1));
                }
                catch (final NumberFormatException e)
                {
                    throw new UsageException("--path expects ADDR:PORT: '" + p + "'");
                }
                traddr = addr;
                out.add(pathOptions(hostnqn, ConnectOptions.DEFAULT_PORT));
            }
        }
        finally
        {
            traddr = savedAddr;
            trsvcid = savedPort;
        }
        return out;
    }

    /**
     * Build the options of a single-path command; {@code defaultPort} when -s is absent. {@code --path} is refused
     * here: only the commands that run on a multipath subsystem take it.
     */
    ConnectOptions toOptions(final String hostnqn, final int defaultPort, final boolean needNqn)
    {
        if (multipath())
        {
            throw new UsageException("--path (multipath) is taken by read, write, list-subsys and perf only, not by this " +
                "command yet");
        }
        return singlePath(hostnqn, defaultPort, needNqn);
    }

    private ConnectOptions pathOptions(final String hostnqn, final int defaultPort)
    {
        return singlePath(hostnqn, defaultPort, true);
    }

    private ConnectOptions singlePath(final String hostnqn, final int defaultPort, final boolean needNqn)
    {
        if (!org.nvmeof4j.host.spi.NvmeTransports.names().contains(transport))
        {
            throw new UsageException("unsupported transport '" + transport + "' (known: " +
                String.join(", ", org.nvmeof4j.host.spi.NvmeTransports.names()) + ")");
        }
        if (traddr == null || traddr.isEmpty())
        {
            throw new UsageException("missing -a/--traddr");
        }
        if (needNqn && (nqn == null || nqn.isEmpty()))
        {
            throw new UsageException("missing -n/--nqn");
        }
        final int port = trsvcid != null ? trsvcid : defaultPort;
        if (port < 1 || port > 65535)
        {
            throw new UsageException("bad -s/--trsvcid " + port);
        }
        if (queueSize < 16 || queueSize > 1024)
        {
            throw new UsageException("--queue-size must be in 16..1024");
        }
        final ConnectOptions o = ConnectOptions.tcp(traddr, port, nqn).transport(transport).hdrDigest(hdrDigest)
            .dataDigest(dataDigest)
            .queueSize(queueSize).nrIoQueues(nrIoQueues != null ? nrIoQueues : 1).nrPollQueues(0)
            .disableSqflow(disableSqflow)
            .tls(tls).tlsIdentityVersion(tlsIdentity).tlsCompat(tlsCompat)
            .reconnectDelay(Duration.ofSeconds(1)).ctrlLossTmo(Duration.ofSeconds(5));
        if (tlsKey != null)
        {
            o.tlsKey(TlsKeys.read(tlsKey, "--tls-key"));
        }
        else if (tls)
        {
            throw new UsageException("--tls needs --tls-key");
        }
        if (tlsIdentity != 0 && tlsIdentity != 1)
        {
            throw new UsageException("--tls-identity must be 0 or 1");
        }
        if (hostnqn != null)
        {
            o.hostnqn(hostnqn);
        }
        if (keepAliveTmo != null)
        {
            o.keepAliveTmo(Duration.ofSeconds(keepAliveTmo));
        }
        try
        {
            if (dhchapSecret != null)
            {
                o.dhchapSecret(org.nvmeof4j.host.DhchapKeys.read("--dhchap-secret", dhchapSecret, System.err::println));
            }
            if (dhchapCtrlSecret != null)
            {
                if (dhchapSecret == null)
                {
                    throw new UsageException("--dhchap-ctrl-secret needs --dhchap-secret");
                }
                o.dhchapCtrlSecret(org.nvmeof4j.host.DhchapKeys.read("--dhchap-ctrl-secret", dhchapCtrlSecret,
                    System.err::println));
            }
        }
        catch (final IllegalArgumentException e)
        {
            throw new UsageException(e.getMessage());
        }
        applyOffloadOptions(o);
        return o;
    }

    /** What a host command does on a connected controller; its result goes back to the command. */
    @FunctionalInterface
    interface ControllerWork<T, E extends Exception>
    {
        T apply(NvmeController c) throws E;
    }

    /** Connect, with failures turned into one clear line. */
    static NvmeController connect(final ConnectOptions o)
    {
        try
        {
            return NvmeController.connect(o);
        }
        catch (final IllegalArgumentException e)
        {
            throw new UsageException(e.getMessage());
        }
        catch (final NvmeException | NvmeTransportException e)
        {
            throw new CliFailure("connect to " + o.traddr() + ":" + o.trsvcid() + " failed: " + e.getMessage(), e);
        }
    }

    /** An operation failed (exit status 1) with this one-line message. */
    static final class CliFailure extends RuntimeException
    {
        CliFailure(final String message, final Throwable cause)
        {
            super(message, cause);
        }
    }

    /**
     * What the nvme-cli style host commands (all but perf) mix in: the connection flags and {@code -q/--hostnqn}, and
     * a connection made from them for the command's work.
     */
    public static class Connection
    {
        @Mixin
        HostConnectOptions options;
        @Mixin
        HostNqnOption host;

        /**
         * Connect with the admin queue only (-n required, {@code defaultPort} without -s), run {@code work} on the
         * controller and close it. Errors from {@code work} go out as they are.
         */
        <T, E extends Exception> T admin(final int defaultPort, final ControllerWork<T, E> work) throws E
        {
            try (NvmeController c = connect(options.toOptions(host.hostnqn, defaultPort, true).nrIoQueues(0)))
            {
                return work.apply(c);
            }
        }

        /**
         * Connect with I/O queues (-n required, port 4420 without -s), run {@code work} on the controller and close
         * it. An NVMe status or transport error fails the command as "{@code what}: message".
         */
        <T, E extends Exception> T io(final String what, final ControllerWork<T, E> work) throws E
        {
            try (NvmeController c = connect(options.toOptions(host.hostnqn, ConnectOptions.DEFAULT_PORT, true)))
            {
                return work.apply(c);
            }
            catch (final NvmeException | NvmeTransportException e)
            {
                throw new CliFailure(what + ": " + e.getMessage(), e);
            }
        }
    }

    /** What a host command does on a multipath subsystem. */
    @FunctionalInterface
    interface SubsystemWork<T, E extends Exception>
    {
        T apply(org.nvmeof4j.host.multipath.NvmeSubsystem s) throws E;
    }

    /** Connect every {@code --path} as one subsystem, run {@code work} and close it; errors as one line. */
    static <T, E extends Exception> T subsystem(final HostConnectOptions options, final String hostnqn,
        final String what, final SubsystemWork<T, E> work) throws E
    {
        return subsystem(options, hostnqn, what, options.pathOptions(hostnqn), work);
    }

    /** {@link #subsystem(HostConnectOptions, String, String, SubsystemWork)} on paths already built (and tuned). */
    static <T, E extends Exception> T subsystem(final HostConnectOptions options, final String hostnqn,
        final String what, final java.util.List<ConnectOptions> paths, final SubsystemWork<T, E> work) throws E
    {
        final org.nvmeof4j.host.multipath.NvmeSubsystem s;
        try
        {
            s = org.nvmeof4j.host.multipath.NvmeSubsystem.connect(paths, options.ioPolicy());
        }
        catch (final IllegalArgumentException e)
        {
            throw new UsageException(e.getMessage());
        }
        catch (final NvmeException | NvmeTransportException e)
        {
            throw new CliFailure("connect to " + options.nqn + " failed: " + e.getMessage(), e);
        }
        try (s)
        {
            return work.apply(s);
        }
        catch (final NvmeException | NvmeTransportException e)
        {
            throw new CliFailure(what + ": " + e.getMessage(), e);
        }
    }

    /** {@link Connection} plus {@code -o/--output-format} and the command's output, for the commands that report. */
    public static final class Report extends Connection
    {
        @Mixin
        OutputFormat output;
        @Spec(Spec.Target.MIXEE)
        CommandSpec command;

        /** @return true for {@code -o json}; a bad format is a usage error. */
        boolean json()
        {
            return output.json();
        }

        /** @return the command's standard output. */
        PrintWriter out()
        {
            return command.commandLine().getOut();
        }
    }

    /** {@code -q/--hostnqn} as nvme-cli spells it. */
    public static final class HostNqnOption
    {
        @Option(names = {"-q", "--hostnqn"}, paramLabel = "HOSTNQN",
            description = "host NQN (default: ~/.config/nvmeof4j/hostnqn, created on first use)")
        String hostnqn;
    }

    /** {@code -o/--output-format normal|json} as nvme-cli spells it. */
    public static final class OutputFormat
    {
        @Option(names = {"-o", "--output-format"}, paramLabel = "FMT", defaultValue = "normal",
            description = "normal or json (default ${DEFAULT-VALUE})")
        String format;

        boolean json()
        {
            if ("json".equals(format))
            {
                return true;
            }
            if (!"normal".equals(format))
            {
                throw new UsageException("bad -o/--output-format '" + format + "' (normal, json)");
            }
            return false;
        }
    }
}
