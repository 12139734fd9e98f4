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
    /** Host NQNs whose TLS PSKs are derived as libnvme 1.x does ({@link TlsPsk#deriveCompat}). */
    private final Map<String, Boolean> compat = new ConcurrentHashMap<>();
    private final AtomicLong unknown = new AtomicLong();

    /** Set (or replace) the configured PSK of a host. */
    public HostPskTable put(final String hostNqn, final ConfiguredPsk key)
    {
        return put(hostNqn, key, false);
    }

    /**
     * Set (or replace) the configured PSK of a host.
     *
     * @param compat derive the TLS PSK as libnvme 1.x (nvme-cli 2.x, e.g. Debian 13's 1.13) does, with its
     *               non-RFC 8446 HkdfLabel ({@link TlsPsk#deriveCompat}): the key such a host's keyring holds after
     *               {@code nvme check-tls-key --insert}; false: as the spec and nvme-cli 3 do.
     */
    public HostPskTable put(final String hostNqn, final ConfiguredPsk key, final boolean compat)
    {
        keys.put(hostNqn, key);
        this.compat.put(hostNqn, compat);
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

    /**
     * Both derivations of the host's configured key for the identity, the one {@link #put} named first: a target
     * that checks the ClientHello's binder then serves hosts of either kind (nvme-cli 3 and nvme-cli 2.x / libnvme
     * 1.x keyrings) without being told which.
     */
    @Override
    public java.util.List<TlsPsk> candidates(final String identity)
    {
        final TlsPsk first = find(identity);
        if (first == null)
        {
            return java.util.List.of();
        }
        final String[] f = identity.split(" ", -1);
        final ConfiguredPsk key = keys.get(f[1]);
        if (key == null)
        {
            return java.util.List.of(first);
        }
        final int version = f[0].charAt(4) - '0';
        final TlsPsk other = Boolean.TRUE.equals(compat.get(f[1])) ? TlsPsk.derive(key, f[1], f[2], version)
            : TlsPsk.deriveCompat(key, f[1], f[2], version);
        return other.identity().equals(identity) ? java.util.List.of(first, other) : java.util.List.of(first);
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
                final TlsPsk p = Boolean.TRUE.equals(compat.get(f[1])) ? TlsPsk.deriveCompat(key, f[1], f[2], version)
                    : TlsPsk.derive(key, f[1], f[2], version);
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
