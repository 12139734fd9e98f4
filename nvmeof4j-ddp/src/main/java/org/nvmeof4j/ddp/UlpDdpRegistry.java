package org.nvmeof4j.ddp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.nvmeof4j.tcp.NvmeTcpConnection;

/**
 * Where devices live and how a connection finds one: the Java counterpart of the netdev lookup and of the
 * {@code ulp_ddp_*} wrappers the seed 000 review asked for ({@code get_netdev_for_sock}, and
 * {@code sk_add}/{@code sk_del} wrappers that take and drop the device reference so the ULP does not).
 *
 * <p>Devices are registered by name and bound to local addresses, to network interface names, or as the default.
 * {@link #deviceFor(NvmeTcpConnection)} looks the socket's local address up in that order (an interface binding
 * also matches its sub-interfaces, like the lower-device walk for VLANs); a ULP that was told a device name uses
 * {@link #byName(String)}. The registry counts the connections bound to each device; listeners added here hear
 * every registered device go down. A device is exposed through JMX when it is registered (see {@link UlpDdpMBean}).
 * Thread-safe.
 */
public final class UlpDdpRegistry
{
    private static final UlpDdpRegistry GLOBAL = new UlpDdpRegistry(true);

    private final boolean jmx;
    private final Map<String, UlpDdpDevice> byName = new ConcurrentHashMap<>();
    private final Map<InetAddress, UlpDdpDevice> byAddress = new ConcurrentHashMap<>();
    private final Map<String, UlpDdpDevice> byInterface = new ConcurrentHashMap<>();
    private final Map<UlpDdpDevice, AtomicInteger> references = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<UlpDdpDeviceListener> listeners = new CopyOnWriteArrayList<>();
    private final UlpDdpDeviceListener forwarder = new UlpDdpDeviceListener()
    {
        @Override
        public void onDeviceDown(final UlpDdpDevice device)
        {
            for (final UlpDdpDeviceListener l : listeners)
            {
                l.onDeviceDown(device);
            }
        }

        @Override
        public void onDeviceUp(final UlpDdpDevice device)
        {
            for (final UlpDdpDeviceListener l : listeners)
            {
                l.onDeviceUp(device);
            }
        }
    };
    private volatile UlpDdpDevice defaultDevice;

    /** @param jmx whether registered devices are exposed as MBeans. */
    public UlpDdpRegistry(final boolean jmx)
    {
        this.jmx = jmx;
    }

    /** @return the process-wide registry (JMX on), used by the CLI and by default by the host transport. */
    public static UlpDdpRegistry global()
    {
        return GLOBAL;
    }

    /**
     * Register a device under its name.
     *
     * @throws IllegalArgumentException when another device has that name.
     */
    public UlpDdpDevice register(final UlpDdpDevice device)
    {
        if (byName.putIfAbsent(device.name(), device) != null && byName.get(device.name()) != device)
        {
            throw new IllegalArgumentException("a ULP DDP device named " + device.name() + " is already registered");
        }
        references.putIfAbsent(device, new AtomicInteger());
        device.addListener(forwarder);
        if (jmx)
        {
            UlpDdpMBean.register(device);
        }
        return device;
    }

    /** Remove a device and all its bindings; listeners hear it go down first if it is still bound somewhere. */
    public void unregister(final UlpDdpDevice device)
    {
        if (byName.remove(device.name(), device))
        {
            if (references(device) > 0)
            {
                forwarder.onDeviceDown(device);
            }
            device.removeListener(forwarder);
            byAddress.values().removeIf(d -> d == device);
            byInterface.values().removeIf(d -> d == device);
            if (defaultDevice == device)
            {
                defaultDevice = null;
            }
            references.remove(device);
            if (jmx)
            {
                UlpDdpMBean.unregister(device);
            }
        }
    }

    /** Bind a registered device to a local address: connections from that address use it. */
    public void bindAddress(final InetAddress local, final UlpDdpDevice device)
    {
        requireRegistered(device);
        byAddress.put(local, device);
    }

    /** Bind a registered device to a network interface (and its sub-interfaces) by name, e.g. "eth0". */
    public void bindInterface(final String interfaceName, final UlpDdpDevice device)
    {
        requireRegistered(device);
        byInterface.put(interfaceName, device);
    }

    /** Use a registered device for connections no address or interface binding matches (null: none). */
    public void setDefault(final UlpDdpDevice device)
    {
        if (device != null)
        {
            requireRegistered(device);
        }
        defaultDevice = device;
    }

    private void requireRegistered(final UlpDdpDevice device)
    {
        if (byName.get(device.name()) != device)
        {
            throw new IllegalArgumentException("device " + device.name() + " is not registered");
        }
    }

    /** @return the device registered under a name, or null. */
    public UlpDdpDevice byName(final String name)
    {
        return byName.get(name);
    }

    /** @return all registered devices, by name. */
    public List<UlpDdpDevice> devices()
    {
        final List<UlpDdpDevice> list = new ArrayList<>(byName.values());
        list.sort((a, b) -> a.name().compareTo(b.name()));
        return list;
    }

    /**
     * The device that serves a connection's socket, the analog of {@code get_netdev_for_sock}: by its local
     * address, then by the interface carrying that address (or a parent interface), then the default.
     *
     * @return the device, or null when none applies (the ULP runs in software).
     */
    public UlpDdpDevice deviceFor(final NvmeTcpConnection connection)
    {
        try
        {
            final SocketAddress local = connection.channel().getLocalAddress();
            if (local instanceof InetSocketAddress inet && inet.getAddress() != null)
            {
                return deviceFor(inet.getAddress());
            }
        }
        catch (final IOException ignore)
        {
            // closed channel: fall through to the default
        }
        return defaultDevice;
    }

    /** {@link #deviceFor(NvmeTcpConnection)} for a local address. */
    public UlpDdpDevice deviceFor(final InetAddress local)
    {
        final UlpDdpDevice byAddr = byAddress.get(local);
        if (byAddr != null)
        {
            return byAddr;
        }
        if (!byInterface.isEmpty() && !local.isAnyLocalAddress())
        {
            try
            {
                for (NetworkInterface ni = NetworkInterface.getByInetAddress(local); ni != null; ni = ni.getParent())
                {
                    final UlpDdpDevice d = byInterface.get(ni.getName());
                    if (d != null)
                    {
                        return d;
                    }
                }
            }
            catch (final SocketException ignore)
            {
                // no interface information: use the default
            }
        }
        return defaultDevice;
    }

    /**
     * Query limits for a ULP on the admin queue (the seed's {@code nvme_tcp_ddp_query_limits}): null when the
     * device cannot offload now (down, NVME_TCP not active) or the connection needs TLS the device cannot do.
     */
    public UlpDdpLimits queryLimits(final UlpDdpDevice device, final boolean tls)
    {
        if (device == null)
        {
            return null;
        }
        final UlpDdpLimits limits = device.limits();
        return limits == null || (tls && !limits.tls()) ? null : limits;
    }

    /**
     * Offload an I/O queue through a device ({@code ulp_ddp_sk_add}); on success the registry holds a reference
     * to the device for the connection until {@link #skDel}.
     *
     * @return whether the queue is offloaded (false: it stays in software; the device counted sk_add_fail).
     */
    public boolean skAdd(
        final UlpDdpDevice device, final NvmeTcpConnection connection, final UlpDdpConfig config,
        final UlpDdpUlpOps ulpOps)
    {
        if (!device.skAdd(connection, config, ulpOps))
        {
            return false;
        }
        references.computeIfAbsent(device, d -> new AtomicInteger()).incrementAndGet();
        return true;
    }

    /** Release a connection's offload ({@code ulp_ddp_sk_del}) and the device reference; no-op when not offloaded. */
    public void skDel(final NvmeTcpConnection connection)
    {
        if (connection.segmentSource() instanceof UlpDdpSegmentSource s && s.isOffloaded())
        {
            final UlpDdpDevice device = s.device();
            device.skDel(connection);
            final AtomicInteger refs = references.get(device);
            if (refs != null)
            {
                refs.decrementAndGet();
            }
        }
    }

    /** @return the device offloading this connection, or null when it runs in software. Constant time. */
    public static UlpDdpDevice deviceOf(final NvmeTcpConnection connection)
    {
        return connection.segmentSource() instanceof UlpDdpSegmentSource s && s.isOffloaded() ? s.device() : null;
    }

    /** @return how many connections are bound to a device through this registry. */
    public int references(final UlpDdpDevice device)
    {
        final AtomicInteger refs = references.get(device);
        return refs == null ? 0 : refs.get();
    }

    /** Hear every registered device go down or up. */
    public void addListener(final UlpDdpDeviceListener listener)
    {
        listeners.addIfAbsent(listener);
    }

    public void removeListener(final UlpDdpDeviceListener listener)
    {
        listeners.remove(listener);
    }
}
