package org.nvmeof4j.cli;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.Callable;

import org.nvmeof4j.cli.Nvmeof4j.UsageException;
import org.nvmeof4j.host.HostNqn;
import org.nvmeof4j.protocol.auth.DhchapSecret;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nvmeof4j gen-dhchap-key}: a DH-HMAC-CHAP secret in the {@code DHHC-1:<hh>:<base64>:} representation, with
 * nvme-cli's options and result ({@code nvme gen-dhchap-key}): random bytes, or {@code --secret}'s, transformed with
 * HMAC-hh(secret, NQN || "NVMe-over-Fabrics") when {@code --hmac} is not 0. The key goes to standard output only.
 */
@Command(name = "gen-dhchap-key", mixinStandardHelpOptions = true,
    description = "Generate a DH-HMAC-CHAP key for NVMe in-band authentication (as nvme gen-dhchap-key).")
public final class GenDhchapKeyCommand implements Callable<Integer>
{
    @Option(names = {"-s", "--secret"}, paramLabel = "HEX", description = "secret to start from instead of random")
    String secret;

    @Option(names = {"-l", "--key-length"}, paramLabel = "N", description = "key length: 32, 48 or 64 (default: " +
        "the HMAC's length, 32 without one)")
    Integer keyLength;

    @Option(names = {"-n", "--nqn"}, paramLabel = "NQN", description = "host NQN for the key transformation " +
        "(default: this host's)")
    String nqn;

    @Option(names = {"-m", "--hmac"}, paramLabel = "N", defaultValue = "0",
        description = "transformation: 0 none (default), 1 SHA-256, 2 SHA-384, 3 SHA-512")
    int hmac;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call()
    {
        if (hmac < 0 || hmac > 3)
        {
            throw new UsageException("--hmac must be 0..3");
        }
        byte[] raw = null;
        if (secret != null)
        {
            try
            {
                raw = HexFormat.of().parseHex(secret);
            }
            catch (final IllegalArgumentException e)
            {
                throw new UsageException("--secret is not hexadecimal");
            }
        }
        final int length = keyLength != null ? keyLength : raw != null ? raw.length : hmac == 0 ? 32 : 16 + 16 * hmac;
        if (length != 32 && length != 48 && length != 64)
        {
            throw new UsageException("--key-length must be 32, 48 or 64");
        }
        if (raw != null && raw.length != length)
        {
            throw new UsageException("--secret is " + raw.length + " bytes, --key-length " + length);
        }
        final String hostNqn = nqn != null ? nqn : HostNqn.defaultIdentity().hostnqn();
        try
        {
            spec.commandLine().getOut().println(DhchapSecret.generate(hmac, length, raw, hostNqn, new SecureRandom()).format());
        }
        catch (final IllegalArgumentException e)
        {
            throw new UsageException(e.getMessage());
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
