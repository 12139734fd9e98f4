package org.nvmeof4j.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the {@code nvmeof4j} command line in this JVM, as a user would, and keeps what it printed. */
final class CliRun
{
    private CliRun()
    {
    }

    /** The exit status and what went to standard output and standard error. */
    record Result(int status, String out, String err)
    {
    }

    static Result run(final String... args)
    {
        final CommandLine cl = Nvmeof4j.commandLine();
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        final int status = cl.execute(args);
        return new Result(status, out.toString(), err.toString());
    }
}
