package org.nvmeof4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.protocol.pdu.CommonHeader;
import org.nvmeof4j.protocol.pdu.DataPdu;
import org.nvmeof4j.protocol.pdu.PduType;

/** {@link PduSender#commitFile}: PDUs whose data is a file region sent with {@code transferTo}. */
class PduSenderFileTest
{
    private static Path file(final ByteBuffer content) throws IOException
    {
        final Path p = Files.createTempFile("pdusender", ".img");
        p.toFile().deleteOnExit();
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE))
        {
            ch.write(content.duplicate().clear(), 0);
        }
        return p;
    }

    private static void queue(final PduSender s, final int i, final int datao, final int len, final ByteBuffer data,
        final FileChannel file)
    {
        new DataPdu().wrap(s.claimHeader(), 0).encode(PduType.C2H_DATA, CommonHeader.FLAG_LAST_PDU, 0, 0, i, 0, 0,
            len);
        if (file != null)
        {
            s.commitFile(file, datao, len, i);
        }
        else
        {
            s.commit(data, datao, len, i);
        }
    }

    @Property(tries = 100)
    void shouldPutTheSameBytesOnTheWireAsABufferPduWhateverTheSocketTakes(
        @ForAll final long seed, @ForAll @IntRange(min = 1, max = 9000) final int budget, @ForAll final boolean hd,
        @ForAll @IntRange(min = 0, max = 7) final int align) throws IOException
    {
        final ByteBuffer data = PduReceiverTest.pattern(40000, seed);
        final Path p = file(data);
        try (FileChannel fc = FileChannel.open(p, StandardOpenOption.READ))
        {
            final List<Long> sent = new ArrayList<>();
            final PduSender mixed = new PduSender(4, sent::add);
            final PduSender plain = new PduSender(4, null);
            mixed.connectionInitialized(hd, false, align);
            plain.connectionInitialized(hd, false, align);
            for (int i = 0; i < 12; i++)
            {
                final int datao = i * 3000 + (int)Math.floorMod(seed, 500L);
                final int len = 1000 + i * 150;
                queue(mixed, i, datao, len, data, i % 3 == 0 ? null : fc);
                queue(plain, i, datao, len, data, null);
            }
            final PduSenderTest.StingyChannel a = new PduSenderTest.StingyChannel(seed, budget);
            for (int guard = 0; mixed.hasPending() && guard < 1_000_000; guard++)
            {
                mixed.flush(a);
            }
            final PduSenderTest.StingyChannel b = new PduSenderTest.StingyChannel(seed, 1 << 20);
            while (plain.hasPending())
            {
                plain.flush(b);
            }
            assertThat(mixed.hasPending()).isFalse();
            assertThat(sent).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
            assertThat(a.out.toByteArray()).isEqualTo(b.out.toByteArray());
            assertThat(mixed.bytesSent()).isEqualTo(b.out.size());
        }
    }

    @Test
    void shouldRefuseAFileRegionWhenDataDigestsAreOn() throws IOException
    {
        final PduSender s = new PduSender(4, null);
        s.connectionInitialized(false, true, 0);
        final Path p = file(ByteBuffer.allocate(64));
        try (FileChannel fc = FileChannel.open(p, StandardOpenOption.READ))
        {
            s.claimHeader();
            assertThatThrownBy(() -> s.commitFile(fc, 0, 64, 1)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void shouldFailTheFlushWhenTheRegionEndsPastTheFile() throws IOException
    {
        final PduSender s = new PduSender(4, null);
        s.connectionInitialized(false, false, 0);
        final Path p = file(ByteBuffer.allocate(100));
        try (FileChannel fc = FileChannel.open(p, StandardOpenOption.READ))
        {
            queue(s, 1, 50, 100, null, fc);
            final PduSenderTest.StingyChannel ch = new PduSenderTest.StingyChannel(1, 1 << 20);
            assertThatThrownBy(() ->
            {
                for (int i = 0; i < 100; i++)
                {
                    s.flush(ch);
                }
            }).isInstanceOf(IOException.class).hasMessageContaining("past the end of the file");
        }
    }

    @Test
    void shouldTellWhileAFileRegionWaitsToBeWritten() throws IOException
    {
        final PduSender s = new PduSender(4, null);
        s.connectionInitialized(false, false, 0);
        final ByteBuffer data = PduReceiverTest.pattern(8192, 3);
        final Path p = file(data);
        try (FileChannel fc = FileChannel.open(p, StandardOpenOption.READ))
        {
            queue(s, 1, 0, 512, data, null);
            assertThat(s.hasFileRegion()).isFalse();
            queue(s, 2, 512, 4096, null, fc);
            queue(s, 3, 0, 512, data, null);
            assertThat(s.hasFileRegion()).isTrue();
            // a socket that takes at most 1000 bytes per write
            final PduSenderTest.StingyChannel ch = new PduSenderTest.StingyChannel(7, 1000);
            for (int guard = 0; s.hasPending() && guard < 10_000; guard++)
            {
                s.flush(ch);
            }
            assertThat(s.hasPending()).isFalse();
            assertThat(s.hasFileRegion()).isFalse();
        }
    }
}
