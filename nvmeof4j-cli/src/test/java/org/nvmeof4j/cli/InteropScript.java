package org.nvmeof4j.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the interop/ scripts with the CLI on this module's test classpath ({@code NVMEOF4J_CLI_CLASSPATH}),
 * echoing its output as it comes, and keeps what it printed.
 */
final class InteropScript
{
    /** What a run left: whether it finished in time, its exit status, and everything it printed. */
    record Result(boolean finished, int exitValue, String output)
    {
        String lastLine()
        {
            return output.lines().reduce((a, b) -> b).orElse("(no output)");
        }

        /** @return the last line that starts with {@code prefix}, or "(no summary)". */
        String lastLineStartingWith(final String prefix)
        {
            return output.lines().filter(l -> l.startsWith(prefix)).reduce((a, b) -> b).orElse("(no summary)");
        }
    }

    private InteropScript()
    {
    }

    static Result run(final String script, final long timeoutSeconds) throws IOException, InterruptedException
    {
        return run(script, timeoutSeconds, List.of());
    }

    /** Run {@code script} with these arguments. */
    static Result run(final String script, final long timeoutSeconds, final List<String> args)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(repositoryRoot().resolve(script).toString());
        command.addAll(args);
        final ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("NVMEOF4J_CLI_CLASSPATH", System.getProperty("java.class.path"));
        final Process p = pb.start();
        final List<String> lines = new ArrayList<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = r.readLine()) != null)
                {
                    System.out.println(line);
                    synchronized (lines)
                    {
                        lines.add(line);
                    }
                }
            }
            catch (final IOException e)
            {
                // the process was destroyed
            }
        });
        reader.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS))
        {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(10_000);
        final String output;
        synchronized (lines)
        {
            output = String.join("\n", lines);
        }
        return new Result(!p.isAlive(), p.isAlive() ? -1 : p.exitValue(), output);
    }

    static Path repositoryRoot()
    {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("interop/wireshark-check.sh")))
        {
            p = p.getParent();
        }
        if (p == null)
        {
            throw new IllegalStateException("interop/wireshark-check.sh not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
