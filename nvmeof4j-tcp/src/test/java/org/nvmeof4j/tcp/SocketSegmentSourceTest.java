package org.nvmeof4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.protocol.pdu.CommonHeader;

/** The receive buffer starts at 4 KiB and grows to its full size the first time a read fills it, never otherwise. */
class SocketSegmentSourceTest
{
    /** Hands out {@code bytes} at most {@code chunk} at a time and records the room each read offered. */
    private static final class ScriptedChannel implements ReadableByteChannel
    {
        final byte[] bytes;
        final int chunk;
        int pos;
        final List<Integer> room = new ArrayList<>();

        ScriptedChannel(final byte[] bytes, final int chunk)
        {
            this.bytes = bytes;
            this.chunk = chunk;
        }

        @Override
        public int read(final ByteBuffer dst)
        {
            room.add(dst.remaining());
            final int n = Math.min(Math.min(chunk, dst.remaining()), bytes.length - pos);
            dst.put(bytes, pos, n);
            pos += n;
            return n;
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

    private static byte[] stream()
    {
        final PduReceiverTest.Wire w = new PduReceiverTest.Wire().icResp(false, false);
        w.c2hData(3, 0, PduReceiverTest.pattern(100_000, 7), CommonHeader.FLAG_LAST_PDU);
        return w.bytes();
    }

    private static void drain(final SocketSegmentSource source, final ScriptedChannel ch, final PduReceiver rx)
        throws Exception
    {
        while (ch.pos < ch.bytes.length)
        {
            source.receive(ch, rx);
        }
    }

    @Test
    void shouldGrowToFullSizeOnceAReadFillsTheFirstBuffer() throws Exception
    {
        final RecordingListener l = new RecordingListener(RecordingListener.initializeOnIc(false, false));
        final PduReceiver rx = new PduReceiver(PduReceiver.Role.HOST, l);
        final ScriptedChannel ch = new ScriptedChannel(stream(), Integer.MAX_VALUE);
        final SocketSegmentSource source = new SocketSegmentSource();
        drain(source, ch, rx);
        assertThat(ch.room).containsExactly(SocketSegmentSource.INITIAL_BUFFER, SocketSegmentSource.DEFAULT_BUFFER);
        // what arrived through the small buffer and the big one is all there, in order
        assertThat(l.fatal).isFalse();
        assertThat(l.events).containsExactly("IC_RESP:0", "C2H_DATA:100000", "C2H_DATA:data:ok");
        assertThat(l.sink.slice(0, 100_000)).isEqualTo(PduReceiverTest.pattern(100_000, 7));
    }

    @Test
    void shouldStaySmallForAPeerThatSendsAByteAtATime() throws Exception
    {
        final RecordingListener l = new RecordingListener(RecordingListener.initializeOnIc(false, false));
        final PduReceiver rx = new PduReceiver(PduReceiver.Role.HOST, l);
        final byte[] icResp = new PduReceiverTest.Wire().icResp(false, false).bytes();
        final ScriptedChannel ch = new ScriptedChannel(icResp, 1);
        final SocketSegmentSource source = new SocketSegmentSource();
        drain(source, ch, rx);
        assertThat(ch.room).hasSize(128).containsOnly(SocketSegmentSource.INITIAL_BUFFER);
        assertThat(l.events).containsExactly("IC_RESP:0");
    }

    @Test
    void shouldNeverReplaceASharedBuffer() throws Exception
    {
        final RecordingListener l = new RecordingListener(RecordingListener.initializeOnIc(false, false));
        final PduReceiver rx = new PduReceiver(PduReceiver.Role.HOST, l);
        final ScriptedChannel ch = new ScriptedChannel(stream(), Integer.MAX_VALUE);
        final SocketSegmentSource source = new SocketSegmentSource(ByteBuffer.allocateDirect(8192));
        drain(source, ch, rx);
        assertThat(ch.room).containsOnly(8192);
        assertThat(l.sink.slice(0, 100_000)).isEqualTo(PduReceiverTest.pattern(100_000, 7));
    }
}
