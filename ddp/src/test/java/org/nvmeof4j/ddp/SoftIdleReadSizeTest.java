package org.nvmeof4j.ddp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.ScatteringByteChannel;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.ddp.soft.SoftDdpDevice;

/**
 * After a large placed read, `soft` reads ahead only a little (so the next large payload can go straight to its
 * buffer). Once nothing is registered it must read whole buffers again: small unregistered reads after a large
 * one must not cost a receive call per kilobyte.
 */
class SoftIdleReadSizeTest
{
    /** Serves the stream up to {@code pauseAt} first, then the rest; counts read calls. */
    private static final class CountingChannel implements ScatteringByteChannel
    {
        private final byte[] stream;
        private final int pauseAt;
        private int at;
        int reads;

        CountingChannel(final byte[] stream, final int pauseAt)
        {
            this.stream = stream;
            this.pauseAt = pauseAt;
        }

        @Override
        public long read(final ByteBuffer[] dsts, final int offset, final int length)
        {
            reads++;
            if (at >= stream.length)
            {
                return -1;
            }
            final int limit = at < pauseAt ? pauseAt : stream.length;
            long n = 0;
            for (int i = offset; i < offset + length && at < limit; i++)
            {
                final int k = Math.min(dsts[i].remaining(), limit - at);
                dsts[i].put(stream, at, k);
                at += k;
                n += k;
            }
            return n;
        }

        @Override
        public long read(final ByteBuffer[] dsts)
        {
            return read(dsts, 0, dsts.length);
        }

        @Override
        public int read(final ByteBuffer dst)
        {
            return (int)read(new ByteBuffer[] {dst}, 0, 1);
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
    void shouldReadWholeBuffersAgainOnceNothingIsRegistered() throws Exception
    {
        final int n = 101;
        final int[] sizes = new int[n];
        final boolean[] registered = new boolean[n];
        sizes[0] = 128 * 1024; // placed, and leaves the device in its short-read mode
        registered[0] = true;
        for (int i = 1; i < n; i++)
        {
            sizes[i] = 4096; // below the threshold: never registered
        }
        final C2hStream s = new C2hStream(sizes, registered);
        final TestUlp ulp = new TestUlp(s, new SoftDdpDevice("idle-reads"), 1);
        assertThat(ulp.offload()).isTrue();
        // the large read and its CapsuleResp arrive alone, then the 100 small ones (about 410 KiB) at once
        final CountingChannel ch = new CountingChannel(s.bytes, 24 + sizes[0] + 24);
        ulp.receiveAll(ch);
        assertThat(ulp.verify()).isNull();
        assertThat(ulp.rx.dataBytesPlaced()).isEqualTo(sizes[0]);
        // 256 KiB reads take the 410 KiB in two; 1 KiB reads (the bug) took about 400 calls
        assertThat(ch.reads).as("receive calls").isLessThan(30);
    }
}
