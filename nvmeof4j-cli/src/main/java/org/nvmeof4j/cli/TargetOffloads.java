package org.nvmeof4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.nvmeof4j.cli.Nvmeof4j.UsageException;
import org.nvmeof4j.gateway.Gateway;
import org.nvmeof4j.gateway.NvmeTcpBackendController;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.target.offload.FastpathDevice;
import org.nvmeof4j.target.offload.NamespaceMapping;
import org.nvmeof4j.target.offload.OffloadCapabilities;
import org.nvmeof4j.target.offload.OffloadContext;
import org.nvmeof4j.target.offload.OffloadContextAttributes;
import org.nvmeof4j.target.offload.OffloadException;
import org.nvmeof4j.target.offload.OffloadType;
import org.nvmeof4j.target.subsystem.Namespace;
import org.nvmeof4j.target.subsystem.Subsystem;

/**
 * The target offload (seed 004) as the {@code target} command configures it: {@code --offload fastpath} for the
 * flags form, or a subsystem's {@code "offload"} object in the nvmetcli JSON (an nvmeof4j extension):
 *
 * <pre>
 * "offload": { "device": "fastpath", "type": "read_write_flush", "max_io_size": 1048576,
 *              "staging_buffer_size": 8388608, "queue_depth": 128, "backend_queues": 2 }
 * </pre>
 *
 * Every file namespace of such a subsystem is mapped onto its own backend controller; RAM and null namespaces stay
 * with the software target. A namespace may instead name a backend NVMe/TCP controller, which makes the target a
 * gateway (nvmet passthru's analog):
 *
 * <pre>
 * { "nsid": 1, "passthru": { "traddr": "10.0.0.2", "trsvcid": "4420", "subnqn": NQN, "nsid": 1,
 *                            "hostnqn": HOSTNQN, "queues": 2, "hdr_digest": 0, "data_digest": 0 } }
 * </pre>
 * {@code "queues"} (default 2) is raised to the target's poller count ({@code --pollers}): each poller serves the
 * namespace on a polled backend queue of its own. Everything that can be checked before the target starts is checked at parse time (the
 * attributes against the device's capabilities, each namespace's block size against the LBA data sizes it maps, the
 * number of namespaces), so a bad mapping is one line and exit status 2, or a reload rejected with nothing changed.
 */
final class TargetOffloads
{
    /** The process's one {@code fastpath} device: its limits count over every subsystem. */
    private static volatile FastpathDevice fastpath = new FastpathDevice();

    /** @return the process's {@code fastpath} device. */
    static FastpathDevice fastpath()
    {
        return fastpath;
    }

    /**
     * Choose the device's read paths ({@code target --fastpath-zero-copy-min}, {@code --fastpath-mapped-reads})
     * before any subsystem is offloaded: a new device when they differ from the current one's. A null keeps the
     * current device's setting.
     *
     * @throws UsageException for a negative size.
     */
    static synchronized void readPaths(final Integer zeroCopyMin, final Boolean mapped)
    {
        final int zeroCopyMinBytes = zeroCopyMin != null ? zeroCopyMin : fastpath.zeroCopyMinBytes();
        final boolean mappedReads = mapped != null ? mapped : fastpath.mappedReads();
        if (zeroCopyMinBytes < 0)
        {
            throw new UsageException("--fastpath-zero-copy-min must be 0 or more bytes: " + zeroCopyMinBytes);
        }
        if (fastpath.zeroCopyMinBytes() != zeroCopyMinBytes || fastpath.mappedReads() != mappedReads)
        {
            fastpath = new FastpathDevice(fastpath.capabilities(), zeroCopyMinBytes, mappedReads);
        }
    }

    private TargetOffloads()
    {
    }

    /**
     * A subsystem's offload settings, checked.
     *
     * @param signature the JSON (or flags) it came from, to tell whether a reload changes it.
     */
    record Spec(OffloadType type, int maxIoSz, int stagingBufferSize, int queueDepth, int backendQueues,
        String signature)
    {
        OffloadContextAttributes attributes(final int inlineDataSize)
        {
            return OffloadContextAttributes.defaults(fastpath().capabilities(), inlineDataSize).withOffloadType(type)
                .withLimits(fastpath().capabilities().maxSrqNamespaces(), maxIoSz, queueDepth)
                .withStagingBuffer(ByteBuffer.allocateDirect(stagingBufferSize));
        }
    }

    /**
     * A namespace served by a backend controller over NVMe/TCP.
     *
     * @param nsid        the front-end NSID.
     * @param options     how to reach the backend controller.
     * @param backendNsid its namespace.
     * @param queues      backend submission queues.
     * @param signature   the JSON it came from.
     */
    record Passthru(int nsid, ConnectOptions options, int backendNsid, int queues, String signature)
    {
        /**
         * @return this entry with at least {@code pollers} backend queues: a target poller without a polled backend
         *         queue of its own would serve the namespace with blocking calls (see {@link NvmeTcpBackendController}).
         */
        Passthru withQueuesFor(final int pollers)
        {
            return queues >= pollers ? this : new Passthru(nsid, options, backendNsid, pollers, signature);
        }

        static Passthru parse(final JsonNode n, final String at, final BiFunction<String, String, UsageException> bad)
        {
            final JsonNode p = n.get("passthru");
            if (!p.isObject())
            {
                throw bad.apply(at + ".passthru", "expected an object");
            }
            final int nsid = n.path("nsid").asInt(0);
            if (nsid < 1)
            {
                throw bad.apply(at, "missing or bad \"nsid\"");
            }
            final String traddr = p.path("traddr").asText("");
            final String subnqn = p.path("subnqn").asText("");
            if (traddr.isEmpty() || subnqn.isEmpty())
            {
                throw bad.apply(at + ".passthru", "needs traddr, trsvcid and subnqn");
            }
            final int port;
            try
            {
                port = Integer.parseInt(p.path("trsvcid").asText("4420").trim());
            }
            catch (final NumberFormatException e)
            {
                throw bad.apply(at + ".passthru.trsvcid", "not a number: " + p.path("trsvcid").asText());
            }
            if (port < 1 || port > 65535)
            {
                throw bad.apply(at + ".passthru.trsvcid", "must be 1..65535: " + port);
            }
            final int backendNsid = p.path("nsid").asInt(1);
            final int queues = p.path("queues").asInt(2);
            if (backendNsid < 1 || queues < 1 || queues > 64)
            {
                throw bad.apply(at + ".passthru", "nsid must be positive and queues 1..64");
            }
            final ConnectOptions o;
            try
            {
                o = ConnectOptions.tcp(traddr, port, subnqn).hdrDigest(p.path("hdr_digest").asInt(0) != 0)
                    .dataDigest(p.path("data_digest").asInt(0) != 0);
                if (p.hasNonNull("hostnqn"))
                {
                    o.hostnqn(p.get("hostnqn").asText());
                }
            }
            catch (final IllegalArgumentException e)
            {
                throw bad.apply(at + ".passthru", e.getMessage());
            }
            return new Passthru(nsid, o, backendNsid, queues, n.toString());
        }
    }

    /** @return {@code passthru} with every entry's backend queues raised to the target's {@code pollers}. */
    static List<Passthru> withQueuesFor(final List<Passthru> passthru, final int pollers)
    {
        return passthru.stream().map(p -> p.withQueuesFor(pollers)).toList();
    }

    /** The device named by {@code --offload} or {@code "device"}; only {@code fastpath} exists. */
    static FastpathDevice device(final String name, final String where)
    {
        if (!FastpathDevice.NAME.equals(name))
        {
            throw new UsageException(where + ": unknown target offload device '" + name + "' (known: fastpath)");
        }
        return fastpath();
    }

    /** Defaults for {@code --offload fastpath [--offload-type T]}. */
    static Spec fromFlags(final String device, final String type)
    {
        device(device, "--offload");
        final OffloadCapabilities c = fastpath().capabilities();
        final OffloadType t;
        try
        {
            t = type == null ? OffloadType.READ_WRITE_FLUSH : OffloadType.parse(type);
        }
        catch (final IllegalArgumentException e)
        {
            throw new UsageException("--offload-type: " + e.getMessage());
        }
        return check(new Spec(t, c.maxIoSz(), (int)Math.max(c.minStagingBufSize(), 8L * c.maxIoSz()), 128, 2,
            "flags " + device + " " + t), "--offload", List.of());
    }

    /**
     * Parse and check a subsystem's {@code "offload"} object.
     *
     * @param fileNamespaces {nsid, block size} of each file namespace the subsystem declares.
     */
    static Spec parse(final JsonNode o, final String at, final List<int[]> fileNamespaces)
    {
        if (!o.isObject())
        {
            throw new UsageException(at + ": expected an object");
        }
        device(o.path("device").asText(FastpathDevice.NAME), at + ".device");
        final OffloadCapabilities c = fastpath().capabilities();
        final OffloadType type;
        try
        {
            type = o.has("type") ? OffloadType.parse(o.get("type").asText()) : OffloadType.READ_WRITE_FLUSH;
        }
        catch (final IllegalArgumentException e)
        {
            throw new UsageException(at + ".type: " + e.getMessage());
        }
        final int maxIo = number(o, "max_io_size", at, c.maxIoSz());
        final int staging = number(o, "staging_buffer_size", at, (int)Math.max(c.minStagingBufSize(), 8L * maxIo));
        final int depth = number(o, "queue_depth", at, 128);
        final int queues = number(o, "backend_queues", at, 2);
        if (queues < 1 || queues > 64)
        {
            throw new UsageException(at + ".backend_queues: must be 1..64: " + queues);
        }
        return check(new Spec(type, maxIo, staging, depth, queues, o.toString()), at, fileNamespaces);
    }

    private static int number(final JsonNode o, final String field, final String at, final int dflt)
    {
        final JsonNode v = o.get(field);
        if (v == null || v.isNull())
        {
            return dflt;
        }
        try
        {
            final long x = v.isNumber() ? v.asLong() : Long.parseLong(v.asText().trim());
            if (x < 0 || x > Integer.MAX_VALUE - 8)
            {
                throw new UsageException(at + "." + field + ": out of range: " + x);
            }
            return (int)x;
        }
        catch (final NumberFormatException e)
        {
            throw new UsageException(at + "." + field + ": not a number: " + v.asText());
        }
    }

    /** Dry run: the attributes against the capabilities, each file namespace against what the device maps. */
    private static Spec check(final Spec spec, final String at, final List<int[]> fileNamespaces)
    {
        final OffloadCapabilities c = fastpath().capabilities();
        try
        {
            fastpath().checkAttributes(new OffloadContextAttributes(spec.type(), c.maxSrqNamespaces(), spec.maxIoSz(),
                spec.queueDepth(), c.minIoccsz(), 0, null), spec.stagingBufferSize());
        }
        catch (final OffloadException e)
        {
            throw new UsageException(at + ": " + e.getMessage());
        }
        if (fileNamespaces.size() > Math.min(c.maxSrqNamespaces(), c.maxSrqBackendCtrls()))
        {
            throw new UsageException(at + ": " + fileNamespaces.size() + " file namespaces, more than the " +
                Math.min(c.maxSrqNamespaces(), c.maxSrqBackendCtrls()) + " fastpath maps per subsystem");
        }
        for (final int[] ns : fileNamespaces)
        {
            if (!c.lbaDataSizes().contains(ns[1]))
            {
                throw new UsageException(at + ": fastpath cannot map namespace " + ns[0] + ": LBA data size " + ns[1] +
                    " not supported (it maps " + c.lbaDataSizes() + ")");
            }
        }
        return spec;
    }

    /**
     * Create the subsystem's offload context and map its file namespaces; before the subsystem serves hosts.
     *
     * @return one line per mapping for the banner.
     * @throws UsageException naming the subsystem when the device refuses (nothing stays attached then).
     */
    static List<String> attach(final Subsystem s, final Spec spec, final int inlineDataSize)
    {
        return attach(s, spec, inlineDataSize, List.of());
    }

    /** As {@link #attach(Subsystem, Spec, int)}, then connect each passthru backend and map its namespace. */
    static List<String> attach(final Subsystem s, final Spec spec, final int inlineDataSize,
        final List<Passthru> passthru)
    {
        return attach(s, spec, inlineDataSize, passthru, null);
    }

    /**
     * As {@link #attach(Subsystem, Spec, int, List)}, with the backend of {@code passthru.get(i)} connected already
     * ({@code connected.get(i)}, from {@link #connectPassthru}), or connected here when {@code connected} is null.
     * On failure every backend given is closed.
     */
    static List<String> attach(final Subsystem s, final Spec spec, final int inlineDataSize,
        final List<Passthru> passthru, final List<NvmeTcpBackendController> connected)
    {
        final OffloadContext ctx;
        try
        {
            ctx = fastpath().offloadFileNamespaces(s, spec.attributes(inlineDataSize), spec.backendQueues());
        }
        catch (final OffloadException e)
        {
            if (connected != null)
            {
                connected.forEach(NvmeTcpBackendController::close);
            }
            throw new UsageException("subsystem " + s.nqn() + ": offload fastpath: " + e.getMessage());
        }
        for (int i = 0; i < passthru.size(); i++)
        {
            final Passthru p = passthru.get(i);
            NvmeTcpBackendController be = connected == null ? null : connected.get(i);
            try
            {
                if (be == null)
                {
                    be = NvmeTcpBackendController.connect(p.options().copy(), p.queues());
                }
                Gateway.passthru(ctx, p.nsid(), be, p.backendNsid());
            }
            catch (final OffloadException | RuntimeException e)
            {
                if (be != null && !ctx.backendControllers().contains(be))
                {
                    be.close();
                }
                for (int j = i + 1; connected != null && j < connected.size(); j++)
                {
                    connected.get(j).close();
                }
                ctx.destroy();
                for (final Passthru q : passthru)
                {
                    if (s.namespace(q.nsid()) != null && s.namespace(q.nsid()).backend().describe()
                        .startsWith("passthru "))
                    {
                        s.removeNamespace(q.nsid());
                    }
                }
                throw new UsageException("subsystem " + s.nqn() + " namespace " + p.nsid() + ": passthru to " +
                    p.options().traddr() + ":" + p.options().trsvcid() + "/" + p.options().nqn() + ": " +
                    String.valueOf(e.getMessage()).split("\n")[0]);
            }
        }
        {
            final List<String> lines = new ArrayList<>();
            for (final NamespaceMapping m : ctx.mappings())
            {
                lines.add("offload fastpath " + spec.type().name().toLowerCase(java.util.Locale.ROOT) + ": " + m);
            }
            if (lines.isEmpty())
            {
                lines.add("offload fastpath: no file namespace to map (RAM and null namespaces stay in software)");
            }
            return lines;
        }
    }

    /** A namespace of an offloaded subsystem was added or replaced on reload: map it. @return a change, or null. */
    static String mapAdded(final Subsystem s, final Namespace ns, final int backendQueues)
    {
        final OffloadContext ctx = s.offload() instanceof OffloadContext c ? c : null;
        if (ctx == null)
        {
            return null;
        }
        ctx.unmapNamespaceAndController(ns.nsid());
        try
        {
            final NamespaceMapping m = FastpathDevice.offloadFileNamespace(ctx, ns, backendQueues);
            return m == null ? null : s.nqn() + " offload " + m;
        }
        catch (final OffloadException e)
        {
            throw new UsageException(s.nqn() + " ns " + ns.nsid() + ": offload fastpath: " + e.getMessage());
        }
    }

    /**
     * Connect the backend controller of each passthru namespace and check that it has the namespace, with an LBA
     * data size the device maps: what {@link #attach} can fail on, done before a reload changes anything. Blocking.
     *
     * @return the controllers, in the order of {@code passthru}.
     * @throws UsageException naming the namespace and the backend (the controllers connected so far are closed).
     */
    static List<NvmeTcpBackendController> connectPassthru(final String nqn, final List<Passthru> passthru)
    {
        final List<NvmeTcpBackendController> out = new ArrayList<>();
        for (final Passthru p : passthru)
        {
            try
            {
                final NvmeTcpBackendController be = NvmeTcpBackendController.connect(p.options().copy(), p.queues());
                out.add(be);
                if (be.namespaceSize(p.backendNsid()) < 0)
                {
                    throw new IllegalArgumentException(be.name() + " has no namespace " + p.backendNsid());
                }
                final int bs = be.lbaDataSize(p.backendNsid());
                if (!fastpath().capabilities().lbaDataSizes().contains(bs))
                {
                    throw new IllegalArgumentException("LBA data size " + bs + " not supported (fastpath maps " +
                        fastpath().capabilities().lbaDataSizes() + ")");
                }
            }
            catch (final RuntimeException e)
            {
                out.forEach(NvmeTcpBackendController::close);
                throw new UsageException("subsystem " + nqn + " namespace " + p.nsid() + ": passthru to " +
                    p.options().traddr() + ":" + p.options().trsvcid() + "/" + p.options().nqn() + ": " +
                    String.valueOf(e.getMessage()).split("\n")[0]);
            }
        }
        return out;
    }

    /**
     * A reload changed a subsystem's offload settings or its passthru namespaces: destroy its offload context (its
     * backend controllers close; queues enabled on it serve their next commands in software, new queues use the new
     * context), remove its passthru namespaces, and attach {@code spec} (null: no offload any more) with the
     * passthru namespaces of the new config, whose backends {@link #connectPassthru} connected.
     *
     * @return what changed, one entry per change.
     */
    static List<String> reattach(final Subsystem s, final List<Passthru> was, final Spec spec,
        final int inlineDataSize, final List<Passthru> passthru, final List<NvmeTcpBackendController> connected)
    {
        final List<String> changes = new ArrayList<>();
        destroy(s);
        for (final Passthru p : was)
        {
            final Namespace ns = s.namespace(p.nsid());
            if (ns != null && ns.backend().describe().startsWith("passthru "))
            {
                s.removeNamespace(p.nsid());
            }
        }
        if (spec == null)
        {
            connected.forEach(NvmeTcpBackendController::close);
            changes.add(s.nqn() + " offload off");
            return changes;
        }
        for (final String line : attach(s, spec, inlineDataSize, passthru, connected))
        {
            changes.add(s.nqn() + " " + line);
        }
        return changes;
    }

    /** A namespace of an offloaded subsystem was removed on reload: unmap it. */
    static void unmapRemoved(final Subsystem s, final int nsid)
    {
        if (s.offload() instanceof OffloadContext c)
        {
            c.unmapNamespaceAndController(nsid);
        }
    }

    /** A subsystem went away: destroy its offload context. */
    static void destroy(final Subsystem s)
    {
        if (s.offload() instanceof OffloadContext c)
        {
            c.destroy();
        }
    }
}
