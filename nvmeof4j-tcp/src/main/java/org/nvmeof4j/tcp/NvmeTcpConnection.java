package org.nvmeof4j.tcp;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.nvmeof4j.protocol.pdu.Fes;
import org.nvmeof4j.protocol.pdu.PduType;
import org.nvmeof4j.protocol.pdu.TermReqPdu;

/**
 * One NVMe/TCP connection (one queue) on a non-blocking socket: the duty cycle shared by host and controller
 * queues. Each {@link #doWork()} reads what arrived through the {@link SegmentSource} into the {@link PduReceiver}
 * (which calls back this class as its {@link PduListener}), lets the subclass run its own duty
 * ({@link #onDuty(long)}: submissions, timers), and flushes the {@link PduSender}.
 *
 * <p>A fatal stream error sends the TermReq the receiver or the subclass named (H2CTermReq from a host,
 * C2HTermReq from a controller) and closes; a TermReq from the peer closes without an answer. Either way
 * {@link #onClosed} runs once, on the owning thread.
 */
public abstract class NvmeTcpConnection implements PollerTask, PduListener
{
    /** How long a TermReq (and a PDU cut mid-write before it) may take to leave before the socket closes. */
    static final long TERM_REQ_FLUSH_NANOS = 100_000_000L;

    protected final SocketChannel channel;
    protected final PduReceiver receiver;
    protected final PduSender sender;
    protected SegmentSource source;
    /** Where bytes are read and written: the socket, or a TLS session over it ({@link #secure}). */
    private java.nio.channels.ReadableByteChannel readIo;
    private java.nio.channels.GatheringByteChannel writeIo;
    private org.nvmeof4j.tcp.tls.SecureChannel secureChannel;
    private volatile boolean plaintextOnTlsPort;
    private final TermReqPdu termReq = new TermReqPdu();
    private final PduType termReqType;
    private boolean closed;
    private boolean closedByPeer;
    private String closeReason;
    private SelectionKey selectionKey;
    private boolean writeInterest;

    /**
     * @param channel         a connected socket channel; it is switched to non-blocking mode.
     * @param role            which end this is.
     * @param sendRingPdus    initial capacity of the send ring (e.g. 4 × queue size).
     */
    protected NvmeTcpConnection(final SocketChannel channel, final PduReceiver.Role role, final int sendRingPdus)
        throws IOException
    {
        this.channel = channel;
        channel.configureBlocking(false);
        channel.socket().setTcpNoDelay(true);
        this.receiver = new PduReceiver(role, this);
        this.sender = new PduSender(sendRingPdus, this::onPduSent);
        this.source = new SocketSegmentSource();
        this.readIo = channel;
        this.writeIo = channel;
        this.termReqType = role == PduReceiver.Role.HOST ? PduType.H2C_TERM_REQ : PduType.C2H_TERM_REQ;
    }

    public SocketChannel channel()
    {
        return channel;
    }

    public PduReceiver receiver()
    {
        return receiver;
    }

    public PduSender sender()
    {
        return sender;
    }

    /** Replace the segment producer (a DDP device takes over the socket's receive side). */
    public void segmentSource(final SegmentSource source)
    {
        this.source = source;
    }

    public SegmentSource segmentSource()
    {
        return source;
    }

    /**
     * Run every byte of this connection, from the ICReq/ICResp on, inside a TLS session (NVMe/TCP TLS, TP 8011).
     * Call before anything is sent or received.
     */
    public void secure(final org.nvmeof4j.tcp.tls.SecureChannel tls)
    {
        this.secureChannel = tls;
        this.readIo = tls;
        this.writeIo = tls;
    }

    /** Write what the sender holds through the socket or the TLS session. */
    protected long flushSender() throws IOException
    {
        if (secureChannel != null || !sender.hasFileRegion())
        {
            return sender.flush(writeIo);
        }
        // A file region leaves with sendfile after a write of its header alone; with TCP_NODELAY the header, the
        // data and the next response would each be pushed as a segment of its own, and each costs the loopback or
        // NIC path and a wakeup of the peer. Nagle for the length of this flush lets the kernel join them while
        // data is in flight, and switching TCP_NODELAY back on pushes whatever it still holds (Linux:
        // tcp_push_pending_frames in the setsockopt), which is what TCP_CORK does and Java cannot set.
        channel.setOption(StandardSocketOptions.TCP_NODELAY, false);
        try
        {
            return sender.flush(writeIo);
        }
        finally
        {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
    }

    /**
     * A host that spoke plaintext on a port where TLS is not required: once the TLS channel has handed out the bytes
     * it read to find that out, read and write the socket directly (no wrapper call per read and write, and file
     * regions leave with sendfile again). The TLS channel never started a session, so nothing of it is left.
     */
    private void dropPassThrough()
    {
        secureChannel = null;
        readIo = channel;
        writeIo = channel;
        plaintextOnTlsPort = true;
    }

    /** @return whether this connection's host chose plaintext on a port that offered TLS (see {@link #secure}). */
    public boolean plaintextOnTlsPort()
    {
        return plaintextOnTlsPort;
    }

    /** @return the TLS session, or null on a plain connection (and once a host chose plaintext). */
    public org.nvmeof4j.tcp.tls.SecureChannel secureChannel()
    {
        return secureChannel;
    }

    public boolean isClosed()
    {
        return closed;
    }

    /** @return whether the connection closed because the peer closed its end in order (end of stream, no error). */
    public boolean isClosedByPeer()
    {
        return closedByPeer;
    }

    /** @return why the connection closed, or null while it is open. */
    public String closeReason()
    {
        return closeReason;
    }

    @Override
    public boolean isActive()
    {
        return !closed;
    }

    @Override
    public int doWork() throws Exception
    {
        if (closed)
        {
            return 0;
        }
        int work = 0;
        final int n = source.receive(readIo, receiver);
        if (n < 0)
        {
            closeByPeer(null);
            return 1;
        }
        if (n > 0)
        {
            work++;
            if (secureChannel != null && secureChannel.passThroughDrained())
            {
                dropPassThrough();
            }
        }
        if (closed)
        {
            return work;
        }
        work += onDuty(System.nanoTime());
        return work + writeOut();
    }

    /**
     * Write what the sender holds now, outside this connection's duty cycle: for responses queued on the owning
     * thread by another task of the same poller (a target offload's backend completions), so that they leave in the
     * cycle they were made in. A write error closes the connection, as in {@link #doWork()}. Owning thread only.
     *
     * @return a work count (0: nothing was written).
     */
    public int flushPending()
    {
        if (closed || !sender.hasPending())
        {
            return 0;
        }
        try
        {
            return writeOut();
        }
        catch (final IOException | RuntimeException e)
        {
            onError(e);
            return 1;
        }
    }

    /** The write half of a duty cycle: the sender, pending TLS records, and the write interest. */
    private int writeOut() throws IOException
    {
        int work = 0;
        if (!closed && sender.hasPending() && flushSender() > 0)
        {
            work++;
        }
        boolean pendingTls = false;
        if (!closed && secureChannel != null && secureChannel.hasPendingOutput())
        {
            // encrypted records the socket could not take yet: they must leave even when no PDU waits
            if (secureChannel.flushOutput() > 0)
            {
                work++;
            }
            pendingTls = secureChannel.hasPendingOutput();
        }
        if (!closed)
        {
            updateWriteInterest(sender.hasPending() || pendingTls);
        }
        return work;
    }

    @Override
    public void selectionKey(final SelectionKey key)
    {
        this.selectionKey = key;
    }

    /**
     * While PDUs wait for room in the socket buffer, ask the poller's selector to wake us when the socket becomes
     * writable, so a sleeping poller does not leave them waiting for its next timeout.
     */
    private void updateWriteInterest(final boolean pending)
    {
        if (pending != writeInterest && selectionKey != null && selectionKey.isValid())
        {
            selectionKey.interestOps(pending ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
            writeInterest = pending;
        }
    }

    /**
     * The subclass's part of a duty cycle: post new commands, resend, check timers.
     *
     * @param nowNanos {@link System#nanoTime()} of this cycle.
     * @return a work count.
     */
    protected abstract int onDuty(long nowNanos) throws Exception;

    /** A PDU committed with a token has been written whole (the default ignores it). */
    protected void onPduSent(final long token)
    {
    }

    /** The connection closed; release everything (in-flight commands fail or wait for a reconnect). */
    protected abstract void onClosed(String reason, Throwable cause);

    @Override
    public void onFatalError(final Fes fes, final long fei, final ByteBuffer header, final int headerLength,
        final String reason)
    {
        if (fes != null)
        {
            sendTermReq(fes, fei, header, headerLength);
        }
        close(fes == null ? reason : "fatal: " + reason + " (sent " + termReqType + " fes=0x" +
            Integer.toHexString(fes.code()) + " fei=" + fei + ")", null);
    }

    /**
     * Queue a TermReq behind the PDU being written, if any, and try to write both before closing (NVMe/TCP
     * 3.6.2.4: after sending it the sender stops reading and closes).
     */
    protected void sendTermReq(final Fes fes, final long fei, final ByteBuffer header, final int headerLength)
    {
        try
        {
            // a PDU cut mid-write must be finished first, or the TermReq lands inside its bytes
            sender.clearUnstarted();
            final ByteBuffer h = sender.claimHeader();
            final int plen = termReq.wrap(h, 0).encode(termReqType, fes, fei, header, 0, headerLength);
            sender.commitRaw(plen, PduSender.NO_TOKEN);
            // bounded in time: the rest of a large PDU may have to drain first (error path only). A peer that
            // takes nothing at all (a full socket buffer twice in a row) is not waited for: on a shared poller
            // that would let every misbehaving connection stall the others for the whole bound.
            final long deadline = System.nanoTime() + TERM_REQ_FLUSH_NANOS;
            int stalls = 0;
            while (sender.hasPending())
            {
                stalls = sender.flush(writeIo) > 0 ? 0 : stalls + 1;
                if (!sender.hasPending() || stalls >= 2 || System.nanoTime() - deadline > 0)
                {
                    break;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(50_000);
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // the peer may already be gone; we close anyway
        }
    }

    /**
     * The peer closed its end in order (end of stream, no TermReq, no error): close, remembering that it was the
     * peer's doing ({@link #isClosedByPeer()}), which a controller reads as a host detaching a queue.
     *
     * @param detail appended to the reason in parentheses, or null.
     */
    public void closeByPeer(final String detail)
    {
        if (!closed)
        {
            closedByPeer = true;
        }
        close(detail == null ? "connection closed by peer" : "connection closed by peer (" + detail + ")", null);
    }

    /** Close the socket once and tell the subclass. Safe to call more than once. */
    public void close(final String reason, final Throwable cause)
    {
        if (closed)
        {
            return;
        }
        closed = true;
        closeReason = reason;
        receiver.stop();
        sender.clear();
        try
        {
            if (secureChannel != null)
            {
                secureChannel.close();
            }
            channel.close();
        }
        catch (final IOException ignore)
        {
            // closing: nothing more to do
        }
        onClosed(reason, cause);
    }

    @Override
    public void onError(final Throwable error)
    {
        close("error: " + error, error);
    }
}
