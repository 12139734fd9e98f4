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
    private final File log;
    private final List<String> vmOutput = new ArrayList<>();
    private int port2;
    private int controlPort;
    private java.net.Socket control;
    private BufferedReader controlIn;

    private LinuxTargetVm(final Process vm, final int port, final String nqn, final File log)
    {
        this.vm = vm;
        this.port = port;
        this.nqn = nqn;
        this.log = log;
    }

    /**
     * Boot the VM with two nvmet ports for the subsystem ({@code --second-port}, both forwarded from free ports of
     * 127.0.0.1) and the control line ({@code --control-port}, see {@link #control}), plus {@code more} options
     * (e.g. {@code --ana-state 2:1=non-optimized}).
     */
    public static LinuxTargetVm startTwoPorts(final String nqn, final int sizeMib, final List<String> more)
        throws Exception
    {
        final int p2 = freePort();
        final int cp = freePort();
        final List<String> all = new ArrayList<>(List.of("--second-port", String.valueOf(p2), "--control-port",
            String.valueOf(cp)));
        all.addAll(more);
        final LinuxTargetVm t = start(nqn, sizeMib, all);
        t.port2 = p2;
        t.controlPort = cp;
        return t;
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket s = new ServerSocket(0))
        {
            return s.getLocalPort();
        }
    }

    /** @return the port on 127.0.0.1 forwarded to nvmet port 2 (0 without {@link #startTwoPorts}). */
    public int port2()
    {
        return port2;
    }

    /**
     * Send one command on the control line (the guest's ttyS1), e.g. {@code ana 1 1 inaccessible}, and return the
     * guest's answer line ({@code ok ...} or {@code error ...}).
     */
    public synchronized String control(final String command) throws IOException
    {
        if (control == null)
        {
            control = new java.net.Socket("127.0.0.1", controlPort);
            control.setSoTimeout(30_000);
            controlIn = new BufferedReader(new InputStreamReader(control.getInputStream(), StandardCharsets.US_ASCII));
        }
        control.getOutputStream().write((command + "\n").getBytes(StandardCharsets.US_ASCII));
        control.getOutputStream().flush();
        String line;
        do
        {
            line = controlIn.readLine();
        }
        while (line != null && line.isBlank());
        return line == null ? "error: the control line closed" : line.replace("\r", "").trim();
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
        final LinuxTargetVm target = new LinuxTargetVm(vm, port, nqn, log);
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

    /** @return what linux-target.sh printed so far (its INFO lines, kernel messages), one line each. */
    public String output()
    {
        synchronized (vmOutput)
        {
            return String.join("\n", vmOutput);
        }
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
        if (control != null)
        {
            try
            {
                control.close();
            }
            catch (final IOException ignore)
            {
                // the VM goes anyway
            }
        }
        vm.destroy();
        if (!vm.waitFor(30, TimeUnit.SECONDS))
        {
            vm.destroyForcibly();
        }
        // the guest's side of the story (nvmet, tlshd) for the test's log
        try
        {
            final List<String> all = Files.readAllLines(log.toPath(), StandardCharsets.ISO_8859_1);
            System.out.println("---- guest log (last 80 lines of " + log + ") ----");
            all.subList(Math.max(0, all.size() - 80), all.size()).forEach(l -> System.out.println("[guest] " + l));
        }
        catch (final IOException e)
        {
            System.out.println("---- no guest log: " + e + " ----");
        }
    }
}
