package org.nvmeof4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code nvmeof4j} command: nvme-cli's vocabulary ({@code -t tcp -a TRADDR -s TRSVCID -n SUBNQN -q HOSTNQN})
 * for the host side, nvmetcli's JSON for the target side.
 *
 * <p>Exit status: 0 success, 1 the operation failed (e.g. an NVMe error status), 2 a usage or configuration error
 * (one line on stderr).
 */
@Command(
    name = "nvmeof4j",
    mixinStandardHelpOptions = true,
    versionProvider = Nvmeof4j.Version.class,
    description = "NVMe over TCP for the JVM: host, target and offload tools.",
    subcommands = {
        CommandLine.HelpCommand.class,
        TargetCommand.class,
        DiscoverCommand.class,
        IdCtrlCommand.class,
        IdNsCommand.class,
        ListNsCommand.class,
        ListSubsysCommand.class,
        ReadWriteCommand.Read.class,
        ReadWriteCommand.Write.class,
        FlushCommand.class,
        PerfCommand.class,
        DdpCommand.class,
        OffloadCommand.class,
        TargetOffloadCommand.class,
        GenDhchapKeyCommand.class,
        GenTlsKeyCommand.class,
    })
public final class Nvmeof4j implements Runnable
{
    /** Exit status for a usage or configuration error. */
    public static final int EXIT_USAGE = 2;
    /** Exit status for an operation that failed. */
    public static final int EXIT_FAILURE = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(System.out);
    }

    /** @return a command line with the house error handling: one clear line and status 2 for bad input. */
    public static CommandLine commandLine()
    {
        final CommandLine cl = new CommandLine(new Nvmeof4j());
        cl.setParameterExceptionHandler((ex, args) ->
        {
            ex.getCommandLine().getErr().println("nvmeof4j: " + ex.getMessage() +
                " (see 'nvmeof4j " + ex.getCommandLine().getCommandName() + " --help')");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) ->
        {
            if (ex instanceof UsageException)
            {
                commandLine.getErr().println("nvmeof4j: " + ex.getMessage());
                return EXIT_USAGE;
            }
            commandLine.getErr().println("nvmeof4j: " + (ex.getMessage() != null ? ex.getMessage() : ex.toString()));
            if (Boolean.getBoolean("nvmeof4j.debug"))
            {
                ex.printStackTrace(commandLine.getErr());
            }
            return EXIT_FAILURE;
        });
        return cl;
    }

    public static void main(final String[] args)
    {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null)
        {
            // one line per log record ("INFO: created controller 1 ..."), not the JDK's two-line default
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        }
        System.exit(commandLine().execute(args));
    }

    /** Thrown by commands for a bad flag value or config: reported as one line, exit status 2. */
    public static final class UsageException extends RuntimeException
    {
        public UsageException(final String message)
        {
            super(message);
        }
    }

    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String v = Nvmeof4j.class.getPackage().getImplementationVersion();
            return new String[] {"nvmeof4j " + (v != null ? v : "dev")};
        }
    }
}
