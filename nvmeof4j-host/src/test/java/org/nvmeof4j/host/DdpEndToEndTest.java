package org.nvmeof4j.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nvmeof4j.ddp.UlpDdpCaps;
import org.nvmeof4j.ddp.UlpDdpRegistry;
import org.nvmeof4j.ddp.UlpDdpStats;
import org.nvmeof4j.ddp.model.ModelDdpDevice;
import org.nvmeof4j.ddp.model.WireConfig;
import org.nvmeof4j.ddp.soft.SoftDdpDevice;
import org.nvmeof4j.ddp.spi.AbstractUlpDdpDevice;
import org.nvmeof4j.host.tcp.DdpReadOffload;
import org.nvmeof4j.target.Target;

/** Host ↔ Java target on loopback with a ULP DDP device on the host's I/O queues. */
class DdpEndToEndTest
{
    private static Target target;

    @BeforeAll
    static void startTarget()
    {
        target = TestTargets.ram(512);
    }

    @AfterAll
    static void stopTarget()
    {
        target.close();
    }

    private static AbstractUlpDdpDevice device(final String kind)
    {
        return kind.equals("soft") ? new SoftDdpDevice("soft0") :
            new ModelDdpDevice("model0", new WireConfig(1460, 0.01, 0.02, 0.005, 8, 16, 42));
    }

    @ParameterizedTest(name = "{0} digests={1}")
    @CsvSource({"soft,false", "soft,true", "model,false", "model,true"})
    void shouldReadBackExactlyWithTheDeviceAndBalanceSetupAndTeardown(final String kind, final boolean digests)
    {
        final UlpDdpRegistry registry = new UlpDdpRegistry(false);
        final AbstractUlpDdpDevice dev = device(kind);
        registry.register(dev);
        final ConnectOptions o = TestTargets.options(target).hdrDigest(digests).dataDigest(digests)
            .readOffload(DdpReadOffload.factory(registry, dev.name()));
        try (NvmeController c = NvmeController.connect(o))
        {
            assertThat(c.maxDataTransferBytes()).isLessThanOrEqualTo(256 * 4096);
            final IoQueue q = c.openIoQueue();
            long lba = 0;
            for (final int size : new int[] {512, 4096, 16384, 131072, 1 << 20, 3 << 20})
            {
                for (int rep = 0; rep < 3; rep++)
                {
                    final ByteBuffer w = TestTargets.pattern(size, size * 7 + rep, true);
                    final ByteBuffer r = ByteBuffer.allocateDirect(size);
                    assertThat(HostTargetEndToEndTest.run(q, q.submitWrite(1, lba, size / 512, w, 1))).isZero();
                    assertThat(HostTargetEndToEndTest.run(q, q.submitRead(1, lba, size / 512, r, 2))).isZero();
                    assertThat(r).as("%s read back %d bytes", kind, size).isEqualTo(w);
                    // async path too (poller threads)
                    final ByteBuffer r2 = ByteBuffer.allocateDirect(size);
                    c.readBlocking(1, lba, size / 512, r2);
                    assertThat(r2).isEqualTo(w);
                    lba += size / 512;
                }
            }
            q.close();
        }
        final UlpDdpStats st = dev.getStats();
        assertThat(st.skAdd()).isGreaterThanOrEqualTo(1);
        assertThat(st.skDel()).isEqualTo(st.skAdd());
        assertThat(st.setup()).isPositive().isEqualTo(st.teardown());
        assertThat(st.bytes()).isPositive();
        assertThat(registry.references(dev)).isZero();
    }

    /**
     * Small reads (below the soft device's threshold, not registered) mixed with large ones at several queue depths:
     * with nothing registered the device stops following the framing, and it must pick it up again from the
     * receiver wherever a large read's registration finds the stream (at a header, inside one, inside a PDU) so that
     * every registered byte is still placed, and every read is exact.
     */
    @ParameterizedTest(name = "digests={0}")
    @CsvSource({"false", "true"})
    void softShouldPlaceEveryRegisteredByteWhenSmallAndLargeReadsMix(final boolean digests)
    {
        final UlpDdpRegistry registry = new UlpDdpRegistry(false);
        final SoftDdpDevice dev = new SoftDdpDevice("soft-mix");
        registry.register(dev);
        final ConnectOptions o = TestTargets.options(target).hdrDigest(digests).dataDigest(digests)
            .readOffload(DdpReadOffload.factory(registry, dev.name()));
        final int[] sizes = {512, 4096, 16384, 32768, 65536, 131072};
        final int area = 256; // blocks of 512 per slot
        try (NvmeController c = NvmeController.connect(o))
        {
            final IoQueue q = c.openIoQueue();
            final int depth = 8;
            final ByteBuffer[] expect = new ByteBuffer[depth];
            for (int i = 0; i < depth; i++)
            {
                expect[i] = TestTargets.pattern(area * 512, 1000 + i, true);
                assertThat(HostTargetEndToEndTest.run(q, q.submitWrite(1, 50_000 + (long)i * area, area, expect[i],
                    0))).isZero();
            }
            final java.util.Random rnd = new java.util.Random(digests ? 7 : 8);
            final ByteBuffer[] dst = new ByteBuffer[depth];
            final int[] len = new int[depth];
            long registeredBytes = 0;
            int inflight = 0;
            int submitted = 0;
            final int[] failures = {0};
            final int total = 600;
            final boolean[] busy = new boolean[depth];
            while (submitted < total || inflight > 0)
            {
                // a random number of slots refilled each round: the queue depth wanders between 1 and 8
                for (int slot = 0; slot < depth && submitted < total; slot++)
                {
                    if (!busy[slot] && rnd.nextInt(3) != 0)
                    {
                        len[slot] = sizes[rnd.nextInt(sizes.length)];
                        dst[slot] = ByteBuffer.allocateDirect(len[slot]);
                        assertThat(q.submitRead(1, 50_000 + (long)slot * area, len[slot] / 512, dst[slot], slot))
                            .isGreaterThanOrEqualTo(0);
                        if (len[slot] >= SoftDdpDevice.DEFAULT_LIMITS.ioThreshold())
                        {
                            registeredBytes += len[slot];
                        }
                        busy[slot] = true;
                        inflight++;
                        submitted++;
                    }
                }
                final int[] done = {0};
                q.poll((tag, status) ->
                {
                    final int slot = (int)tag;
                    if (status != 0 || !dst[slot].equals(expect[slot].slice(0, len[slot])))
                    {
                        failures[0]++;
                    }
                    busy[slot] = false;
                    done[0]++;
                });
                inflight -= done[0];
            }
            assertThat(failures[0]).as("reads with an error or wrong data").isZero();
            q.close();
            assertThat(registeredBytes).isPositive();
            assertThat(dev.getStats().bytes()).as("placed bytes = bytes of registered reads").isEqualTo(registeredBytes);
            assertThat(dev.getStats().setup()).isEqualTo(dev.getStats().teardown());
        }
    }

    @Test
    void shouldRunInSoftwareWhenCapsAreOffAndOffloadAgainAtTheNextConnect()
    {
        final UlpDdpRegistry registry = new UlpDdpRegistry(false);
        final SoftDdpDevice dev = new SoftDdpDevice("soft1");
        registry.register(dev);
        registry.setDefault(dev);
        final ConnectOptions o = TestTargets.options(target).readOffload(DdpReadOffload.factory(registry, null));
        dev.setCaps(0);
        readSome(o);
        assertThat(dev.getStats().skAdd()).isZero();
        dev.setCaps(UlpDdpCaps.bit(UlpDdpCaps.NVME_TCP));
        readSome(o);
        assertThat(dev.getStats().skAdd()).isPositive();
        assertThat(dev.getStats().bytes()).isPositive();
    }

    @Test
    void shouldReconnectInSoftwareWhenTheDeviceGoesDown() throws Exception
    {
        final UlpDdpRegistry registry = new UlpDdpRegistry(false);
        final SoftDdpDevice dev = new SoftDdpDevice("soft2");
        registry.register(dev);
        final ConnectOptions o = TestTargets.options(target).nrPollQueues(0).nrIoQueues(1)
            .reconnectDelay(java.time.Duration.ofMillis(100))
            .readOffload(DdpReadOffload.factory(registry, dev.name()));
        try (NvmeController c = NvmeController.connect(o))
        {
            final ByteBuffer w = TestTargets.pattern(65536, 77, true);
            c.writeBlocking(1, 0, 128, w);
            final ByteBuffer r = ByteBuffer.allocateDirect(65536);
            c.readBlocking(1, 0, 128, r);
            assertThat(r).isEqualTo(w);
            final long added = dev.getStats().skAdd();
            dev.down();
            final long deadline = System.nanoTime() + 20_000_000_000L;
            boolean ok = false;
            while (!ok && System.nanoTime() < deadline)
            {
                try
                {
                    final ByteBuffer r2 = ByteBuffer.allocateDirect(65536);
                    c.readBlocking(1, 0, 128, r2);
                    ok = r2.equals(w) && c.reconnects() > 0;
                }
                catch (final RuntimeException e)
                {
                    Thread.sleep(50);
                }
            }
            assertThat(ok).as("reads work again after the reconnect").isTrue();
            assertThat(dev.getStats().skDel()).isEqualTo(added);
            assertThat(registry.references(dev)).isZero();
        }
    }

    private static void readSome(final ConnectOptions o)
    {
        try (NvmeController c = NvmeController.connect(o))
        {
            final ByteBuffer w = TestTargets.pattern(131072, 5, true);
            c.writeBlocking(1, 0, 256, w);
            final ByteBuffer r = ByteBuffer.allocateDirect(131072);
            c.readBlocking(1, 0, 256, r);
            assertThat(r).isEqualTo(w);
        }
    }
}
