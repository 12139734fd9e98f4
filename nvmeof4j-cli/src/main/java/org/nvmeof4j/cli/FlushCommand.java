package org.nvmeof4j.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code nvmeof4j flush}: NVM Flush of a namespace. */
@Command(name = "flush", mixinStandardHelpOptions = true, description = "Flush a namespace's volatile write cache.")
public final class FlushCommand implements Callable<Integer>
{
    @Mixin
    HostConnectOptions.Connection connect;
    @Option(names = {"--nsid", "--namespace-id"}, paramLabel = "NSID", defaultValue = "1",
        description = "namespace (default ${DEFAULT-VALUE})")
    int nsid;

    @Override
    public Integer call()
    {
        connect.io("flush", c ->
        {
            c.flushBlocking(nsid);
            return null;
        });
        System.err.println("NVMe Flush: success");
        return 0;
    }
}
