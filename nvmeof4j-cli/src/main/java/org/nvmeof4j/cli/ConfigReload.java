package org.nvmeof4j.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.nvmeof4j.gateway.NvmeTcpBackendController;
import org.nvmeof4j.protocol.admin.AnaState;
import org.nvmeof4j.target.AnaGroups;
import org.nvmeof4j.target.Listener;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.backend.Backend;
import org.nvmeof4j.target.subsystem.Namespace;
import org.nvmeof4j.target.subsystem.Subsystem;

/**
 * Applies a changed nvmetcli configuration to a running target, as {@code nvmetcli restore} changes configfs under a
 * live nvmet: subsystems added and removed, namespaces added, removed or replaced (a changed device, size or block
 * size), host lists and {@code allow_any_host} changed, ANA group states of each port ({@code ports[].ana_groups})
 * and namespaces' ANA groups ({@code ana_grpid}) changed. Connected hosts learn of it through the usual notices
 * (namespace attribute changes, discovery log changes, ANA changes to the controllers of the port or subsystem). A
 * subsystem whose {@code "offload"} object or passthru namespaces changed gets a new offload context (its new
 * passthru backends are connected before anything changes, so an unreachable one rejects the reload); queues
 * connected before serve their next commands in software, new queues through the new context. Ports, serial and
 * model are not changed on a running target:
 * the summary says when they differ. A config that does not parse or check changes nothing.
 */
final class ConfigReload
{
    /** Removed backends are closed after this delay, so commands already running on them finish first. */
    static final long CLOSE_DELAY_SECONDS = 5;

    private static final ScheduledExecutorService CLOSER = Executors.newSingleThreadScheduledExecutor(r ->
    {
        final Thread t = new Thread(r, "nvmeof4j-reload-close");
        t.setDaemon(true);
        return t;
    });

    private ConfigReload()
    {
    }

    /**
     * @param running the config the target runs now (its namespace signatures tell what changed).
     * @param next    the new config.
     * @return one line: what changed.
     * @throws Nvmeof4j.UsageException if {@code next} is invalid (nothing changed then).
     */
    static String apply(final Target target, final NvmetConfig running, final NvmetConfig next)
    {
        final List<Target.SubsystemSpec> specs = next.subsystemSpecs(); // checks everything before any change
        if (!running.portTlsModes().equals(next.portTlsModes()))
        {
            // as nvmet, which refuses a new addr_tsas on an enabled port: turning TLS on, off or optional on a live
            // port is a restart, never a signal (a mistyped reload must not open a port to plaintext)
            throw new Nvmeof4j.UsageException("a port's addr.tsas or addr.treq changed, which a reload does not " +
                "apply (restart the target)");
        }
        // a subsystem whose offload settings or passthru namespaces changed gets a new offload context; its new
        // passthru backends connect first, so that an unreachable one rejects the reload before anything changes
        final Map<String, List<NvmeTcpBackendController>> reattach = new HashMap<>();
        for (final Target.SubsystemSpec spec : specs)
        {
            final TargetOffloads.Spec was = running.offload(spec.nqn());
            final TargetOffloads.Spec now = next.offload(spec.nqn());
            if (target.subsystem(spec.nqn()) != null &&
                (!Objects.equals(was == null ? null : was.signature(), now == null ? null : now.signature()) ||
                    !running.passthru(spec.nqn()).stream().map(TargetOffloads.Passthru::signature).toList()
                        .equals(next.passthru(spec.nqn()).stream().map(TargetOffloads.Passthru::signature).toList())))
            {
                try
                {
                    reattach.put(spec.nqn(), TargetOffloads.connectPassthru(spec.nqn(),
                        TargetOffloads.withQueuesFor(next.passthru(spec.nqn()), target.pollerCount())));
                }
                catch (final RuntimeException e)
                {
                    reattach.values().forEach(l -> l.forEach(NvmeTcpBackendController::close));
                    throw e;
                }
            }
        }
        final List<String> changes = new ArrayList<>();
        final List<String> errors = new ArrayList<>();
        final int tlsKeys = running.reloadTlsKeys(next);
        if (tlsKeys > 0)
        {
            changes.add("tls keys of " + tlsKeys + " host(s)");
        }
        final Set<String> wanted = new HashSet<>();
        for (final Target.SubsystemSpec spec : specs)
        {
            wanted.add(spec.nqn());
        }
        for (final Subsystem s : new ArrayList<>(target.subsystems()))
        {
            if (!s.isDiscovery() && !wanted.contains(s.nqn()))
            {
                target.removeSubsystem(s.nqn());
                TargetOffloads.destroy(s);
                for (final Namespace ns : s.namespaces())
                {
                    closeLater(ns.backend());
                }
                changes.add("-subsystem " + s.nqn());
            }
        }
        for (final Target.SubsystemSpec spec : specs)
        {
            final Subsystem current = target.subsystem(spec.nqn());
            if (current == null)
            {
                try
                {
                    final Subsystem added = spec.build();
                    final TargetOffloads.Spec offload = next.offload(spec.nqn());
                    if (offload != null)
                    {
                        changes.addAll(TargetOffloads.attach(added, offload, target.inlineDataSize(),
                            TargetOffloads.withQueuesFor(next.passthru(spec.nqn()), target.pollerCount())));
                    }
                    target.addSubsystem(added);
                    changes.add("+subsystem " + spec.nqn());
                }
                catch (final RuntimeException e)
                {
                    errors.add(spec.nqn() + ": " + e.getMessage());
                }
                continue;
            }
            hosts(current, spec, changes);
            final TargetOffloads.Spec offload = next.offload(spec.nqn());
            namespaces(current, spec, running, next, changes, errors, offload == null ? 0 : offload.backendQueues());
            final List<NvmeTcpBackendController> connected = reattach.get(spec.nqn());
            if (connected != null)
            {
                for (final TargetOffloads.Passthru p : next.passthru(spec.nqn()))
                {
                    // a namespace of the running config that becomes a passthru one
                    final Namespace ns = current.namespace(p.nsid());
                    if (ns != null && !ns.backend().describe().startsWith("passthru "))
                    {
                        current.removeNamespace(p.nsid());
                        closeLater(ns.backend());
                        changes.add(spec.nqn() + " -ns " + p.nsid());
                    }
                }
                try
                {
                    changes.addAll(TargetOffloads.reattach(current, running.passthru(spec.nqn()), offload,
                        target.inlineDataSize(),
                        TargetOffloads.withQueuesFor(next.passthru(spec.nqn()), target.pollerCount()), connected));
                }
                catch (final RuntimeException e)
                {
                    errors.add(spec.nqn() + ": " + e.getMessage());
                }
            }
        }
        if (!running.portsSignature().equals(next.portsSignature()))
        {
            changes.add("ports differ (not applied: restart the target)");
        }
        else
        {
            // same ports: what each exports may change (nvmetcli links subsystems to ports)
            final List<Listener> listeners = new ArrayList<>();
            for (final Listener l : target.listeners())
            {
                if (!l.discoveryOnly())
                {
                    listeners.add(l);
                }
            }
            final List<java.util.Map<Integer, AnaState>> ana = next.portAnaGroups();
            for (int i = 0; i < Math.min(listeners.size(), ana.size()); i++)
            {
                anaGroups(listeners.get(i), ana.get(i), changes);
            }
            final List<Set<String>> exports = next.portSubsystems();
            for (int i = 0; i < Math.min(listeners.size(), exports.size()); i++)
            {
                final Listener l = listeners.get(i);
                if (l.subsystems() != null && !l.subsystems().equals(exports.get(i)))
                {
                    l.subsystems(exports.get(i));
                    changes.add("port " + l.portId() + " exports " + exports.get(i));
                }
            }
        }
        final String summary = changes.isEmpty() ? "no change" : String.join(", ", changes);
        // one line even when an NQN or a backend's error message holds a newline
        return NvmetConfig.oneLine(errors.isEmpty() ? summary : summary + "; failed: " + String.join("; ", errors));
    }

    /** Make {@code port}'s ANA groups those of the config: states set, groups not listed removed (group 1 reset). */
    private static void anaGroups(final Listener port, final java.util.Map<Integer, AnaState> want,
        final List<String> changes)
    {
        for (final java.util.Map.Entry<Integer, AnaState> e : want.entrySet())
        {
            if (port.anaState(e.getKey(), e.getValue()))
            {
                changes.add("port " + port.portId() + " ana group " + e.getKey() + " " + e.getValue().configName());
            }
        }
        for (final int g : port.anaGroups().groups().keySet())
        {
            if (want.containsKey(g))
            {
                continue;
            }
            if (g == AnaGroups.DEFAULT_GROUP)
            {
                if (port.anaState(g, AnaState.OPTIMIZED))
                {
                    changes.add("port " + port.portId() + " ana group 1 optimized");
                }
            }
            else if (port.removeAnaGroup(g))
            {
                changes.add("port " + port.portId() + " -ana group " + g);
            }
        }
    }

    private static void hosts(final Subsystem current, final Target.SubsystemSpec spec, final List<String> changes)
    {
        if (current.allowAnyHost() != spec.allowsAnyHost())
        {
            current.allowAnyHost(spec.allowsAnyHost());
            changes.add(current.nqn() + " allow_any_host=" + (spec.allowsAnyHost() ? 1 : 0));
        }
        final Set<String> want = new LinkedHashSet<>(spec.allowedHosts());
        for (final String h : new ArrayList<>(current.allowedHosts()))
        {
            if (!want.contains(h))
            {
                current.disallowHost(h);
                changes.add(current.nqn() + " -host " + h);
            }
        }
        for (final String h : want)
        {
            if (!current.allowedHosts().contains(h))
            {
                current.allowHost(h, spec.hostAuth(h));
                changes.add(current.nqn() + " +host " + h);
            }
            else if (!sameAuth(current.hostAuth(h), spec.hostAuth(h)))
            {
                // new keys apply to the next authentication (a new queue or a re-authentication), as in nvmet
                current.allowHost(h, spec.hostAuth(h));
                changes.add(current.nqn() + " host " + h + " dhchap " + (spec.hostAuth(h) == null ? "off" : "changed"));
            }
        }
    }

    private static boolean sameAuth(final org.nvmeof4j.target.subsystem.HostAuth a,
        final org.nvmeof4j.target.subsystem.HostAuth b)
    {
        if (a == null || b == null)
        {
            return a == b;
        }
        return a.key().equals(b.key()) && java.util.Objects.equals(a.ctrlKey(), b.ctrlKey()) && a.hash() == b.hash() &&
            a.group() == b.group();
    }

    private static void namespaces(final Subsystem current, final Target.SubsystemSpec spec,
        final NvmetConfig running, final NvmetConfig next, final List<String> changes, final List<String> errors,
        final int offloadQueues)
    {
        final String nqn = current.nqn();
        final Set<Integer> want = new LinkedHashSet<>(spec.namespaceIds());
        // passthru namespaces are not in the spec (their backends connect at start); a reload keeps them as they are
        final Set<Integer> passthru = new HashSet<>();
        next.passthru(nqn).forEach(p -> passthru.add(p.nsid()));
        for (final Namespace ns : current.namespaces())
        {
            final int nsid = ns.nsid();
            if (passthru.contains(nsid))
            {
                continue;
            }
            if (!want.contains(nsid))
            {
                TargetOffloads.unmapRemoved(current, nsid);
                current.removeNamespace(nsid);
                closeLater(ns.backend());
                changes.add(nqn + " -ns " + nsid);
            }
            else if (Objects.equals(running.namespaceSignature(nqn, nsid), next.namespaceSignature(nqn, nsid)))
            {
                final int grpid = next.namespaceAnaGroup(nqn, nsid);
                if (grpid > 0 && current.namespaceAnaGroup(nsid, grpid))
                {
                    changes.add(nqn + " ns " + nsid + " ana_grpid " + grpid);
                }
            }
            else
            {
                try
                {
                    final Namespace replacement = spec.buildNamespace(nsid);
                    TargetOffloads.unmapRemoved(current, nsid);
                    current.removeNamespace(nsid);
                    closeLater(ns.backend());
                    current.addNamespace(replacement);
                    changes.add(nqn + " ~ns " + nsid);
                    mapAdded(current, replacement, offloadQueues, changes);
                }
                catch (final RuntimeException e)
                {
                    errors.add(nqn + " ns " + nsid + ": " + e.getMessage());
                }
            }
        }
        for (final int nsid : want)
        {
            if (current.namespace(nsid) == null)
            {
                try
                {
                    final Namespace added = spec.buildNamespace(nsid);
                    current.addNamespace(added);
                    changes.add(nqn + " +ns " + nsid);
                    mapAdded(current, added, offloadQueues, changes);
                }
                catch (final RuntimeException e)
                {
                    errors.add(nqn + " ns " + nsid + ": " + e.getMessage());
                }
            }
        }
    }

    private static void mapAdded(final Subsystem s, final Namespace ns, final int queues, final List<String> changes)
    {
        if (queues > 0)
        {
            final String change = TargetOffloads.mapAdded(s, ns, queues);
            if (change != null)
            {
                changes.add(change);
            }
        }
    }

    private static void closeLater(final Backend backend)
    {
        CLOSER.schedule(() ->
        {
            try
            {
                backend.close();
            }
            catch (final Exception ignore)
            {
                // already gone
            }
        }, CLOSE_DELAY_SECONDS, TimeUnit.SECONDS);
    }
}
