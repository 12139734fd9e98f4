package org.nvmeof4j.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nvmeof4j.target.TargetTestSupport.*;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.target.queue.TargetQueue;

/**
 * Feeds one host byte stream (ICReq with both digests, I/O Connect, in-capsule Write, R2T Write + H2CData, Read)
 * into a controller queue whole, one byte at a time, and split at every point: the bytes the queue answers must be
 * identical each time.
 */
class SplitPointTest
{
    static Target target;
    static RawHost admin;
    static int cntlid;
    static ServerSocketChannel server;

    @BeforeAll
    static void start() throws Exception
    {
        target = ramTarget();
        admin = new RawHost(target.boundPort());
        admin.kato = 0;
        cntlid = adminSetup(admin, false, false, 1);
        server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterAll
    static void stop() throws Exception
    {
        admin.close();
        server.close();
        target.close();
    }

    static byte[] hostStream()
    {
        final RawHost fmt = formatter();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        put(out, RawHost.icReq(0, 0, 3, 0));
        put(out, fmt.capsule(RawHost.connectSqe(2, 1, 31, 0), RawHost.connectData(cntlid, NQN, RawHost.HOSTNQN)));
        put(out, fmt.capsule(RawHost.sglInCapsule(rw(0x01, 10, 4, 1), 512), pattern(512, 1)));
        put(out, fmt.capsule(RawHost.sglTransport(rw(0x01, 11, 16, 2), 1024), null));
        // the R2T's TTAG is slot + 1: Connect kept slot 0 busy, the in-capsule write took 1, this write takes 2
        put(out, fmt.h2cData(11, 3, 0, pattern(1024, 2), true));
        put(out, fmt.capsule(RawHost.sglTransport(rw(0x02, 12, 4, 2), 1024), null));
        return out.toByteArray();
    }

    private static RawHost formatter()
    {
        return new RawHost(true, true);
    }

    private static void put(final ByteArrayOutputStream out, final ByteBuffer b)
    {
        out.write(b.array(), b.arrayOffset(), b.capacity());
    }

    /** Feed {@code stream} in the chunks that {@code cuts} name and return everything the queue sent back. */
    static byte[] feed(final byte[] stream, final int[] cuts) throws Exception
    {
        return feed(stream, cuts, -1);
    }

    static byte[] feed(final byte[] stream, final int[] cuts, final int expect) throws Exception
    {
        try (SocketChannel client = SocketChannel.open(server.socket().getLocalSocketAddress());
             SocketChannel accepted = server.accept())
        {
            final Listener listener = target.listeners().get(0);
            final TargetQueue q = new TargetQueue(accepted, target, listener, null);
            final ByteBuffer in = ByteBuffer.allocateDirect(stream.length);
            in.put(stream).flip();
            int from = 0;
            for (int i = 0; i <= cuts.length; i++)
            {
                final int to = i < cuts.length ? cuts[i] : stream.length;
                q.receiver().consume(in, from, to - from);
                from = to;
                assertThat(q.isClosed()).as("queue closed after %d bytes: %s", to, q.closeReason()).isFalse();
            }
            while (q.sender().hasPending())
            {
                q.sender().flush(accepted);
            }
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            client.configureBlocking(false);
            final ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            final long deadline = System.nanoTime() + 2_000_000_000L;
            int idle = 0;
            while (System.nanoTime() < deadline && (expect < 0 ? idle < 50 : out.size() < expect))
            {
                buf.clear();
                final int n = client.read(buf);
                if (n > 0)
                {
                    out.write(buf.array(), 0, n);
                    idle = 0;
                }
                else
                {
                    idle++;
                    Thread.sleep(1);
                }
            }
            q.closeByPeer("test done");
            return out.toByteArray();
        }
    }

    @Test
    void shouldAnswerTheSameAtEverySplitPointAndByteByByte() throws Exception
    {
        final byte[] stream = hostStream();
        final byte[] reference = feed(stream, new int[0]);
        // ICResp, Connect resp, write resp, R2T, write resp, C2HData, read resp
        assertThat(reference.length).isGreaterThan(128 + 28 * 3 + 28 + 1024);
        assertThat(reference[128]).as("Connect response").isEqualTo((byte)0x05);
        final int[] all = new int[stream.length - 1];
        for (int i = 0; i < all.length; i++)
        {
            all[i] = i + 1;
        }
        assertThat(feed(stream, all, reference.length)).as("byte by byte").isEqualTo(reference);
        for (int k = 1; k < stream.length; k += 1)
        {
            assertThat(feed(stream, new int[] {k}, reference.length)).as("split at %d", k).isEqualTo(reference);
        }
    }
}
