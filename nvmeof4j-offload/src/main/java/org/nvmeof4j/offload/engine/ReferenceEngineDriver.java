package org.nvmeof4j.offload.engine;

import org.nvmeof4j.host.offload.NvmeTcpOfldDriver;

/**
 * Registers the default reference engine ({@value OffloadEngine#DEFAULT_NAME}) when the {@code tcp_offload} ULP is
 * first used. Its options come from system properties: {@code nvmeof4j.offload.threads} (default 1),
 * {@code nvmeof4j.offload.cpus} (a taskset CPU list; default: not pinned) and {@code nvmeof4j.offload.idle}
 * ({@code spin}, {@code backoff}, {@code block}; default block). The CLI sets them from {@code --offload-threads},
 * {@code --offload-cpus} and {@code --offload-idle}.
 */
public final class ReferenceEngineDriver implements NvmeTcpOfldDriver
{
    /** System property: engine threads. */
    public static final String THREADS = "nvmeof4j.offload.threads";
    /** System property: CPU list to pin the engine threads to. */
    public static final String CPUS = "nvmeof4j.offload.cpus";
    /** System property: idle strategy of the engine threads. */
    public static final String IDLE = "nvmeof4j.offload.idle";

    private static volatile OffloadEngine defaultEngine;

    @Override
    public String name()
    {
        return "nvmeof4j reference offload engine";
    }

    @Override
    public void probe()
    {
        defaultEngine = OffloadEngine.register(defaultOptions());
    }

    /** @return the default engine's options from the system properties. */
    static OffloadEngine.Options defaultOptions()
    {
        final OffloadEngine.Options o = new OffloadEngine.Options()
            .threads(Integer.parseInt(System.getProperty(THREADS, "1")));
        final String cpus = System.getProperty(CPUS, "");
        if (!cpus.isBlank())
        {
            o.cpus(OffloadEngine.Options.parseCpus(cpus));
        }
        // block by default: on a 2-core machine an engine thread that spins before it sleeps takes the core the target
        // or the application needs (4 KiB randread QD16, embedded target: 85K IOPS with block, 64K with backoff)
        o.idle(System.getProperty(IDLE, "block"));
        return o;
    }

    /** @return the default engine, or null before the ULP probed its drivers. */
    public static OffloadEngine defaultEngine()
    {
        return defaultEngine;
    }
}
