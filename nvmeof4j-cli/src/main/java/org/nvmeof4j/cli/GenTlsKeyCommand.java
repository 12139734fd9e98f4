package org.nvmeof4j.cli;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.nvmeof4j.cli.Nvmeof4j.UsageException;
import org.nvmeof4j.tcp.tls.ConfiguredPsk;
import org.nvmeof4j.tcp.tls.TlsPsk;
import org.nvmeof4j.tcp.tls.TlsPskHash;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nvmeof4j gen-tls-key}: a configured PSK in the interchange format, like {@code nvme gen-tls-key}; with a
 * host and subsystem NQN it also prints the PSK identity the key gives (never the derived key).
 */
@Command(name = "gen-tls-key", mixinStandardHelpOptions = true,
    description = "Generate a TLS PSK in NVMe interchange format (NVMeTLSkey-1:<hh>:<base64>:).")
public final class GenTlsKeyCommand implements Callable<Integer>
{
    @Option(names = {"-m", "--hmac"}, paramLabel = "N", defaultValue = "1",
        description = "hash for the retained key: 1 = SHA-256 (32-byte key), 2 = SHA-384 (48-byte key)")
    int hmac;

    @Option(names = {"-s", "--secret"}, paramLabel = "HEX",
        description = "use this secret (hex, 32 or 48 bytes) instead of a random one")
    String secret;

    @Option(names = {"-q", "--hostnqn"}, paramLabel = "HOSTNQN", description = "with -n: print the PSK identity")
    String hostnqn;

    @Option(names = {"-n", "--subsysnqn"}, paramLabel = "SUBNQN", description = "with -q: print the PSK identity")
    String subnqn;

    @Option(names = {"-I", "--identity"}, paramLabel = "V", defaultValue = "0",
        description = "PSK identity version: 0 (NVMe0R0x, Linux 6.12's default) or 1 (NVMe1R0x, with digest)")
    int identity;

    @Override
    public Integer call()
    {
        final TlsPskHash hash;
        try
        {
            hash = TlsPskHash.valueOf(hmac);
        }
        catch (final IllegalArgumentException e)
        {
            throw new UsageException("--hmac must be 1 (SHA-256) or 2 (SHA-384)");
        }
        final ConfiguredPsk key;
        if (secret != null)
        {
            final byte[] raw;
            try
            {
                raw = HexFormat.of().parseHex(secret);
            }
            catch (final IllegalArgumentException e)
            {
                throw new UsageException("--secret is not hex");
            }
            if (raw.length != hash.length())
            {
                throw new UsageException("--secret must be " + hash.length() + " bytes for --hmac=" + hmac +
                    ", not " + raw.length);
            }
            key = ConfiguredPsk.of(hmac, raw);
        }
        else
        {
            key = ConfiguredPsk.generate(hash, new SecureRandom());
        }
        // printing the key is this command's purpose: it goes to stdout only, never to a log
        System.out.println(key.format());
        if (hostnqn != null && subnqn != null)
        {
            if (identity != 0 && identity != 1)
            {
                throw new UsageException("--identity must be 0 or 1");
            }
            System.out.println("identity: " + TlsPsk.derive(key, hostnqn, subnqn, identity).identity());
        }
        return 0;
    }
}
