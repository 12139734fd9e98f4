package org.nvmeof4j.ddp;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.nvmeof4j.ddp.model.ModelDdpDevice;
import org.nvmeof4j.ddp.model.WireConfig;
import org.nvmeof4j.ddp.soft.SoftDdpDevice;

/**
 * Random reads (sizes, queue depths, digests, CPDA, SG layouts, registered or not) as a random C2H stream, through
 * each device into a real receiver: every read must return exactly what was sent.
 */
class DdpPropertiesTest
{
    @Property(tries = 80)
    void softPlacesEveryRegisteredByteAndReturnsExactData(
        @ForAll final long seed, @ForAll final boolean hdgst, @ForAll final boolean ddgst,
        @ForAll @IntRange(min = 0, max = 3) final int cpda, @ForAll @IntRange(min = 1, max = 32) final int queueDepth,
        @ForAll @IntRange(min = 1, max = 24) final int reads, @ForAll final boolean scatter) throws Exception
    {
        final C2hStream s = new C2hStream(seed, reads, 300_000, queueDepth, hdgst, ddgst, cpda, 0.8);
        final SoftDdpDevice device = new SoftDdpDevice("soft-prop", SoftDdpDevice.DEFAULT_LIMITS,
            scatter ? SoftDdpDevice.DEFAULT_BUFFER : 4096, 16 * 1024, 256);
        final TestUlp ulp = new TestUlp(s, device, seed);
        assertThat(ulp.offload()).isTrue();
        final MemoryChannel ch = new MemoryChannel(s.bytes, seed, scatter ? 200_000 : 5000);
        ulp.receiveAll(ch);
        assertThat(ulp.verify()).isNull();
        assertThat(ulp.digestBad).containsOnly(0);
        final UlpDdpStats st = device.getStats();
        assertThat(st.setup()).isEqualTo(st.teardown());
        assertThat(ulp.teardownDones).isEqualTo((int)st.teardown());
        // soft is always in sync: every registered payload byte is placed, nothing else is
        assertThat(ulp.rx.dataBytesPlaced()).as("placed; stats %s setupOk %s", st,
            java.util.Arrays.toString(ulp.setupOk)).isEqualTo(s.totalRegisteredBytes());
        assertThat(st.bytes()).isEqualTo(s.totalRegisteredBytes());
        if (ddgst)
        {
            assertThat(ulp.rx.digestsSkipped()).isEqualTo(countRegisteredPdus(s));
        }
        device.skDel(ulp.connection);
        assertThat(device.getStats().skDel()).isEqualTo(1);
    }

    /**
     * Registrations that arrive while the stream is anywhere (inside a PDU, inside a common header, between PDUs),
     * after stretches with nothing registered: the device stops following the framing while idle and takes it up
     * again from the receiver, so every registered byte is still placed and every read is exact.
     */
    @Property(tries = 80)
    void softPicksTheFramingUpWhereverALateRegistrationFindsTheStream(
        @ForAll final long seed, @ForAll final boolean hdgst, @ForAll final boolean ddgst,
        @ForAll @IntRange(min = 0, max = 3) final int cpda, @ForAll @IntRange(min = 1, max = 8) final int queueDepth,
        @ForAll @IntRange(min = 1, max = 24) final int reads, @ForAll @IntRange(min = 7, max = 9000) final int maxChunk)
        throws Exception
    {
        final C2hStream s = new C2hStream(seed, reads, 100_000, queueDepth, hdgst, ddgst, cpda, 0.5);
        final SoftDdpDevice device = new SoftDdpDevice("soft-late", SoftDdpDevice.DEFAULT_LIMITS, 4096, 16 * 1024, 256);
        final TestUlp ulp = new TestUlp(s, device, seed);
        assertThat(ulp.offloadLate()).isTrue();
        // MemoryChannel reads up to 64 bytes or up to maxChunk, whichever the coin says
        ulp.receiveAllRegisteringLate(new MemoryChannel(s.bytes, seed, maxChunk), Math.max(64, maxChunk));
        assertThat(ulp.verify()).isNull();
        assertThat(ulp.digestBad).containsOnly(0);
        final UlpDdpStats st = device.getStats();
        assertThat(st.setup()).isEqualTo(st.teardown());
        assertThat(ulp.rx.dataBytesPlaced()).as("placed; stats %s", st).isEqualTo(s.totalRegisteredBytes());
    }

    @Property(tries = 80)
    void modelReturnsExactDataUnderAnyLossReorderAndDuplication(
        @ForAll final long seed, @ForAll final boolean hdgst, @ForAll final boolean ddgst,
        @ForAll @IntRange(min = 0, max = 3) final int cpda, @ForAll @IntRange(min = 1, max = 32) final int queueDepth,
        @ForAll @IntRange(min = 1, max = 24) final int reads,
        @ForAll @DoubleRange(min = 0, max = 0.08) final double loss,
        @ForAll @DoubleRange(min = 0, max = 0.15) final double reorder,
        @ForAll @DoubleRange(min = 0, max = 0.05) final double duplicate,
        @ForAll @IntRange(min = 536, max = 9000) final int mss) throws Exception
    {
        final C2hStream s = new C2hStream(seed, reads, 300_000, queueDepth, hdgst, ddgst, cpda, 0.8);
        final WireConfig wire = new WireConfig(mss, loss, reorder, duplicate, 8, 12, seed);
        final ModelDdpDevice device = new ModelDdpDevice("model-prop", wire);
        final TestUlp ulp = new TestUlp(s, device, seed);
        assertThat(ulp.offload()).isTrue();
        ulp.receiveAll(new MemoryChannel(s.bytes, seed, 200_000));
        assertThat(ulp.verify()).isNull();
        assertThat(ulp.digestBad).containsOnly(0);
        final UlpDdpStats st = device.getStats();
        assertThat(st.setup()).isEqualTo(st.teardown());
        assertThat(ulp.teardownDones).isEqualTo((int)st.teardown());
        assertThat(ulp.rx.dataBytesPlaced()).isLessThanOrEqualTo(s.totalRegisteredBytes());
        assertThat(ulp.resyncRequests).isEqualTo((int)st.resync());
        if (loss == 0 && reorder == 0 && duplicate == 0)
        {
            assertThat(ulp.rx.dataBytesPlaced()).isEqualTo(s.totalRegisteredBytes());
            assertThat(st.resync()).isZero();
            assertThat(device.gapsBridged()).isZero();
        }
    }

    @Property(tries = 60)
    void corruptedDataIsStillDetectedThroughEitherDevice(
        @ForAll final long seed, @ForAll final boolean hdgst, @ForAll @IntRange(min = 1, max = 16) final int reads,
        @ForAll final boolean model, @ForAll @DoubleRange(min = 0, max = 0.05) final double loss) throws Exception
    {
        final C2hStream s = new C2hStream(seed, reads, 200_000, 8, hdgst, true, 0, 0.8);
        final java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        final C2hStream.Read victim = s.reads.get(r.nextInt(s.reads.size()));
        final int pdu = r.nextInt(victim.dataStarts.size());
        final byte[] bytes = s.bytes.clone();
        bytes[(int)(victim.dataStarts.get(pdu) + r.nextInt(victim.dataLengths.get(pdu)))] ^= 0x20;
        final UlpDdpDevice device = model ?
            new ModelDdpDevice("model-crc", WireConfig.of(loss, loss, seed)) : new SoftDdpDevice("soft-crc");
        final TestUlp ulp = new TestUlp(s, device, seed);
        assertThat(ulp.offload()).isTrue();
        ulp.receiveAll(new MemoryChannel(bytes, seed, 100_000));
        assertThat(ulp.fatal).isNull();
        for (final C2hStream.Read rd : s.reads)
        {
            assertThat(ulp.digestBad[rd.cid]).as("read %d", rd.cid).isEqualTo(rd == victim ? 1 : 0);
            assertThat(ulp.completed[rd.cid]).isTrue();
        }
    }

    /**
     * One flipped data byte in every PDU, through the model NIC on a lossy wire: the NIC may skip the host's check
     * only for a PDU it saw whole and verified, so every PDU must fail its digest and none may be skipped.
     */
    @Property(tries = 40)
    void modelNeverVouchesForAPduItDidNotVerify(
        @ForAll final long seed, @ForAll final boolean hdgst, @ForAll @IntRange(min = 1, max = 16) final int reads,
        @ForAll @DoubleRange(min = 0, max = 0.08) final double loss,
        @ForAll @DoubleRange(min = 0, max = 0.15) final double reorder,
        @ForAll @DoubleRange(min = 0, max = 0.05) final double duplicate,
        @ForAll @IntRange(min = 536, max = 9000) final int mss) throws Exception
    {
        final C2hStream s = new C2hStream(seed, reads, 200_000, 8, hdgst, true, 0, 0.8);
        final java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        final byte[] bytes = s.bytes.clone();
        for (final C2hStream.Read rd : s.reads)
        {
            for (int k = 0; k < rd.dataStarts.size(); k++)
            {
                bytes[(int)(rd.dataStarts.get(k) + r.nextInt(rd.dataLengths.get(k)))] ^= 1 << r.nextInt(8);
            }
        }
        final ModelDdpDevice device =
            new ModelDdpDevice("model-vouch", new WireConfig(mss, loss, reorder, duplicate, 8, 12, seed));
        final TestUlp ulp = new TestUlp(s, device, seed);
        assertThat(ulp.offload()).isTrue();
        ulp.receiveAll(new MemoryChannel(bytes, seed, 200_000));
        assertThat(ulp.fatal).isNull();
        assertThat(ulp.rx.digestsSkipped()).isZero();
        for (final C2hStream.Read rd : s.reads)
        {
            assertThat(ulp.digestBad[rd.cid]).as("read %d", rd.cid).isEqualTo(rd.dataStarts.size());
            assertThat(ulp.completed[rd.cid]).isTrue();
        }
        final UlpDdpStats st = device.getStats();
        assertThat(st.setup()).isEqualTo(st.teardown());
    }

    private static long countRegisteredPdus(final C2hStream s)
    {
        long n = 0;
        for (final C2hStream.Read rd : s.reads)
        {
            if (rd.registered)
            {
                n += rd.dataStarts.size();
            }
        }
        return n;
    }
}
