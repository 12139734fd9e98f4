package org.nvmeof4j.cli;

import java.util.concurrent.Callable;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.host.NvmeException;
import org.nvmeof4j.host.NvmeTransportException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code nvmeof4j flush}: NVM Flush of a namespace. */
@Command(name = "flush", mixinStandardHelpOptions = true, description = "Flush a namespace's volatile write cache.")
public final class FlushCommand implements Callable<Integer>
{
    @Mixin
    HostConnectOptions connect;
    @Mixin
    HostConnectOptions.HostNqnOption host;
    @Option(names = {"--nsid", "--namespace-id"}, paramLabel = "NSID", defaultValue = "1",
        description = "namespace (default ${DEFAULT-VALUE})")
    int nsid;

    @Override
    public Integer call()
    {
        try (NvmeController c = HostConnectOptions.connect(connect.toOptions(host.hostnqn, 4420, true)))
        {
            c.flushBlocking(nsid);
        }
        catch (final NvmeException | NvmeTransportException e)
        {
            throw new HostConnectOptions.CliFailure("flush: " + e.getMessage(), e);
        }
        System.err.println("NVMe Flush: success");
        return 0;
    }
}
