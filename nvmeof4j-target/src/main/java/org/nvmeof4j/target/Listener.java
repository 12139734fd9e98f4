package org.nvmeof4j.target;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.nvmeof4j.protocol.admin.AnaState;
import org.nvmeof4j.target.subsystem.Subsystem;

/**
 * One NVMe/TCP port (NVMe-oF 1.1, 1.5 "NVM subsystem port"): a listening socket with its own acceptor thread. Each
 * accepted connection becomes a queue on one of the target's pollers. A port exports every subsystem unless given a
 * list of subsystem NQNs (nvmetcli's {@code ports[].subsystems}); the discovery subsystem is served on every port,
 * and a discovery-only port (the well-known 8009) serves nothing else.
 */
public final class Listener implements AutoCloseable
{
    private final Target target;
    private final AtomicInteger liveConnections = new AtomicInteger();
    private final int portId;
    private final String host;
    private final int requestedPort;
    private final boolean discoveryOnly;
    private volatile Set<String> subsystemNqns;
    private final List<Referral> referrals = new CopyOnWriteArrayList<>();
    private final AnaGroups anaGroups;
    private ServerSocketChannel server;
    private InetSocketAddress bound;
    private Thread thread;
    private volatile boolean closed;
    /** Non-null: TLS on this port (nvmet {@code addr_tsas} "tls1.3"). */
    private volatile org.nvmeof4j.tcp.tls.TlsProvider.PskLookup tls;
    /** With {@link #tls}: whether plaintext is refused ({@code addr_treq} "required", the default) or allowed. */
    private volatile boolean tlsRequired = true;

    Listener(final Target target, final int portId, final String host, final int port, final boolean discoveryOnly,
        final Set<String> subsystemNqns, final List<Referral> referrals, final Map<Integer, AnaState> anaGroups)
    {
        this.anaGroups = new AnaGroups(anaGroups);
        this.target = target;
        this.portId = portId;
        this.host = host;
        this.requestedPort = port;
        this.discoveryOnly = discoveryOnly;
        this.subsystemNqns = subsystemNqns;
        this.referrals.addAll(referrals);
    }

    void open() throws IOException
    {
        open(requestedPort);
    }

    private synchronized void open(final int port) throws IOException
    {
        closed = false;
        server = ServerSocketChannel.open();
        server.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
        try
        {
            server.bind(new InetSocketAddress(host, port), 128);
        }
        catch (final IOException e)
        {
            server.close();
            throw new IOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        bound = (InetSocketAddress)server.getLocalAddress();
        thread = new Thread(this::acceptLoop, "nvmeof4j-acceptor-" + bound.getPort());
        thread.setDaemon(true);
        thread.start();
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            final SocketChannel ch;
            try
            {
                ch = server.accept();
            }
            catch (final ClosedChannelException e)
            {
                return;
            }
            catch (final IOException e)
            {
                // e.g. too many open files: back off a little and keep serving
                try
                {
                    Thread.sleep(10);
                }
                catch (final InterruptedException ie)
                {
                    return;
                }
                continue;
            }
            target.accept(ch, this);
        }
    }

    /**
     * Require TLS 1.3 with a PSK on this port (TP 8011): every connection must complete a handshake with a PSK
     * {@code lookup} knows before its ICReq; a plaintext ICReq or an unknown identity ends the connection. Null
     * makes the port plain again (for new connections). The discovery log shows TREQ/TSAS for it.
     */
    public void requireTls(final org.nvmeof4j.tcp.tls.TlsProvider.PskLookup lookup)
    {
        tls(lookup, true);
    }

    /**
     * TLS 1.3 with a PSK on this port, required or not: {@code required} false accepts a host that starts with a
     * plaintext ICReq as well (nvmet's {@code addr_treq} "not required"; the discovery log says TREQ not required).
     * Applies to new connections. Null makes the port plain.
     */
    public void tls(final org.nvmeof4j.tcp.tls.TlsProvider.PskLookup lookup, final boolean required)
    {
        this.tlsRequired = required;
        this.tls = lookup;
        target.discoveryLogChanged();
    }

    /** As {@link #tls}, before the port is open (no discovery log change to announce yet). */
    void tlsBeforeOpen(final org.nvmeof4j.tcp.tls.TlsProvider.PskLookup lookup, final boolean required)
    {
        this.tlsRequired = required;
        this.tls = lookup;
    }

    /** @return whether this TLS port refuses plaintext (meaningless on a plain port). */
    public boolean tlsRequired()
    {
        return tlsRequired;
    }

    /** @return the PSK lookup of a TLS port, or null for a plain one. */
    public org.nvmeof4j.tcp.tls.TlsProvider.PskLookup tls()
    {
        return tls;
    }

    /** @return the connections this port holds now (the target counts them against its limit). */
    AtomicInteger liveConnections()
    {
        return liveConnections;
    }

    /** @return the bound address (the real port when 0 was asked for). */
    public InetSocketAddress address()
    {
        return bound;
    }

    public int port()
    {
        return bound.getPort();
    }

    /** @return PORTID in the discovery log (1-based). */
    public int portId()
    {
        return portId;
    }

    public boolean discoveryOnly()
    {
        return discoveryOnly;
    }

    /** @return whether hosts may connect to {@code s} through this port. */
    public boolean serves(final Subsystem s)
    {
        if (s.isDiscovery())
        {
            return true;
        }
        return !discoveryOnly && (subsystemNqns == null || subsystemNqns.contains(s.nqn()));
    }

    /** @return the subsystems this port exports (null: every one). */
    public Set<String> subsystems()
    {
        return subsystemNqns;
    }

    /**
     * Change what this port exports at runtime (null: every subsystem); the discovery log changes. Hosts already
     * connected through it keep their controllers.
     */
    public void subsystems(final Set<String> nqns)
    {
        subsystemNqns = nqns == null ? null : Set.copyOf(nqns);
        target.discoveryLogChanged();
    }

    /** @return the referrals a host discovering through this port is given (nvmetcli's {@code referrals}). */
    public List<Referral> referrals()
    {
        return Collections.unmodifiableList(referrals);
    }

    /** Add a referral at runtime: the discovery log changes (persistent discovery controllers are notified). */
    public void addReferral(final Referral referral)
    {
        referrals.add(Objects.requireNonNull(referral, "referral"));
        target.discoveryLogChanged();
    }

    /** @return whether it was there; if so the discovery log changes. */
    public boolean removeReferral(final Referral referral)
    {
        final boolean removed = referrals.remove(referral);
        if (removed)
        {
            target.discoveryLogChanged();
        }
        return removed;
    }

    /** @return this port's ANA groups (nvmet's {@code ports/<n>/ana_groups}). */
    public AnaGroups anaGroups()
    {
        return anaGroups;
    }

    /**
     * Create ANA group {@code grpid} on this port or change its state (nvmet: {@code echo STATE >
     * ports/<n>/ana_groups/<grpid>/ana_state}): if that changes anything, every controller whose host came in
     * through this port gets an ANA change notice.
     *
     * @return whether the state changed.
     */
    public boolean anaState(final int grpid, final AnaState state)
    {
        final boolean changed = anaGroups.set(grpid, state);
        if (changed)
        {
            target.anaChanged(this);
        }
        return changed;
    }

    /**
     * Remove ANA group {@code grpid} from this port (its namespaces become inaccessible through it), with an ANA
     * change notice to this port's controllers.
     *
     * @return whether the group was there.
     */
    public boolean removeAnaGroup(final int grpid)
    {
        final boolean removed = anaGroups.remove(grpid);
        if (removed)
        {
            target.anaChanged(this);
        }
        return removed;
    }

    /**
     * Take this port down as a failed path looks to a host: stop listening and tear down every controller whose
     * host came in through it (their connections close), as nvmet does when a port goes away. {@link #reopen()}
     * brings it back on the same TCP port.
     */
    public void disconnect()
    {
        close();
        target.disconnectPort(this);
    }

    /** @return whether the port is listening. */
    public boolean isOpen()
    {
        return !closed && server != null && server.isOpen();
    }

    /** Listen again, on the TCP port bound before (after {@link #disconnect()} or {@link #close()}). */
    public void reopen() throws IOException
    {
        if (isOpen())
        {
            return;
        }
        open(bound != null ? bound.getPort() : requestedPort);
    }

    @Override
    public void close()
    {
        closed = true;
        try
        {
            if (server != null)
            {
                server.close();
            }
        }
        catch (final IOException ignore)
        {
            // closing
        }
        if (thread != null)
        {
            try
            {
                thread.join(2000);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString()
    {
        final InetSocketAddress a = bound;
        return (a == null ? host + ":" + requestedPort : a.getAddress().getHostAddress() + ":" + a.getPort()) +
            (discoveryOnly ? " (discovery)" : "");
    }
}
