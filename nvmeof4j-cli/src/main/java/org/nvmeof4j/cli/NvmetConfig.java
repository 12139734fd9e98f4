package org.nvmeof4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.nvmeof4j.cli.Nvmeof4j.UsageException;
import org.nvmeof4j.protocol.admin.AnaState;
import org.nvmeof4j.protocol.fabrics.Nqn;
import org.nvmeof4j.target.AnaGroups;
import org.nvmeof4j.target.ConnectionLimits;
import org.nvmeof4j.target.Referral;
import org.nvmeof4j.target.Target;

/**
 * nvmetcli's JSON configuration ({@code nvmetcli save} / {@code restore} format) applied to a {@link Target.Builder}:
 *
 * <pre>
 * { "hosts":      [ { "nqn": HOSTNQN } ],
 *   "ports":      [ { "portid": 1, "addr": { "trtype": "tcp", "adrfam": "ipv4", "traddr": "0.0.0.0", "trsvcid": "4420" },
 *                     "param": { "inline_data_size": "8192" }, "subsystems": [ NQN, ... ], "referrals": [],
 *                     "ana_groups": [ { "grpid": 1, "ana": { "state": "optimized" } } ] } ],
 *   "subsystems": [ { "nqn": NQN, "allowed_hosts": [ HOSTNQN ],
 *                     "attr": { "allow_any_host": "0|1", "serial": "...", "model": "..." },
 *                     "namespaces": [ { "nsid": 1, "enable": 1, "ana_grpid": 1,
 *                                       "device": { "path": "/dev/...", "uuid": "...", "nguid": "..." } } ] } ] }
 * </pre>
 *
 * <p>Only {@code trtype: tcp} ports are accepted. Namespace paths name a file or block device as in nvmetcli; four
 * nvmeof4j extensions: {@code "path": "ram:MIB"} and {@code "path": "null:MIB"} for memory and null backends, and
 * {@code "device": {"size_mib": N}} to create a missing file at that size, and {@code "device": {"write_through": 1}}
 * to open a file namespace with O_DSYNC (every write durable before it completes, VWC 0). {@code "block_size"} in a namespace sets
 * its logical block size (default 512). A port whose {@code trsvcid} is 8009 and that lists no subsystem serves
 * discovery only. ANA as nvmet: {@code ports[].ana_groups} creates groups 1..128 on a port with a state
 * ({@code optimized}, {@code non-optimized}, {@code inaccessible}, {@code persistent-loss}, {@code change}; group 1
 * is on every port, optimized unless listed), {@code namespaces[].ana_grpid} puts a namespace in a group (default 1).
 * TLS as nvmet names it: {@code ports[].addr.tsas} {@code "tls1.3"} (or {@code "none"}, the default) and
 * {@code ports[].addr.treq} {@code "required"} (the default with tls1.3: plaintext is refused) or
 * {@code "not required"} (a host may start with TLS or with a plaintext ICReq); each host's configured PSK as
 * {@code hosts[].tls_key} (or {@code "tls": {"key": ...}}), the interchange format {@code NVMeTLSkey-1:hh:...:} or
 * the path of a file holding it (nvmet keeps these in the kernel's keyring instead). A TLS port accepts the PSKs of
 * every host that has one.
 * Any mistake is reported as one line naming the JSON path.
 */
public final class NvmetConfig
{
    /**
     * One mapper for every parse: a mapper is thread-safe once configured (this one never is), and a new one per
     * parse rebuilt Jackson's deserializer caches each time (most of NvmetConfigFuzzTest's time per input).
     */
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode root;
    private final Path file;
    private final java.util.Map<String, String> signatures = new java.util.HashMap<>();
    private final java.util.Map<String, Integer> anaGrpIds = new java.util.HashMap<>();
    private final java.util.Map<String, TargetOffloads.Spec> offloads = new java.util.HashMap<>();
    private final java.util.Map<String, List<TargetOffloads.Passthru>> passthrus = new java.util.HashMap<>();

    private NvmetConfig(final JsonNode root, final Path file)
    {
        this.root = root;
        this.file = file;
    }

    /** Parse a file; a syntax error becomes a {@link UsageException}. */
    public static NvmetConfig load(final Path file)
    {
        try
        {
            return new NvmetConfig(JSON.readTree(Files.readAllBytes(file)), file);
        }
        catch (final IOException e)
        {
            final String msg = e.getMessage() == null ? e.toString() : e.getMessage().split("\n")[0];
            throw new UsageException(oneLine("cannot read config " + file + ": " + msg));
        }
    }

    /** Parse JSON text (tests). */
    public static NvmetConfig parse(final String json)
    {
        try
        {
            return new NvmetConfig(JSON.readTree(json), Path.of("<string>"));
        }
        catch (final IOException e)
        {
            throw new UsageException(oneLine("bad config JSON: " + e.getMessage().split("\n")[0]));
        }
    }

    UsageException bad(final String where, final String what)
    {
        return new UsageException(oneLine("config " + file + ": " + where + ": " + what));
    }

    /**
     * {@code s} as one printable line: the values quoted in a message come from the config and may hold newlines,
     * NULs or terminal escape sequences: control characters are shown escaped instead (backslash-n, backslash-u
     * and four hex digits).
     */
    static String oneLine(final String s)
    {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            final boolean control = c < 0x20 || c == 0x7F || c == 0x2028 || c == 0x2029;
            if (control && b == null)
            {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (!control)
            {
                if (b != null)
                {
                    b.append(c);
                }
            }
            else if (c == '\n')
            {
                b.append("\\n");
            }
            else if (c == '\r')
            {
                b.append("\\r");
            }
            else if (c == '\t')
            {
                b.append("\\t");
            }
            else
            {
                b.append(String.format("\\u%04x", (int)c));
            }
        }
        return b == null ? s : b.toString();
    }

    private Set<String> knownHosts()
    {
        if (root == null || !root.isObject())
        {
            throw bad("/", "expected a JSON object with hosts, ports and subsystems");
        }
        final Set<String> knownHosts = new LinkedHashSet<>();
        final JsonNode hosts = root.path("hosts");
        hostAuth.clear();
        tlsKeys.clear();
        for (int i = 0; i < hosts.size(); i++)
        {
            final String nqn = text(hosts.get(i), "nqn", "hosts[" + i + "]");
            knownHosts.add(nqn);
            final JsonNode tlsGroup = hosts.get(i).path("tls");
            final JsonNode tlsKey = tlsGroup.hasNonNull("key") ? tlsGroup.get("key") : hosts.get(i).get("tls_key");
            if (tlsKey != null && !tlsKey.isNull() && !tlsKey.asText().isBlank())
            {
                final String at = "hosts[" + i + "].tls_key";
                try
                {
                    tlsKeys.put(nqn, TlsKeys.read(tlsKey.asText().trim(), at));
                }
                catch (final UsageException e)
                {
                    throw new UsageException(oneLine("config " + file + ": " + e.getMessage()));
                }
            }
            final org.nvmeof4j.target.subsystem.HostAuth auth = hostAuth(hosts.get(i), "hosts[" + i + "]");
            if (auth != null)
            {
                hostAuth.put(nqn, auth);
            }
        }
        final JsonNode ports = root.path("ports");
        for (int i = 0; i < ports.size(); i++)
        {
            final int mode = portTls(ports.get(i), "ports[" + i + "]");
            if (mode == TLS_REQUIRED && tlsKeys.isEmpty())
            {
                throw bad("ports[" + i + "].addr.tsas", "tls1.3 with treq required, but no host has a tls_key: no " +
                    "host could connect");
            }
        }
        return knownHosts;
    }

    /** A port's TLS: none, required ({@code tsas} tls1.3, {@code treq} required or unset), optional. */
    static final int TLS_NONE = 0;
    static final int TLS_REQUIRED = 1;
    static final int TLS_OPTIONAL = 2;

    /** The hosts' configured PSKs, by NQN (filled by {@link #knownHosts()}). */
    private final java.util.Map<String, org.nvmeof4j.tcp.tls.ConfiguredPsk> tlsKeys = new java.util.LinkedHashMap<>();
    /** The table the running target's TLS ports look PSKs up in (made by {@link #apply}, kept across reloads). */
    private org.nvmeof4j.tcp.tls.HostPskTable tlsTable;

    /** nvmet's {@code addr_tsas} and {@code addr_treq} of a port, checked. */
    private int portTls(final JsonNode port, final String at)
    {
        final JsonNode addr = port.path("addr");
        final String tsas = addr.path("tsas").asText("none").trim();
        final String treq = addr.path("treq").asText("not specified").trim();
        if (!tsas.equals("none") && !tsas.equals("tls1.3"))
        {
            throw bad(at + ".addr.tsas", "expected \"none\" or \"tls1.3\", not '" + tsas + "'");
        }
        if (!treq.equals("not specified") && !treq.equals("required") && !treq.equals("not required"))
        {
            throw bad(at + ".addr.treq", "expected \"required\", \"not required\" or \"not specified\", not '" +
                treq + "'");
        }
        if (tsas.equals("none"))
        {
            if (treq.equals("required"))
            {
                throw bad(at + ".addr.treq", "required needs tsas \"tls1.3\" (the only secure channel here)");
            }
            return TLS_NONE;
        }
        if (discoveryOnly(port, at))
        {
            throw bad(at + ".addr.tsas", "tls1.3 on a discovery-only port is not supported");
        }
        return treq.equals("not required") ? TLS_OPTIONAL : TLS_REQUIRED;
    }

    /** @return per regular listener in config order, its TLS mode ({@link #TLS_NONE} ...). */
    List<Integer> portTlsModes()
    {
        final List<Integer> out = new ArrayList<>();
        final JsonNode ports = root.path("ports");
        for (int i = 0; i < ports.size(); i++)
        {
            if (!discoveryOnly(ports.get(i), "ports[" + i + "]"))
            {
                out.add(portTls(ports.get(i), "ports[" + i + "]"));
            }
        }
        return out;
    }

    /**
     * Make the running target's PSKs those of {@code next} (new connections use them; sessions up keep theirs) and
     * hand {@code next} the live table.
     *
     * @return how many hosts' keys were added, changed or removed.
     */
    int reloadTlsKeys(final NvmetConfig next)
    {
        int changed = 0;
        if (tlsTable == null)
        {
            tlsTable = new org.nvmeof4j.tcp.tls.HostPskTable();
        }
        for (final String host : tlsKeys.keySet())
        {
            if (!next.tlsKeys.containsKey(host))
            {
                tlsTable.remove(host);
                changed++;
            }
        }
        for (final java.util.Map.Entry<String, org.nvmeof4j.tcp.tls.ConfiguredPsk> e : next.tlsKeys.entrySet())
        {
            final org.nvmeof4j.tcp.tls.ConfiguredPsk was = tlsKeys.get(e.getKey());
            if (was == null || !was.format().equals(e.getValue().format()))
            {
                tlsTable.put(e.getKey(), e.getValue());
                changed++;
            }
        }
        next.tlsTable = tlsTable;
        return changed;
    }

    /** DH-HMAC-CHAP settings of the hosts, by NQN (filled by {@link #knownHosts()}). */
    private final java.util.Map<String, org.nvmeof4j.target.subsystem.HostAuth> hostAuth = new java.util.HashMap<>();

    /**
     * A host's DH-HMAC-CHAP attributes, as nvmet names them: {@code "dhchap": {"key", "ctrl_key", "hash", "dhgroup"}}
     * (nvmetcli groups attributes by their prefix) or flat {@code dhchap_key} ... Keys are DHHC-1 strings or key file
     * paths.
     */
    private org.nvmeof4j.target.subsystem.HostAuth hostAuth(final JsonNode host, final String at)
    {
        final JsonNode group = host.path("dhchap");
        final String key = attr(host, group, "key");
        final String ctrlKey = attr(host, group, "ctrl_key");
        final String hash = attr(host, group, "hash");
        final String dhgroup = attr(host, group, "dhgroup");
        if (key == null)
        {
            if (ctrlKey != null)
            {
                throw bad(at + ".dhchap_ctrl_key", "needs dhchap_key");
            }
            return null;
        }
        try
        {
            return new org.nvmeof4j.target.subsystem.HostAuth(
                org.nvmeof4j.host.DhchapKeys.read(at + ".dhchap_key", key, System.err::println),
                ctrlKey == null ? null :
                    org.nvmeof4j.host.DhchapKeys.read(at + ".dhchap_ctrl_key", ctrlKey, System.err::println),
                hash == null ? null : org.nvmeof4j.protocol.auth.AuthHash.fromName(hash),
                dhgroup == null ? null : org.nvmeof4j.protocol.auth.DhGroup.fromName(dhgroup));
        }
        catch (final IllegalArgumentException e)
        {
            throw bad(at, e.getMessage());
        }
    }

    private static String attr(final JsonNode host, final JsonNode group, final String name)
    {
        final JsonNode v = group.hasNonNull(name) ? group.get(name) : host.get("dhchap_" + name);
        if (v == null || v.isNull() || v.asText().isBlank())
        {
            return null;
        }
        return v.asText().trim();
    }

    /**
     * The subsystems, described but not built (no backend opened), each checked as {@link #apply} checks it; with
     * {@link #namespaceSignature} they tell a running target what a reload changes.
     */
    public List<Target.SubsystemSpec> subsystemSpecs()
    {
        final Set<String> knownHosts = knownHosts();
        final JsonNode subsystems = root.path("subsystems");
        if (!subsystems.isArray())
        {
            throw bad("subsystems", "expected an array");
        }
        final List<Target.SubsystemSpec> specs = new ArrayList<>();
        final Set<String> nqns = new java.util.HashSet<>();
        for (int i = 0; i < subsystems.size(); i++)
        {
            final String at = "subsystems[" + i + "]";
            final Target.SubsystemSpec spec = subsystemSpec(subsystems.get(i), at, knownHosts);
            if (!nqns.add(spec.nqn()))
            {
                throw bad(at + ".nqn", "duplicate subsystem " + spec.nqn());
            }
            specs.add(spec);
        }
        return specs;
    }

    /**
     * What namespace {@code nsid} of {@code nqn} is made of (its JSON and effective block size), to tell whether a
     * reload changes it; null if the config does not declare it. Valid after {@link #subsystemSpecs()}.
     */
    public String namespaceSignature(final String nqn, final int nsid)
    {
        return signatures.get(nqn + "#" + nsid);
    }

    /**
     * The ANA group ({@code ana_grpid}) the config gives namespace {@code nsid} of {@code nqn}, or 0 if it does not
     * declare it. Valid after {@link #subsystemSpecs()}.
     */
    public int namespaceAnaGroup(final String nqn, final int nsid)
    {
        return anaGrpIds.getOrDefault(nqn + "#" + nsid, 0);
    }

    /**
     * @return the target offload settings of subsystem {@code nqn} (its {@code "offload"} object), or null for none.
     *         Valid after {@link #subsystemSpecs()} or {@link #apply}.
     */
    public TargetOffloads.Spec offload(final String nqn)
    {
        return offloads.get(nqn);
    }

    /** @return the passthru namespaces of subsystem {@code nqn} (backend controllers over NVMe/TCP), maybe none. */
    public List<TargetOffloads.Passthru> passthru(final String nqn)
    {
        return passthrus.getOrDefault(nqn, List.of());
    }

    /** @return the NQNs of the subsystems with an {@code "offload"} object. */
    public Set<String> offloadedSubsystems()
    {
        return offloads.keySet();
    }

    /**
     * @return the ports section as text, without the subsystem lists and ANA groups (a reload can change what a port
     *         exports and its ANA states, not the ports themselves).
     */
    public String portsSignature()
    {
        if (root == null)
        {
            return "";
        }
        final JsonNode ports = root.path("ports").deepCopy();
        for (final JsonNode p : ports)
        {
            if (p.isObject())
            {
                ((com.fasterxml.jackson.databind.node.ObjectNode)p).remove("subsystems");
                ((com.fasterxml.jackson.databind.node.ObjectNode)p).remove("ana_groups");
            }
        }
        return ports.toString();
    }

    /**
     * @return per port that becomes a regular listener (not the discovery-only 8009 kind), in config order: the
     *         subsystems it exports.
     */
    public List<Set<String>> portSubsystems()
    {
        final List<Set<String>> out = new ArrayList<>();
        final JsonNode ports = root.path("ports");
        for (int i = 0; i < ports.size(); i++)
        {
            final JsonNode p = ports.get(i);
            final String at = "ports[" + i + "]";
            if (!discoveryOnly(p, at))
            {
                out.add(exported(p));
            }
        }
        return out;
    }

    /**
     * @return per port that becomes a regular listener, in config order: its ANA groups ({@code ports[].ana_groups}),
     *         checked; group 1 is not added when the port does not list it.
     */
    public List<java.util.Map<Integer, AnaState>> portAnaGroups()
    {
        final List<java.util.Map<Integer, AnaState>> out = new ArrayList<>();
        final JsonNode ports = root.path("ports");
        for (int i = 0; i < ports.size(); i++)
        {
            final JsonNode p = ports.get(i);
            final String at = "ports[" + i + "]";
            if (!discoveryOnly(p, at))
            {
                out.add(anaGroups(p.path("ana_groups"), at + ".ana_groups"));
            }
        }
        return out;
    }

    /** nvmetcli's {@code ports[].ana_groups}: {@code [{"grpid": N, "ana": {"state": "optimized"}}]}. */
    private java.util.Map<Integer, AnaState> anaGroups(final JsonNode groups, final String at)
    {
        final java.util.Map<Integer, AnaState> out = new java.util.TreeMap<>();
        if (groups.isMissingNode() || groups.isNull())
        {
            return out;
        }
        if (!groups.isArray())
        {
            throw bad(at, "expected an array");
        }
        for (int j = 0; j < groups.size(); j++)
        {
            final String here = at + "[" + j + "]";
            final JsonNode g = groups.get(j);
            final int grpid = integer(g, "grpid", here, 1, AnaGroups.MAX_GROUPS);
            final String name = g.path("ana").path("state").asText("optimized");
            final AnaState state = AnaState.fromConfigName(name);
            if (state == null)
            {
                throw bad(here + ".ana.state", "unknown ANA state '" + name +
                    "' (optimized, non-optimized, inaccessible, persistent-loss, change)");
            }
            if (out.put(grpid, state) != null)
            {
                throw bad(here + ".grpid", "ANA group " + grpid + " listed twice");
            }
        }
        return out;
    }

    /** nvmetcli's {@code ports[].subsystems}: what a port exports. */
    private static Set<String> exported(final JsonNode port)
    {
        final Set<String> nqns = new LinkedHashSet<>();
        port.path("subsystems").forEach(n -> nqns.add(n.asText()));
        return nqns;
    }

    /** A port on 8009 that exports nothing and refers nowhere serves discovery only (the well-known port). */
    private boolean discoveryOnly(final JsonNode port, final String at)
    {
        return "8009".equals(port.path("addr").path("trsvcid").asText()) && exported(port).isEmpty()
            && referrals(port.path("referrals"), at + ".referrals").isEmpty();
    }

    /** Add the configured ports and subsystems to {@code builder}. */
    public void apply(final Target.Builder builder)
    {
        final Set<String> knownHosts = knownHosts();
        final JsonNode ports = root.path("ports");
        if (!ports.isArray() || ports.size() == 0)
        {
            throw bad("ports", "at least one port is needed");
        }
        final List<Integer> portIds = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++)
        {
            final String at = "ports[" + i + "]";
            final JsonNode p = ports.get(i);
            final JsonNode addr = tcpAddr(p, at);
            final String traddr = text(addr, "traddr", at + ".addr");
            final int svc = integer(addr, "trsvcid", at + ".addr", 0, 65535);
            final JsonNode inline = p.path("param").path("inline_data_size");
            if (!inline.isMissingNode())
            {
                final int size;
                try
                {
                    size = Integer.parseInt(inline.asText().trim());
                }
                catch (final NumberFormatException e)
                {
                    throw bad(at + ".param.inline_data_size", "not a number: " + inline.asText());
                }
                try
                {
                    builder.inlineDataSize(size);
                }
                catch (final IllegalArgumentException e)
                {
                    throw bad(at + ".param.inline_data_size", e.getMessage()); // e.g. not a multiple of 16
                }
            }
            limits(builder, p.path("param"), at + ".param");
            try
            {
                if (discoveryOnly(p, at))
                {
                    builder.discoveryPort(8009);
                }
                else
                {
                    // no subsystems listed: discovery (and referrals) only
                    builder.listen(traddr, svc, exported(p), referrals(p.path("referrals"), at + ".referrals"));
                    final int tls = portTls(p, at);
                    if (tls != TLS_NONE)
                    {
                        if (tlsTable == null)
                        {
                            tlsTable = new org.nvmeof4j.tcp.tls.HostPskTable();
                            tlsKeys.forEach(tlsTable::put);
                        }
                        builder.tls(tlsTable, tls == TLS_REQUIRED);
                    }
                    anaGroups(p.path("ana_groups"), at + ".ana_groups").forEach(builder::anaGroup);
                }
            }
            catch (final IllegalArgumentException e)
            {
                throw bad(at, e.getMessage());
            }
            portIds.add(p.path("portid").asInt(i + 1));
        }
        final JsonNode subsystems = root.path("subsystems");
        if (!subsystems.isArray())
        {
            throw bad("subsystems", "expected an array");
        }
        for (int i = 0; i < subsystems.size(); i++)
        {
            final String at = "subsystems[" + i + "]";
            final Target.SubsystemSpec spec = subsystemSpec(subsystems.get(i), at, knownHosts);
            try
            {
                builder.subsystem(spec.build());
            }
            catch (final IllegalArgumentException e)
            {
                throw bad(at, e.getMessage());
            }
        }
    }

    private Target.SubsystemSpec subsystemSpec(final JsonNode s, final String at, final Set<String> knownHosts)
    {
        final String nqn = text(s, "nqn", at);
        if (Nqn.DISCOVERY.equals(nqn))
        {
            // the target builds the discovery subsystem itself; configuring it would let a reload give it hosts or
            // namespaces that no later reload takes away (ConfigReload never removes the discovery subsystem)
            throw bad(at + ".nqn", "the discovery subsystem " + nqn + " is built in and cannot be configured");
        }
        final JsonNode attr = s.path("attr");
        final boolean anyHost = "1".equals(attr.path("allow_any_host").asText("0").trim());
        final List<String> allowed = new ArrayList<>();
        final JsonNode ah = s.path("allowed_hosts");
        for (int i = 0; i < ah.size(); i++)
        {
            final String h = ah.get(i).asText();
            if (!knownHosts.isEmpty() && !knownHosts.contains(h))
            {
                throw bad(at + ".allowed_hosts[" + i + "]", "host " + h + " is not declared in hosts");
            }
            allowed.add(h);
        }
        final String serial = attr.hasNonNull("serial") ? attr.get("serial").asText() : null;
        final String model = attr.hasNonNull("model") ? attr.get("model").asText() : null;
        final JsonNode namespaces = s.path("namespaces");
        try
        {
            final Target.SubsystemSpec spec = Target.subsystemSpec();
            spec.nqn(nqn);
            if (serial != null)
            {
                spec.serial(serial);
            }
            if (model != null)
            {
                spec.model(model);
            }
            if (anyHost)
            {
                spec.allowAnyHost();
            }
            allowed.forEach(h -> spec.allowHost(h, hostAuth.get(h)));
            int blockSize = 512;
            final List<int[]> fileNamespaces = new ArrayList<>();
            final List<TargetOffloads.Passthru> passthru = new ArrayList<>();
            for (int i = 0; i < namespaces.size(); i++)
            {
                final JsonNode n = namespaces.get(i);
                if (n.has("block_size"))
                {
                    blockSize = n.get("block_size").asInt();
                }
                if (n.has("passthru") && !(n.has("enable") && n.get("enable").asInt(1) == 0))
                {
                    passthru.add(TargetOffloads.Passthru.parse(n, at + ".namespaces[" + i + "]", this::bad));
                    continue;
                }
                if (namespace(spec, n, at + ".namespaces[" + i + "]"))
                {
                    // a changed ana_grpid moves the namespace between groups, it does not replace it
                    final JsonNode without = n.deepCopy();
                    if (without.isObject())
                    {
                        ((com.fasterxml.jackson.databind.node.ObjectNode)without).remove("ana_grpid");
                    }
                    signatures.put(nqn + "#" + n.path("nsid").asInt(), without + "|" + blockSize);
                    anaGrpIds.put(nqn + "#" + n.path("nsid").asInt(), n.has("ana_grpid")
                        ? n.get("ana_grpid").asInt() : AnaGroups.DEFAULT_GROUP);
                    final String path = n.path("device").path("path").asText();
                    if (!path.startsWith("ram:") && !path.startsWith("null:"))
                    {
                        fileNamespaces.add(new int[] {n.path("nsid").asInt(), blockSize});
                    }
                }
            }
            offloads.remove(nqn);
            passthrus.put(nqn, passthru);
            if (!passthru.isEmpty() && (!s.has("offload") || s.get("offload").isNull()))
            {
                throw bad(at, "passthru namespaces need the subsystem's \"offload\" object (they are served by " +
                    "the target offload)");
            }
            if (s.has("offload") && !s.get("offload").isNull())
            {
                try
                {
                    offloads.put(nqn, TargetOffloads.parse(s.get("offload"), at + ".offload", fileNamespaces));
                }
                catch (final UsageException e)
                {
                    throw new UsageException("config " + file + ": " + e.getMessage());
                }
            }
            return spec;
        }
        catch (final UsageException e)
        {
            throw e;
        }
        catch (final IllegalArgumentException e)
        {
            throw bad(at, e.getMessage());
        }
    }

    /** @return false for a disabled namespace (not declared). */
    private boolean namespace(final Target.SubsystemSpec spec, final JsonNode n, final String at)
    {
        if (n.has("enable") && n.get("enable").asInt(1) == 0)
        {
            return false;
        }
        final int nsid = integer(n, "nsid", at, 1, 0x7FFFFFFF);
        final JsonNode device = n.path("device");
        final String path = text(device, "path", at + ".device");
        if (n.has("block_size"))
        {
            spec.blockSize(integer(n, "block_size", at, 512, 65536));
        }
        spec.anaGroup(n.has("ana_grpid") ? integer(n, "ana_grpid", at, 1, AnaGroups.MAX_GROUPS)
            : AnaGroups.DEFAULT_GROUP);
        UUID uuid = null;
        if (device.hasNonNull("uuid") && !device.get("uuid").asText().isEmpty())
        {
            try
            {
                uuid = UUID.fromString(device.get("uuid").asText());
            }
            catch (final IllegalArgumentException e)
            {
                throw bad(at + ".device.uuid", "not a UUID: " + device.get("uuid").asText());
            }
        }
        final boolean writeThrough = writeThrough(device, at + ".device");
        if (writeThrough && (path.startsWith("ram:") || path.startsWith("null:")))
        {
            throw bad(at + ".device.write_through", "applies to file and block device namespaces, not " + path);
        }
        if (path.startsWith("ram:") || path.startsWith("null:"))
        {
            final long mib;
            try
            {
                mib = Long.parseLong(path.substring(path.indexOf(':') + 1));
            }
            catch (final NumberFormatException e)
            {
                throw bad(at + ".device.path", "expected ram:MIB or null:MIB, got " + path);
            }
            if (mib <= 0)
            {
                throw bad(at + ".device.path", "size must be positive: " + path);
            }
            if (path.startsWith("ram:"))
            {
                spec.ramNamespace(nsid, mib << 20);
            }
            else
            {
                spec.nullNamespace(nsid, mib << 20);
            }
            return true;
        }
        final long sizeMib = device.path("size_mib").asLong(0);
        final Path p = Path.of(path);
        if (!Files.exists(p) && sizeMib <= 0)
        {
            throw bad(at + ".device.path", path + " does not exist (give device.size_mib to create it)");
        }
        spec.fileNamespace(nsid, p, sizeMib << 20, uuid, writeThrough);
        return true;
    }

    /**
     * {@code device.write_through} (an nvmeof4j extension, in the spirit of nvmet's {@code buffered_io}): 1 or true
     * opens the file with O_DSYNC, so every write is durable before it completes and VWC is 0; 0, false or absent
     * keeps the page cache (VWC 1, Flush forces).
     */
    private boolean writeThrough(final JsonNode device, final String at)
    {
        final JsonNode v = device.get("write_through");
        if (v == null || v.isNull())
        {
            return false;
        }
        final String t = v.asText().trim();
        switch (t)
        {
            case "1":
            case "true":
                return true;
            case "0":
            case "false":
                return false;
            default:
                throw bad(at + ".write_through", "expected 0, 1, true or false, got " + t);
        }
    }

    private String text(final JsonNode node, final String field, final String at)
    {
        final JsonNode v = node.get(field);
        if (v == null || v.isNull() || v.asText().isEmpty())
        {
            throw bad(at, "missing \"" + field + "\"");
        }
        return v.asText();
    }

    /**
     * The target's connection limits from a port's {@code param} (nvmeof4j's own keys; nvmet has no such limits):
     * {@code max_connections_per_port}, {@code max_connections_per_address}, {@code icreq_timeout_ms},
     * {@code connect_timeout_ms}, {@code max_connections_per_host}, {@code staging_per_connection}. They apply to the whole target; keys absent keep the flags' values.
     */
    private void limits(final Target.Builder builder, final JsonNode param, final String at)
    {
        final ConnectionLimits l = builder.connectionLimits();
        final int perPort = param.has("max_connections_per_port")
            ? integer(param, "max_connections_per_port", at, 1, 1_000_000) : l.maxConnectionsPerPort();
        final int perAddress = param.has("max_connections_per_address")
            ? integer(param, "max_connections_per_address", at, 1, 1_000_000) : l.maxConnectionsPerAddress();
        final long icReq = param.has("icreq_timeout_ms")
            ? integer(param, "icreq_timeout_ms", at, 0, 3_600_000) : l.icReqTimeoutMillis();
        final long connect = param.has("connect_timeout_ms")
            ? integer(param, "connect_timeout_ms", at, 0, 3_600_000) : l.connectTimeoutMillis();
        final int perHost = param.has("max_connections_per_host")
            ? integer(param, "max_connections_per_host", at, 1, 1_000_000) : l.maxConnectionsPerHost();
        final int staging = param.has("staging_per_connection")
            ? integer(param, "staging_per_connection", at, 1, 4096) : l.stagingPerConnection();
        try
        {
            builder.connectionLimits(new ConnectionLimits(perPort, perAddress, icReq, connect, perHost, staging));
        }
        catch (final IllegalArgumentException e)
        {
            throw bad(at, e.getMessage());
        }
    }

    private int integer(final JsonNode node, final String field, final String at, final int min, final int max)
    {
        final JsonNode v = node.get(field);
        if (v == null || v.isNull())
        {
            throw bad(at, "missing \"" + field + "\"");
        }
        final long x;
        try
        {
            x = v.isNumber() ? v.asLong() : Long.parseLong(v.asText().trim());
        }
        catch (final NumberFormatException e)
        {
            throw bad(at + "." + field, "not a number: " + v.asText());
        }
        if (x < min || x > max)
        {
            throw bad(at + "." + field, "must be " + min + ".." + max + ": " + x);
        }
        return (int)x;
    }

    /** @return the field names of the root object (for diagnostics). */
    List<String> sections()
    {
        final List<String> names = new ArrayList<>();
        for (final Iterator<String> it = root.fieldNames(); it.hasNext(); )
        {
            names.add(it.next());
        }
        return names;
    }

    /** {@code node.addr}, which must name the tcp transport (the default when it names none). */
    private JsonNode tcpAddr(final JsonNode node, final String at)
    {
        final JsonNode addr = node.path("addr");
        final String trtype = addr.path("trtype").asText("tcp");
        if (!trtype.equals("tcp"))
        {
            throw bad(at + ".addr.trtype", "only tcp is supported, not '" + trtype + "'");
        }
        return addr;
    }

    /**
     * {@code ports[].referrals}: each {@code {"name": ..., "portid": N, "enable": 1, "addr": {"trtype": "tcp",
     * "adrfam": ..., "traddr": ..., "trsvcid": ...}}} as nvmetcli saves a port's referrals; disabled ones are
     * skipped. PORTID may also sit inside {@code addr}.
     */
    private List<Referral> referrals(final JsonNode refs, final String at)
    {
        final List<Referral> out = new ArrayList<>();
        if (refs.isMissingNode() || refs.isNull())
        {
            return out;
        }
        if (!refs.isArray())
        {
            throw bad(at, "expected an array");
        }
        for (int j = 0; j < refs.size(); j++)
        {
            final String here = at + "[" + j + "]";
            final JsonNode r = refs.get(j);
            if (r.path("enable").asInt(r.path("enabled").asInt(1)) == 0)
            {
                continue;
            }
            final JsonNode addr = tcpAddr(r, here);
            final String traddr = text(addr, "traddr", here + ".addr");
            final int svc = integer(addr, "trsvcid", here + ".addr", 1, 65535);
            final int portId = r.has("portid") ? r.path("portid").asInt(-1) : addr.path("portid").asInt(0);
            try
            {
                out.add(new Referral(traddr, svc, portId));
            }
            catch (final IllegalArgumentException e)
            {
                throw bad(here, e.getMessage());
            }
        }
        return out;
    }
}
