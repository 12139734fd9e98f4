package org.nvmeof4j.ddp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.ddp.model.ModelDdpDevice;
import org.nvmeof4j.ddp.model.ModelScript;
import org.nvmeof4j.ddp.model.WireConfig;

/**
 * The model NIC under scripted packets: exact packet boundaries and exactly one late packet, to pin down when it
 * stays in sync across a gap, when it must resync, where its header search finds a header, and which PDUs keep the
 * CRC flag.
 */
class ModelNicScriptTest
{
    private static final int MSS = 1460;

    /** One C2HData PDU: header start, data start, DATAL and end (after the data digest). */
    private record Pdu(int cid, long start, long dataStart, int dataLength, long end)
    {
    }

    /** A packet: stream offset and length. */
    private record Pkt(long offset, int length)
    {
        long end()
        {
            return offset + length;
        }
    }

    // one read at a time, every read registered, data digests on, no header digests, CPDA 0: PDO 24, DDGST 4
    private final C2hStream s = new C2hStream(11, 8, 262_144, 1, false, true, 0, 1.0);
    private final List<Pdu> pdus = new ArrayList<>();
    private ModelDdpDevice device;
    private TestUlp ulp;

    @BeforeEach
    void setUp() throws Exception
    {
        pdus.clear();
        for (final C2hStream.Read rd : s.reads)
        {
            for (int k = 0; k < rd.dataStarts.size(); k++)
            {
                final long data = rd.dataStarts.get(k);
                final int len = rd.dataLengths.get(k);
                pdus.add(new Pdu(rd.cid, data - 24, data, len, data + len + 4));
            }
        }
        pdus.sort((a, b) -> Long.compare(a.start, b.start));
        device = new ModelDdpDevice("model-script", WireConfig.CLEAN);
        ulp = new TestUlp(s, device, 11);
        assertThat(ulp.offload()).isTrue();
    }

    @Test
    void shouldPlaceEverythingAndSkipEveryDigestInOrder() throws Exception
    {
        run(s.bytes, cuts());
        assertThat(ulp.verify()).isNull();
        assertThat(ulp.rx.dataBytesPlaced()).isEqualTo(s.totalRegisteredBytes());
        assertThat(ulp.rx.digestsSkipped()).isEqualTo(pdus.size());
        assertThat(device.getStats().resync()).isZero();
    }

    @Test
    void shouldStayInSyncAcrossADataOnlyGapAndCheckThatPduInSoftware() throws Exception
    {
        final List<Pkt> cuts = cuts();
        final int k = dataOnlyPacket(cuts);
        run(s.bytes, late(cuts, k, 2));
        assertThat(ulp.verify()).isNull();
        assertThat(ulp.digestBad).containsOnly(0);
        assertThat(device.gapsBridged()).isEqualTo(1);
        assertThat(device.getStats().resync()).isZero();
        // everything but the late packet is placed, the packet after the gap included
        assertThat(ulp.rx.dataBytesPlaced()).isEqualTo(s.totalRegisteredBytes() - cuts.get(k).length);
        // the NIC could not check the digest of the PDU it did not see whole: the host does. The flag is per packet,
        // so a PDU whose data shares the packet carrying that digest is checked by the host too
        final Pdu p = pduAt(cuts.get(k).offset);
        final Pkt tail = cuts.get(indexOf(cuts, p.end - 1));
        final long sharing = pdus.stream()
            .filter(o -> o != p && o.dataStart < tail.end() && o.dataStart + o.dataLength > tail.offset).count();
        assertThat(ulp.rx.digestsSkipped()).isEqualTo(pdus.size() - 1 - sharing);
    }

    @Test
    void shouldCatchACorruptByteAfterTheGapOrInTheLatePacket() throws Exception
    {
        final List<Pkt> cuts = cuts();
        final int k = dataOnlyPacket(cuts);
        final Pdu p = pduAt(cuts.get(k).offset);
        for (final long corrupt : new long[] {cuts.get(k + 1).offset + 7, cuts.get(k).offset + 100})
        {
            setUp();
            final byte[] bytes = s.bytes.clone();
            bytes[(int)corrupt] ^= 0x01;
            run(bytes, late(cuts, k, 2));
            assertThat(ulp.fatal).isNull();
            for (final C2hStream.Read rd : s.reads)
            {
                assertThat(ulp.completed[rd.cid]).isTrue();
                assertThat(ulp.digestBad[rd.cid]).as("byte %d, read %d", corrupt, rd.cid)
                    .isEqualTo(rd.cid == p.cid ? 1 : 0);
            }
        }
    }

    @Test
    void shouldStayInSyncWhenTheGapEndsExactlyAtTheNextHeader() throws Exception
    {
        Pdu p = null;
        for (int i = 0; i + 1 < pdus.size() && p == null; i++)
        {
            if (pdus.get(i).dataLength >= 3 * MSS && pdus.get(i + 1).start == pdus.get(i).end)
            {
                p = pdus.get(i);
            }
        }
        assertThat(p).isNotNull();
        final List<Pkt> cuts = cuts(p.end);
        final int k = indexOf(cuts, p.end - 1);
        assertThat(cuts.get(k).end()).isEqualTo(p.end);
        assertThat(cuts.get(k).offset).isGreaterThan(p.dataStart);
        run(s.bytes, late(cuts, k, 2));
        assertThat(ulp.verify()).isNull();
        assertThat(device.gapsBridged()).isEqualTo(1);
        assertThat(device.getStats().resync()).isZero();
        assertThat(ulp.rx.dataBytesPlaced()).isEqualTo(s.totalRegisteredBytes() - (cuts.get(k).length - 4));
        assertThat(ulp.rx.digestsSkipped()).isEqualTo(pdus.size() - 1); // the next PDU is verified by the NIC
    }

    @Test
    void shouldResyncWhenTheGapTakesAHeaderAndResumeOffloadAfter() throws Exception
    {
        final int q = chainWithLongData();
        final List<Pkt> cuts = cuts();
        final int k = indexOf(cuts, pdus.get(q).start + 8); // holds the next header's PLEN
        assertThat(cuts.get(k).offset).isGreaterThan(pdus.get(q - 1).dataStart);
        run(s.bytes, late(cuts, k, 2));
        assertThat(ulp.verify()).isNull();
        assertThat(ulp.digestBad).containsOnly(0);
        assertThat(device.gapsBridged()).isZero();
        assertThat(device.getStats().resync()).isEqualTo(1);
        assertThat(device.resyncConfirmed()).isEqualTo(1);
        assertThat(device.bytesPlacedAfterResync()).isPositive();
    }

    @Test
    void shouldFindAHeaderThatStraddlesTwoPackets() throws Exception
    {
        final int q = chainWithLongData();
        final long r = pdus.get(q + 1).start;
        final List<Pkt> cuts = cuts(r + 3); // the next header's first 3 bytes end a packet
        final int k = indexOf(cuts, pdus.get(q).start + 8);
        final int t = indexOf(cuts, r);
        // the late packet comes after the header is complete: the host has not reached it when the NIC asks
        run(s.bytes, late(cuts, k, t + 1 - k));
        assertThat(ulp.verify()).isNull();
        assertThat(ulp.resyncRequests).isEqualTo(1);
        assertThat(ulp.resync.requestedSeq()).isEqualTo((int)r);
        assertThat(device.resyncConfirmed()).isEqualTo(1);
        assertThat(device.bytesPlacedAfterResync()).isPositive();
    }

    @Test
    void shouldAskAgainAtTheNextHeaderWhenTheStraddledOneMayHaveGoneUpAlready() throws Exception
    {
        final int q = chainWithLongData();
        final long r = pdus.get(q + 1).start;
        final long next = pdus.get(q + 1).end;
        assertThat(pdus.get(q + 2).start).isEqualTo(next);
        final List<Pkt> cuts = cuts(r + 3);
        final int k = indexOf(cuts, pdus.get(q).start + 8);
        final int t = indexOf(cuts, r);
        // the late packet arrives just before the one that completes the straddled header: reassembly hands the
        // host everything up to the header's first bytes before the NIC has seen the rest of it
        run(s.bytes, late(cuts, k, t - k));
        assertThat(ulp.verify()).isNull();
        assertThat(ulp.resyncRequests).isEqualTo(2);
        assertThat(ulp.resync.requestedSeq()).isEqualTo((int)next);
        assertThat(device.resyncConfirmed()).isEqualTo(1);
        assertThat(device.bytesPlacedAfterResync()).isPositive();
    }

    // ------------------------------------------------------------------------------------------------- helpers

    private void run(final byte[] bytes, final List<Pkt> arrival) throws Exception
    {
        for (final Pkt p : arrival)
        {
            ModelScript.arrive(ulp.connection, ulp.rx, bytes, p.offset, p.length);
        }
        ulp.receiveAll(new MemoryChannel(new byte[0], 1, 1)); // end of stream: teardown completions run
    }

    /** MSS packets over the stream, each forced cut also ending a packet. */
    private List<Pkt> cuts(final long... forced)
    {
        final long[] f = forced.clone();
        Arrays.sort(f);
        final List<Pkt> out = new ArrayList<>();
        long at = 0;
        int next = 0;
        while (at < s.bytes.length)
        {
            long end = Math.min(at + MSS, s.bytes.length);
            while (next < f.length && f[next] <= at)
            {
                next++;
            }
            if (next < f.length && f[next] < end)
            {
                end = f[next];
            }
            out.add(new Pkt(at, (int)(end - at)));
            at = end;
        }
        return out;
    }

    /** The packets in order, but packet {@code k} arrives after the {@code by} packets following it. */
    private static List<Pkt> late(final List<Pkt> cuts, final int k, final int by)
    {
        final List<Pkt> out = new ArrayList<>(cuts);
        out.add(k + by, out.remove(k));
        return out;
    }

    private static int indexOf(final List<Pkt> cuts, final long offset)
    {
        for (int i = 0; i < cuts.size(); i++)
        {
            if (offset >= cuts.get(i).offset && offset < cuts.get(i).end())
            {
                return i;
            }
        }
        throw new AssertionError("no packet holds " + offset);
    }

    private Pdu pduAt(final long offset)
    {
        for (final Pdu p : pdus)
        {
            if (offset >= p.start && offset < p.end)
            {
                return p;
            }
        }
        throw new AssertionError("no PDU holds " + offset);
    }

    /** A packet inside a long PDU's data, with the packet after it also inside that data. */
    private int dataOnlyPacket(final List<Pkt> cuts)
    {
        for (final Pdu p : pdus)
        {
            if (p.dataLength >= 4 * MSS)
            {
                final int k = indexOf(cuts, p.dataStart) + 1;
                assertThat(cuts.get(k + 1).end()).isLessThan(p.dataStart + p.dataLength);
                return k;
            }
        }
        throw new AssertionError("no long PDU");
    }

    /** Index q of PDUs q - 1, q, q + 1, q + 2 back to back, q and q + 1 with at least 3 packets of data. */
    private int chainWithLongData()
    {
        for (int q = 1; q + 2 < pdus.size(); q++)
        {
            if (pdus.get(q).start == pdus.get(q - 1).end && pdus.get(q + 1).start == pdus.get(q).end &&
                pdus.get(q + 2).start == pdus.get(q + 1).end && pdus.get(q - 1).dataLength >= 2 * MSS &&
                pdus.get(q).dataLength >= 3 * MSS && pdus.get(q + 1).dataLength >= 3 * MSS)
            {
                return q;
            }
        }
        throw new AssertionError("no chain of long PDUs");
    }
}
