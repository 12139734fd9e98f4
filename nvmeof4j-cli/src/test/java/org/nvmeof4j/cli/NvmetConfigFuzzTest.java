package org.nvmeof4j.cli;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.nvmeof4j.cli.Nvmeof4j.UsageException;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.subsystem.Subsystem;

/**
 * Jazzer fuzz target for the nvmetcli JSON loader ({@link NvmetConfig}) and a reload of a running target
 * ({@link ConfigReload}): any text, or a config built from the input (hosts, ports with any addr and param values,
 * subsystems with any NQN, hosts, attributes and namespaces; numbers as numbers, strings or garbage), then checked
 * ({@code subsystemSpecs}, the port signatures), applied to a fresh {@link Target.Builder}, and applied as a reload
 * to a target that runs a fixed base config, after which the base config is reloaded again.
 *
 * <p>The properties: the only exception is {@link UsageException} with a one-line message; a reload that is
 * refused changes nothing; reloading the base config afterwards always succeeds and gives back exactly the base
 * subsystems and namespaces. Backends: configs are built (apply, reload) only when every namespace is a null
 * backend ({@code null:MIB}), so no input can make the run allocate RAM disks or open files; the others are checked
 * without being built.
 *
 * <p>In the default test run this replays the stored inputs (src/test/resources/.../NvmetConfigFuzzTestInputs); to
 * fuzz: {@code fuzz/run.sh NvmetConfigFuzzTest}.
 */
class NvmetConfigFuzzTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NQN_A = "nqn.2024-01.org.nvmeof4j:fuzz-a";
    private static final String NQN_B = "nqn.2024-01.org.nvmeof4j:fuzz-b";
    private static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555";
    private static final String BASE_JSON = "{\"hosts\": [{\"nqn\": \"" + HOST + "\"}],"
        + " \"ports\": [{\"portid\": 1, \"addr\": {\"trtype\": \"tcp\", \"adrfam\": \"ipv4\", \"traddr\": \"127.0.0.1\","
        + " \"trsvcid\": \"0\"}, \"param\": {}, \"subsystems\": [\"" + NQN_A + "\"]}],"
        + " \"subsystems\": [{\"nqn\": \"" + NQN_A + "\", \"allowed_hosts\": [\"" + HOST + "\"], \"attr\": {},"
        + " \"namespaces\": [{\"nsid\": 1, \"enable\": 1, \"device\": {\"path\": \"null:64\"}}]}]}";
    private static final String[] NQNS = {NQN_A, NQN_B, "nqn.2014-08.org.nvmexpress.discovery", "nqn.bad", "x", ""};
    private static final String[] PATHS = {"null:1", "null:64", "null:0", "null:-1", "null:x", "null:", "ram:1",
        "ram:99999999999999", "/nonexistent-nvmeof4j-fuzz/disk", "", "null:9223372036854775807"};
    private static final String[] NUMBERS = {"0", "1", "-1", "4420", "65535", "65536", "8009", "4096", "x", " 12 ",
        "2147483648", "1e3", ""};

    private static NvmetConfig base;
    private static Target target;
    private static Level savedLevel;

    @BeforeAll
    static void startTarget() throws IOException
    {
        final Logger quiet = Logger.getLogger("org.nvmeof4j");
        savedLevel = quiet.getLevel();
        quiet.setLevel(Level.OFF);
        base = NvmetConfig.parse(BASE_JSON);
        final Target.Builder b = Target.builder();
        base.apply(b);
        target = b.build().start();
        base.subsystemSpecs();
    }

    @AfterAll
    static void stopTarget()
    {
        target.close();
        Logger.getLogger("org.nvmeof4j").setLevel(savedLevel);
    }

    @FuzzTest(maxDuration = "30s")
    void configLoadsOrSaysWhy(final FuzzedDataProvider data)
    {
        final String json = data.consumeBoolean() ? generated(data) : data.consumeRemainingAsString();
        final NvmetConfig next;
        try
        {
            next = NvmetConfig.parse(json);
            next.portsSignature();
            next.subsystemSpecs();
            next.portSubsystems();
            next.namespaceSignature(NQN_A, 1);
        }
        catch (final UsageException e)
        {
            oneLine(e);
            return;
        }
        if (!onlyNullBackends(json))
        {
            return;
        }
        try
        {
            next.apply(Target.builder());
        }
        catch (final UsageException e)
        {
            oneLine(e);
        }
        reload(next);
    }

    /** Reload {@code next} onto the running base target, then the base again. */
    private static void reload(final NvmetConfig next)
    {
        final Set<String> before = state();
        boolean applied = false;
        try
        {
            final String summary = ConfigReload.apply(target, base, next);
            applied = true;
            if (summary.contains("\n"))
            {
                throw new AssertionError("reload summary on several lines: " + summary);
            }
        }
        catch (final UsageException e)
        {
            oneLine(e);
            if (!state().equals(before))
            {
                throw new AssertionError("a refused reload changed the target: " + before + " -> " + state());
            }
        }
        if (applied)
        {
            ConfigReload.apply(target, next, base);
        }
        if (!state().equals(before))
        {
            throw new AssertionError("reloading the base config did not restore it: " + before + " -> " + state());
        }
    }

    /** The target's subsystems with their namespaces and hosts, as text. */
    private static Set<String> state()
    {
        final Set<String> s = new TreeSet<>();
        for (final Subsystem sub : target.subsystems())
        {
            s.add(sub.nqn() + " any=" + sub.allowAnyHost() + " hosts=" + new TreeSet<>(sub.allowedHosts()));
            sub.namespaces().forEach(ns -> s.add(sub.nqn() + "#" + ns.nsid()));
        }
        return s;
    }

    private static void oneLine(final UsageException e)
    {
        final String m = e.getMessage();
        if (m == null || m.isEmpty() || m.contains("\n") || m.contains("\r"))
        {
            throw new AssertionError("usage error not on one line: " + m, e);
        }
    }

    /** Whether every "path" in the JSON names a null backend (then building it allocates nothing). */
    private static boolean onlyNullBackends(final String json)
    {
        final JsonNode root;
        try
        {
            root = JSON.readTree(json);
        }
        catch (final IOException e)
        {
            return false;
        }
        if (root == null)
        {
            return false;
        }
        for (final JsonNode p : root.findValues("path"))
        {
            if (!p.asText().startsWith("null:"))
            {
                return false;
            }
        }
        // a device without a path fails the check before anything is built; paths hidden in odd shapes are not
        return root.findValues("device").stream().allMatch(d -> !d.isObject() || d.has("path"));
    }

    // ------------------------------------------------------------------ a config from the input

    private static final String TLS_KEY = org.nvmeof4j.tcp.tls.ConfiguredPsk.generate(
        org.nvmeof4j.tcp.tls.TlsPskHash.SHA_256, new java.security.SecureRandom()).format();
    private static final String[] TSAS = {"none", "tls1.3", "tls1.2", ""};
    private static final String[] TREQ = {"required", "not required", "not specified", "maybe"};

    private static String generated(final FuzzedDataProvider data)
    {
        final ObjectNode root = JSON.createObjectNode();
        if (data.consumeBoolean())
        {
            final ArrayNode hosts = root.putArray("hosts");
            for (int i = data.consumeInt(0, 2); i > 0; i--)
            {
                final ObjectNode h = hosts.addObject().put("nqn", data.consumeBoolean() ? HOST : data.consumeString(40));
                if (data.consumeInt(0, 3) == 0)
                {
                    // a valid configured PSK, a damaged one, or a path that is no key file
                    h.put("tls_key", data.consumeBoolean() ? TLS_KEY : data.consumeString(60));
                }
            }
        }
        final ArrayNode ports = root.putArray("ports");
        for (int i = data.consumeInt(0, 2); i > 0; i--)
        {
            final ObjectNode p = ports.addObject();
            p.put("portid", data.consumeInt(-1, 3));
            final ObjectNode addr = p.putObject("addr");
            addr.put("trtype", data.consumeInt(0, 3) == 0 ? "rdma" : "tcp").put("adrfam", "ipv4")
                .put("traddr", data.consumeBoolean() ? "127.0.0.1" : data.consumeString(20));
            value(addr, "trsvcid", data);
            if (data.consumeInt(0, 3) == 0)
            {
                addr.put("tsas", TSAS[data.consumeInt(0, TSAS.length - 1)]);
            }
            if (data.consumeInt(0, 3) == 0)
            {
                addr.put("treq", TREQ[data.consumeInt(0, TREQ.length - 1)]);
            }
            final ObjectNode param = p.putObject("param");
            for (final String k : new String[] {"inline_data_size", "max_connections_per_port",
                "max_connections_per_address", "icreq_timeout_ms", "connect_timeout_ms", "max_connections_per_host",
                "staging_per_connection"})
            {
                if (data.consumeInt(0, 3) == 0)
                {
                    value(param, k, data);
                }
            }
            final ArrayNode subs = p.putArray("subsystems");
            for (int j = data.consumeInt(0, 2); j > 0; j--)
            {
                subs.add(NQNS[data.consumeInt(0, NQNS.length - 1)]);
            }
            if (data.consumeInt(0, 3) == 0)
            {
                final ObjectNode r = p.putArray("referrals").addObject();
                r.put("enable", data.consumeInt(0, 1));
                if (data.consumeBoolean())
                {
                    r.put("portid", data.consumeInt(-2, 3));
                }
                final ObjectNode ra = r.putObject("addr");
                ra.put("trtype", "tcp").put("traddr", data.consumeBoolean() ? "10.0.0.1" : data.consumeString(20));
                value(ra, "trsvcid", data);
            }
        }
        final ArrayNode subsystems = root.putArray("subsystems");
        for (int i = data.consumeInt(0, 3); i > 0; i--)
        {
            final ObjectNode s = subsystems.addObject();
            s.put("nqn", data.consumeInt(0, 7) == 0 ? data.consumeString(300) : NQNS[data.consumeInt(0, 3)]);
            final ArrayNode allowed = s.putArray("allowed_hosts");
            for (int j = data.consumeInt(0, 2); j > 0; j--)
            {
                allowed.add(data.consumeBoolean() ? HOST : data.consumeString(30));
            }
            final ObjectNode attr = s.putObject("attr");
            attr.put("allow_any_host", data.consumeBoolean() ? "1" : data.consumeString(3));
            if (data.consumeInt(0, 3) == 0)
            {
                attr.put("serial", data.consumeString(40));
            }
            if (data.consumeInt(0, 3) == 0)
            {
                attr.put("model", data.consumeString(60));
            }
            final ArrayNode namespaces = s.putArray("namespaces");
            for (int j = data.consumeInt(0, 3); j > 0; j--)
            {
                final ObjectNode n = namespaces.addObject();
                if (data.consumeInt(0, 7) != 0)
                {
                    value(n, "nsid", data);
                }
                if (data.consumeBoolean())
                {
                    n.put("enable", data.consumeInt(0, 2));
                }
                if (data.consumeInt(0, 3) == 0)
                {
                    value(n, "block_size", data);
                }
                final ObjectNode d = n.putObject("device");
                d.put("path", data.consumeInt(0, 7) == 0 ? data.consumeString(30) :
                    PATHS[data.consumeInt(0, PATHS.length - 1)]);
                if (data.consumeInt(0, 3) == 0)
                {
                    d.put("uuid", data.consumeBoolean() ? "11111111-2222-3333-4444-555555555555" :
                        data.consumeString(40));
                }
                if (data.consumeInt(0, 7) == 0)
                {
                    d.put("size_mib", data.consumeLong());
                }
            }
        }
        String text = root.toString();
        if (data.consumeInt(0, 7) == 0 && !text.isEmpty())
        {
            // damage the text: cut it, or put a character somewhere
            final int at = data.consumeInt(0, text.length() - 1);
            text = data.consumeBoolean() ? text.substring(0, at) :
                text.substring(0, at) + data.consumeChar() + text.substring(at);
        }
        return text;
    }

    /** A number-ish value: an int, a string with a number or not, a long, null, an object. */
    private static void value(final ObjectNode node, final String field, final FuzzedDataProvider data)
    {
        switch (data.consumeInt(0, 5))
        {
            case 0:
                node.put(field, data.consumeInt());
                break;
            case 1:
                node.put(field, data.consumeLong());
                break;
            case 2:
                node.putNull(field);
                break;
            case 3:
                node.putObject(field).put("x", 1);
                break;
            case 4:
                node.put(field, data.consumeDouble());
                break;
            default:
                node.put(field, NUMBERS[data.consumeInt(0, NUMBERS.length - 1)]);
        }
    }
}
