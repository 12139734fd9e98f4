package org.nvmeof4j.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Linux kernel target (nvmet-tcp) in a QEMU VM booted by {@code interop/linux-target.sh} on a free port of
 * 127.0.0.1, for the {@code linux-interop} tests: {@link #start} returns once the VM prints READY, {@link #close}
 * stops it. Public for the linux-interop tests of other modules (through the host test-jar).
 */
public final class LinuxTargetVm implements AutoCloseable
{
    private final Process vm;
    private final int port;
    private final String nqn;
    private final List<String> vmOutput = new ArrayList<>();

    private LinuxTargetVm(final Process vm, final int port, final String nqn)
    {
        this.vm = vm;
        this.port = port;
        this.nqn = nqn;
    }

    /** Boot the VM exporting {@code nqn} with namespace 1 of {@code sizeMib} MiB, and wait until it is READY. */
    public static LinuxTargetVm start(final String nqn, final int sizeMib) throws Exception
    {
        return start(nqn, sizeMib, java.util.List.of());
    }

    /** As {@link #start(String, int)}, with more linux-target.sh options (e.g. {@code --dhchap-host}). */
    public static LinuxTargetVm start(final String nqn, final int sizeMib, final java.util.List<String> more)
        throws Exception
    {
        Path script = Path.of("interop", "linux-target.sh");
        if (!Files.exists(script))
        {
            script = Path.of("..", "interop", "linux-target.sh");
        }
        assertThat(script).exists();
        final int port;
        try (ServerSocket s = new ServerSocket(0))
        {
            port = s.getLocalPort();
        }
        final File log = File.createTempFile("nvmeof4j-linux-target-", ".log");
        final java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(script.toString(), "--port",
            String.valueOf(port), "--nqn", nqn, "--size-mib", String.valueOf(sizeMib), "--log", log.getPath(),
            "--timeout", "900"));
        cmd.addAll(more);
        final Process vm = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final LinuxTargetVm target = new LinuxTargetVm(vm, port, nqn);
        try
        {
            target.awaitReady();
        }
        catch (final Exception | AssertionError e)
        {
            target.close();
            throw e;
        }
        return target;
    }

    private void awaitReady() throws Exception
    {
        final BufferedReader r = new BufferedReader(new InputStreamReader(vm.getInputStream(), StandardCharsets.UTF_8));
        final CompletableFuture<Boolean> ready = new CompletableFuture<>();
        final Thread reader = new Thread(() ->
        {
            try
            {
                String line;
                while ((line = r.readLine()) != null)
                {
                    synchronized (vmOutput)
                    {
                        vmOutput.add(line);
                    }
                    System.out.println("[vm] " + line);
                    if (line.contains("INTEROP TARGET READY"))
                    {
                        ready.complete(true);
                    }
                }
            }
            catch (final IOException ignore)
            {
                // the VM went away
            }
            ready.complete(false);
        }, "linux-target-output");
        reader.setDaemon(true);
        reader.start();
        assertThat(ready.get(300, TimeUnit.SECONDS)).as("VM ready; output: %s", vmOutput).isTrue();
    }

    /** @return the port on 127.0.0.1 forwarded to the target's 4420. */
    public int port()
    {
        return port;
    }

    /** @return options to connect to the exported subsystem: one I/O queue, no poll queues. */
    public ConnectOptions options()
    {
        return ConnectOptions.tcp("127.0.0.1", port, nqn).nrIoQueues(1).nrPollQueues(0);
    }

    /** Stop the VM (SIGTERM, then SIGKILL after 30 s). */
    @Override
    public void close() throws InterruptedException
    {
        vm.destroy();
        if (!vm.waitFor(30, TimeUnit.SECONDS))
        {
            vm.destroyForcibly();
        }
    }
}
