package org.nvmeof4j.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time as {@code nvmeof4j perf} reports it: the whole process's (user and system apart, from /proc/self/stat) or
 * that of a set of threads (from the JVM).
 */
final class CpuTime
{
    /** Clock ticks per second of /proc/self/stat (USER_HZ). */
    static final double TICKS_PER_SECOND = 100.0;

    private CpuTime()
    {
    }

    /** @return CPU time of these threads (ns), or 0 when the JVM cannot tell. */
    static long threadsCpuNanos(final List<Thread> threads)
    {
        final var mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (final Thread t : threads)
        {
            final long ns = mx.isThreadCpuTimeSupported() ? mx.getThreadCpuTime(t.getId()) : -1;
            sum += Math.max(0, ns);
        }
        return sum;
    }

    /** @return utime and stime of the whole process in clock ticks (/proc/self/stat fields 14 and 15), or -1. */
    static long[] cpuTicks()
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc/self/stat"));
            final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": field 3 is f[0], so utime (14) is f[11], stime (15) f[12]
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
        }
        catch (final IOException | RuntimeException e)
        {
            final var os = ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.OperatingSystemMXBean)
            {
                final long ns = ((com.sun.management.OperatingSystemMXBean)os).getProcessCpuTime();
                return new long[] {ns / 10_000_000L, 0};
            }
            return new long[] {-1, -1};
        }
    }
}
