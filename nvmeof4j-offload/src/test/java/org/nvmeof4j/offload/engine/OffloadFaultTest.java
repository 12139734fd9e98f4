package org.nvmeof4j.offload.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.IoQueue;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.host.offload.NvmeTcpOfldDev;
import org.nvmeof4j.host.offload.NvmeTcpOfldQueue;
import org.nvmeof4j.host.offload.NvmeTcpOfldStats;
import org.nvmeof4j.host.offload.NvmeTcpOffload;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.tcp.IdleStrategy;

/**
 * Faults of an offload device while a verifying workload runs: a queue error mid-I/O, createQueue failing during the
 * recovery, sendReq refused, the device unregistered while in use, an engine thread that dies. In each: the
 * controller recovers (or, with no device left, fails cleanly), no request completes twice or is lost, no read
 * returns wrong data, and no buffer is written after its request completed.
 */
class OffloadFaultTest
{
    private static Target target;

    @BeforeAll
    static void start()
    {
        target = OffloadTestSupport.ram(512);
    }

    @AfterAll
    static void stop()
    {
        target.close();
    }

    private static ConnectOptions options(final String dev)
    {
        return OffloadTestSupport.options(target, dev).nrIoQueues(1).nrPollQueues(1)
            .reconnectDelay(Duration.ofMillis(100)).ctrlLossTmo(Duration.ofSeconds(10));
    }

    /**
     * Only a guard against a hang: every run ends by its operation count (the faults come at half of it), which a
     * loaded machine reaches late but reaches; a time budget for the count would make the tests timing tests.
     */
    private static long safetyDeadline()
    {
        return System.nanoTime() + 300_000_000_000L;
    }

    private static void assertClean(final VerifyingWorkload w, final long ops)
    {
        assertThat(w.doubleCompletions).as("double completions, %s", w).isZero();
        assertThat(w.mismatches).as("mismatches, %s", w).isZero();
        assertThat(w.sentinelBroken).as("buffers written after completion, %s", w).isZero();
        assertThat(w.errors).as("errors, %s", w).isZero();
        assertThat(w.completed).as("completed, %s", w).isGreaterThanOrEqualTo(ops);
    }

    @Test
    void shouldRecoverFromAQueueErrorMidIoAndFailedCreateQueues()
    {
        final FaultyOps ops = new FaultyOps(new OffloadEngine.Options().name("faulty-qerr-engine"));
        final NvmeTcpOfldDev dev = ops.device("faulty-qerr");
        NvmeTcpOffload.registerDev(dev);
        try (NvmeController c = NvmeController.connect(options("faulty-qerr")))
        {
            final IoQueue q = c.openIoQueue();
            final VerifyingWorkload w = new VerifyingWorkload(q, 16, 512, 0);
            w.run(20_000, safetyDeadline(), () ->
            {
                ops.failCreateQueue.set(2);       // the first two reconnect attempts of the I/O queue fail
                ops.queueErrorAfter.set(5);       // then the queue breaks with requests in flight
            });
            assertClean(w, 20_000);
            assertThat(c.reconnects()).isGreaterThanOrEqualTo(1);
            assertThat(ops.injected.get()).isGreaterThanOrEqualTo(3);
            assertThat(dev.stats().get(NvmeTcpOfldStats.QUEUE_ERRORS)).isGreaterThanOrEqualTo(1);
            assertThat(c.state()).isEqualTo(NvmeController.State.LIVE);
        }
        finally
        {
            NvmeTcpOffload.unregisterDev(dev);
            ops.inner.close();
        }
    }

    @Test
    void shouldRecoverWhenSendReqIsRefused()
    {
        final FaultyOps ops = new FaultyOps(new OffloadEngine.Options().name("faulty-send-engine"));
        final NvmeTcpOfldDev dev = ops.device("faulty-send");
        NvmeTcpOffload.registerDev(dev);
        try (NvmeController c = NvmeController.connect(options("faulty-send")))
        {
            final IoQueue q = c.openIoQueue();
            final VerifyingWorkload w = new VerifyingWorkload(q, 8, 256, 8192);
            w.run(10_000, safetyDeadline(), () -> ops.refuseSendAfter.set(3));
            assertClean(w, 10_000);
            assertThat(ops.injected.get()).isEqualTo(1);
            assertThat(c.reconnects()).isGreaterThanOrEqualTo(1);
        }
        finally
        {
            NvmeTcpOffload.unregisterDev(dev);
            ops.inner.close();
        }
    }

    @Test
    void shouldIgnoreACompletionAfterTheQueueWasDrained()
    {
        final FaultyOps ops = new FaultyOps(new OffloadEngine.Options().name("faulty-late-engine"));
        final NvmeTcpOfldDev dev = ops.device("faulty-late");
        NvmeTcpOffload.registerDev(dev);
        try (NvmeController c = NvmeController.connect(options("faulty-late")))
        {
            final IoQueue q = c.openIoQueue();
            final VerifyingWorkload w = new VerifyingWorkload(q, 8, 256, 16384);
            w.run(4_000, safetyDeadline(), () -> ops.queueErrorAfter.set(2));
            assertClean(w, 4_000);
            // a driver that completes a request of a destroyed queue (outside pollQueue) is ignored and counted
            final NvmeTcpOfldQueue old = ops.queues.stream().filter(x -> x.qid() == 1).findFirst().orElseThrow();
            final long spurious = dev.stats().get(NvmeTcpOfldStats.SPURIOUS_COMPLETIONS);
            for (int i = 0; i < old.queueSize(); i++)
            {
                old.req(i).done(0, 0);
            }
            assertThat(dev.stats().get(NvmeTcpOfldStats.SPURIOUS_COMPLETIONS) - spurious).isEqualTo(old.queueSize());
            q.poll(w);
            assertThat(w.doubleCompletions).isZero();
        }
        finally
        {
            NvmeTcpOffload.unregisterDev(dev);
            ops.inner.close();
        }
    }

    @Test
    void shouldMoveToAnotherDeviceWhenItsDeviceIsUnregistered()
    {
        NvmeTcpOffload.probe();
        final OffloadEngine dflt = ReferenceEngineDriver.defaultEngine();
        if (dflt != null)
        {
            NvmeTcpOffload.unregisterDev(dflt.dev()); // so that the two below are the only claimers
        }
        final OffloadEngine a = OffloadEngine.register(new OffloadEngine.Options().name("move-a"));
        final OffloadEngine b = OffloadEngine.register(new OffloadEngine.Options().name("move-b"));
        try (NvmeController c = NvmeController.connect(options(null)))
        {
            final IoQueue q = c.openIoQueue();
            final VerifyingWorkload w = new VerifyingWorkload(q, 16, 512, 24576);
            w.run(20_000, safetyDeadline(), () -> NvmeTcpOffload.unregisterDev(a.dev()));
            assertClean(w, 20_000);
            assertThat(a.dev().stats().get(NvmeTcpOfldStats.QUEUE_ERRORS)).isGreaterThanOrEqualTo(1);
            assertThat(b.dev().stats().get(NvmeTcpOfldStats.REQS_COMPLETED)).isPositive();
            assertThat(c.state()).isEqualTo(NvmeController.State.LIVE);
        }
        finally
        {
            a.close();
            b.close();
            if (dflt != null)
            {
                NvmeTcpOffload.registerDev(dflt.dev());
            }
        }
    }

    @Test
    void shouldFailCleanlyWhenTheOnlyDeviceIsUnregistered() throws Exception
    {
        final OffloadEngine only = OffloadEngine.register(new OffloadEngine.Options().name("only"));
        final ConnectOptions o = options("only").ctrlLossTmo(Duration.ofSeconds(1));
        try (NvmeController c = NvmeController.connect(o))
        {
            final IoQueue q = c.openIoQueue();
            final VerifyingWorkload w = new VerifyingWorkload(q, 8, 256, 32768);
            w.run(20_000, safetyDeadline(), () -> NvmeTcpOffload.unregisterDev(only.dev()));
            // every request outstanding at the loss completes once, with the controller-lost status
            assertThat(w.doubleCompletions).isZero();
            assertThat(w.mismatches).isZero();
            assertThat(w.sentinelBroken).isZero();
            assertThat(w.errors).isPositive();
            assertThat(w.firstErrorStatus).isEqualTo(IoQueue.STATUS_CONTROLLER_LOST);
            assertThat(q.outstanding()).isZero();
            assertThat(c.lastError()).contains("only");
        }
        finally
        {
            only.close();
        }
    }

    @Test
    void shouldRecoverWhenAnEngineThreadDies()
    {
        final AtomicBoolean kill = new AtomicBoolean();
        final IdleStrategy normal = IdleStrategy.defaultStrategy();
        // the engine's idle strategy throws once when told to: the engine thread dies outside any task
        final IdleStrategy killer = (work, waiter) ->
        {
            if (kill.compareAndSet(true, false))
            {
                throw new Error("injected engine thread death");
            }
            normal.idle(work, waiter);
        };
        final OffloadEngine e = OffloadEngine.register(new OffloadEngine.Options().name("mortal").idle(() -> killer));
        try (NvmeController c = NvmeController.connect(options("mortal")))
        {
            final IoQueue q = c.openIoQueue();
            final VerifyingWorkload w = new VerifyingWorkload(q, 4, 256, 40960);
            w.run(20_000, safetyDeadline(), () -> kill.set(true));
            assertClean(w, 20_000);
            assertThat(kill.get()).as("the engine thread was killed").isFalse();
            assertThat(c.reconnects()).isGreaterThanOrEqualTo(1);
            assertThat(e.describeThreads()).anyMatch(s -> s.startsWith("nvmeof4j-mortal-0.1"));
        }
        finally
        {
            e.close();
        }
    }
}
