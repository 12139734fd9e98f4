package org.nvmeof4j.host.spi;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The transports this JVM knows, by name: those on the class path's {@link ServiceLoader} entries for
 * {@link NvmeTransport} (found once, on first use), plus those {@link #register registered} at run time, which
 * take precedence (a test or an offload driver module may add one). The analog of Linux's
 * {@code nvmf_register_transport} list.
 */
public final class NvmeTransports
{
    private static final Map<String, NvmeTransport> REGISTERED = new TreeMap<>();
    private static boolean loaded;

    private NvmeTransports()
    {
    }

    /** Add (or replace) a transport under its {@link NvmeTransport#name()}. */
    public static synchronized void register(final NvmeTransport transport)
    {
        load();
        REGISTERED.put(transport.name(), transport);
    }

    /** Remove the transport registered under {@code name}, if any. */
    public static synchronized void unregister(final String name)
    {
        load();
        REGISTERED.remove(name);
    }

    /**
     * @return the transport called {@code name}.
     * @throws IllegalArgumentException if none is, naming those that are.
     */
    public static synchronized NvmeTransport get(final String name)
    {
        load();
        final NvmeTransport t = name == null ? null : REGISTERED.get(name);
        if (t == null)
        {
            throw new IllegalArgumentException("unknown transport '" + name + "' (known: " +
                String.join(", ", REGISTERED.keySet()) + ")");
        }
        return t;
    }

    /** @return the names of every known transport, sorted. */
    public static synchronized java.util.SortedSet<String> names()
    {
        load();
        return java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(REGISTERED.keySet()));
    }

    private static void load()
    {
        if (loaded)
        {
            return;
        }
        loaded = true;
        for (final NvmeTransport t : ServiceLoader.load(NvmeTransport.class, NvmeTransports.class.getClassLoader()))
        {
            REGISTERED.putIfAbsent(t.name(), t);
        }
    }
}
