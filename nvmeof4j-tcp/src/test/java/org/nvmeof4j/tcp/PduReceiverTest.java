package org.nvmeof4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.protocol.crc.Crc32c;
import org.nvmeof4j.protocol.pdu.CapsulePdu;
import org.nvmeof4j.protocol.pdu.CommonHeader;
import org.nvmeof4j.protocol.pdu.DataPdu;
import org.nvmeof4j.protocol.pdu.Fes;
import org.nvmeof4j.protocol.pdu.IcReqPdu;
import org.nvmeof4j.protocol.pdu.IcRespPdu;
import org.nvmeof4j.protocol.pdu.PduType;
import org.nvmeof4j.protocol.pdu.TermReqPdu;

class PduReceiverTest
{
    /** Encode PDUs with a real PduSender into bytes, as a peer would put them on the wire. */
    static final class Wire
    {
        final PduSender sender = new PduSender(16, null);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final WritableByteChannel ch = Channels.newChannel(out);

        Wire digests(final boolean hdgst, final boolean ddgst, final int align)
        {
            sender.connectionInitialized(hdgst, ddgst, align);
            return this;
        }

        Wire icResp(final boolean hdgst, final boolean ddgst)
        {
            new IcRespPdu().wrap(sender.claimHeader(), 0).encode(0, hdgst, ddgst, 131072);
            sender.commitRaw(128, PduSender.NO_TOKEN);
            return flush();
        }

        Wire icReq()
        {
            new IcReqPdu().wrap(sender.claimHeader(), 0).encode(0, false, false, 0);
            sender.commitRaw(128, PduSender.NO_TOKEN);
            return flush();
        }

        Wire capsuleResp(final int cid)
        {
            final ByteBuffer h = sender.claimHeader();
            new CommonHeader().wrap(h, 0).header(PduType.CAPSULE_RESP, 0, 0, 24).clear(0);
            for (int i = 8; i < 24; i++)
            {
                h.put(i, (byte)0);
            }
            h.put(8 + 12, (byte)cid);
            sender.commit(null, 0, 0, PduSender.NO_TOKEN);
            return flush();
        }

        Wire c2hData(final int cid, final int datao, final ByteBuffer data, final int flags)
        {
            new DataPdu().wrap(sender.claimHeader(), 0).encode(PduType.C2H_DATA, flags, 0, 0, cid, 0, datao,
                data.remaining());
            sender.commit(data, data.position(), data.remaining(), PduSender.NO_TOKEN);
            return flush();
        }

        Wire capsuleCmd(final ByteBuffer inCapsule)
        {
            final ByteBuffer h = sender.claimHeader();
            for (int i = 0; i < 72; i++)
            {
                h.put(i, (byte)0);
            }
            new CommonHeader().wrap(h, 0).header(PduType.CAPSULE_CMD, 0, 0, 0);
            h.put(CapsulePdu.CAPSULE_OFFSET, (byte)0x01);
            sender.commit(inCapsule, 0, inCapsule == null ? 0 : inCapsule.remaining(), PduSender.NO_TOKEN);
            return flush();
        }

        Wire flush()
        {
            try
            {
                while (sender.hasPending())
                {
                    sender.flush(new GatheringAdapter(ch));
                }
            }
            catch (final IOException e)
            {
                throw new AssertionError(e);
            }
            return this;
        }

        byte[] bytes()
        {
            return out.toByteArray();
        }
    }

    static ByteBuffer pattern(final int n, final long seed)
    {
        final byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return ByteBuffer.wrap(b);
    }

    static PduReceiver host(final RecordingListener l, final boolean hdgst, final boolean ddgst)
    {
        final PduReceiver rx = new PduReceiver(PduReceiver.Role.HOST, l);
        return rx;
    }

    static void feed(final PduReceiver rx, final byte[] bytes, final int... splits)
    {
        final ByteBuffer b = ByteBuffer.allocateDirect(bytes.length);
        b.put(bytes).clear();
        int from = 0;
        for (final int s : splits)
        {
            rx.consume(b, from, s - from);
            from = s;
        }
        rx.consume(b, from, bytes.length - from);
    }

    private static byte[] hostStream(final boolean hdgst, final boolean ddgst)
    {
        final Wire w = new Wire().icResp(hdgst, ddgst).digests(hdgst, ddgst, 0);
        w.c2hData(3, 0, pattern(5000, 1), CommonHeader.FLAG_LAST_PDU);
        w.capsuleResp(3);
        w.c2hData(4, 5000, pattern(3000, 2), CommonHeader.FLAG_LAST_PDU | CommonHeader.FLAG_SUCCESS);
        return w.bytes();
    }

    private static void assertHostStream(final RecordingListener l, final boolean ddgst)
    {
        assertThat(l.fatal).as(l.events.toString()).isFalse();
        assertThat(l.events).containsExactly("IC_RESP:0", "C2H_DATA:5000", "C2H_DATA:data:ok", "CAPSULE_RESP:0",
            "C2H_DATA:3000", "C2H_DATA:data:ok");
        assertThat(l.sink.slice(0, 5000)).isEqualTo(pattern(5000, 1));
        assertThat(l.sink.slice(5000, 3000)).isEqualTo(pattern(3000, 2));
    }

    private static PduReceiver hostAfterIc(final RecordingListener l, final boolean hdgst, final boolean ddgst)
    {
        l.hook = RecordingListener.initializeOnIc(hdgst, ddgst);
        return new PduReceiver(PduReceiver.Role.HOST, l);
    }

    @Test
    void shouldReceiveWholeStreamInOneSegment()
    {
        for (final boolean hd : new boolean[] {false, true})
        {
            for (final boolean dd : new boolean[] {false, true})
            {
                final RecordingListener l = new RecordingListener();
                final PduReceiver rx = hostAfterIc(l, hd, dd);
                feed(rx, hostStream(hd, dd));
                assertHostStream(l, dd);
            }
        }
    }

    @Test
    void shouldReceiveByteByByte()
    {
        final byte[] s = hostStream(true, true);
        final RecordingListener l = new RecordingListener();
        final PduReceiver rx = hostAfterIc(l, true, true);
        final ByteBuffer b = ByteBuffer.wrap(s);
        for (int i = 0; i < s.length; i++)
        {
            rx.consume(b, i, 1);
        }
        assertHostStream(l, true);
        assertThat(rx.streamOffset()).isEqualTo(s.length);
    }

    @Test
    void shouldReceiveAtEverySplitPoint()
    {
        final byte[] s = hostStream(true, true);
        for (int split = 1; split < s.length; split += (split < 400 ? 1 : 37))
        {
            final RecordingListener l = new RecordingListener();
            final PduReceiver rx = hostAfterIc(l, true, true);
            feed(rx, s, split);
            assertHostStream(l, true);
        }
    }

    @Property(tries = 200)
    void shouldReceiveAnySegmentation(@ForAll final long seed, @ForAll final boolean hd, @ForAll final boolean dd)
    {
        final byte[] s = hostStream(hd, dd);
        final Random r = new Random(seed);
        final RecordingListener l = new RecordingListener();
        final PduReceiver rx = hostAfterIc(l, hd, dd);
        final ByteBuffer b = ByteBuffer.wrap(s);
        int at = 0;
        while (at < s.length)
        {
            final int n = Math.min(s.length - at, 1 + r.nextInt(r.nextBoolean() ? 16 : 4096));
            rx.consume(b, at, n);
            at += n;
        }
        assertHostStream(l, dd);
    }

    @Property(tries = 100)
    void shouldDetectAnyCorruptedDataByte(@ForAll @IntRange(min = 0, max = 4999) final int at)
    {
        final byte[] s = hostStream(true, true);
        final int dataStart = 128 + 24 + 4;
        s[dataStart + at] ^= 0x40;
        final RecordingListener l = new RecordingListener();
        feed(hostAfterIc(l, true, true), s);
        assertThat(l.fatal).isFalse();
        assertThat(l.events).contains("C2H_DATA:data:bad");
        assertThat(l.events.get(l.events.size() - 1)).isEqualTo("C2H_DATA:data:ok");
    }

    @Test
    void shouldSkipCopyAndDigestForPlacedVerifiedSegments()
    {
        final Wire w = new Wire().icResp(false, true).digests(false, true, 0);
        final ByteBuffer data = pattern(8192, 9);
        w.c2hData(1, 0, data.duplicate(), CommonHeader.FLAG_LAST_PDU);
        final byte[] s = w.bytes();
        final RecordingListener l = new RecordingListener();
        final PduReceiver rx = hostAfterIc(l, false, true);
        final ByteBuffer b = ByteBuffer.wrap(s);
        rx.consume(b, 0, 128 + 24);
        // the device already put the payload in the destination and verified the digest
        l.sink.put(0, data, 0, 8192);
        final Segment placed = new Segment().set(l.sink, 0, 8192, 152, true, true);
        rx.consume(placed);
        // a garbage digest on the wire is not looked at when every segment was crcOk
        rx.consume(new Segment().set(ByteBuffer.wrap(new byte[4]), 0, 4, 152 + 8192, false, true));
        assertThat(l.events).containsExactly("IC_RESP:0", "C2H_DATA:8192", "C2H_DATA:data:ok");
        assertThat(rx.dataBytesPlaced()).isEqualTo(8192);
        assertThat(rx.dataBytesCopied()).isZero();
        assertThat(rx.digestsSkipped()).isEqualTo(1);
    }

    @Test
    void shouldComputeDigestWhenOnlySomeSegmentsAreVerified()
    {
        final Wire w = new Wire().icResp(false, true).digests(false, true, 0);
        final ByteBuffer data = pattern(8192, 10);
        w.c2hData(1, 0, data.duplicate(), CommonHeader.FLAG_LAST_PDU);
        final byte[] s = w.bytes();
        final RecordingListener l = new RecordingListener();
        final PduReceiver rx = hostAfterIc(l, false, true);
        final ByteBuffer b = ByteBuffer.wrap(s);
        rx.consume(b, 0, 152);
        l.sink.put(0, data, 0, 4096);
        rx.consume(new Segment().set(l.sink, 0, 4096, 152, true, true));
        rx.consume(new Segment().set(b, 152 + 4096, 4096 + 4, 152 + 4096, false, false));
        assertThat(l.events).containsExactly("IC_RESP:0", "C2H_DATA:8192", "C2H_DATA:data:ok");
        assertThat(l.sink.slice(0, 8192)).isEqualTo(data);
        assertThat(rx.digestsSkipped()).isZero();
    }

    @Test
    void shouldCheckDigestInSoftwareWhenTheDigestSegmentIsNotVerified()
    {
        final Wire w = new Wire().icResp(false, true).digests(false, true, 0);
        final ByteBuffer data = pattern(8192, 11);
        w.c2hData(1, 0, data.duplicate(), CommonHeader.FLAG_LAST_PDU);
        final byte[] s = w.bytes();
        s[s.length - 1] ^= 0x01; // corrupt the digest on the wire
        final RecordingListener l = new RecordingListener();
        final PduReceiver rx = hostAfterIc(l, false, true);
        final ByteBuffer b = ByteBuffer.wrap(s);
        rx.consume(b, 0, 152);
        l.sink.put(0, data, 0, 8192);
        // every data segment looked fine to the device, but the packet with the digest carries its mismatch verdict
        rx.consume(new Segment().set(l.sink, 0, 8192, 152, true, true));
        rx.consume(new Segment().set(b, 152 + 8192, 4, 152 + 8192, false, false));
        assertThat(l.events).containsExactly("IC_RESP:0", "C2H_DATA:8192", "C2H_DATA:data:bad");
        assertThat(rx.digestsSkipped()).isZero();
    }

    @Test
    void shouldReportPduBoundaries()
    {
        final byte[] s = hostStream(false, false);
        final RecordingListener l = new RecordingListener();
        final PduReceiver rx = new PduReceiver(PduReceiver.Role.HOST, l);
        feed(rx, s, 3);
        assertThat(l.boundaries.get(0)).isZero();
        assertThat(l.boundaries.get(1)).isEqualTo(128);
    }

    @Test
    void shouldReceiveInCapsuleDataOnController()
    {
        final Wire w = new Wire().icReq().digests(true, true, 0);
        w.capsuleCmd(pattern(4096, 3));
        w.capsuleCmd(null);
        final RecordingListener l = new RecordingListener(RecordingListener.initializeOnIc(true, true));
        final PduReceiver rx = new PduReceiver(PduReceiver.Role.CONTROLLER, l);
        feed(rx, w.bytes(), 200, 201);
        assertThat(l.events).containsExactly("IC_REQ:0", "CAPSULE_CMD:4096", "CAPSULE_CMD:data:ok",
            "CAPSULE_CMD:0");
        assertThat(l.sink.slice(0, 4096)).isEqualTo(pattern(4096, 3));
    }

    // ---- one negative test per FES: given … expect fes … fei …

    private static RecordingListener feedAfterIc(final byte[] pdu, final boolean hdgst, final boolean ddgst,
        final PduReceiver.Role role, final int maxInCapsule, final int maxData)
    {
        final RecordingListener l = new RecordingListener();
        final PduReceiver rx = new PduReceiver(role, l);
        rx.connectionInitialized(hdgst, ddgst, 0);
        rx.maxInCapsuleData(maxInCapsule);
        rx.maxDataPdu(maxData);
        feed(rx, pdu);
        return l;
    }

    @Test
    void givenUndefinedPduTypeExpectInvalidHeaderFieldAtOffset0()
    {
        final byte[] pdu = new byte[24];
        pdu[0] = 0x08;
        pdu[2] = 24;
        pdu[4] = 24;
        final RecordingListener l = feedAfterIc(pdu, false, false, PduReceiver.Role.HOST, 8192, 1 << 20);
        assertThat(l.fes).isEqualTo(Fes.INVALID_HEADER_FIELD);
        assertThat(l.fei).isEqualTo(CommonHeader.PDU_TYPE_OFFSET);
        assertThat(l.termHeader).startsWith(0x08, 0, 24, 0);
    }

    @Test
    void givenControllerPduSentToControllerExpectInvalidHeaderField()
    {
        final byte[] pdu = {0x05, 0, 24, 0, 24, 0, 0, 0};
        final RecordingListener l = feedAfterIc(pdu, false, false, PduReceiver.Role.CONTROLLER, 8192, 1 << 20);
        assertThat(l.fes).isEqualTo(Fes.INVALID_HEADER_FIELD);
        assertThat(l.fei).isEqualTo(0);
    }

    @Test
    void givenWrongHlenExpectInvalidHeaderFieldAtOffset2()
    {
        final byte[] pdu = {0x05, 0, 20, 0, 24, 0, 0, 0};
        final RecordingListener l = feedAfterIc(pdu, false, false, PduReceiver.Role.HOST, 8192, 1 << 20);
        assertThat(l.fes).isEqualTo(Fes.INVALID_HEADER_FIELD);
        assertThat(l.fei).isEqualTo(CommonHeader.HLEN_OFFSET);
    }

    @Test
    void givenWrongPlenExpectInvalidHeaderFieldAtOffset4()
    {
        final byte[] pdu = {0x05, 0, 24, 0, 25, 0, 0, 0};
        final RecordingListener l = feedAfterIc(pdu, false, false, PduReceiver.Role.HOST, 8192, 1 << 20);
        assertThat(l.fes).isEqualTo(Fes.INVALID_HEADER_FIELD);
        assertThat(l.fei).isEqualTo(CommonHeader.PLEN_OFFSET);
    }

    @Test
    void givenIcReqWithWrongPlenExpectInvalidHeaderFieldAtOffset4()
    {
        final byte[] pdu = new byte[8];
        pdu[2] = (byte)128;
        pdu[4] = 127;
        final RecordingListener l = new RecordingListener();
        feed(new PduReceiver(PduReceiver.Role.CONTROLLER, l), pdu);
        assertThat(l.fes).isEqualTo(Fes.INVALID_HEADER_FIELD);
        assertThat(l.fei).isEqualTo(CommonHeader.PLEN_OFFSET);
    }

    @Test
    void givenPdoInsideHeaderExpectInvalidHeaderFieldAtOffset3()
    {
        final byte[] pdu = {0x07, 0x04, 24, 16, 0x28, 0, 0, 0};
        final RecordingListener l = feedAfterIc(pdu, false, false, PduReceiver.Role.HOST, 8192, 1 << 20);
        assertThat(l.fes).isEqualTo(Fes.INVALID_HEADER_FIELD);
        assertThat(l.fei).isEqualTo(CommonHeader.PDO_OFFSET);
    }

    @Test
    void givenMissingHeaderDigestFlagExpectInvalidHeaderFieldAtOffset1()
    {
        final byte[] pdu = {0x05, 0, 24, 0, 28, 0, 0, 0};
        final RecordingListener l = feedAfterIc(pdu, true, false, PduReceiver.Role.HOST, 8192, 1 << 20);
        assertThat(l.fes).isEqualTo(Fes.INVALID_HEADER_FIELD);
        assertThat(l.fei).isEqualTo(CommonHeader.FLAGS_OFFSET);
    }

    @Test
    void givenDatalThatDisagreesWithPlenExpectInvalidHeaderFieldAtOffset16()
    {
        final Wire w = new Wire().digests(false, false, 0);
        w.c2hData(1, 0, pattern(100, 1), CommonHeader.FLAG_LAST_PDU);
        final byte[] s = w.bytes();
        s[DataPdu.DATAL_OFFSET] = 99;
        final RecordingListener l = feedAfterIc(s, false, false, PduReceiver.Role.HOST, 8192, 1 << 20);
        assertThat(l.fes).isEqualTo(Fes.INVALID_HEADER_FIELD);
        assertThat(l.fei).isEqualTo(DataPdu.DATAL_OFFSET);
    }

    @Test
    void givenSecondIcReqExpectPduSequenceError()
    {
        final byte[] s = new Wire().icReq().bytes();
        final RecordingListener l = feedAfterIc(s, false, false, PduReceiver.Role.CONTROLLER, 8192, 1 << 20);
        assertThat(l.fes).isEqualTo(Fes.PDU_SEQUENCE_ERROR);
        assertThat(l.fei).isZero();
    }

    @Test
    void givenCapsuleBeforeIcReqExpectPduSequenceError()
    {
        final byte[] s = new Wire().capsuleCmd(null).bytes();
        final RecordingListener l = new RecordingListener();
        feed(new PduReceiver(PduReceiver.Role.CONTROLLER, l), s);
        assertThat(l.fes).isEqualTo(Fes.PDU_SEQUENCE_ERROR);
    }

    @Test
    void givenBadHeaderDigestExpectHeaderDigestError()
    {
        final Wire w = new Wire().digests(true, false, 0);
        w.capsuleResp(5);
        final byte[] s = w.bytes();
        s[24] ^= 1;
        final RecordingListener l = feedAfterIc(s, true, false, PduReceiver.Role.HOST, 8192, 1 << 20);
        assertThat(l.fes).isEqualTo(Fes.HEADER_DIGEST_ERROR);
        assertThat(l.fei).isZero();
        assertThat(l.termHeader).hasSize(28);
    }

    @Test
    void givenListenerRejectsDataOffsetExpectDataTransferOutOfRange()
    {
        final Wire w = new Wire().digests(false, false, 0);
        w.c2hData(1, 1 << 30, pattern(512, 1), CommonHeader.FLAG_LAST_PDU);
        final RecordingListener inner = new RecordingListener((r, t, h, n) ->
        {
            if (new DataPdu().wrap(h, 0).datao() + n > 4096)
            {
                r.fatal(Fes.DATA_TRANSFER_OUT_OF_RANGE, 0, "DATAO beyond the command");
                return false;
            }
            return true;
        });
        final PduReceiver rx = new PduReceiver(PduReceiver.Role.HOST, inner);
        rx.connectionInitialized(false, false, 0);
        feed(rx, w.bytes());
        assertThat(inner.fes).isEqualTo(Fes.DATA_TRANSFER_OUT_OF_RANGE);
        assertThat(inner.termHeader).hasSize(24);
        assertThat(rx.isStopped()).isTrue();
    }

    @Test
    void givenTooMuchInCapsuleDataExpectDataTransferLimitExceeded()
    {
        final Wire w = new Wire().digests(false, false, 0);
        w.capsuleCmd(pattern(8200, 1));
        final RecordingListener l = feedAfterIc(w.bytes(), false, false, PduReceiver.Role.CONTROLLER, 8192, 1 << 20);
        assertThat(l.fes).isEqualTo(Fes.DATA_TRANSFER_LIMIT_EXCEEDED);
        assertThat(l.events).containsExactly("fatal:DATA_TRANSFER_LIMIT_EXCEEDED:0");
    }

    @Test
    void givenH2CDataAboveMaxh2cdataExpectDataTransferLimitExceeded()
    {
        final byte[] pdu = new byte[24];
        pdu[0] = 0x06;
        pdu[1] = 0x04;
        pdu[2] = 24;
        pdu[3] = 24;
        CommonHeader.u32(ByteBuffer.wrap(pdu), 4, 24 + 65536);
        CommonHeader.u32(ByteBuffer.wrap(pdu), 16, 65536);
        final RecordingListener l = feedAfterIc(pdu, false, false, PduReceiver.Role.CONTROLLER, 8192, 32768);
        assertThat(l.fes).isEqualTo(Fes.DATA_TRANSFER_LIMIT_EXCEEDED);
    }

    @Test
    void givenUnsupportedPfvTheListenerNamesUnsupportedParameterAtOffset8()
    {
        final ByteBuffer ic = ByteBuffer.allocate(128);
        new IcReqPdu().wrap(ic, 0).encode(0, false, false, 0).pfv(1);
        final RecordingListener inner = new RecordingListener((r, t, h, n) ->
        {
            if (new IcReqPdu().wrap(h, 0).pfv() != 0)
            {
                r.fatal(Fes.UNSUPPORTED_PARAMETER, IcReqPdu.PFV_OFFSET, "PFV");
            }
            return false;
        });
        final PduReceiver rx = new PduReceiver(PduReceiver.Role.CONTROLLER, inner);
        feed(rx, ic.array());
        assertThat(inner.fes).isEqualTo(Fes.UNSUPPORTED_PARAMETER);
        assertThat(inner.fei).isEqualTo(8);
        assertThat(inner.termHeader).hasSize(TermReqPdu.MAX_COPIED_HEADER);
    }

    @Test
    void givenPeerTermReqExpectStopWithoutAnswer()
    {
        final ByteBuffer t = ByteBuffer.allocate(64);
        final int plen = new TermReqPdu().wrap(t, 0).encode(PduType.C2H_TERM_REQ, Fes.HEADER_DIGEST_ERROR, 0,
            ByteBuffer.allocate(24), 0, 24);
        final RecordingListener l = feedAfterIc(java.util.Arrays.copyOf(t.array(), plen), false, false,
            PduReceiver.Role.HOST, 8192, 1 << 20);
        assertThat(l.fatal).isTrue();
        assertThat(l.fes).isNull();
        assertThat(l.events).containsExactly("C2H_TERM_REQ:0", "fatal:peer:0");
    }

    @Test
    void givenTermReqWithHugePlenExpectInvalidHeaderField()
    {
        final byte[] pdu = {0x03, 0, 24, 0, (byte)0xff, 0, 0, 0};
        final RecordingListener l = feedAfterIc(pdu, false, false, PduReceiver.Role.HOST, 8192, 1 << 20);
        assertThat(l.fes).isEqualTo(Fes.INVALID_HEADER_FIELD);
        assertThat(l.fei).isEqualTo(CommonHeader.PLEN_OFFSET);
    }

    @Property(tries = 2000)
    void shouldNeverThrowOnArbitraryBytes(@ForAll final byte[] junk, @ForAll final boolean hd, @ForAll final boolean dd,
        @ForAll final boolean controller)
    {
        final RecordingListener l = new RecordingListener();
        final PduReceiver rx = new PduReceiver(controller ? PduReceiver.Role.CONTROLLER : PduReceiver.Role.HOST, l);
        if (junk.length % 2 == 0)
        {
            rx.connectionInitialized(hd, dd, 0);
        }
        feed(rx, junk);
        assertThat(rx.streamOffset()).isLessThanOrEqualTo(junk.length);
        assertThat(List.of(l.fatal, !l.fatal)).contains(true);
    }

    /** Adapts a WritableByteChannel to the gathering interface, one buffer at a time. */
    static final class GatheringAdapter implements java.nio.channels.GatheringByteChannel
    {
        private final WritableByteChannel ch;

        GatheringAdapter(final WritableByteChannel ch)
        {
            this.ch = ch;
        }

        @Override
        public long write(final ByteBuffer[] srcs, final int offset, final int length) throws IOException
        {
            long n = 0;
            for (int i = offset; i < offset + length; i++)
            {
                n += ch.write(srcs[i]);
            }
            return n;
        }

        @Override
        public long write(final ByteBuffer[] srcs) throws IOException
        {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public int write(final ByteBuffer src) throws IOException
        {
            return ch.write(src);
        }

        @Override
        public boolean isOpen()
        {
            return true;
        }

        @Override
        public void close()
        {
        }
    }

    @Test
    void digestHelperShouldMatchKnownCrc32cValue()
    {
        // CRC32C("123456789") = 0xE3069283 (the standard check value)
        final ByteBuffer b = ByteBuffer.wrap("123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(new Crc32c().compute(b, 0, 9)).isEqualTo(0xE3069283);
        final ByteBuffer d = ByteBuffer.allocateDirect(20);
        d.position(11).put(b.duplicate()).position(3).limit(5);
        assertThat(new Crc32c().compute(d, 11, 9)).isEqualTo(0xE3069283);
        assertThat(d.position()).isEqualTo(3);
        assertThat(d.limit()).isEqualTo(5);
    }
}
