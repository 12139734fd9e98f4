package org.nvmeof4j.host.multipath;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.protocol.admin.AnaState;
import org.nvmeof4j.target.Listener;
import org.nvmeof4j.target.Target;

/**
 * A manual measurement, not a test: the longest I/O pause a verifying workload sees on loopback while path 0 of two
 * goes inaccessible and back, then is taken down and comes back. Run with the test classpath:
 * {@code java ... org.nvmeof4j.host.multipath.FailoverPause [workers] [policy]}.
 */
public final class FailoverPause
{
    private FailoverPause()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int workers = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        final IoPolicy policy = args.length > 1 ? IoPolicy.fromName(args[1]) : IoPolicy.NUMA;
        final String nqn = "nqn.2024-01.org.nvmeof4j:pause";
        try (Target t = Target.builder().listen("127.0.0.1", 0).listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(nqn).allowAnyHost().ramNamespace(1, 16L << 20)).build().start())
        {
            final List<ConnectOptions> paths = new ArrayList<>();
            for (final Listener l : t.listeners())
            {
                paths.add(ConnectOptions.tcp("127.0.0.1", l.port(), nqn).nrIoQueues(1)
                    .reconnectDelay(Duration.ofMillis(100)).ctrlLossTmo(Duration.ofSeconds(30)));
            }
            try (NvmeSubsystem s = NvmeSubsystem.connect(paths, policy))
            {
                final AtomicBoolean stop = new AtomicBoolean();
                final AtomicLong lastCompletion = new AtomicLong(System.nanoTime());
                final AtomicLong longestGap = new AtomicLong();
                final AtomicLong ios = new AtomicLong();
                final AtomicLong mismatches = new AtomicLong();
                final AtomicLong errors = new AtomicLong();
                final List<Thread> threads = new ArrayList<>();
                for (int w = 0; w < workers; w++)
                {
                    final int worker = w;
                    final Thread th = new Thread(() ->
                    {
                        final ByteBuffer out = ByteBuffer.allocateDirect(4096);
                        final ByteBuffer in = ByteBuffer.allocateDirect(4096);
                        long seq = 0;
                        while (!stop.get())
                        {
                            final long lba = (worker * 256L + seq % 256) * 8;
                            for (int i = 0; i < 4096; i += 8)
                            {
                                out.putLong(i, seq * 31 + worker + i);
                            }
                            try
                            {
                                s.write(1, lba, 8, out.clear()).get(30, TimeUnit.SECONDS);
                                mark(lastCompletion, longestGap);
                                s.read(1, lba, 8, in.clear()).get(30, TimeUnit.SECONDS);
                                mark(lastCompletion, longestGap);
                                if (!in.clear().equals(out.clear()))
                                {
                                    mismatches.incrementAndGet();
                                }
                                ios.addAndGet(2);
                            }
                            catch (final Exception e)
                            {
                                errors.incrementAndGet();
                            }
                            seq++;
                        }
                    });
                    th.start();
                    threads.add(th);
                }
                final Listener a = t.listeners().get(0);
                Thread.sleep(1000);
                final long gapSteady = longestGap.getAndSet(0);
                a.anaState(1, AnaState.INACCESSIBLE);
                Thread.sleep(1000);
                final long gapInaccessible = longestGap.getAndSet(0);
                a.anaState(1, AnaState.OPTIMIZED);
                Thread.sleep(1000);
                final long gapBack = longestGap.getAndSet(0);
                a.disconnect();
                Thread.sleep(1000);
                final long gapDown = longestGap.getAndSet(0);
                a.reopen();
                Thread.sleep(1500);
                final long gapReopen = longestGap.getAndSet(0);
                stop.set(true);
                for (final Thread th : threads)
                {
                    th.join();
                }
                System.out.printf("policy=%s workers=%d ios=%d errors=%d mismatches=%d failovers=%d queued=%d " +
                        "completed=%d/%d%n", policy.sysfsName(), workers, ios.get(), errors.get(), mismatches.get(),
                    s.failovers(), s.queuedNoPath(), s.completed(), s.submitted());
                System.out.printf("longest pause ms: steady %.1f, inaccessible %.1f, back to optimized %.1f, " +
                        "port down %.1f, port back %.1f%n", gapSteady / 1e6, gapInaccessible / 1e6, gapBack / 1e6,
                    gapDown / 1e6, gapReopen / 1e6);
                System.out.println(s.listSubsys(1));
            }
        }
    }

    private static void mark(final AtomicLong last, final AtomicLong longest)
    {
        final long now = System.nanoTime();
        final long prev = last.getAndSet(now);
        longest.accumulateAndGet(now - prev, Math::max);
    }
}
