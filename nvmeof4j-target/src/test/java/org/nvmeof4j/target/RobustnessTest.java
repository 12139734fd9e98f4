package org.nvmeof4j.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nvmeof4j.target.TargetTestSupport.*;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.target.queue.TargetQueue;

/**
 * Mutated host streams (random bytes flipped in a valid ICReq / Connect / Write / R2T / Read sequence) fed to a
 * controller queue: whatever arrives, the queue answers or sends a TermReq and closes; no exception escapes.
 */
class RobustnessTest
{
    static Target target;
    static RawHost admin;
    static ServerSocketChannel server;

    @BeforeAll
    static void start() throws Exception
    {
        target = ramTarget();
        admin = new RawHost(target.boundPort());
        admin.kato = 0;
        SplitPointTest.cntlid = adminSetup(admin, false, false, 1);
        server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterAll
    static void stop() throws Exception
    {
        admin.close();
        server.close();
        target.close();
    }

    @Test
    void shouldSurviveRandomCorruption() throws Exception
    {
        final byte[] valid = SplitPointTest.hostStream();
        final Random rnd = new Random(42);
        int closed = 0;
        for (int iter = 0; iter < 1500; iter++)
        {
            final byte[] s = valid.clone();
            final int flips = 1 + rnd.nextInt(4);
            for (int f = 0; f < flips; f++)
            {
                // bias towards headers, where the interesting fields are
                final int at = rnd.nextInt(4) == 0 ? rnd.nextInt(s.length) : rnd.nextInt(Math.min(s.length, 1300));
                s[at] = (byte)rnd.nextInt(256);
            }
            try (SocketChannel client = SocketChannel.open(server.socket().getLocalSocketAddress());
                 SocketChannel accepted = server.accept())
            {
                final TargetQueue q = new TargetQueue(accepted, target, target.listeners().get(0), null);
                final ByteBuffer in = ByteBuffer.allocateDirect(s.length);
                in.put(s).flip();
                int from = 0;
                while (from < s.length && !q.isClosed())
                {
                    final int n = Math.min(s.length - from, 1 + rnd.nextInt(700));
                    q.receiver().consume(in, from, n);
                    from += n;
                }
                if (q.isClosed())
                {
                    closed++;
                }
                else
                {
                    q.closeByPeer("test");
                }
            }
        }
        assertThat(closed).as("some mutations must be fatal").isPositive();
        // the target still serves
        try (RawHost h = new RawHost(target.boundPort()))
        {
            adminSetup(h, false, false, 1);
        }
    }
}
