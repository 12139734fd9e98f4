package org.nvmeof4j.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.UUID;
import org.nvmeof4j.protocol.fabrics.Nqn;

/**
 * The host's identity, stable across runs like {@code /etc/nvme/hostnqn} and {@code /etc/nvme/hostid} of nvme-cli:
 * a UUID generated once and kept in {@code $XDG_CONFIG_HOME/nvmeof4j/} (default {@code ~/.config/nvmeof4j/}) as
 * {@code hostid}, with {@code hostnqn} = {@code nqn.2014-08.org.nvmexpress:uuid:<uuid>} (NVMe Base 2.0, 4.5).
 */
public final class HostNqn
{
    private static volatile HostNqn defaultIdentity;

    private final String hostnqn;
    private final UUID hostid;

    public HostNqn(final String hostnqn, final UUID hostid)
    {
        this.hostnqn = hostnqn;
        this.hostid = hostid;
    }

    public String hostnqn()
    {
        return hostnqn;
    }

    public UUID hostid()
    {
        return hostid;
    }

    /** @return the directory the identity is kept in. */
    public static Path configDirectory()
    {
        final String xdg = System.getenv("XDG_CONFIG_HOME");
        final Path base = xdg != null && !xdg.isEmpty() ? Paths.get(xdg) :
            Paths.get(System.getProperty("user.home"), ".config");
        return base.resolve("nvmeof4j");
    }

    /** The stable identity of this user, created on first use. Falls back to a fresh one if the directory is read-only. */
    public static HostNqn defaultIdentity()
    {
        HostNqn id = defaultIdentity;
        if (id == null)
        {
            synchronized (HostNqn.class)
            {
                id = defaultIdentity;
                if (id == null)
                {
                    id = load(configDirectory());
                    defaultIdentity = id;
                }
            }
        }
        return id;
    }

    /** Read (or create) the identity kept in {@code dir}. */
    public static HostNqn load(final Path dir)
    {
        final Path idFile = dir.resolve("hostid");
        final Path nqnFile = dir.resolve("hostnqn");
        try
        {
            UUID uuid = null;
            if (Files.isRegularFile(idFile))
            {
                uuid = UUID.fromString(Files.readString(idFile, StandardCharsets.US_ASCII).trim());
            }
            String nqn = null;
            if (Files.isRegularFile(nqnFile))
            {
                nqn = Files.readString(nqnFile, StandardCharsets.UTF_8).trim();
            }
            if (uuid == null)
            {
                uuid = UUID.randomUUID();
                Files.createDirectories(dir);
                Files.writeString(idFile, uuid + "\n", StandardCharsets.US_ASCII);
            }
            if (nqn == null || nqn.isEmpty())
            {
                nqn = Nqn.forUuid(uuid);
                Files.createDirectories(dir);
                Files.writeString(nqnFile, nqn + "\n", StandardCharsets.UTF_8);
            }
            return new HostNqn(nqn, uuid);
        }
        catch (final IOException | IllegalArgumentException e)
        {
            final UUID uuid = UUID.randomUUID();
            return new HostNqn(Nqn.forUuid(uuid), uuid);
        }
    }

    @Override
    public String toString()
    {
        return hostnqn + " (hostid " + hostid + ")";
    }
}
