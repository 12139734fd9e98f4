package org.nvmeof4j.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real host ({@link NvmeController#connect}, then reads, R2T writes and in-capsule writes through the async API)
 * against {@link ScriptedTarget}, which breaks one PDU per round (chosen by a seeded plan: byte flips, wrong types,
 * bad HLEN/PDO/PLEN/DATAL, unknown or foreign CIDs, DATAO and R2T ranges outside the command, duplicates, stray
 * PDUs, truncation, a close mid-PDU, a dropped PDU, a bad ICResp). Whatever it does:
 * <ul>
 *   <li>connect and every I/O end, within the timeouts the test sets, in success or a documented exception
 *       ({@link NvmeException}, {@link NvmeTransportException} and its {@link ControllerLostException});</li>
 *   <li>nothing is written outside the caller's buffer (guard bytes on both sides);</li>
 *   <li>a read that succeeds holds what the target sent for it; a write that succeeds is on the target's disk;</li>
 *   <li>where NVMe/TCP names the host's answer, the host sends that H2CTermReq (FES, FEI) before it closes, and
 *       none when the target closed first or sent its own TermReq;</li>
 *   <li>the controller recovers (a reconnect finds the target valid again) and serves I/O afterwards, and a fresh
 *       controller works after every few rounds; no thread dies of an uncaught exception.</li>
 * </ul>
 * Rounds and seed: {@code -Dhostile.rounds=N -Dhostile.seed=S}; a failure names the round's seed.
 */
class HostileTargetTest
{
    private static final int ROUNDS = Integer.getInteger("hostile.rounds", 320);
    private static final long SEED = Long.getLong("hostile.seed", 0x5EED_F022L);
    private static final int GUARD = 64;
    private static final byte GUARD_BYTE = (byte)0xA5;
    private static final byte POISON = (byte)0x5C;
    private static final Duration IO_TIMEOUT = Duration.ofMillis(400);
    /** Longest a round may take: connect, two I/O rounds with a timeout and a reconnect each, close. */
    private static final long ROUND_LIMIT_SECONDS = 20;

    private static ScriptedTarget target;
    private static final java.util.concurrent.atomic.AtomicReference<String> lastError =
        new java.util.concurrent.atomic.AtomicReference<>();
    private static final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    private static Thread.UncaughtExceptionHandler previousHandler;

    @BeforeAll
    static void start() throws Exception
    {
        previousHandler = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(new AssertionError(t.getName(), e)));
        target = new ScriptedTarget();
    }

    @AfterAll
    static void stop() throws Exception
    {
        target.close();
        Thread.setDefaultUncaughtExceptionHandler(previousHandler);
    }

    @Test
    void shouldSurviveAHostileTarget() throws Exception
    {
        final Random master = new Random(SEED);
        final ExecutorService runner = Executors.newSingleThreadExecutor(r ->
        {
            final Thread t = new Thread(r, "hostile-round");
            t.setDaemon(true);
            return t;
        });
        final Stats stats = new Stats();
        try
        {
            final Long only = Long.getLong("hostile.roundSeed");
            for (int round = 0; round < (only != null ? 1 : ROUNDS); round++)
            {
                final long seed = only != null ? only : master.nextLong();
                runBounded(runner, () -> mutatedRound(seed, stats), "round " + round + " seed " + seed);
                if (round % 20 == 19)
                {
                    runBounded(runner, () -> cleanController(seed), "clean controller after seed " + seed);
                }
                assertThat(uncaught).as("uncaught exceptions in threads").isEmpty();
            }
            runBounded(runner, () -> cleanController(SEED), "clean controller at the end");
        }
        finally
        {
            runner.shutdownNow();
        }
        System.out.println("HostileTargetTest: " + ROUNDS + " rounds, seed " + SEED + ": " + stats);
        System.out.println("HostileTargetTest mutations: " + new TreeMap<>(Mutations.COUNTS));
        if (Long.getLong("hostile.roundSeed") == null)
        {
            assertThat(stats.fired).as("mutations that fired").isGreaterThan(ROUNDS / 2);
            assertThat(stats.termReqsChecked).as("predicted TermReqs checked").isPositive();
        }
    }

    private static void runBounded(final ExecutorService runner, final Checked body, final String what)
        throws Exception
    {
        final Future<?> f = runner.submit(() ->
        {
            body.run();
            return null;
        });
        try
        {
            f.get(ROUND_LIMIT_SECONDS, TimeUnit.SECONDS);
        }
        catch (final TimeoutException e)
        {
            f.cancel(true);
            fail(what + ": still running after " + ROUND_LIMIT_SECONDS + " s (a hang)\n" + threadDump());
        }
        catch (final ExecutionException e)
        {
            throw new AssertionError(what + ": " + e.getCause(), e.getCause());
        }
    }

    @FunctionalInterface
    private interface Checked
    {
        void run() throws Exception;
    }

    // ------------------------------------------------------------------ one round

    private static ConnectOptions options(final Random rnd)
    {
        return target.options().nrIoQueues(1).nrPollQueues(0).queueSize(16)
            .hdrDigest(rnd.nextInt(4) == 0).dataDigest(rnd.nextInt(4) == 0)
            .ioTimeout(IO_TIMEOUT).adminTimeout(IO_TIMEOUT).connectTimeout(Duration.ofMillis(600))
            .reconnectDelay(Duration.ofMillis(20)).ctrlLossTmo(Duration.ZERO).keepAliveTmo(Duration.ofSeconds(30));
    }

    private void mutatedRound(final long seed, final Stats stats) throws Exception
    {
        final Random rnd = new Random(seed);
        target.maxh2cdata = new int[] {4096, 8192, 1 << 17}[rnd.nextInt(3)];
        target.cpda = rnd.nextInt(3) == 0 ? 3 : 0;
        target.fillDisk(seed);
        final ConnectOptions o = options(rnd);
        // connection 0 is the admin queue (ICResp, Connect, 4 properties, 3 Identify with data, Set Features),
        // connection 1 the I/O queue
        final int conn = rnd.nextInt(10) < 3 ? 0 : 1;
        final ScriptedTarget.Plan plan = new ScriptedTarget.Plan(conn, rnd.nextInt(conn == 0 ? 16 : 26), seed);
        target.plan(plan);
        final NvmeController c;
        try
        {
            c = NvmeController.connect(o);
        }
        catch (final NvmeTransportException | NvmeException e)
        {
            assertThat(plan.fired()).as("connect failed without a mutation: " + e).isTrue();
            stats.connectFailures++;
            finishRound(plan, stats);
            return;
        }
        try
        {
            final boolean firedBefore = plan.fired();
            final int failed = ioRound(c, rnd);
            if (failed > 0 && (firedBefore || !plan.fired()))
            {
                fail("I/O failed without a mutation during the round (" + plan + "): " + lastError.get());
            }
            stats.ioFailures += failed;
            // whatever happened, the controller recovers and serves (a dead poller or queue would show here)
            final boolean firedBeforeSecond = plan.fired();
            final int failedAgain = ioRound(c, rnd);
            if (failedAgain > 0 && (firedBeforeSecond || !plan.fired()))
            {
                fail(failedAgain + " I/O failed after recovery (" + plan + ", state " + c.state() + ", last error " +
                    c.lastError() + "): " + lastError.get());
            }
        }
        finally
        {
            c.close();
        }
        finishRound(plan, stats);
    }

    /** The oracle for TermReqs, and what the target saw of the host. */
    private static void finishRound(final ScriptedTarget.Plan plan, final Stats stats) throws InterruptedException
    {
        if (plan.fired())
        {
            stats.fired++;
            final ScriptedTarget.Conn m = plan.mutated;
            if (plan.expectFes >= 0 || plan.expectNoTermReq)
            {
                final long deadline = System.nanoTime() + 3_000_000_000L;
                while (!m.eof && !m.closedByUs && System.nanoTime() < deadline)
                {
                    Thread.sleep(2);
                }
                if (!m.closedByUs || !plan.expectNoTermReq)
                {
                    assertThat(m.eof).as("host closed the connection after " + plan).isTrue();
                }
            }
            final List<long[]> got = m.termReqs;
            if (plan.expectFes >= 0)
            {
                assertThat(got).as("H2CTermReq after " + plan + ": got " +
                    got.stream().map(Arrays::toString).toList() + ", target saw " + target.hostErrors).hasSize(1);
                assertThat(got.get(0)).as("FES, FEI after " + plan).containsExactly(plan.expectFes, plan.expectFei);
                stats.termReqsChecked++;
            }
            else if (plan.expectNoTermReq)
            {
                assertThat(got).as("no H2CTermReq after " + plan).isEmpty();
            }
            stats.termReqsSeen += got.size();
        }
        assertThat(target.hostErrors).as("what the target saw of the host (" + plan + ")").isEmpty();
    }

    /** A valid target and a fresh controller: the library still works. */
    private void cleanController(final long seed) throws Exception
    {
        target.plan(ScriptedTarget.Plan.NONE);
        target.fillDisk(seed);
        try (NvmeController c = NvmeController.connect(options(new Random(seed))))
        {
            assertThat(ioRound(c, new Random(seed))).as("failed I/O on a clean controller").isZero();
        }
        assertThat(target.hostErrors).isEmpty();
    }

    // ------------------------------------------------------------------ I/O and its oracle

    private static final class Op
    {
        final char kind;
        final int lba;
        final int blocks;
        final ByteBuffer whole;
        final ByteBuffer view;
        CompletableFuture<Void> future;

        Op(final char kind, final int lba, final int blocks, final boolean direct)
        {
            this.kind = kind;
            this.lba = lba;
            this.blocks = blocks;
            final int len = blocks * ScriptedTarget.BLOCK;
            whole = direct ? ByteBuffer.allocateDirect(len + 2 * GUARD) : ByteBuffer.allocate(len + 2 * GUARD);
            for (int i = 0; i < whole.capacity(); i++)
            {
                whole.put(i, GUARD_BYTE);
            }
            // a view over the whole buffer, position and limit around the payload: the guards are reachable
            view = whole.duplicate().limit(GUARD + len).position(GUARD);
        }

        int length()
        {
            return blocks * ScriptedTarget.BLOCK;
        }
    }

    /**
     * Reads in the read-only half of the disk, writes in distinct ranges of the other half, a flush; all at once.
     *
     * @return how many failed (with a documented exception).
     */
    private static int ioRound(final NvmeController c, final Random rnd) throws Exception
    {
        final List<Op> ops = new ArrayList<>();
        final int n = 2 + rnd.nextInt(5);
        int nextWrite = ScriptedTarget.BLOCKS / 2 + rnd.nextInt(8);
        for (int i = 0; i < n; i++)
        {
            final int blocks = 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 90);
            final int k = rnd.nextInt(5);
            if (k < 2 && nextWrite + blocks <= ScriptedTarget.BLOCKS)
            {
                final Op w = new Op('W', nextWrite, blocks, rnd.nextBoolean());
                nextWrite += blocks;
                final byte[] d = new byte[w.length()];
                rnd.nextBytes(d);
                w.whole.put(GUARD, d);
                ops.add(w);
            }
            else if (k < 4)
            {
                final Op r = new Op('R', rnd.nextInt(ScriptedTarget.BLOCKS / 2 - blocks + 1), blocks,
                    rnd.nextBoolean());
                for (int j = 0; j < r.length(); j++)
                {
                    r.whole.put(GUARD + j, POISON);
                }
                ops.add(r);
            }
            else
            {
                ops.add(new Op('F', 0, 0, false));
            }
        }
        for (final Op op : ops)
        {
            op.future = switch (op.kind)
            {
                case 'R' -> c.read(1, op.lba, op.blocks, op.view);
                case 'W' -> c.write(1, op.lba, op.blocks, op.view);
                default -> c.flush(1);
            };
        }
        int failed = 0;
        for (final Op op : ops)
        {
            Throwable error = null;
            try
            {
                op.future.get(ROUND_LIMIT_SECONDS / 2, TimeUnit.SECONDS);
            }
            catch (final TimeoutException e)
            {
                fail(op.kind + " at " + op.lba + " did not complete (state " + c.state() + ")");
            }
            catch (final ExecutionException e)
            {
                error = e.getCause();
            }
            if (error != null)
            {
                if (!(error instanceof NvmeException || error instanceof NvmeTransportException))
                {
                    throw new AssertionError("undocumented exception from " + op.kind, error);
                }
                lastError.set(op.kind + " at " + op.lba + ": " + error);
                failed++;
            }
            checkGuards(op);
            if (error == null && op.kind == 'R')
            {
                final byte[] expected = new byte[op.length()];
                synchronized (target.disk)
                {
                    System.arraycopy(target.disk, op.lba * ScriptedTarget.BLOCK, expected, 0, expected.length);
                }
                final byte[] got = new byte[op.length()];
                op.whole.get(GUARD, got);
                if (!Arrays.equals(expected, got))
                {
                    fail("read of " + op.blocks + " blocks at " + op.lba + " completed with data the target did not " +
                        "send for it (first difference at " + Arrays.mismatch(expected, got) + ")");
                }
            }
            if (error == null && op.kind == 'W')
            {
                final byte[] stored = new byte[op.length()];
                synchronized (target.disk)
                {
                    System.arraycopy(target.disk, op.lba * ScriptedTarget.BLOCK, stored, 0, stored.length);
                }
                final byte[] src = new byte[op.length()];
                op.whole.get(GUARD, src);
                if (!Arrays.equals(src, stored))
                {
                    fail("write of " + op.blocks + " blocks at " + op.lba + " succeeded but the target does not " +
                        "hold its data (first difference at " + Arrays.mismatch(src, stored) + ")");
                }
            }
        }
        return failed;
    }

    private static void checkGuards(final Op op)
    {
        final int len = op.length();
        for (int i = 0; i < GUARD; i++)
        {
            if (op.whole.get(i) != GUARD_BYTE || op.whole.get(GUARD + len + i) != GUARD_BYTE)
            {
                fail("a guard byte around the " + op.kind + " buffer at " + op.lba + " changed");
            }
        }
    }

    private static String threadDump()
    {
        final StringBuilder b = new StringBuilder();
        for (final Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet())
        {
            if (e.getKey().getName().startsWith("nvmeof4j") || e.getKey().getName().startsWith("hostile"))
            {
                b.append(e.getKey().getName()).append('\n');
                for (final StackTraceElement s : e.getValue())
                {
                    b.append("    at ").append(s).append('\n');
                }
            }
        }
        return b.toString();
    }

    private static final class Stats
    {
        int fired;
        int connectFailures;
        int ioFailures;
        int termReqsChecked;
        int termReqsSeen;

        @Override
        public String toString()
        {
            return "fired=" + fired + " connectFailures=" + connectFailures + " ioFailures=" + ioFailures +
                " termReqsChecked=" + termReqsChecked + " termReqsSeen=" + termReqsSeen;
        }
    }
}
