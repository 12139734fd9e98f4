package org.nvmeof4j.offload.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Pins the calling thread to one CPU on Linux, without native code: the thread's kernel ID from
 * {@code /proc/thread-self}, then {@code taskset -pc CPU TID} (util-linux). Elsewhere, or without {@code taskset},
 * it does nothing and says so.
 */
final class ThreadAffinity
{
    private ThreadAffinity()
    {
    }

    /** @return the kernel thread ID of the caller, or -1 when not on Linux. */
    static long currentTid()
    {
        try
        {
            final String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString(); // "<pid>/task/<tid>"
            return Long.parseLong(link.substring(link.lastIndexOf('/') + 1));
        }
        catch (final IOException | RuntimeException e)
        {
            return -1;
        }
    }

    /** @return null when pinned, else why not (one line). */
    static String pinCurrentThread(final int cpu)
    {
        final long tid = currentTid();
        if (tid < 0)
        {
            return "no /proc/thread-self: not pinned";
        }
        try
        {
            final Process p = new ProcessBuilder("taskset", "-pc", Integer.toString(cpu), Long.toString(tid))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, TimeUnit.SECONDS))
            {
                p.destroyForcibly();
                return "taskset did not finish: not pinned";
            }
            return p.exitValue() == 0 ? null : "taskset -pc " + cpu + " failed (status " + p.exitValue() + ")";
        }
        catch (final IOException e)
        {
            return "no taskset: not pinned";
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return "interrupted: not pinned";
        }
    }

    /** @return the CPUs the calling thread may run on, as the kernel reports them ({@code Cpus_allowed_list}). */
    static String allowedCpus()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/thread-self/status")))
            {
                if (line.startsWith("Cpus_allowed_list:"))
                {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // not Linux
        }
        return "unknown";
    }
}
