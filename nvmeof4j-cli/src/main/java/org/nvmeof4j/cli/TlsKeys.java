package org.nvmeof4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.nvmeof4j.cli.Nvmeof4j.UsageException;
import org.nvmeof4j.tcp.tls.ConfiguredPsk;

/** Reads a TLS PSK given on the command line: the interchange string itself, or a file that holds it. */
final class TlsKeys
{
    private TlsKeys()
    {
    }

    /**
     * @param value {@code NVMeTLSkey-1:...:} or the path of a file holding it (group/world-readable files are warned
     *              about). Errors never quote the key.
     */
    static ConfiguredPsk read(final String value, final String option)
    {
        String text = value;
        if (!value.startsWith("NVMeTLSkey-"))
        {
            final Path p;
            try
            {
                p = Path.of(value);
            }
            catch (final InvalidPathException e)
            {
                // a NUL (or what the file system cannot name) is no path: say so without echoing the text
                throw new UsageException(option + ": neither a key in interchange format nor a file name");
            }
            if (!Files.isRegularFile(p))
            {
                throw new UsageException(option + ": neither a key in interchange format nor a readable file");
            }
            try
            {
                warnIfReadableByOthers(p, option);
                text = Files.readString(p).strip();
            }
            catch (final IOException e)
            {
                throw new UsageException(option + ": cannot read " + p + ": " + e.getMessage());
            }
        }
        try
        {
            return ConfiguredPsk.parse(text);
        }
        catch (final IllegalArgumentException e)
        {
            throw new UsageException(option + ": " + e.getMessage());
        }
    }

    private static void warnIfReadableByOthers(final Path p, final String option)
    {
        try
        {
            final Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ))
            {
                System.err.println("warning: " + option + " file " + p + " is readable by group or others (chmod 600)");
            }
        }
        catch (final IOException | UnsupportedOperationException ignore)
        {
            // not a POSIX file system: nothing to check
        }
    }
}
