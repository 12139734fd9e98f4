package org.nvmeof4j.host.tcp;

import org.nvmeof4j.host.queue.HostQueue;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What starts error recovery: a command timeout (injected clock), a TermReq from the controller, a bad ICResp. */
class QueueFailureTest
{
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<String> lost = new ArrayList<>();
    private final List<int[]> completions = new ArrayList<>();
    private ServerSocket server;
    private Socket peer;
    private HostQueue queue;
    private TcpConnection conn;

    private void connect(final long timeoutNanos, final int icrespDgst) throws IOException
    {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        final SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.getLocalPort()));
        peer = server.accept();
        conn = new TcpConnection(ch, 1, 16, false, false);
        queue = new HostQueue(1, 16, (q, c, reason, cause) -> lost.add(reason), now::get, timeoutNanos, true);
        queue.lbaShifts(new int[] {0, 9});
        queue.adopt(conn, 0);
        conn.sendIcReq();
        poll();
        final DataInputStream in = new DataInputStream(peer.getInputStream());
        in.readFully(new byte[128]);
        final ByteBuffer icresp = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        icresp.put(0, (byte)0x01).put(2, (byte)128).putInt(4, 128).put(11, (byte)icrespDgst).putInt(12, 8192);
        peer.getOutputStream().write(icresp.array());
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (!conn.isInitialized() && !conn.isClosed() && System.nanoTime() < deadline)
        {
            poll();
        }
    }

    @AfterEach
    void close() throws IOException
    {
        if (queue != null)
        {
            queue.close();
        }
        if (peer != null)
        {
            peer.close();
        }
        server.close();
    }

    private void poll()
    {
        queue.poll((tag, status) -> completions.add(new int[] {(int)tag, status}));
    }

    @Test
    void shouldCloseTheConnectionOnCommandTimeoutAndKeepTheRequestForRetry() throws IOException
    {
        connect(30_000_000_000L, 0);
        assertThat(queue.submitRead(1, 0, 1, ByteBuffer.allocate(512), 4)).isGreaterThanOrEqualTo(0);
        for (int i = 0; i < 100; i++)
        {
            poll();
        }
        assertThat(lost).isEmpty();
        now.addAndGet(31_000_000_000L);
        for (int i = 0; i < 10 && lost.isEmpty(); i++)
        {
            poll();
        }
        assertThat(lost).hasSize(1);
        assertThat(lost.get(0)).contains("command timeout");
        assertThat(conn.isClosed()).isTrue();
        // not failed: it waits for the reconnect (I/O queue)
        assertThat(completions).isEmpty();
        assertThat(queue.outstanding()).isEqualTo(1);
    }

    @Test
    void shouldStartRecoveryOnTermReq() throws IOException
    {
        connect(0, 0);
        final ByteBuffer term = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        term.put(0, (byte)0x03).put(2, (byte)24).putInt(4, 24).putShort(8, (short)0x02);
        final OutputStream out = peer.getOutputStream();
        out.write(term.array());
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (lost.isEmpty() && System.nanoTime() < deadline)
        {
            poll();
        }
        assertThat(lost).hasSize(1);
        assertThat(lost.get(0)).contains("C2H_TERM_REQ").contains("fes=0x2");
    }

    @Test
    void shouldRefuseAnIcRespWithOtherDigests() throws IOException
    {
        connect(0, 0x3);
        assertThat(conn.isInitialized()).isFalse();
        assertThat(conn.isClosed()).isTrue();
        assertThat(conn.closeReason()).contains("digests header+data differ from those requested (none)");
    }
}
