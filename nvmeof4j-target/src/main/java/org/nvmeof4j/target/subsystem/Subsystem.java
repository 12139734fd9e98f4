package org.nvmeof4j.target.subsystem;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.nvmeof4j.protocol.fabrics.Nqn;
import org.nvmeof4j.protocol.fabrics.NqnCheck;

/**
 * An NVM subsystem (NVMe Base 1.4, 1.5.19 and NVMe-oF 1.1, 3.1): an NQN, the namespaces it exports, and the hosts
 * allowed to create controllers on it. The discovery subsystem ({@link Nqn#DISCOVERY}) is a subsystem with no
 * namespaces that every host may connect to.
 *
 * <p>Namespaces may be added and removed at runtime from any thread: the NSID table is replaced copy-on-write, so
 * the I/O path reads it with one volatile load and no lock; controllers are told so they can raise a Namespace
 * Attribute Changed event.
 */
public final class Subsystem
{
    /** Highest NSID a subsystem accepts (also NN in Identify Controller). */
    public static final int MAX_NSID = 1024;

    private final String nqn;
    private final byte[] nqnUtf8;
    private final boolean discovery;
    private final String serial;
    private final String model;
    private volatile boolean allowAnyHost;
    private final Set<String> allowedHosts = ConcurrentHashMap.newKeySet();
    private final java.util.Map<String, HostAuth> hostAuth = new ConcurrentHashMap<>();
    private volatile Namespace[] namespaces = new Namespace[MAX_NSID + 1];
    private final List<IntConsumer> namespaceListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> accessListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Subsystem>> anaListeners = new CopyOnWriteArrayList<>();
    private final Object cntlidLock = new Object();
    private final Set<Integer> cntlidsInUse = new java.util.HashSet<>();
    private int nextCntlid = 1;
    /** The offload context serving this subsystem's mapped namespaces (seed 004), or null. */
    private volatile org.nvmeof4j.target.offload.OffloadHook offload;

    /**
     * @param nqn    the subsystem NQN.
     * @param serial serial number (SN, at most 20 ASCII characters), or null for one derived from the NQN.
     * @param model  model number (MN, at most 40 ASCII characters), or null for "nvmeof4j".
     */
    public Subsystem(final String nqn, final String serial, final String model)
    {
        final NqnCheck check = Nqn.check(nqn);
        if (check != NqnCheck.VALID)
        {
            throw new IllegalArgumentException("invalid subsystem NQN (" + check + "): " + nqn);
        }
        this.nqn = nqn;
        this.nqnUtf8 = nqn.getBytes(StandardCharsets.UTF_8);
        this.discovery = Nqn.DISCOVERY.equals(nqn);
        this.serial = serial != null ? checkAscii(serial, 20, "serial") : String.format("%016x",
            (long)nqn.hashCode() * 0x9E3779B97F4A7C15L >>> 4 ^ nqn.length());
        this.model = model != null ? checkAscii(model, 40, "model") : "nvmeof4j";
        this.allowAnyHost = discovery;
    }

    /**
     * Check a string the target reports in Identify Controller (SN, MN): at most {@code max} printable ASCII
     * characters.
     *
     * @return {@code s}.
     * @throws IllegalArgumentException naming {@code what} otherwise.
     */
    public static String checkAscii(final String s, final int max, final String what)
    {
        if (s.length() > max || !s.chars().allMatch(c -> c >= 0x20 && c < 0x7F))
        {
            throw new IllegalArgumentException(what + " must be at most " + max + " printable ASCII characters: " + s);
        }
        return s;
    }

    /**
     * @return the target offload hook of this subsystem (its offload context), or null: every command is served by
     *         the software target.
     */
    public org.nvmeof4j.target.offload.OffloadHook offload()
    {
        return offload;
    }

    /**
     * Attach (or, with null, detach) a target offload hook. Queues consult it when their Connect succeeds, so a
     * change applies to I/O queues connected afterwards. Any thread.
     */
    public Subsystem offload(final org.nvmeof4j.target.offload.OffloadHook hook)
    {
        this.offload = hook;
        return this;
    }

    public String nqn()
    {
        return nqn;
    }

    /** @return the NQN as UTF-8, for allocation-free comparison against a Connect's SUBNQN. */
    public byte[] nqnUtf8()
    {
        return nqnUtf8;
    }

    public boolean isDiscovery()
    {
        return discovery;
    }

    public String serial()
    {
        return serial;
    }

    public String model()
    {
        return model;
    }

    public boolean allowAnyHost()
    {
        return allowAnyHost;
    }

    public Subsystem allowAnyHost(final boolean allow)
    {
        this.allowAnyHost = allow;
        accessChanged();
        return this;
    }

    public Subsystem allowHost(final String hostNqn)
    {
        final NqnCheck check = Nqn.check(hostNqn);
        if (check != NqnCheck.VALID)
        {
            throw new IllegalArgumentException("invalid host NQN (" + check + "): " + hostNqn);
        }
        allowedHosts.add(hostNqn);
        accessChanged();
        return this;
    }

    /**
     * Allow {@code hostNqn} and require it to authenticate with DH-HMAC-CHAP ({@code auth} null: no authentication).
     */
    public Subsystem allowHost(final String hostNqn, final HostAuth auth)
    {
        allowHost(hostNqn);
        if (auth == null)
        {
            hostAuth.remove(hostNqn);
        }
        else
        {
            hostAuth.put(hostNqn, auth);
        }
        return this;
    }

    /** @return the DH-HMAC-CHAP settings of {@code hostNqn}, or null when the host need not authenticate. */
    public HostAuth hostAuth(final String hostNqn)
    {
        return hostAuth.get(hostNqn);
    }

    public Subsystem disallowHost(final String hostNqn)
    {
        hostAuth.remove(hostNqn);
        allowedHosts.remove(hostNqn);
        accessChanged();
        return this;
    }

    public Set<String> allowedHosts()
    {
        return Collections.unmodifiableSet(allowedHosts);
    }

    /** @return whether a host may connect (NVMe-oF 1.1, 3.3: otherwise Connect fails with status 0x84). */
    public boolean isHostAllowed(final String hostNqn)
    {
        return allowAnyHost || allowedHosts.contains(hostNqn);
    }

    /** @return the namespace with this NSID, or null. Lock-free; safe from the I/O path. */
    public Namespace namespace(final int nsid)
    {
        final Namespace[] ns = namespaces;
        return nsid > 0 && nsid < ns.length ? ns[nsid] : null;
    }

    /** @return the active namespaces in NSID order (allocates). */
    public List<Namespace> namespaces()
    {
        final List<Namespace> list = new ArrayList<>();
        for (final Namespace n : namespaces)
        {
            if (n != null)
            {
                list.add(n);
            }
        }
        return list;
    }

    /** Add a namespace; controllers get a Namespace Attribute Changed event. */
    public synchronized Subsystem addNamespace(final Namespace ns)
    {
        if (discovery)
        {
            throw new IllegalStateException("the discovery subsystem has no namespaces");
        }
        if (ns.nsid() < 1 || ns.nsid() > MAX_NSID)
        {
            throw new IllegalArgumentException("NSID must be 1.." + MAX_NSID + ": " + ns.nsid());
        }
        if (namespaces[ns.nsid()] != null)
        {
            throw new IllegalArgumentException("namespace " + ns.nsid() + " already exists in " + nqn);
        }
        final Namespace[] copy = namespaces.clone();
        copy[ns.nsid()] = ns;
        namespaces = copy;
        fireNamespaceChanged(ns.nsid());
        return this;
    }

    /**
     * Remove a namespace; commands already running on it finish, new ones fail with Invalid Namespace. The backend is
     * not closed (the caller owns it).
     *
     * @return the removed namespace, or null.
     */
    public synchronized Namespace removeNamespace(final int nsid)
    {
        final Namespace old = namespace(nsid);
        if (old == null)
        {
            return null;
        }
        final Namespace[] copy = namespaces.clone();
        copy[nsid] = null;
        namespaces = copy;
        fireNamespaceChanged(nsid);
        return old;
    }

    private void fireNamespaceChanged(final int nsid)
    {
        for (final IntConsumer l : namespaceListeners)
        {
            l.accept(nsid);
        }
    }

    /**
     * Move namespace {@code nsid} to ANA group {@code grpid} (nvmet: {@code echo N > namespaces/<nsid>/ana_grpid}):
     * every controller of this subsystem gets an ANA change notice.
     *
     * @return whether the group changed.
     * @throws IllegalArgumentException for an unknown namespace or a group ID outside 1..128.
     */
    public boolean namespaceAnaGroup(final int nsid, final int grpid)
    {
        final Namespace ns = namespace(nsid);
        if (ns == null)
        {
            throw new IllegalArgumentException("no namespace " + nsid + " in " + nqn);
        }
        if (grpid < 1 || grpid > Namespace.MAX_ANA_GROUP)
        {
            throw new IllegalArgumentException("ANA group ID must be 1.." + Namespace.MAX_ANA_GROUP + ": " + grpid);
        }
        if (ns.anaGrpId() == grpid)
        {
            return false;
        }
        ns.anaGrpId(grpid);
        for (final Consumer<Subsystem> l : anaListeners)
        {
            l.accept(this);
        }
        return true;
    }

    /** Told when a namespace moves to another ANA group (the target notifies the controllers). */
    public void addAnaListener(final Consumer<Subsystem> listener)
    {
        anaListeners.add(listener);
    }

    public void removeAnaListener(final Consumer<Subsystem> listener)
    {
        anaListeners.remove(listener);
    }

    /** Told when the allowed hosts change (which changes what the discovery log shows each host). */
    public void addAccessListener(final Runnable listener)
    {
        accessListeners.add(listener);
    }

    public void removeAccessListener(final Runnable listener)
    {
        accessListeners.remove(listener);
    }

    private void accessChanged()
    {
        for (final Runnable l : accessListeners)
        {
            l.run();
        }
    }

    /** Register for namespace changes (a controller does this while it lives). */
    public void addNamespaceListener(final IntConsumer listener)
    {
        namespaceListeners.add(listener);
    }

    public void removeNamespaceListener(final IntConsumer listener)
    {
        namespaceListeners.remove(listener);
    }

    /** @return a free controller ID (dynamic controller model, NVMe-oF 1.1 3.4), 1..0xFFEF, or -1 when none is left. */
    public int allocateCntlid()
    {
        synchronized (cntlidLock)
        {
            for (int i = 0; i < 0xFFEF; i++)
            {
                final int id = nextCntlid;
                nextCntlid = nextCntlid >= 0xFFEF ? 1 : nextCntlid + 1;
                if (cntlidsInUse.add(id))
                {
                    return id;
                }
            }
            return -1;
        }
    }

    public void releaseCntlid(final int cntlid)
    {
        synchronized (cntlidLock)
        {
            cntlidsInUse.remove(cntlid);
        }
    }

    /** Close every backend (at target shutdown). */
    public void closeBackends()
    {
        for (final Namespace n : namespaces())
        {
            try
            {
                n.backend().close();
            }
            catch (final Exception ignore)
            {
                // shutting down
            }
        }
    }

    @Override
    public String toString()
    {
        return nqn;
    }
}
