package org.nvmeof4j.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.offload.FastpathDevice;
import org.nvmeof4j.target.offload.OffloadContext;
import org.nvmeof4j.target.offload.OffloadNamespaceStats;

/** Java host ↔ Java target whose file namespace is served by the {@code fastpath} target offload. */
class TargetOffloadEndToEndTest
{
    @TempDir
    Path dir;

    private Target target;
    private OffloadContext ctx;

    @BeforeEach
    void start() throws Exception
    {
        target = TestTargets.start(Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(TestTargets.NQN).allowAnyHost().fileNamespace(1, dir.resolve("ns1.img"), 16L << 20)
                .ramNamespace(2, 4L << 20)));
        ctx = new FastpathDevice().offloadFileNamespaces(target.subsystem(TestTargets.NQN), 8192, 2);
    }

    @AfterEach
    void stop()
    {
        ctx.destroy();
        target.close();
    }

    private OffloadNamespaceStats stats()
    {
        return ctx.mapping(1).stats();
    }

    @ParameterizedTest(name = "digests={0} sqflowDisabled={1}")
    @CsvSource({"false,false", "true,false", "false,true", "true,true"})
    void shouldWriteAndReadBackEverySizeThroughTheFastpath(final boolean digests, final boolean noSqFlow)
    {
        final ConnectOptions o = TestTargets.options(target).hdrDigest(digests).dataDigest(digests)
            .disableSqflow(noSqFlow);
        final int[] sizes = {512, 4096, 128 << 10, 1 << 20, 3 << 20};
        long bytes = 0;
        try (NvmeController c = NvmeController.connect(o))
        {
            final IoQueue q = c.openIoQueue();
            long lba = 0;
            for (final int size : sizes)
            {
                final ByteBuffer w = TestTargets.pattern(size, size * 3L + (digests ? 1 : 0), true);
                final ByteBuffer r = ByteBuffer.allocateDirect(size);
                assertThat(HostTargetEndToEndTest.run(q, q.submitWrite(1, lba, size / 512, w, 1))).isZero();
                assertThat(HostTargetEndToEndTest.run(q, q.submitRead(1, lba, size / 512, r, 2))).isZero();
                assertThat(r).as("read back %d bytes", size).isEqualTo(w);
                lba += size / 512;
                bytes += size;
            }
            c.flushBlocking(1);
            q.close();
        }
        final OffloadNamespaceStats st = stats();
        assertThat(st.getBytesWritten()).isEqualTo(bytes);
        assertThat(st.getBytesRead()).isEqualTo(bytes);
        assertThat(st.getReads()).isGreaterThanOrEqualTo(sizes.length);
        // without the data digest every read leaves from the file's mapping (the default read path)
        assertThat(st.getMappedReads()).isEqualTo(digests ? 0 : st.getReads());
        assertThat(st.getZeroCopyReads()).isZero();
        assertThat(st.getFlushes()).isEqualTo(1);
        assertThat(st.getErrors()).isZero();
    }

    @ParameterizedTest(name = "zeroCopyMinBytes={0}")
    @CsvSource({"65536", "0"})
    @org.junit.jupiter.api.Timeout(60) // before the length check, the read never completed
    void shouldReadZeroesPastTheEndOfAFileCutWhileServedAndKeepTheConnection(final int zeroCopyMinBytes)
        throws Exception
    {
        ctx.destroy();
        ctx = new FastpathDevice(org.nvmeof4j.target.offload.OffloadCapabilities.builder().build(), zeroCopyMinBytes,
            true).offloadFileNamespaces(target.subsystem(TestTargets.NQN), 8192, 2);
        final int size = 128 << 10;
        // a connection the target closes must fail the test, not reconnect until the default ctrl_loss_tmo
        try (NvmeController c = NvmeController.connect(TestTargets.options(target)
            .ctrlLossTmo(java.time.Duration.ofSeconds(2)).reconnectDelay(java.time.Duration.ofSeconds(1))))
        {
            final ByteBuffer low = TestTargets.pattern(size, 41, true);
            final ByteBuffer high = TestTargets.pattern(size, 42, true);
            c.writeBlocking(1, 0, size / 512, low);
            final long highLba = (12L << 20) / 512;
            c.writeBlocking(1, highLba, size / 512, high);
            c.flushBlocking(1);
            final ByteBuffer r = ByteBuffer.allocateDirect(size);
            c.readBlocking(1, highLba, size / 512, r);
            assertThat(r).isEqualTo(high);
            final long mappedBefore = stats().getMappedReads();
            // another program cuts the file to 8 MiB under the target, which has it mapped
            try (java.nio.channels.FileChannel f = java.nio.channels.FileChannel.open(dir.resolve("ns1.img"),
                java.nio.file.StandardOpenOption.WRITE))
            {
                f.truncate(8L << 20);
            }
            Thread.sleep(5); // past the device's length check interval (1 ms)
            for (int i = 0; i < 3; i++)
            {
                r.clear();
                c.readBlocking(1, highLba, size / 512, r);
                for (int b = 0; b < size; b += 512)
                {
                    assertThat(r.get(b)).as("byte %d past the end of the cut file", b).isZero();
                }
            }
            // the same connection still serves the part that is left, from the mapping
            r.clear();
            c.readBlocking(1, 0, size / 512, r);
            assertThat(r).isEqualTo(low);
            assertThat(stats().getMappedReads()).isEqualTo(mappedBefore + 1);
        }
        assertThat(stats().getErrors()).isZero();
    }

    @Test
    void shouldKeepServingWhatItDoesNotOffloadThroughTheSoftwareTarget()
    {
        try (NvmeController c = NvmeController.connect(TestTargets.options(target)))
        {
            final ByteBuffer w = TestTargets.pattern(65536, 5, true);
            c.writeBlocking(1, 0, 128, w);
            c.writeZeroesBlocking(1, 0, 8); // software, same file
            final ByteBuffer r = ByteBuffer.allocateDirect(65536);
            c.readBlocking(1, 0, 128, r);
            for (int i = 0; i < 4096; i++)
            {
                assertThat(r.get(i)).isZero();
            }
            assertThat(r.slice(4096, 65536 - 4096)).isEqualTo(w.slice(4096, 65536 - 4096));
            // namespace 2 (RAM) is not mapped
            final ByteBuffer w2 = TestTargets.pattern(8192, 9, true);
            c.writeBlocking(2, 0, 16, w2);
            final ByteBuffer r2 = ByteBuffer.allocateDirect(8192);
            c.readBlocking(2, 0, 16, r2);
            assertThat(r2).isEqualTo(w2);
            assertThat(c.identifyController().subnqn()).isEqualTo(TestTargets.NQN);
        }
        assertThat(stats().getWrites()).isEqualTo(1);
        assertThat(stats().getReads()).isEqualTo(1);
        assertThat(ctx.mapping(2)).isNull();
    }

    @Test
    void shouldServeManyCommandsInFlightOnSeveralQueues()
    {
        try (NvmeController c = NvmeController.connect(TestTargets.options(target).queueSize(64)))
        {
            final List<CompletableFuture<Void>> writes = new ArrayList<>();
            final List<ByteBuffer> data = new ArrayList<>();
            for (int i = 0; i < 64; i++)
            {
                final ByteBuffer w = TestTargets.pattern(32768, 100 + i, true);
                data.add(w);
                writes.add(c.write(1, i * 64L, 64, w));
            }
            CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])).join();
            final List<CompletableFuture<Void>> reads = new ArrayList<>();
            final List<ByteBuffer> back = new ArrayList<>();
            for (int i = 0; i < 64; i++)
            {
                final ByteBuffer r = ByteBuffer.allocateDirect(32768);
                back.add(r);
                reads.add(c.read(1, i * 64L, 64, r));
            }
            CompletableFuture.allOf(reads.toArray(new CompletableFuture[0])).join();
            for (int i = 0; i < 64; i++)
            {
                assertThat(back.get(i)).as("block %d", i).isEqualTo(data.get(i));
            }
        }
        assertThat(stats().getWrites()).isEqualTo(64);
        assertThat(stats().getReads()).isEqualTo(64);
    }
}
