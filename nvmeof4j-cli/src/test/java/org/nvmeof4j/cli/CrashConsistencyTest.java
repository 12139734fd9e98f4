package org.nvmeof4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeController;

/**
 * Crash consistency of file namespaces: {@code nvmeof4j target --file F} runs as its own JVM, our host keeps a
 * verifying workload of writes and deallocates in flight on several I/O queues with a Flush now and then, and the
 * target is killed with SIGKILL at a random moment; then it is started again on the same file and every block is
 * read back and checked against what the host was told.
 *
 * <p>Each 4 KiB block written carries a stamp: magic, its block number, a generation (unique per write) and a
 * CRC32C over the whole block, so a block made of two writes' pieces (a torn write, at any 512-byte sector) fails
 * its checksum. Writes to one block never overlap in time, so a block's history is a list, and after the restart a
 * block must hold one of the states of its list (the state found at the previous restart, or one written since; never
 * data that was never written nor an older state), at or after:
 * <ul>
 *   <li>the last write acknowledged before the last Flush that completed (default: volatile write cache, VWC 1);</li>
 *   <li>the last write acknowledged at all, with {@code --write-through} (O_DSYNC, VWC 0).</li>
 * </ul>
 * A deallocated block must read as zeroes when its deallocate is the state required.
 *
 * <p>What this proves: a target process crash loses no completed write that it promised. A SIGKILL leaves the page
 * cache alone, so it cannot show what a power loss would lose; that rests on Flush calling {@code fdatasync} and
 * on O_DSYNC, which this test does not observe.
 *
 * <p>The default is short (3 kill rounds per mode). A longer run:
 * {@code mvn -o verify -pl nvmeof4j-cli -am -Dtest=CrashConsistencyTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dnvmeof4j.crash.rounds=30 -Dnvmeof4j.crash.seed=N}.
 */
class CrashConsistencyTest
{
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)$");
    private static final String NQN = TargetCommand.DEFAULT_NQN;
    private static final int NSID = 1;
    private static final int BLOCK = 4096;
    /** Blocks of the region the workload writes (4 MiB of an 8 MiB namespace: the rest must stay zero). */
    private static final int BLOCKS = 1024;
    private static final int SIZE_MIB = 8;
    private static final int MAX_RUN = 32; // 128 KiB
    private static final int IN_FLIGHT = 24;
    private static final int QUEUES = 3;
    private static final long MAGIC = 0x4e564d4352415348L; // "NVMCRASH"
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private static final int ROUNDS = Integer.getInteger("nvmeof4j.crash.rounds", 3);
    private static final long SEED = Long.getLong("nvmeof4j.crash.seed", System.nanoTime());

    @Test
    void shouldKeepEveryWriteAcknowledgedBeforeACompletedFlushAcrossKill9(@TempDir final Path dir) throws Exception
    {
        run(dir.resolve("ns.img"), false, 512);
    }

    @Test
    void shouldKeepEveryAcknowledgedWriteAcrossKill9WithWriteThrough(@TempDir final Path dir) throws Exception
    {
        run(dir.resolve("ns.img"), true, 4096);
    }

    /** The checker itself: a torn block, a lost acknowledged write and a never-written state are each reported. */
    @Test
    void shouldReportTornLostAndForeignBlocks()
    {
        final ByteBuffer buf = ByteBuffer.allocateDirect(2 * BLOCK);
        stamp(buf, 0, 7, 41);
        stamp(buf, BLOCK, 7, 42);
        assertThat(decode(buf, 0, 7)).isEqualTo(41L << 1);
        assertThat(decode(buf, 0, 8)).as("another block's stamp").isEqualTo(-1);
        // sector 3 of generation 42 inside generation 41: torn
        final ByteBuffer torn = ByteBuffer.allocateDirect(BLOCK);
        torn.put(buf.slice(0, BLOCK)).put(3 * 512, buf.slice(BLOCK + 3 * 512, 512), 0, 512);
        assertThat(decode(torn, 0, 7)).isEqualTo(-1);

        final Model m = new Model(true);
        final long g1 = m.begin(7, 1, false);
        m.end(7, 1, true);
        final long g2 = m.begin(7, 1, false);
        m.end(7, 1, true);
        final Verification ok = new Verification();
        check(m, 7, g2 << 1, ok);
        assertThat(ok.problems).isEmpty();
        final Verification lost = new Verification();
        check(m, 7, g1 << 1, lost);
        assertThat(lost.problems).singleElement().asString().contains("lost an acknowledged");
        final Verification foreign = new Verification();
        check(m, 7, (g2 + 5) << 1, foreign);
        assertThat(foreign.problems).singleElement().asString().contains("never had");
        final Verification tornV = new Verification();
        check(m, 7, -1, tornV);
        assertThat(tornV.problems).singleElement().asString().contains("torn");
        // write-back: the unflushed second write may be lost, the flushed first may not
        final Model wb = new Model(false);
        final long w1 = wb.begin(3, 1, false);
        wb.end(3, 1, true);
        wb.flushed(wb.snapshotAcked());
        wb.begin(3, 1, true);
        wb.end(3, 1, true);
        final Verification unflushed = new Verification();
        check(wb, 3, w1 << 1, unflushed);
        assertThat(unflushed.problems).isEmpty();
        assertThat(unflushed.unflushedLost).isOne();
        final Verification beforeFlush = new Verification();
        check(wb, 3, 1, beforeFlush); // zeroes: the deallocate, acknowledged after the flush
        assertThat(beforeFlush.problems).isEmpty();
        final Model wb2 = new Model(false);
        wb2.begin(3, 1, false);
        wb2.end(3, 1, true);
        wb2.flushed(wb2.snapshotAcked());
        final Verification zeroLost = new Verification();
        check(wb2, 3, 1, zeroLost); // the initial zeroes again: the flushed write is lost
        assertThat(zeroLost.problems).singleElement().asString().contains("lost an acknowledged and flushed");
    }

    private void run(final Path file, final boolean writeThrough, final int lbaSize) throws Exception
    {
        final SplittableRandom random = new SplittableRandom(SEED + (writeThrough ? 1 : 0));
        final Model model = new Model(writeThrough);
        final List<String> report = new ArrayList<>();
        TargetProcess target = TargetProcess.start(file, writeThrough, lbaSize);
        try
        {
            for (int round = 1; round <= ROUNDS; round++)
            {
                final Workload w = new Workload(target.port, model, random.split());
                assertThat(w.vwc()).as("Identify VWC bit 0").isEqualTo(writeThrough ? 0 : 1);
                w.start();
                // a random moment, and not before some I/O has completed
                final long runMillis = 300 + random.nextInt(1200);
                w.awaitAcked(50, writeThrough ? 0 : 1);
                Thread.sleep(runMillis);
                final int inFlight = w.inFlight();
                target.kill9();
                w.stopAfterKill();
                assertThat(w.errorBeforeKill).as("I/O failed before the kill").isNull();

                target = TargetProcess.start(file, writeThrough, lbaSize);
                final Verification v = verify(target.port, model);
                assertThat(v.problems).as("blocks after kill round %d (seed %d)", round, SEED).isEmpty();
                final String line = String.format("round %d: %d writes + %d deallocates acknowledged, %d flushes, "
                        + "killed after %d ms with %d in flight; blocks found: %d at the required state, %d at a later "
                        + "acknowledged one, %d at an in-flight one, %d lost an unflushed acknowledged one; "
                        + "%d read as deallocated zeroes (%d where the deallocate was the required state)",
                    round, w.writesAcked.get(), w.deallocatesAcked.get(), w.flushes.get(), runMillis, inFlight,
                    v.atRequired, v.newerAcked, v.inFlightLanded, v.unflushedLost, v.zeroDeallocated,
                    v.deallocateRequired);
                report.add(line);
                System.out.println((writeThrough ? "write-through " : "write-back ") + line);
                assertThat(w.writesAcked.get()).isPositive();
                if (!writeThrough)
                {
                    assertThat(w.flushes.get()).as("flushes completed").isPositive();
                }
            }
            assertThat(target.output()).as("restarted target's output").noneMatch(l ->
                l.contains("Exception") || l.contains("ERROR"));
        }
        finally
        {
            target.stop();
        }
        assertThat(report).hasSize(ROUNDS);
    }

    // ------------------------------------------------------------------ the model of what the host was told

    /**
     * Per block, the list of states it went through since the last restart: entry 0 is what the restart found, then
     * one entry per write ({@code gen << 1}) or deallocate ({@code gen << 1 | 1}, zeroes); {@code acked} the index of
     * the last one acknowledged, {@code durable} the last one acknowledged before the last completed Flush was sent.
     */
    static final class Model
    {
        final boolean writeThrough;
        final long[][] states = new long[BLOCKS][];
        final int[] count = new int[BLOCKS];
        final int[] acked = new int[BLOCKS];
        final int[] durable = new int[BLOCKS];
        final boolean[] busy = new boolean[BLOCKS];
        long generation;

        Model(final boolean writeThrough)
        {
            this.writeThrough = writeThrough;
            for (int b = 0; b < BLOCKS; b++)
            {
                states[b] = new long[16];
                states[b][0] = 1; // a fresh sparse file: zeroes
                count[b] = 1;
            }
        }

        /** @return the generation of a new operation on blocks [first, first + n), or -1 when one is busy. */
        synchronized long begin(final int first, final int n, final boolean zero)
        {
            for (int b = first; b < first + n; b++)
            {
                if (busy[b])
                {
                    return -1;
                }
            }
            final long gen = ++generation;
            for (int b = first; b < first + n; b++)
            {
                busy[b] = true;
                if (count[b] == states[b].length)
                {
                    states[b] = java.util.Arrays.copyOf(states[b], count[b] * 2);
                }
                states[b][count[b]++] = gen << 1 | (zero ? 1 : 0);
            }
            return gen;
        }

        synchronized void end(final int first, final int n, final boolean ok)
        {
            for (int b = first; b < first + n; b++)
            {
                busy[b] = false;
                if (ok)
                {
                    // the block's operations are serial, so its last entry is this one
                    acked[b] = count[b] - 1;
                }
            }
        }

        synchronized int[] snapshotAcked()
        {
            return acked.clone();
        }

        synchronized void flushed(final int[] snapshot)
        {
            for (int b = 0; b < BLOCKS; b++)
            {
                durable[b] = Math.max(durable[b], snapshot[b]);
            }
        }

        int required(final int b)
        {
            return writeThrough ? acked[b] : durable[b];
        }

        /** After a verified restart: the state found is the block's only state. */
        synchronized void restarted(final long[] found)
        {
            for (int b = 0; b < BLOCKS; b++)
            {
                states[b][0] = found[b];
                count[b] = 1;
                acked[b] = 0;
                durable[b] = 0;
                busy[b] = false;
            }
        }
    }

    // ------------------------------------------------------------------ stamps

    static void stamp(final ByteBuffer buf, final int at, final int block, final long gen)
    {
        final ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(at, MAGIC).putLong(at + 8, block).putLong(at + 16, gen);
        final SplittableRandom r = new SplittableRandom(gen * 1_000_003L + block);
        for (int i = 24; i < BLOCK - 4; i += 4)
        {
            b.putInt(at + i, r.nextInt());
        }
        b.putInt(at + BLOCK - 4, crc(b, at));
    }

    private static int crc(final ByteBuffer b, final int at)
    {
        final CRC32C c = new CRC32C();
        c.update(b.slice(at, BLOCK - 4));
        return (int)c.getValue();
    }

    /** @return the block's state ({@code gen << 1}, or 1 for zeroes), or -1 when it is neither zero nor intact. */
    static long decode(final ByteBuffer buf, final int at, final int block)
    {
        final ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.slice(at, BLOCK).mismatch(ByteBuffer.allocate(BLOCK)) == -1)
        {
            return 1;
        }
        if (b.getLong(at) != MAGIC || b.getLong(at + 8) != block || b.getInt(at + BLOCK - 4) != crc(b, at))
        {
            return -1;
        }
        return b.getLong(at + 16) << 1;
    }

    // ------------------------------------------------------------------ verification

    static final class Verification
    {
        final List<String> problems = new ArrayList<>();
        int atRequired;
        /** Blocks found at an acknowledged state newer than the required one (write-back: acknowledged after the last
         *  completed Flush, which a process crash keeps in the page cache). */
        int newerAcked;
        /** Blocks found at the state of a command in flight at the kill (never acknowledged). */
        int inFlightLanded;
        /** Blocks whose required state is a deallocate, found reading as zeroes. */
        int deallocateRequired;
        /** Write-back: blocks whose last acknowledged state, not yet flushed, was not found (allowed). */
        int unflushedLost;
        int zeroDeallocated;
    }

    private static Verification verify(final int port, final Model model) throws Exception
    {
        final Verification v = new Verification();
        final long[] found = new long[BLOCKS];
        try (NvmeController c = NvmeController.connect(options(port)))
        {
            final int lbas = BLOCK / c.namespace(NSID).blockSize();
            final int chunk = MAX_RUN;
            final ByteBuffer buf = ByteBuffer.allocateDirect(chunk * BLOCK);
            final int total = (int)(((long)SIZE_MIB << 20) / BLOCK);
            for (int first = 0; first < total; first += chunk)
            {
                buf.clear();
                NvmeController.await(c.read(NSID, (long)first * lbas, chunk * lbas, buf), TIMEOUT_NANOS);
                for (int i = 0; i < chunk; i++)
                {
                    final int b = first + i;
                    final long s = decode(buf, i * BLOCK, b);
                    if (b >= BLOCKS)
                    {
                        if (s != 1)
                        {
                            v.problems.add("block " + b + " outside the region written is not zero");
                        }
                        continue;
                    }
                    found[b] = s;
                    check(model, b, s, v);
                }
            }
        }
        if (v.problems.size() > 20)
        {
            final int n = v.problems.size();
            v.problems.subList(20, n).clear();
            v.problems.add("... " + (n - 20) + " more");
        }
        if (v.problems.isEmpty())
        {
            model.restarted(found);
        }
        return v;
    }

    private static void check(final Model m, final int b, final long s, final Verification v)
    {
        if (s < 0)
        {
            v.problems.add("block " + b + " torn or foreign: checksum, magic or block number wrong");
            return;
        }
        int match = -1;
        for (int i = m.count[b] - 1; i >= 0; i--)
        {
            final long e = m.states[b][i];
            if (s == 1 ? (e & 1) == 1 : e == s)
            {
                match = i;
                break;
            }
        }
        final int required = m.required(b);
        if (match < 0)
        {
            v.problems.add("block " + b + " holds " + (s == 1 ? "zeroes" : "generation " + (s >> 1)) +
                ", a state it never had since the last restart (required generation " + (m.states[b][required] >> 1) +
                ")");
        }
        else if (match < required)
        {
            v.problems.add("block " + b + " lost an acknowledged " + (m.writeThrough ? "" : "and flushed ") +
                "operation: holds state " + match + ", required " + required + " (generation " +
                (m.states[b][required] >> 1) + ")");
        }
        else
        {
            if (match == required)
            {
                v.atRequired++;
            }
            else if (match <= m.acked[b])
            {
                v.newerAcked++;
            }
            else
            {
                v.inFlightLanded++;
            }
            if (match < m.acked[b])
            {
                v.unflushedLost++;
            }
            if (s == 1 && match > 0)
            {
                v.zeroDeallocated++;
            }
            if (s == 1 && required > 0 && (m.states[b][required] & 1) == 1)
            {
                v.deallocateRequired++;
            }
        }
    }

    static ConnectOptions options(final int port)
    {
        return ConnectOptions.tcp("127.0.0.1", port, NQN).nrIoQueues(QUEUES).queueSize(32)
            .ctrlLossTmo(Duration.ZERO).reconnectDelay(Duration.ofMillis(200))
            .ioTimeout(Duration.ofSeconds(30));
    }

    // ------------------------------------------------------------------ the workload

    /** A submitter thread (writes and deallocates, IN_FLIGHT at most) and a flusher thread on one controller. */
    static final class Workload
    {
        final NvmeController controller;
        final Model model;
        final SplittableRandom random;
        final int lbas;
        final ArrayBlockingQueue<ByteBuffer> buffers = new ArrayBlockingQueue<>(IN_FLIGHT);
        final List<CompletableFuture<Void>> pending = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger writesAcked = new AtomicInteger();
        final AtomicInteger deallocatesAcked = new AtomicInteger();
        final AtomicInteger flushes = new AtomicInteger();
        final AtomicInteger outstanding = new AtomicInteger();
        volatile boolean killed;
        volatile Throwable errorBeforeKill;
        Thread submitter;
        Thread flusher;

        Workload(final int port, final Model model, final SplittableRandom random)
        {
            this.controller = NvmeController.connect(options(port));
            this.model = model;
            this.random = random;
            this.lbas = BLOCK / controller.namespace(NSID).blockSize();
            for (int i = 0; i < IN_FLIGHT; i++)
            {
                buffers.add(ByteBuffer.allocateDirect(MAX_RUN * BLOCK));
            }
        }

        int vwc()
        {
            return controller.identifyController().vwc() & 1;
        }

        int inFlight()
        {
            return outstanding.get();
        }

        void start()
        {
            submitter = new Thread(this::submit, "crash-submitter");
            flusher = new Thread(this::flushLoop, "crash-flusher");
            submitter.start();
            flusher.start();
        }

        /** Wait for {@code n} acknowledged writes and {@code f} completed flushes (no timing: a slow machine waits). */
        void awaitAcked(final int n, final int f) throws InterruptedException
        {
            final long deadline = System.nanoTime() + TIMEOUT_NANOS;
            while ((writesAcked.get() < n || flushes.get() < f) && errorBeforeKill == null &&
                System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            assertThat(writesAcked.get()).as("writes acknowledged before the kill (error: %s)", errorBeforeKill)
                .isGreaterThanOrEqualTo(n);
            assertThat(flushes.get()).as("flushes completed before the kill (error: %s)", errorBeforeKill)
                .isGreaterThanOrEqualTo(f);
        }

        private void failed(final Throwable t)
        {
            if (!killed && errorBeforeKill == null)
            {
                errorBeforeKill = t;
            }
        }

        private void submit()
        {
            try
            {
                while (!killed)
                {
                    final ByteBuffer buf = buffers.poll(100, TimeUnit.MILLISECONDS);
                    if (buf == null)
                    {
                        continue;
                    }
                    // mostly small writes, some of 128 KiB, one in ten a deallocate
                    final int n = random.nextInt(8) == 0 ? 1 + random.nextInt(MAX_RUN) : 1 + random.nextInt(4);
                    final int first = random.nextInt(BLOCKS - n + 1);
                    final boolean zero = random.nextInt(10) == 0;
                    final long gen = model.begin(first, n, zero);
                    if (gen < 0)
                    {
                        buffers.add(buf);
                        continue;
                    }
                    final CompletableFuture<Void> f;
                    outstanding.incrementAndGet();
                    if (zero)
                    {
                        f = controller.deallocate(NSID, (long)first * lbas, n * lbas);
                    }
                    else
                    {
                        buf.clear();
                        for (int i = 0; i < n; i++)
                        {
                            stamp(buf, i * BLOCK, first + i, gen);
                        }
                        buf.limit(n * BLOCK);
                        f = controller.write(NSID, (long)first * lbas, n * lbas, buf);
                    }
                    pending.add(f);
                    f.whenComplete((x, t) ->
                    {
                        model.end(first, n, t == null);
                        if (t == null)
                        {
                            (zero ? deallocatesAcked : writesAcked).incrementAndGet();
                        }
                        else
                        {
                            failed(t);
                        }
                        outstanding.decrementAndGet();
                        buffers.add(buf);
                        pending.remove(f);
                    });
                }
            }
            catch (final Throwable t)
            {
                failed(t);
            }
        }

        private void flushLoop()
        {
            try
            {
                while (!killed)
                {
                    // a Flush covers the commands completed before it was submitted (NVM Command Set 3.2.1)
                    final int[] snapshot = model.snapshotAcked();
                    final CompletableFuture<Void> f = controller.flush(NSID);
                    try
                    {
                        f.get(TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
                        model.flushed(snapshot);
                        flushes.incrementAndGet();
                    }
                    catch (final Exception e)
                    {
                        failed(e);
                        return;
                    }
                    Thread.sleep(20 + random.nextInt(60));
                }
            }
            catch (final Throwable t)
            {
                failed(t);
            }
        }

        /** The target is dead: stop submitting, wait until the host has failed every command in flight, close. */
        void stopAfterKill() throws Exception
        {
            killed = true;
            submitter.join(TimeUnit.NANOSECONDS.toMillis(TIMEOUT_NANOS));
            flusher.join(TimeUnit.NANOSECONDS.toMillis(TIMEOUT_NANOS));
            final long deadline = System.nanoTime() + TIMEOUT_NANOS;
            while (outstanding.get() > 0 && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            assertThat(outstanding.get()).as("commands the host never completed after the target died").isZero();
            controller.close();
        }
    }

    // ------------------------------------------------------------------ the target, a separate JVM

    static final class TargetProcess
    {
        final Process process;
        final int port;
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());

        private TargetProcess(final Process process, final int port, final List<String> banner,
            final BufferedReader out)
        {
            this.process = process;
            this.port = port;
            lines.addAll(banner);
            final Thread drain = new Thread(() ->
            {
                try
                {
                    out.lines().forEach(lines::add);
                }
                catch (final java.io.UncheckedIOException closed)
                {
                    // the process is gone
                }
            }, "target-output");
            drain.setDaemon(true);
            drain.start();
        }

        static TargetProcess start(final Path file, final boolean writeThrough, final int lbaSize) throws IOException
        {
            final List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Xmx256m", "-XX:+UseSerialGC",
                Nvmeof4j.class.getName(), "target", "-a", "127.0.0.1", "-s", "0", "--idle", "block",
                "--file", file.toString(), "--size-mib", String.valueOf(SIZE_MIB),
                "--block-size", String.valueOf(lbaSize)));
            if (writeThrough)
            {
                cmd.add("--write-through");
            }
            final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            final BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8));
            final List<String> banner = new ArrayList<>();
            int port = -1;
            for (String line; port < 0 && (line = out.readLine()) != null; )
            {
                banner.add(line);
                final Matcher m = LISTENING.matcher(line);
                if (m.find())
                {
                    port = Integer.parseInt(m.group(1));
                }
            }
            if (port < 0)
            {
                p.destroyForcibly();
                throw new AssertionError("the target did not start: " + banner);
            }
            assertThat(banner).as("target start-up").noneMatch(l -> l.contains("Exception") || l.contains("ERROR"));
            return new TargetProcess(p, port, banner, out);
        }

        List<String> output()
        {
            synchronized (lines)
            {
                return new ArrayList<>(lines);
            }
        }

        /** SIGKILL, as {@code kill -9}: no shutdown hook, no close of the file. */
        void kill9() throws Exception
        {
            final Process k = new ProcessBuilder("kill", "-9", String.valueOf(process.pid())).inheritIO().start();
            assertThat(k.waitFor()).isZero();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as("exit status of a SIGKILLed process").isEqualTo(128 + 9);
        }

        void stop() throws InterruptedException
        {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
            }
        }
    }
}
