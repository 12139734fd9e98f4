package org.nvmeof4j.tcp.tls;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A controller's configured PSKs, one per host NQN (nvmet keeps them in the kernel's {@code .nvme} keyring): finds
 * the TLS PSK for a PSK identity a host offers, {@code NVMe0R<hh> <hostnqn> <subnqn>} or
 * {@code NVMe1R<hh> <hostnqn> <subnqn> <digest>}, by deriving it from that host's configured key and checking that
 * the identity is exactly the one the key gives. Unknown identities are counted, never logged with a key.
 */
public final class HostPskTable implements TlsProvider.PskLookup
{
    private final Map<String, ConfiguredPsk> keys = new ConcurrentHashMap<>();
    private final AtomicLong unknown = new AtomicLong();

    /** Set (or replace) the configured PSK of a host. */
    public HostPskTable put(final String hostNqn, final ConfiguredPsk key)
    {
        keys.put(hostNqn, key);
        return this;
    }

    /** Forget the configured PSK of a host (new handshakes with its identities fail). */
    public HostPskTable remove(final String hostNqn)
    {
        keys.remove(hostNqn);
        return this;
    }

    public boolean isEmpty()
    {
        return keys.isEmpty();
    }

    /** @return identities offered that no configured key gives (handshakes refused for want of a PSK). */
    public long unknownIdentities()
    {
        return unknown.get();
    }

    @Override
    public TlsPsk find(final String identity)
    {
        final String[] f = identity.split(" ", -1);
        if ((f.length == 3 && f[0].startsWith("NVMe0R")) || (f.length == 4 && f[0].startsWith("NVMe1R")))
        {
            final ConfiguredPsk key = keys.get(f[1]);
            if (key != null && f[0].length() == 8)
            {
                final int version = f[0].charAt(4) - '0';
                final TlsPsk p = TlsPsk.derive(key, f[1], f[2], version);
                if (p.identity().equals(identity))
                {
                    return p;
                }
            }
        }
        unknown.incrementAndGet();
        return null;
    }
}
