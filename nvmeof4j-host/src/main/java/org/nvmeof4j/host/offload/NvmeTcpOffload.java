package org.nvmeof4j.host.offload;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.nvmeof4j.host.ConnectOptions;

/**
 * The offload devices this JVM has (seed 002's device list with {@code nvme_tcp_ofld_register_dev} /
 * {@code nvme_tcp_ofld_unregister_dev}), and the device lookup of a connect: by {@code offload_dev} name, or the
 * first registered device whose {@code claimDev} accepts the target address. Driver modules found by the
 * {@link ServiceLoader} ({@link NvmeTcpOfldDriver}) are probed on first use. Each registered device is visible
 * through JMX ({@link NvmeTcpOfldMBean}). Thread-safe.
 */
public final class NvmeTcpOffload
{
    private static final Map<String, NvmeTcpOfldDev> BY_NAME = new ConcurrentHashMap<>();
    private static final List<NvmeTcpOfldDev> ORDER = new CopyOnWriteArrayList<>();
    private static boolean probed;

    private NvmeTcpOffload()
    {
    }

    /**
     * Register a device; from now on controllers may claim it.
     *
     * @throws IllegalArgumentException when another device has that name.
     */
    public static void registerDev(final NvmeTcpOfldDev dev)
    {
        if (BY_NAME.putIfAbsent(dev.name(), dev) != null)
        {
            throw new IllegalArgumentException("offload device '" + dev.name() + "' is already registered");
        }
        ORDER.add(dev);
        NvmeTcpOfldMBean.register(dev);
    }

    /**
     * Unregister a device (its driver is going away or the device failed). Every queue on it fails with a queue
     * error, so its controllers recover: they reconnect through another device that claims the address, or retry
     * until {@code ctrl_loss_tmo}. Returns at once; the queues stop on their owner threads.
     */
    public static void unregisterDev(final NvmeTcpOfldDev dev)
    {
        if (!BY_NAME.remove(dev.name(), dev))
        {
            return;
        }
        ORDER.remove(dev);
        NvmeTcpOfldMBean.unregister(dev);
        TcpOffloadTransport.deviceGone(dev);
    }

    /** @return whether {@code dev} is registered. */
    public static boolean isRegistered(final NvmeTcpOfldDev dev)
    {
        return BY_NAME.get(dev.name()) == dev;
    }

    /** @return the registered device called {@code name}, or null. */
    public static NvmeTcpOfldDev byName(final String name)
    {
        probe();
        return BY_NAME.get(name);
    }

    /** @return registered devices, in registration order. */
    public static Collection<NvmeTcpOfldDev> devices()
    {
        probe();
        return new ArrayList<>(ORDER);
    }

    /** Probe the class path's drivers once. */
    public static synchronized void probe()
    {
        if (probed)
        {
            return;
        }
        probed = true;
        for (final NvmeTcpOfldDriver d : ServiceLoader.load(NvmeTcpOfldDriver.class,
            NvmeTcpOffload.class.getClassLoader()))
        {
            try
            {
                d.probe();
            }
            catch (final RuntimeException ignore)
            {
                // one driver failing its probe leaves the others (and the tcp transport) usable
            }
        }
    }

    /**
     * Find the device for {@code options} and check the options against it (Linux's
     * {@code nvmf_check_required_opts} / {@code allowed_opts}, done here once: the ULP has no option list of its own).
     *
     * @return the device that claimed the controller.
     * @throws IllegalArgumentException in one line, naming the device and the option.
     */
    static NvmeTcpOfldDev claim(final ConnectOptions options)
    {
        probe();
        final NvmeTcpOfldDev dev;
        if (options.offloadDev() != null)
        {
            dev = BY_NAME.get(options.offloadDev());
            if (dev == null)
            {
                throw new IllegalArgumentException("no offload device '" + options.offloadDev() + "' (registered: " +
                    names() + ")");
            }
            if (!dev.ops().claimDev(dev, options))
            {
                throw new IllegalArgumentException("offload device '" + dev.name() + "' does not reach " +
                    options.traddr() + ":" + options.trsvcid());
            }
        }
        else
        {
            NvmeTcpOfldDev found = null;
            for (final NvmeTcpOfldDev d : ORDER)
            {
                if (d.ops().claimDev(d, options))
                {
                    found = d;
                    break;
                }
            }
            if (found == null)
            {
                throw new IllegalArgumentException("no offload device reaches " + options.traddr() + ":" +
                    options.trsvcid() + " (registered: " + names() + ")");
            }
            dev = found;
        }
        checkOptions(dev, options);
        dev.stats().claimed();
        return dev;
    }

    static void checkOptions(final NvmeTcpOfldDev dev, final ConnectOptions options)
    {
        for (final String k : options.usedKeys())
        {
            if (!dev.allowedOpts().contains(k))
            {
                throw new IllegalArgumentException("offload device '" + dev.name() + "' does not support option " + k);
            }
        }
        for (final String k : dev.requiredOpts())
        {
            if (!options.usedKeys().contains(k))
            {
                throw new IllegalArgumentException("offload device '" + dev.name() + "' requires option " + k);
            }
        }
    }

    private static String names()
    {
        final List<String> n = new ArrayList<>();
        for (final NvmeTcpOfldDev d : ORDER)
        {
            n.add(d.name());
        }
        return n.isEmpty() ? "none" : String.join(", ", n);
    }
}
