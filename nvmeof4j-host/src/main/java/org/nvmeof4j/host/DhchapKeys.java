package org.nvmeof4j.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.function.Consumer;

import org.nvmeof4j.protocol.auth.DhchapSecret;

/**
 * Reads a DH-HMAC-CHAP secret given either inline ({@code DHHC-1:...}, as nvme-cli takes it) or as the path of a
 * key file holding that text. A key file that its group or others may read is still used, with a warning, as
 * ssh does for a config file; errors name the file and the problem, never its content.
 */
public final class DhchapKeys
{
    private DhchapKeys()
    {
    }

    /**
     * @param what  the option's name, for messages ({@code --dhchap-secret})
     * @param warn  receives the permission warning
     * @throws IllegalArgumentException with a one-line message that holds no secret
     */
    public static DhchapSecret read(final String what, final String valueOrPath, final Consumer<String> warn)
    {
        if (valueOrPath.startsWith("DHHC-1:"))
        {
            return parse(what, valueOrPath);
        }
        final Path p = Path.of(valueOrPath);
        if (!Files.isRegularFile(p))
        {
            throw new IllegalArgumentException(what + ": neither a DHHC-1 secret nor a readable key file: " + p);
        }
        try
        {
            final Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ))
            {
                warn.accept("warning: key file " + p + " is readable by group or others; chmod 600 it");
            }
        }
        catch (final UnsupportedOperationException | IOException e)
        {
            // not a POSIX file system: nothing to check
        }
        final String text;
        try
        {
            text = Files.readString(p, StandardCharsets.US_ASCII);
        }
        catch (final IOException e)
        {
            throw new IllegalArgumentException(what + ": cannot read key file " + p + ": " + e.getClass().getSimpleName());
        }
        return parse(what + " (" + p + ")", text);
    }

    private static DhchapSecret parse(final String what, final String text)
    {
        try
        {
            return DhchapSecret.parse(text);
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException(what + ": " + e.getMessage());
        }
    }
}
