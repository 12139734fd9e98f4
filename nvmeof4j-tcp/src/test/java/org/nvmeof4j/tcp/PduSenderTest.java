package org.nvmeof4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.protocol.pdu.CommonHeader;
import org.nvmeof4j.protocol.pdu.DataPdu;
import org.nvmeof4j.protocol.pdu.Fes;
import org.nvmeof4j.protocol.pdu.PduType;

class PduSenderTest
{
    /** A channel that takes at most {@code budget} bytes per write call, and sometimes none. */
    static final class StingyChannel implements GatheringByteChannel
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final Random random;
        final int budget;

        StingyChannel(final long seed, final int budget)
        {
            this.random = new Random(seed);
            this.budget = budget;
        }

        @Override
        public long write(final ByteBuffer[] srcs, final int offset, final int length)
        {
            int allowed = random.nextInt(budget + 1);
            long n = 0;
            for (int i = offset; i < offset + length && allowed > 0; i++)
            {
                while (srcs[i].hasRemaining() && allowed > 0)
                {
                    out.write(srcs[i].get());
                    allowed--;
                    n++;
                }
            }
            return n;
        }

        @Override
        public long write(final ByteBuffer[] srcs)
        {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public int write(final ByteBuffer src)
        {
            return (int)write(new ByteBuffer[] {src}, 0, 1);
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

    @Property(tries = 200)
    void shouldProduceTheSameStreamWhateverTheSocketTakes(
        @ForAll final long seed, @ForAll @IntRange(min = 1, max = 9000) final int budget, @ForAll final boolean hd,
        @ForAll final boolean dd) throws IOException
    {
        final List<Long> sent = new ArrayList<>();
        final PduSender s = new PduSender(4, sent::add);
        s.connectionInitialized(hd, dd, 0);
        // one data buffer used by several PDUs at once, as the H2CData of one write are
        final ByteBuffer data = PduReceiverTest.pattern(20000, seed);
        data.position(7).limit(19999);
        for (int i = 0; i < 10; i++)
        {
            new DataPdu().wrap(s.claimHeader(), 0).encode(PduType.C2H_DATA, i == 9 ? CommonHeader.FLAG_LAST_PDU : 0,
                0, 0, 1, 0, i * 2000L, 2000);
            s.commit(data, i * 2000, 2000, i);
        }
        final StingyChannel ch = new StingyChannel(seed, budget);
        for (int guard = 0; s.hasPending() && guard < 1_000_000; guard++)
        {
            s.flush(ch);
        }
        assertThat(s.hasPending()).isFalse();
        assertThat(sent).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(data.position()).isEqualTo(7);
        assertThat(data.limit()).isEqualTo(19999);

        final RecordingListener l = new RecordingListener();
        final PduReceiver rx = new PduReceiver(PduReceiver.Role.HOST, l);
        rx.connectionInitialized(hd, dd, 0);
        final byte[] wire = ch.out.toByteArray();
        rx.consume(ByteBuffer.wrap(wire), 0, wire.length);
        assertThat(l.fatal).as(l.events.toString()).isFalse();
        assertThat(l.sink.slice(0, 20000)).isEqualTo(data.clear());
    }

    @Test
    void shouldPadDataToThePeersAlignment()
    {
        final PduSender s = new PduSender(4, null);
        s.connectionInitialized(true, false, 7); // 32-byte alignment
        new DataPdu().wrap(s.claimHeader(), 0).encode(PduType.H2C_DATA, CommonHeader.FLAG_LAST_PDU, 0, 0, 1, 1, 0, 8);
        s.commit(ByteBuffer.allocate(8), 0, 8, PduSender.NO_TOKEN);
        final StingyChannel ch = new StingyChannel(1, 1000);
        while (s.hasPending())
        {
            try
            {
                s.flush(ch);
            }
            catch (final IOException e)
            {
                throw new AssertionError(e);
            }
        }
        final byte[] w = ch.out.toByteArray();
        assertThat(w).hasSize(32 + 8);
        assertThat(w[CommonHeader.PDO_OFFSET]).isEqualTo((byte)32);
        assertThat(w[CommonHeader.FLAGS_OFFSET] & CommonHeader.FLAG_HDGSTF).isNotZero();
    }

    @Test
    void shouldGrowTheRingWithoutLosingPdus() throws IOException
    {
        final PduSender s = new PduSender(2, null);
        for (int i = 0; i < 100; i++)
        {
            new DataPdu().wrap(s.claimHeader(), 0).encode(PduType.R2T, 0, 0, 0, i, i + 1, 0, 4096);
            s.commit(null, 0, 0, PduSender.NO_TOKEN);
        }
        final StingyChannel ch = new StingyChannel(3, 100);
        while (s.hasPending())
        {
            s.flush(ch);
        }
        assertThat(ch.out.size()).isEqualTo(100 * 24);
        assertThat(ch.out.toByteArray()[24 * 99 + DataPdu.CCCID_OFFSET]).isEqualTo((byte)99);
        assertThat(s.pdusSent()).isEqualTo(100);
        assertThat(Fes.valueOf(0x03)).isEqualTo(Fes.HEADER_DIGEST_ERROR);
    }

    /**
     * A TermReq queued while an H2CData is half on the wire. Was: {@code clear()} dropped the rest of that PDU and
     * the TermReq's bytes went out in its place, inside the cut PDU, so the peer never saw a TermReq.
     */
    @Test
    void shouldQueueATermReqBehindAPartlyWrittenPdu() throws IOException
    {
        final PduSender s = new PduSender(8, null);
        final ByteBuffer data = ByteBuffer.allocate(4096);
        for (int i = 0; i < 2; i++)
        {
            new DataPdu().wrap(s.claimHeader(), 0).encode(PduType.H2C_DATA, CommonHeader.FLAG_LAST_PDU, 0, 0, 1, 1,
                i * 2048L, 2048);
            s.commit(i == 0 ? data : data.duplicate(), i * 2048, 2048, PduSender.NO_TOKEN);
        }
        final GatheringByteChannel full = new StingyChannel(0, 0);
        final StingyChannel ch = new StingyChannel(5, 1000);
        while (ch.out.size() < 100)
        {
            s.flush(ch);
        }
        assertThat(ch.out.size()).as("first PDU partly written").isLessThan(24 + 2048);
        s.clearUnstarted();
        final ByteBuffer h = s.claimHeader();
        final int plen = new org.nvmeof4j.protocol.pdu.TermReqPdu().wrap(h, 0)
            .encode(PduType.H2C_TERM_REQ, Fes.DATA_TRANSFER_OUT_OF_RANGE, 0, h, 0, 0);
        s.commitRaw(plen, PduSender.NO_TOKEN);
        s.flush(full);
        while (s.hasPending())
        {
            s.flush(ch);
        }
        final byte[] w = ch.out.toByteArray();
        assertThat(w).hasSize(24 + 2048 + plen);
        assertThat(w[24 + 2048]).as("TermReq right after the whole first PDU").isEqualTo((byte)0x02);
        assertThat(w[24 + 2048 + 8]).as("FES").isEqualTo((byte)0x04);
    }

    @Test
    void shouldDropEverythingUnstartedWhenNothingIsPartlyWritten() throws IOException
    {
        final PduSender s = new PduSender(8, null);
        new DataPdu().wrap(s.claimHeader(), 0).encode(PduType.R2T, 0, 0, 0, 1, 1, 0, 4096);
        s.commit(null, 0, 0, PduSender.NO_TOKEN);
        s.clearUnstarted();
        assertThat(s.hasPending()).isFalse();
    }
}
