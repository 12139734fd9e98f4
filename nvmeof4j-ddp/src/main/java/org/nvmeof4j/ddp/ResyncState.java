package org.nvmeof4j.ddp;

import java.util.concurrent.atomic.AtomicLong;
import org.nvmeof4j.tcp.NvmeTcpConnection;

/**
 * The ULP side of the resync handshake of seed 000 ({@code nvme_tcp_resync_request} /
 * {@code nvme_tcp_resync_response}): one per offloaded queue.
 *
 * <p>The device's request stores {@code (seq << 32) | flags} in one atomic word; the receive path, at every PDU
 * boundary, checks for a pending request whose sequence it has reached and clears the pending flag with a
 * compare-and-set against the value built from its own PDU sequence. If the device stored a newer request in the
 * meantime the compare-and-set fails and the newer request waits for a later PDU: a newer request wins. Only on
 * success is the device told with {@link UlpDdpDevice#resync}.
 *
 * <p>{@link #request} may be called from any thread; {@link #onPduBoundary} from the connection's receive thread.
 */
public final class ResyncState
{
    private final AtomicLong request = new AtomicLong();

    /** Store a device request ({@link UlpDdpUlpOps#resyncRequest} implementations call this); returns true. */
    public boolean request(final int seq, final int flags)
    {
        request.set((long)seq << 32 | (flags & 0xFFFF_FFFFL));
        return true;
    }

    /** @return whether a request is pending. */
    public boolean isPending()
    {
        return (request.get() & UlpDdpUlpOps.RESYNC_PENDING) != 0;
    }

    /** @return the sequence of the last request (pending or answered). */
    public int requestedSeq()
    {
        return (int)(request.get() >>> 32);
    }

    /** Forget any request (the queue restarts). */
    public void clear()
    {
        request.set(0);
    }

    /**
     * Call at each PDU start ({@link org.nvmeof4j.tcp.PduListener#onPduBoundary}). Cheap when nothing is pending:
     * one volatile read.
     *
     * @param streamOffset stream offset of the PDU's first byte.
     * @param device       the device to confirm to.
     * @param connection   the connection.
     * @return true when this boundary confirmed a request (the device was told).
     */
    public boolean onPduBoundary(final long streamOffset, final UlpDdpDevice device, final NvmeTcpConnection connection)
    {
        final long value = request.get();
        if ((value & UlpDdpUlpOps.RESYNC_PENDING) == 0)
        {
            return false;
        }
        final int pduSeq = (int)streamOffset;
        final int requested = (int)(value >>> 32);
        if (pduSeq - requested < 0)
        {
            return false; // this PDU starts before the requested sequence: not there yet
        }
        final long pduValue = (long)pduSeq << 32 | UlpDdpUlpOps.RESYNC_PENDING;
        if (request.compareAndSet(pduValue, pduValue & ~UlpDdpUlpOps.RESYNC_PENDING))
        {
            device.resync(connection, pduSeq);
            return true;
        }
        return false;
    }
}
