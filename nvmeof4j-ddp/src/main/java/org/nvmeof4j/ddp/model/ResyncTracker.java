package org.nvmeof4j.ddp.model;

import java.nio.ByteBuffer;
import org.nvmeof4j.ddp.UlpDdpUlpOps;
import org.nvmeof4j.ddp.spi.PduShape;
import org.nvmeof4j.protocol.pdu.CommonHeader;

/**
 * The NIC's sync state, and how it finds the framing again once it lost it (seed 003, "Resync handling"). The NIC
 * searches following packets for the PDU pattern ({@link PduShape} in strict mode), asks the ULP to confirm the
 * candidate with {@link UlpDdpUlpOps#resyncRequest} (counted in {@code rx_nvme_tcp_resync}), follows the framing from
 * there without offloading, and goes back in sync when {@code resync} confirms that sequence; a candidate whose
 * framing breaks is dropped and the search starts again. The search also finds a header that begins in the last
 * bytes of one packet and ends in the next: the NIC keeps those at most 7 bytes (a partial header, never a packet).
 * Such a candidate's first bytes have already gone up, and if the host has already read past them it cannot confirm
 * that sequence. So the NIC asks again, once, at the next header of the candidate's chain, which starts in a packet
 * the host has not yet received; a confirmation of either puts it back in sync.
 *
 * <p>{@link ModelNic} follows the framing; this tells it when to restart it and where a candidate's header begins.
 * Not thread-safe (the connection's thread owns it).
 */
final class ResyncTracker
{
    private enum Sync
    {
        /** Following the framing and offloading. */
        SYNC,
        /** Lost: scanning packets for a plausible PDU header. */
        SEARCH,
        /** Following the framing from a candidate header, waiting for the ULP's confirmation. */
        TRACK
    }

    /** A candidate followed this far without confirmation is dropped and the search restarts. */
    private static final long TRACK_GIVE_UP = 8L << 20;

    private final ModelNic nic;
    private final ModelDdpContext context;
    private final ModelDdpDevice model;
    private final PduShape shape;
    private final int isn;
    /** A header that may start in {@link #tail}, put together with the next packet's first bytes. */
    private final ByteBuffer across = ByteBuffer.allocate(CommonHeader.LENGTH);
    private Sync sync = Sync.SYNC;
    private int candidateSeq;
    /** The candidate began in an earlier packet: its request may come after the host passed that sequence. */
    private boolean candidateLate;
    /** A later header of the candidate's chain, asked for because the candidate was late (when chainRequested). */
    private int chainSeq;
    private boolean chainRequested;
    private long trackedBytes;
    /** While searching: the last bytes of the previous packet, where a header may start (never a whole packet). */
    private final byte[] tail = new byte[CommonHeader.LENGTH - 1];
    private int tailLength;
    private int tailSeq;
    private boolean confirmPending;
    private int confirmSeq;
    private boolean everConfirmed;

    ResyncTracker(
        final ModelNic nic, final ModelDdpContext context, final ModelDdpDevice model, final PduShape shape,
        final int isn)
    {
        this.nic = nic;
        this.context = context;
        this.model = model;
        this.shape = shape;
        this.isn = isn;
    }

    /** @return whether the NIC follows the framing and offloads. */
    boolean inSync()
    {
        return sync == Sync.SYNC;
    }

    /** @return whether the NIC lost the framing and scans for a plausible PDU header. */
    boolean searching()
    {
        return sync == Sync.SEARCH;
    }

    /** {@code resync}: the ULP confirms that a PDU header starts at stream sequence {@code seq}. */
    void resync(final int seq)
    {
        confirmPending = true;
        confirmSeq = seq;
    }

    /** Before each packet: act on a confirmation the ULP gave since the previous one. */
    void applyConfirmation()
    {
        if (!confirmPending)
        {
            return;
        }
        confirmPending = false;
        if (sync == Sync.TRACK &&
            (confirmSeq == candidateSeq - isn || (chainRequested && confirmSeq == chainSeq - isn)))
        {
            sync = Sync.SYNC;
            everConfirmed = true;
            model.confirmed.increment();
            nic.resumePlacement();
        }
    }

    /** The framing broke or a gap took header bytes: search for the PDU pattern from the next byte. */
    void lose()
    {
        sync = Sync.SEARCH;
        tailLength = 0;
        nic.restartFraming();
    }

    /**
     * Searching, and the previous packet ended with a few unsearched bytes: look for a header that starts there and
     * ends in this packet. On a match, those bytes become the partial header the framing goes on from.
     */
    void searchAcross(final Packet p)
    {
        if (sync != Sync.SEARCH || tailLength == 0)
        {
            return;
        }
        p.crcOk = false;
        final int have = tailLength;
        tailLength = 0;
        if (p.seq != tailSeq + have)
        {
            return; // not contiguous (cannot happen while searching: a gap restarts the search)
        }
        for (int k = 0; k < have; k++)
        {
            final int fromTail = have - k;
            if (p.length < CommonHeader.LENGTH - fromTail)
            {
                return;
            }
            for (int x = 0; x < fromTail; x++)
            {
                across.put(x, tail[k + x]);
            }
            across.put(fromTail, p.data, 0, CommonHeader.LENGTH - fromTail);
            if (shape.parse(across, 0, true))
            {
                startCandidate(tailSeq + k, true);
                nic.seedHeader(tail, k, fromTail); // the framing reads the rest of the header from this packet
                trackedBytes = fromTail;
                return;
            }
        }
    }

    /**
     * Searching: scan packet bytes from {@code from} for a plausible PDU header. Bytes before it go up as they are;
     * without one, the last few are kept in case a header starts there.
     *
     * @return where the candidate header starts, or the packet length when there is none.
     */
    int search(final Packet p, final int from)
    {
        p.crcOk = false;
        final ByteBuffer b = p.data;
        for (int j = from; j + CommonHeader.LENGTH <= p.length; j++)
        {
            if (shape.parse(b, j, true))
            {
                p.addRun(b, from, j - from, false);
                startCandidate(p.seq + j, false);
                return j;
            }
        }
        p.addRun(b, from, p.length - from, false);
        keepTail(p, from);
        return p.length;
    }

    /** A PDU header of the framing being followed starts at {@code seq}, in the packet at hand. */
    void headerStarts(final int seq)
    {
        if (sync == Sync.TRACK && candidateLate)
        {
            // this header of the candidate's chain starts in the packet at hand, so the host has not passed it
            candidateLate = false;
            chainSeq = seq;
            chainRequested = true;
            requestResync(chainSeq);
        }
    }

    /** The framing went over {@code n} bytes of {@code p}; an unconfirmed candidate followed too long is dropped. */
    void followed(final Packet p, final int n)
    {
        if (sync == Sync.TRACK)
        {
            p.crcOk = false;
            trackedBytes += n;
            if (trackedBytes > TRACK_GIVE_UP)
            {
                lose();
            }
        }
    }

    /** The framing stepped over {@code gap} missing bytes. */
    void bridged(final int gap)
    {
        if (sync == Sync.TRACK)
        {
            trackedBytes += gap;
        }
    }

    /** {@code length} bytes were placed. */
    void placed(final int length)
    {
        if (everConfirmed)
        {
            model.placedAfterResync.add(length);
        }
    }

    /** Remember the last bytes of a searched packet from {@code from} on: a header may start among them. */
    private void keepTail(final Packet p, final int from)
    {
        final int n = Math.min(tail.length, p.length - from);
        final int at = p.length - n;
        p.data.get(at, tail, 0, n);
        tailLength = n;
        tailSeq = p.seq + at;
    }

    /** A plausible header starts at {@code seq}: follow the framing from it and ask the ULP to confirm. */
    private void startCandidate(final int seq, final boolean late)
    {
        sync = Sync.TRACK;
        tailLength = 0;
        nic.restartFraming();
        candidateSeq = seq;
        candidateLate = late;
        chainRequested = false;
        trackedBytes = 0;
        requestResync(seq);
    }

    private void requestResync(final int seq)
    {
        context.requestResync(seq - isn);
    }
}
