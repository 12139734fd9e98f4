package org.nvmeof4j.ddp.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import org.nvmeof4j.ddp.UlpDdpCaps;
import org.nvmeof4j.ddp.UlpDdpConfig;
import org.nvmeof4j.ddp.UlpDdpIo;
import org.nvmeof4j.ddp.UlpDdpLimits;
import org.nvmeof4j.ddp.UlpDdpUlpOps;
import org.nvmeof4j.ddp.spi.PduShape;
import org.nvmeof4j.ddp.spi.UlpDdpContext;
import org.nvmeof4j.protocol.crc.Crc32c;
import org.nvmeof4j.protocol.pdu.CommonHeader;
import org.nvmeof4j.protocol.pdu.DataPdu;
import org.nvmeof4j.protocol.pdu.PduType;
import org.nvmeof4j.tcp.NvmeTcpConnection;
import org.nvmeof4j.tcp.PduReceiver;
import org.nvmeof4j.tcp.Segment;

/**
 * One connection through the {@link ModelDdpDevice}: sender-side packetizer, {@link WireModel}, NIC, and receiver
 * TCP reassembly, in one segment source.
 *
 * <h2>NIC</h2>
 * The NIC keeps, per connection, only what seed 003 allows: the next expected TCP sequence, the tag → buffer map,
 * and the position in the current PDU (with a partial header). For each packet, in wire order:
 * <ul>
 *   <li>sequence as expected and in sync: follow the framing; payload of a C2HData whose header it saw in sync,
 *       with a registered CCCID and DATAO/DATAL inside the registration, is written to the destination and the
 *       packet's runs point there; CRC32C is accumulated and checked against the DDGST;</li>
 *   <li>sequence older than expected (retransmission or duplicate): passed on untouched, no flags;</li>
 *   <li>sequence beyond expected, but the missing bytes lie inside the current PDU, after its header and no later
 *       than the start of the next header (a data-only gap): the NIC stays in sync and steps over them (counted in
 *       {@link ModelDdpDevice#gapsBridged()}). This packet's payload is still placed, at DATAO plus its offset in
 *       the PDU; the missing packet comes later as an old one and the host copies it. The PDU's digest can no
 *       longer be verified, so none of its remaining packets gets {@code crcOk};</li>
 *   <li>any other gap (header bytes missing, or the current header not yet whole): sync is lost. The NIC searches
 *       following packets for the PDU pattern ({@link PduShape} in strict mode), asks the ULP to confirm the
 *       candidate with {@link UlpDdpUlpOps#resyncRequest} (counted in {@code rx_nvme_tcp_resync}), follows the
 *       framing from there without offloading, and goes back in sync when {@code resync} confirms that sequence;
 *       a candidate whose framing breaks is dropped and the search starts again. The search also finds a header
 *       that begins in the last bytes of one packet and ends in the next: the NIC keeps those at most 7 bytes
 *       (a partial header, never a packet). Such a candidate's first bytes have already gone up, and if the host
 *       has already read past them it cannot confirm that sequence. So the NIC asks again, once, at the next
 *       header of the candidate's chain, which starts in a packet the host has not yet received; a confirmation
 *       of either puts it back in sync.</li>
 * </ul>
 * A packet's {@code crcOk} is set only when the NIC was in sync for the whole packet, every PDU data byte in it
 * belonged to a PDU whose data it has verified from the first byte with none missing, and every data digest in it
 * matched. It never holds, changes or drops a packet.
 *
 * <h3>Why a data-only gap need not cost a resync</h3>
 * Seed 003 ("Resync handling") says that when only packets carrying PDU data are lost or reordered, a NIC that keeps
 * following the PDU headers may avoid resynchronization, and that a resync is needed only when headers are
 * reordered; seed 001 ("Resynchronization") expects resyncs only after loss or reordering that involves PDU
 * headers. The state this needs is the one seed 003 lists: the expected sequence and the position in the current
 * PDU, whose end is known from its PLEN. Nothing is buffered, reordered, changed or dropped (the "NIC
 * requirements"). Placing the payload after the gap is placement by position in a PDU whose header was seen in
 * sync. It does not depend on the missing bytes: TCP retransmits the same bytes at the same sequence, and the late
 * packet goes up unplaced, so the host copies it. The CRC bit is honest because it can only say "verified": seed
 * 001 clears it whenever the hardware skipped any part of the work, and a NIC that did not see every byte of a PDU
 * cannot check its digest. The packets of that PDU that went up before the gap keep their flag, but the late
 * packet and every packet after the gap carry none. The ULP requires the flag on every segment of a PDU, so it
 * computes that digest in software.
 *
 * <h2>Reassembly</h2>
 * Plays the host TCP stack: delivers bytes in stream order exactly once, keeping early packets aside and dropping
 * duplicates; each segment carries its packet's flags, and placed runs point at the destination, where the NIC
 * already wrote the bytes.
 */
public final class ModelDdpContext extends UlpDdpContext
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

    private enum Part
    {
        CH, PSH, PAD, DATA, DDGST
    }

    /** A candidate followed this far without confirmation is dropped and the search restarts. */
    private static final long TRACK_GIVE_UP = 8L << 20;

    private final ModelDdpDevice model;
    private final WireConfig wireConfig;
    private final ArrayDeque<Packet> pool = new ArrayDeque<>();
    private final WireModel wire;
    private final ByteBuffer ingest;
    private final int isn;
    private final Segment seg = new Segment();
    private PduReceiver rx;
    private boolean started;
    private long nextOffset;

    // NIC state
    private final ByteBuffer hdr = ByteBuffer.allocate(PduReceiver.MAX_HEADER + 8);
    private final ByteBuffer ddgstBuf = ByteBuffer.allocate(CommonHeader.DIGEST_LENGTH);
    private final Crc32c crc = new Crc32c();
    private Sync sync = Sync.SYNC;
    private int expectedSeq;
    private Part part = Part.CH;
    private int hdrFill;
    private int hdrNeed = CommonHeader.LENGTH;
    private int padLeft;
    private int dataLength;
    private int dataDone;
    private int ddgstLength;
    private int ddgstFill;
    private boolean pduPlace;
    /** The current PDU's header maps to a registration (seen in sync, or while tracking a candidate). */
    private boolean pduPlaceable;
    private boolean pduCrc;
    private UlpDdpIo io;
    private long datao;
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

    // reassembly state
    private long rcvNxt;
    private Packet[] ooo = new Packet[16];
    private int oooCount;

    // asynchronous teardown completions
    private Object[] pendingDone = new Object[16];
    private int pendingCount;

    ModelDdpContext(
        final ModelDdpDevice device, final NvmeTcpConnection connection, final UlpDdpConfig config,
        final UlpDdpUlpOps ulpOps, final UlpDdpCaps caps, final UlpDdpLimits limits, final WireConfig wire)
    {
        super(device, connection, config, ulpOps, caps, limits);
        this.model = device;
        this.wireConfig = wire;
        final long seed = wire.seed() * 0x9E3779B97F4A7C15L + config.queueId();
        this.wire = new WireModel(wire, seed, pool);
        this.isn = new SplittableRandom(~seed).nextInt();
        this.ingest = ByteBuffer.allocate(Math.max(64 * 1024, wire.mss() * 16));
    }

    @Override
    public int receive(final ReadableByteChannel channel, final PduReceiver receiver) throws IOException
    {
        start(receiver);
        completeTeardowns();
        int total = 0;
        boolean drained = false;
        boolean eof = false;
        for (int reads = 0; reads < 4; reads++)
        {
            ingest.clear();
            final int n = channel.read(ingest);
            if (n <= 0)
            {
                eof = n < 0;
                drained = true;
                break;
            }
            total += n;
            packetize(n);
            if (n < ingest.capacity())
            {
                drained = true;
                break;
            }
        }
        if (drained)
        {
            // the sender went idle: everything on the wire arrives, retransmissions included
            for (Packet p = wire.pollAny(); p != null; p = wire.pollAny())
            {
                arrive(p);
            }
        }
        completeTeardowns();
        if (total == 0 && eof)
        {
            return -1;
        }
        return total;
    }

    private void start(final PduReceiver receiver)
    {
        rx = receiver;
        if (!started)
        {
            started = true;
            nextOffset = receiver.streamOffset();
            rcvNxt = nextOffset;
            expectedSeq = isn + (int)nextOffset;
        }
    }

    /**
     * Test seam: a packet carrying the stream bytes at {@code [offset, offset + length)} ({@code stream} indexed by
     * stream offset) reaches the NIC now, bypassing the packetizer and the wire, so a test can script packet
     * boundaries, losses and reordering exactly.
     */
    void arriveScripted(final PduReceiver receiver, final ByteBuffer stream, final long offset, final int length)
    {
        if (length < 1 || length > wireConfig.mss())
        {
            throw new IllegalArgumentException("packet length " + length + " outside 1.." + wireConfig.mss());
        }
        start(receiver);
        arrive(packet(stream, Math.toIntExact(offset), length, offset));
    }

    /** A pooled packet holding {@code length} bytes of {@code src} from {@code index}, at stream {@code offset}. */
    private Packet packet(final ByteBuffer src, final int index, final int length, final long offset)
    {
        final Packet p = pool.isEmpty() ? new Packet(wireConfig.mss()) : pool.pop();
        p.clearRuns();
        p.data.put(0, src, index, length);
        p.length = length;
        p.offset = offset;
        p.seq = isn + (int)offset;
        return p;
    }

    private void packetize(final int n)
    {
        final int mss = wireConfig.mss();
        for (int off = 0; off < n; off += mss)
        {
            final int len = Math.min(mss, n - off);
            final Packet p = packet(ingest, off, len, nextOffset);
            nextOffset += len;
            wire.submit(p);
            for (Packet q = wire.poll(); q != null; q = wire.poll())
            {
                arrive(q);
            }
        }
    }

    private void arrive(final Packet p)
    {
        model.packetsSeen.increment();
        nic(p);
        reassemble(p);
    }

    // ---------------------------------------------------------------------------------------------------- NIC

    private void nic(final Packet p)
    {
        p.clearRuns();
        if (confirmPending)
        {
            confirmPending = false;
            if (sync == Sync.TRACK &&
                (confirmSeq == candidateSeq - isn || (chainRequested && confirmSeq == chainSeq - isn)))
            {
                sync = Sync.SYNC;
                everConfirmed = true;
                model.confirmed.increment();
                // the framing followed since the candidate is now known good: place the rest of the current PDU
                // (its beginning went up unplaced and unverified, so no CRC verdict for it)
                if (pduPlaceable && (part == Part.PAD || part == Part.DATA))
                {
                    pduPlace = true;
                }
            }
        }
        final int d = p.seq - expectedSeq;
        if (d == 0)
        {
            p.crcOk = sync == Sync.SYNC;
            walk(p);
            expectedSeq += p.length;
        }
        else if (d < 0 && p.seq + p.length - expectedSeq <= 0)
        {
            p.addRun(p.data, 0, p.length, false); // old data: retransmission or duplicate, passed on as is
        }
        else
        {
            if (d > 0 && bridge(d))
            {
                p.crcOk = sync == Sync.SYNC;
            }
            else
            {
                loseSync();
            }
            expectedSeq = p.seq + p.length;
            walk(p);
        }
        if (p.offloaded)
        {
            packetCount++;
        }
    }

    /**
     * A packet starts {@code gap} bytes beyond the expected sequence. When the current PDU's header was seen whole
     * and the missing bytes end at or before the sequence where the next PDU header starts (known from PLEN), no
     * header byte is missing: the framing stays known, so step over the missing bytes and keep going. The PDU's data
     * digest can no longer be checked, so its remaining packets carry no CRC flag.
     *
     * @return whether the gap was bridged; false leaves the state untouched (the caller loses sync).
     */
    private boolean bridge(final int gap)
    {
        if (sync == Sync.SEARCH || gap > pduRemaining())
        {
            return false;
        }
        pduCrc = false;
        int left = gap;
        if (part == Part.PAD)
        {
            final int n = Math.min(left, padLeft);
            padLeft -= n;
            left -= n;
            if (padLeft == 0)
            {
                part = Part.DATA;
            }
        }
        if (left > 0 && part == Part.DATA)
        {
            final int n = Math.min(left, dataLength - dataDone);
            dataDone += n;
            left -= n;
        }
        if (part == Part.DATA && dataDone == dataLength)
        {
            if (ddgstLength > 0)
            {
                ddgstFill = 0;
                part = Part.DDGST;
            }
            else
            {
                endOfPdu();
            }
        }
        if (left > 0 && part == Part.DDGST)
        {
            ddgstFill += left; // pduRemaining bounds the gap: it ends inside the digest or at its end
        }
        if (part == Part.DDGST && ddgstFill == ddgstLength)
        {
            endOfPdu();
        }
        if (sync == Sync.TRACK)
        {
            trackedBytes += gap;
        }
        model.bridged.increment();
        return true;
    }

    /** @return bytes from the expected sequence to the next PDU header, or -1 when the current header is partial. */
    private int pduRemaining()
    {
        switch (part)
        {
            case PAD:
                return padLeft + dataLength + ddgstLength;
            case DATA:
                return dataLength - dataDone + ddgstLength;
            case DDGST:
                return ddgstLength - ddgstFill;
            default:
                return -1; // between headers the next one starts right here; inside one, PLEN may be unseen
        }
    }

    private void loseSync()
    {
        sync = Sync.SEARCH;
        tailLength = 0;
        resetFraming();
    }

    private void resetFraming()
    {
        part = Part.CH;
        hdrFill = 0;
        hdrNeed = CommonHeader.LENGTH;
        clearPlacement();
    }

    /** The current PDU is not (or no longer) placed. */
    private void clearPlacement()
    {
        pduPlace = false;
        pduPlaceable = false;
        pduCrc = false;
        io = null;
    }

    private void walk(final Packet p)
    {
        final ByteBuffer b = p.data;
        int i = 0;
        if (sync == Sync.SEARCH && tailLength > 0)
        {
            p.crcOk = false;
            searchAcross(p);
        }
        while (i < p.length)
        {
            if (sync == Sync.SEARCH)
            {
                p.crcOk = false;
                int found = -1;
                for (int j = i; j + CommonHeader.LENGTH <= p.length; j++)
                {
                    if (shape.parse(b, j, true))
                    {
                        found = j;
                        break;
                    }
                }
                if (found < 0)
                {
                    p.addRun(b, i, p.length - i, false);
                    keepTail(p, i);
                    return;
                }
                p.addRun(b, i, found - i, false);
                i = found;
                startCandidate(p.seq + found, false);
                continue;
            }
            if (part == Part.CH && hdrFill == 0 && sync == Sync.TRACK && candidateLate)
            {
                // this header of the candidate's chain starts in the packet at hand, so the host has not passed it
                candidateLate = false;
                chainSeq = p.seq + i;
                chainRequested = true;
                requestResync(chainSeq);
            }
            final int n = step(p, i);
            i += n;
            if (sync == Sync.TRACK)
            {
                p.crcOk = false;
                trackedBytes += n;
                if (trackedBytes > TRACK_GIVE_UP)
                {
                    loseSync();
                }
            }
        }
    }

    /**
     * Searching, and the previous packet ended with a few unsearched bytes: look for a header that starts there and
     * ends in this packet. On a match, those bytes become the partial header the framing goes on from.
     */
    private void searchAcross(final Packet p)
    {
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
                hdr.put(x, tail[k + x]);
            }
            hdr.put(fromTail, p.data, 0, CommonHeader.LENGTH - fromTail);
            if (shape.parse(hdr, 0, true))
            {
                startCandidate(tailSeq + k, true);
                hdrFill = fromTail; // step() reads the rest of the common header from this packet
                trackedBytes = fromTail;
                return;
            }
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
        resetFraming();
        candidateSeq = seq;
        candidateLate = late;
        chainRequested = false;
        trackedBytes = 0;
        requestResync(seq);
    }

    private void requestResync(final int seq)
    {
        resyncCount++;
        ulpOps.resyncRequest(connection, seq - isn, UlpDdpUlpOps.RESYNC_PENDING);
    }

    /** Follow the framing over packet bytes from {@code i}; returns how many were consumed. */
    private int step(final Packet p, final int i)
    {
        final ByteBuffer b = p.data;
        final int avail = p.length - i;
        switch (part)
        {
            case CH:
            case PSH:
            {
                final int n = Math.min(avail, hdrNeed - hdrFill);
                for (int k = 0; k < n; k++)
                {
                    hdr.put(hdrFill + k, b.get(i + k));
                }
                hdrFill += n;
                p.addRun(b, i, n, false);
                if (hdrFill == hdrNeed)
                {
                    if (part == Part.CH)
                    {
                        if (!shape.parse(hdr, 0, sync != Sync.SYNC) || shape.type == PduType.C2H_TERM_REQ)
                        {
                            loseSync();
                            return n;
                        }
                        hdrNeed = shape.headerLength;
                        part = Part.PSH;
                        if (hdrFill == hdrNeed)
                        {
                            onHeader(p);
                        }
                    }
                    else
                    {
                        onHeader(p);
                    }
                }
                return n;
            }

            case PAD:
            {
                final int n = Math.min(avail, padLeft);
                padLeft -= n;
                p.addRun(b, i, n, false);
                if (padLeft == 0)
                {
                    part = Part.DATA;
                }
                return n;
            }

            case DATA:
            {
                final int n = Math.min(avail, dataLength - dataDone);
                if (pduPlace && sync == Sync.SYNC)
                {
                    place(p, i, n);
                }
                else
                {
                    p.addRun(b, i, n, false);
                }
                if (!pduCrc)
                {
                    p.crcOk = false;
                }
                dataDone += n;
                if (dataDone == dataLength)
                {
                    if (ddgstLength > 0)
                    {
                        ddgstFill = 0;
                        part = Part.DDGST;
                    }
                    else
                    {
                        endOfPdu();
                    }
                }
                return n;
            }

            default:
            {
                final int n = Math.min(avail, ddgstLength - ddgstFill);
                for (int k = 0; k < n; k++)
                {
                    ddgstBuf.put(ddgstFill + k, b.get(i + k));
                }
                ddgstFill += n;
                p.addRun(b, i, n, false);
                if (!pduCrc)
                {
                    p.crcOk = false;
                }
                if (ddgstFill == ddgstLength)
                {
                    if (pduCrc && crc.value() != Crc32c.get(ddgstBuf, 0))
                    {
                        p.crcOk = false; // the verdict rides on the packet carrying the digest
                    }
                    endOfPdu();
                }
                return n;
            }
        }
    }

    private void onHeader(final Packet p)
    {
        hdrFill = 0;
        hdrNeed = CommonHeader.LENGTH;
        if (shape.hdgst() && crc.compute(hdr, 0, shape.hlen) != Crc32c.get(hdr, shape.hlen))
        {
            loseSync();
            return;
        }
        if (shape.dataLength == 0)
        {
            part = Part.CH;
            return;
        }
        dataLength = shape.dataLength;
        ddgstLength = shape.ddgstLength;
        dataDone = 0;
        padLeft = shape.padLength;
        clearPlacement();
        if (sync != Sync.SEARCH && shape.type == PduType.C2H_DATA && isOffloaded() && device.isUp())
        {
            final UlpDdpIo mapped = placeable(hdr, 0, dataLength);
            if (mapped != null)
            {
                io = mapped;
                datao = CommonHeader.u32(hdr, DataPdu.DATAO_OFFSET);
                pduPlaceable = true;
                pduPlace = sync == Sync.SYNC;
                pduCrc = crcOffload && pduPlace;
                crc.reset();
            }
        }
        part = padLeft > 0 ? Part.PAD : Part.DATA;
    }

    private void endOfPdu()
    {
        part = Part.CH;
        clearPlacement();
    }

    /** "DMA" packet bytes to the destination at DATAO + done; the packet's runs point there. */
    private void place(final Packet p, final int from, final int length)
    {
        long pos = datao + dataDone;
        int e = 0;
        long base = 0;
        while (e < io.nents() - 1 && base + io.length(e) <= pos)
        {
            base += io.length(e);
            e++;
        }
        int off = (int)(pos - base);
        int left = length;
        int src = from;
        while (left > 0)
        {
            final int take = Math.min(left, io.length(e) - off);
            final ByteBuffer dst = io.buffer(e);
            final int at = io.index(e) + off;
            dst.put(at, p.data, src, take);
            if (pduCrc)
            {
                crc.update(p.data, src, take);
            }
            p.addRun(dst, at, take, true);
            src += take;
            left -= take;
            e++;
            off = 0;
        }
        p.offloaded = true;
        byteCount += length;
        if (everConfirmed)
        {
            model.placedAfterResync.add(length);
        }
    }

    @Override
    protected void onUnmapped(final UlpDdpIo unmapped)
    {
        if (unmapped == io)
        {
            clearPlacement(); // a registration never outlives its teardown
        }
    }

    @Override
    public void resync(final int seq)
    {
        confirmPending = true;
        confirmSeq = seq;
    }

    // --------------------------------------------------------------------------------------------- reassembly

    private void reassemble(final Packet p)
    {
        if (p.offset + p.length <= rcvNxt)
        {
            pool.push(p); // already delivered: a duplicate
            return;
        }
        if (p.offset > rcvNxt)
        {
            keepEarly(p);
            return;
        }
        deliver(p);
        while (oooCount > 0 && ooo[0].offset <= rcvNxt)
        {
            final Packet q = ooo[0];
            System.arraycopy(ooo, 1, ooo, 0, --oooCount);
            ooo[oooCount] = null;
            if (q.offset + q.length > rcvNxt)
            {
                deliver(q);
            }
            else
            {
                pool.push(q);
            }
        }
    }

    private void keepEarly(final Packet p)
    {
        int at = oooCount;
        for (int k = 0; k < oooCount; k++)
        {
            if (ooo[k].offset == p.offset)
            {
                pool.push(p); // the first copy to arrive is kept, as TCP keeps it
                return;
            }
            if (ooo[k].offset > p.offset)
            {
                at = k;
                break;
            }
        }
        if (oooCount == ooo.length)
        {
            ooo = java.util.Arrays.copyOf(ooo, oooCount * 2);
        }
        System.arraycopy(ooo, at, ooo, at + 1, oooCount - at);
        ooo[at] = p;
        oooCount++;
    }

    private void deliver(final Packet p)
    {
        long stream = p.offset;
        for (int r = 0; r < p.runs; r++)
        {
            final int len = p.runLength[r];
            final long skip = rcvNxt - stream;
            if (skip < len)
            {
                final int s = (int)Math.max(0, skip);
                rx.consume(seg.set(p.runBuffer[r], p.runIndex[r] + s, len - s, rcvNxt, p.runPlaced[r], p.crcOk));
                rcvNxt += len - s;
            }
            stream += len;
        }
        pool.push(p);
    }

    // ----------------------------------------------------------------------------------------------- teardown

    @Override
    protected void scheduleTeardownDone(final Object ctx)
    {
        if (!isOffloaded())
        {
            ulpOps.ddpTeardownDone(ctx);
            return;
        }
        if (pendingCount == pendingDone.length)
        {
            pendingDone = java.util.Arrays.copyOf(pendingDone, pendingCount * 2);
        }
        pendingDone[pendingCount++] = ctx;
    }

    private void completeTeardowns()
    {
        // completions may schedule new teardowns: take a count first
        final int n = pendingCount;
        for (int k = 0; k < n; k++)
        {
            final Object ctx = pendingDone[k];
            pendingDone[k] = null;
            ulpOps.ddpTeardownDone(ctx);
        }
        System.arraycopy(pendingDone, n, pendingDone, 0, pendingCount - n);
        for (int k = pendingCount - n; k < pendingCount; k++)
        {
            pendingDone[k] = null;
        }
        pendingCount -= n;
    }

    @Override
    protected void onRelease()
    {
        pduPlace = false;
        io = null;
        completeTeardowns();
        publishWireCounters();
    }

    /** Push this connection's wire counters into the device totals (also done at skDel). */
    public void publishWireCounters()
    {
        model.lost.add(wire.lost);
        model.reordered.add(wire.reordered);
        model.duplicated.add(wire.duplicated);
        wire.lost = 0;
        wire.reordered = 0;
        wire.duplicated = 0;
    }
}
