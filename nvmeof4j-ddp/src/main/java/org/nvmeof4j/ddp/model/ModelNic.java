package org.nvmeof4j.ddp.model;

import java.nio.ByteBuffer;
import org.nvmeof4j.ddp.UlpDdpIo;
import org.nvmeof4j.ddp.spi.PduShape;
import org.nvmeof4j.protocol.crc.Crc32c;
import org.nvmeof4j.protocol.pdu.CommonHeader;
import org.nvmeof4j.protocol.pdu.DataPdu;
import org.nvmeof4j.protocol.pdu.PduType;
import org.nvmeof4j.tcp.PduReceiver;

/**
 * The NIC of one {@link ModelDdpContext} connection. It keeps, per connection, only what seed 003 allows: the next
 * expected TCP sequence, the tag → buffer map, and the position in the current PDU (with a partial header). For
 * each packet, in wire order:
 * <ul>
 *   <li>sequence as expected and in sync: follow the framing; payload of a C2HData whose header it saw in sync,
 *       with a registered CCCID and DATAO/DATAL inside the registration, is written to the destination and the
 *       packet's runs point there ({@link PduPlacement}); CRC32C is accumulated and checked against the DDGST;</li>
 *   <li>sequence older than expected (retransmission or duplicate): passed on untouched, no flags;</li>
 *   <li>sequence beyond expected, but the missing bytes lie inside the current PDU, after its header and no later
 *       than the start of the next header (a data-only gap): the NIC stays in sync and steps over them (counted in
 *       {@link ModelDdpDevice#gapsBridged()}). This packet's payload is still placed, at DATAO plus its offset in
 *       the PDU; the missing packet comes later as an old one and the host copies it. The PDU's digest can no
 *       longer be verified, so none of its remaining packets gets {@code crcOk};</li>
 *   <li>any other gap (header bytes missing, or the current header not yet whole): sync is lost, and the
 *       {@link ResyncTracker} searches for the PDU pattern and has the ULP confirm it.</li>
 * </ul>
 * A packet's {@code crcOk} is set only when the NIC was in sync for the whole packet, every PDU data byte in it
 * belonged to a PDU whose data it has verified from the first byte with none missing, and every data digest in it
 * matched. It never holds, changes or drops a packet.
 *
 * <h2>Why a data-only gap need not cost a resync</h2>
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
 */
final class ModelNic
{
    private enum Part
    {
        CH, PSH, PAD, DATA, DDGST
    }

    private final ModelDdpContext context;
    private final ModelDdpDevice model;
    private final PduShape shape;
    private final int isn;
    private final PduPlacement placement;
    private final ResyncTracker resync;
    private final ByteBuffer hdr = ByteBuffer.allocate(PduReceiver.MAX_HEADER + 8);
    private final ByteBuffer ddgstBuf = ByteBuffer.allocate(CommonHeader.DIGEST_LENGTH);
    private final Crc32c headerCrc = new Crc32c();
    private int expectedSeq;
    private Part part = Part.CH;
    private int hdrFill;
    private int hdrNeed = CommonHeader.LENGTH;
    private int padLeft;
    private int dataLength;
    private int dataDone;
    private int ddgstLength;
    private int ddgstFill;

    ModelNic(
        final ModelDdpContext context, final ModelDdpDevice model, final PduShape shape, final boolean crcOffload,
        final int isn)
    {
        this.context = context;
        this.model = model;
        this.shape = shape;
        this.isn = isn;
        this.placement = new PduPlacement(context, crcOffload);
        this.resync = new ResyncTracker(this, context, model, shape, isn);
    }

    /** The stream starts at {@code offset}: a PDU header is expected there. */
    void startAt(final long offset)
    {
        expectedSeq = isn + (int)offset;
    }

    /** Process one packet as it comes off the wire: set its runs and flags. */
    void receive(final Packet p)
    {
        p.clearRuns();
        resync.applyConfirmation();
        final int d = p.seq - expectedSeq;
        if (d == 0)
        {
            p.crcOk = resync.inSync();
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
                p.crcOk = resync.inSync();
            }
            else
            {
                resync.lose();
            }
            expectedSeq = p.seq + p.length;
            walk(p);
        }
        if (p.offloaded)
        {
            context.countOffloadedPacket();
        }
    }

    /** {@code resync} from the ULP, applied before the next packet. */
    void resync(final int seq)
    {
        resync.resync(seq);
    }

    /** {@code unmapped} left the command ID table. */
    void unmapped(final UlpDdpIo unmapped)
    {
        placement.unmapped(unmapped);
    }

    /** skDel: stop placing. */
    void release()
    {
        placement.release();
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
        if (resync.searching() || gap > pduRemaining())
        {
            return false;
        }
        placement.stopVerifying();
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
        resync.bridged(gap);
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

    /** Expect a PDU header at the next byte, with nothing of the current PDU placed. */
    void restartFraming()
    {
        part = Part.CH;
        hdrFill = 0;
        hdrNeed = CommonHeader.LENGTH;
        placement.clear();
    }

    /** A candidate header starts with {@code bytes[from, from + length)}; the framing reads the rest. */
    void seedHeader(final byte[] bytes, final int from, final int length)
    {
        for (int x = 0; x < length; x++)
        {
            hdr.put(x, bytes[from + x]);
        }
        hdrFill = length;
    }

    /**
     * The candidate was confirmed, so the framing followed since is known good: place the rest of the current PDU
     * (its beginning went up unplaced and unverified, so no CRC verdict for it).
     */
    void resumePlacement()
    {
        if (part == Part.PAD || part == Part.DATA)
        {
            placement.resume();
        }
    }

    private void walk(final Packet p)
    {
        resync.searchAcross(p);
        int i = 0;
        while (i < p.length)
        {
            if (resync.searching())
            {
                i = resync.search(p, i);
                continue;
            }
            if (part == Part.CH && hdrFill == 0)
            {
                resync.headerStarts(p.seq + i);
            }
            final int n = step(p, i);
            i += n;
            resync.followed(p, n);
        }
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
                        if (!shape.parse(hdr, 0, !resync.inSync()) || shape.type == PduType.C2H_TERM_REQ)
                        {
                            resync.lose();
                            return n;
                        }
                        hdrNeed = shape.headerLength;
                        part = Part.PSH;
                        if (hdrFill == hdrNeed)
                        {
                            onHeader();
                        }
                    }
                    else
                    {
                        onHeader();
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
                if (placement.placing() && resync.inSync())
                {
                    placement.place(p, i, n, dataDone);
                    resync.placed(n);
                }
                else
                {
                    p.addRun(b, i, n, false);
                }
                if (!placement.verifying())
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
                if (!placement.verifying())
                {
                    p.crcOk = false;
                }
                if (ddgstFill == ddgstLength)
                {
                    if (placement.verifying() && !placement.digestMatches(ddgstBuf))
                    {
                        p.crcOk = false; // the verdict rides on the packet carrying the digest
                    }
                    endOfPdu();
                }
                return n;
            }
        }
    }

    private void onHeader()
    {
        hdrFill = 0;
        hdrNeed = CommonHeader.LENGTH;
        if (shape.hdgst() && headerCrc.compute(hdr, 0, shape.hlen) != Crc32c.get(hdr, shape.hlen))
        {
            resync.lose();
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
        placement.clear();
        if (!resync.searching() && shape.type == PduType.C2H_DATA)
        {
            final UlpDdpIo mapped = context.registration(hdr, dataLength);
            if (mapped != null)
            {
                placement.start(mapped, CommonHeader.u32(hdr, DataPdu.DATAO_OFFSET), resync.inSync());
            }
        }
        part = padLeft > 0 ? Part.PAD : Part.DATA;
    }

    private void endOfPdu()
    {
        part = Part.CH;
        placement.clear();
    }
}
