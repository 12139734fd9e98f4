package org.nvmeof4j.ddp.soft;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ScatteringByteChannel;
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
 * One connection offloaded to the {@link SoftDdpDevice}: the connection's segment source.
 *
 * <p>It follows the PDU framing of the receive stream itself (CH → header + HDGST → pad → data → DDGST, with the
 * digests and CPDA of the {@link UlpDdpConfig} and the PDO of each header). When the stream is at the payload of a
 * C2HData whose CCCID is registered and whose DATAO/DATAL fit the registration, it places the payload in the
 * registered buffers at DATAO: bytes already in its receive buffer are copied there, the rest is read from the
 * socket with one scattering read into the destination ranges followed by the receive buffer (for what comes
 * next). The ULP gets:
 * <ul>
 *   <li>headers and anything not placed as plain segments over the receive buffer (it copies them as usual);</li>
 *   <li>placed payload as segments over the destination itself ({@code placed}: src == dst, the copy is skipped);
 *       with data digests on, these segments (and the digest's) are handed up once the digest has been read and
 *       compared with the CRC32C computed over the placed bytes, with {@code crcOk} telling the verdict; a
 *       mismatch leaves {@code crcOk} clear and the ULP recomputes and reports the error itself.</li>
 * </ul>
 * Every length is validated (by {@link PduShape} and against the registration) before it is used. Anything it
 * cannot interpret (an unexpected type, a bad header digest, a TermReq) makes it pass the rest of the stream on
 * untouched: the ULP sees exactly the bytes of the socket and reports the error. Not thread-safe: the connection's
 * thread owns it.
 */
public final class SoftDdpContext extends UlpDdpContext
{
    private enum State
    {
        /** Gathering the 8-byte common header. */
        CH,
        /** Gathering the rest of the header and its digest. */
        PSH,
        /** Skipping pad bytes before the data. */
        PAD,
        /** Inside PDU data. */
        DATA,
        /** Gathering the 4-byte data digest. */
        DDGST,
        /**
         * Nothing registered: the framing is not followed, every byte goes up as read (the copy path's cost). Left
         * when a registration appears, at the next PDU boundary the ULP's receiver reports.
         */
        IDLE,
        /** Passing the rest of a PDU the receiver is inside of, up to the next header. */
        SKIP,
        /** Not interpreting any more: everything is handed up as read. */
        PASS
    }

    private final int directThreshold;
    private final int shortRead;
    private final ByteBuffer buf;
    private final ByteBuffer hdr = ByteBuffer.allocate(PduReceiver.MAX_HEADER + 8);
    private final ByteBuffer ddgstBuf = ByteBuffer.allocate(CommonHeader.DIGEST_LENGTH);
    private final Crc32c crc = new Crc32c();
    private final Segment seg = new Segment();
    private final ByteBuffer[] iov;
    private final int[] savedPos;
    private final int[] savedLim;

    private PduReceiver rx;
    /** Stream offset of the next byte to read from the channel. */
    private long streamPos;
    /** Stream offset of buf[0]. */
    private long bufBase;
    private int rpos;
    private int wpos;
    /** First byte of buf not yet handed up (a plain run ends at rpos). */
    private int plainStart;

    private State state = State.CH;
    private int hdrFill;
    private int hdrNeed = CommonHeader.LENGTH;
    private int padLeft;
    private long skipLeft;
    /** The receiver's stream offset minus ours (it counted the ICResp and Connect bytes before we took over). */
    private long rxDelta = Long.MIN_VALUE;
    private int dataLength;
    private int dataDone;
    private int ddgstLength;
    private int ddgstFill;
    private long dataStream;

    private boolean placing;
    private boolean defer;
    private boolean abandon;
    private boolean largeMode;
    private boolean placedThisRead;
    private UlpDdpIo io;
    private long datao;
    private int sgEntry;
    private int sgOffset;

    SoftDdpContext(
        final SoftDdpDevice device, final NvmeTcpConnection connection, final UlpDdpConfig config,
        final UlpDdpUlpOps ulpOps, final UlpDdpCaps caps, final UlpDdpLimits limits, final int bufferSize,
        final int directThreshold, final int shortRead)
    {
        super(device, connection, config, ulpOps, caps, limits);
        this.directThreshold = directThreshold;
        this.shortRead = shortRead;
        this.buf = ByteBuffer.allocateDirect(bufferSize).order(ByteOrder.LITTLE_ENDIAN);
        hdr.order(ByteOrder.LITTLE_ENDIAN);
        final int sg = limits.maxDdpSglLen() > 0 ? limits.maxDdpSglLen() : UlpDdpIo.SG_CHUNK_SIZE;
        this.iov = new ByteBuffer[sg + 1];
        this.savedPos = new int[sg];
        this.savedLim = new int[sg];
    }

    @Override
    public int receive(final ReadableByteChannel channel, final PduReceiver receiver) throws IOException
    {
        rx = receiver;
        if (rxDelta == Long.MIN_VALUE)
        {
            rxDelta = receiver.streamOffset() - streamPos;
        }
        if (abandon)
        {
            abandonPlacement();
        }
        if (state == State.IDLE && table.size() != 0)
        {
            resumeFraming(receiver);
        }
        placedThisRead = false;
        final int n;
        if (state == State.DATA && placing && dataDone < dataLength && channel instanceof ScatteringByteChannel)
        {
            n = scatterRead((ScatteringByteChannel)channel);
        }
        else
        {
            buf.clear().limit(largeMode ? shortRead : buf.capacity());
            n = channel.read(buf);
            if (n > 0)
            {
                bufBase = streamPos;
                streamPos += n;
                rpos = 0;
                wpos = n;
                plainStart = 0;
            }
        }
        if (n > 0)
        {
            process();
            if (placedThisRead)
            {
                packetCount++;
            }
        }
        return n;
    }

    /** Read the rest of the current payload straight into the destination, and what follows into buf. */
    private int scatterRead(final ScatteringByteChannel channel) throws IOException
    {
        final int remaining = dataLength - dataDone;
        locate(datao + dataDone);
        int count = 0;
        int left = remaining;
        for (int e = sgEntry, off = sgOffset; left > 0 && e < io.nents() && count < iov.length - 1; e++, off = 0)
        {
            final ByteBuffer b = io.buffer(e);
            if (inIov(b, count))
            {
                break; // one buffer object can describe only one range per read
            }
            final int take = Math.min(left, io.length(e) - off);
            savedPos[count] = b.position();
            savedLim[count] = b.limit();
            final int start = io.index(e) + off;
            if (start > b.limit())
            {
                b.limit(start + take).position(start);
            }
            else
            {
                b.position(start);
                b.limit(start + take);
            }
            iov[count++] = b;
            left -= take;
        }
        final int direct = remaining - left;
        buf.clear().limit(largeMode ? shortRead : buf.capacity());
        iov[count] = buf;
        final long n;
        try
        {
            n = channel.read(iov, 0, count + 1);
        }
        finally
        {
            for (int i = 0; i < count; i++)
            {
                final ByteBuffer b = iov[i];
                if (savedLim[i] < b.position())
                {
                    b.position(savedPos[i]);
                    b.limit(savedLim[i]);
                }
                else
                {
                    b.limit(savedLim[i]);
                    b.position(savedPos[i]);
                }
                iov[i] = null;
            }
            iov[count] = null;
        }
        if (n <= 0)
        {
            return (int)n;
        }
        final int placedN = (int)Math.min(n, direct);
        if (crcOffload)
        {
            crcOverDestination(dataDone, placedN);
        }
        byteCount += placedN;
        placedThisRead = true;
        if (!defer)
        {
            handUpPlaced(dataDone, placedN, false);
        }
        dataDone += placedN;
        streamPos += placedN;
        final int tail = (int)n - placedN;
        bufBase = streamPos;
        streamPos += tail;
        rpos = 0;
        wpos = tail;
        plainStart = 0;
        if (dataDone == dataLength)
        {
            endOfData();
        }
        return (int)n;
    }

    private boolean inIov(final ByteBuffer b, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (iov[i] == b)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Leave {@link State#IDLE}: every byte read so far has gone up, so the ULP's receiver knows where the framing
     * stands (the software counterpart of the resync handshake): at a header, inside one (its first bytes are copied
     * over and gathered on), or inside a PDU (skipped to the next header).
     */
    private void resumeFraming(final PduReceiver receiver)
    {
        if (receiver.streamOffset() - rxDelta != streamPos)
        {
            return;
        }
        final int partial = receiver.commonHeaderSoFar(hdr);
        if (partial > 0)
        {
            hdrFill = partial;
            hdrNeed = CommonHeader.LENGTH;
            state = State.CH;
            return;
        }
        final long nextRx = receiver.nextPduOffset();
        final long next = nextRx - rxDelta;
        if (nextRx < 0 || next < streamPos)
        {
            return; // stopped: stay idle, the ULP ends the connection
        }
        skipLeft = next - streamPos;
        hdrFill = 0;
        hdrNeed = CommonHeader.LENGTH;
        state = skipLeft == 0 ? State.CH : State.SKIP;
    }

    /** Walk the buffered bytes [rpos, wpos) through the framing, handing everything up in stream order. */
    private void process()
    {
        while (rpos < wpos)
        {
            if (abandon)
            {
                abandonPlacement();
            }
            final int avail = wpos - rpos;
            switch (state)
            {
                case CH:
                    if (hdrFill == 0 && table.size() == 0)
                    {
                        // at a PDU boundary with nothing to place: stop following the framing until a read needs it,
                        // and read whole buffers again (short reads only pay off before a large placed payload)
                        state = State.IDLE;
                        largeMode = false;
                        break;
                    }
                    if (hdrFill == 0 && avail >= CommonHeader.LENGTH)
                    {
                        // common case: the whole header is in the buffer, read it in place
                        if (!shape.parse(buf.getLong(rpos), false))
                        {
                            state = State.PASS;
                            break;
                        }
                        if (avail >= shape.headerLength)
                        {
                            final int base = rpos;
                            rpos += shape.headerLength;
                            onHeader(buf, base);
                            break;
                        }
                    }
                    // fall through: gather a header split across reads
                case PSH:
                {
                    final int n = Math.min(avail, hdrNeed - hdrFill);
                    for (int i = 0; i < n; i++)
                    {
                        hdr.put(hdrFill + i, buf.get(rpos + i));
                    }
                    rpos += n;
                    hdrFill += n;
                    if (hdrFill == hdrNeed)
                    {
                        if (state == State.CH)
                        {
                            onCommonHeader();
                        }
                        else
                        {
                            onHeader(hdr, 0);
                        }
                    }
                    break;
                }

                case IDLE:
                    rpos = wpos; // handed up plain by flushPlain below
                    break;

                case SKIP:
                {
                    final int n = (int)Math.min(avail, skipLeft);
                    rpos += n;
                    skipLeft -= n;
                    if (skipLeft == 0)
                    {
                        state = State.CH;
                    }
                    break;
                }

                case PAD:
                {
                    final int n = Math.min(avail, padLeft);
                    rpos += n;
                    padLeft -= n;
                    if (padLeft == 0)
                    {
                        state = State.DATA;
                    }
                    break;
                }

                case DATA:
                {
                    final int n = Math.min(avail, dataLength - dataDone);
                    if (placing)
                    {
                        flushPlain();
                        copyToDestination(rpos, n);
                        if (crcOffload)
                        {
                            crc.update(buf, rpos, n);
                        }
                        byteCount += n;
                        placedThisRead = true;
                        if (!defer)
                        {
                            handUpPlaced(dataDone, n, false);
                        }
                        rpos += n;
                        plainStart = rpos;
                    }
                    else
                    {
                        rpos += n;
                    }
                    dataDone += n;
                    if (dataDone == dataLength)
                    {
                        endOfData();
                    }
                    break;
                }

                case DDGST:
                {
                    final int n = Math.min(avail, ddgstLength - ddgstFill);
                    for (int i = 0; i < n; i++)
                    {
                        ddgstBuf.put(ddgstFill + i, buf.get(rpos + i));
                    }
                    rpos += n;
                    ddgstFill += n;
                    if (defer)
                    {
                        plainStart = rpos; // the digest goes up from ddgstBuf, after the deferred payload
                    }
                    if (ddgstFill == ddgstLength)
                    {
                        onDataDigest();
                    }
                    break;
                }

                default:
                    rpos = wpos;
                    break;
            }
        }
        flushPlain();
    }

    private void onCommonHeader()
    {
        if (!shape.parse(hdr, 0, false))
        {
            state = State.PASS;
            return;
        }
        hdrNeed = shape.headerLength;
        state = State.PSH;
        if (hdrFill == hdrNeed)
        {
            onHeader(hdr, 0);
        }
    }

    /** A whole header (and digest) is at {@code h[base..]}; rpos is already past it. */
    private void onHeader(final ByteBuffer h, final int base)
    {
        final PduType type = shape.type;
        hdrFill = 0;
        hdrNeed = CommonHeader.LENGTH;
        if (type == PduType.C2H_TERM_REQ)
        {
            state = State.PASS;
            return;
        }
        if (shape.hdgst() && crc.compute(h, base, shape.hlen) != Crc32c.get(h, base + shape.hlen))
        {
            state = State.PASS; // the ULP will see the same mismatch and end the connection
            return;
        }
        crc.reset();
        if (shape.dataLength == 0)
        {
            state = State.CH;
            return;
        }
        dataLength = shape.dataLength;
        ddgstLength = shape.ddgstLength;
        dataDone = 0;
        padLeft = shape.padLength;
        dataStream = bufBase + rpos + padLeft;
        placing = false;
        defer = false;
        largeMode = false;
        if (type == PduType.C2H_DATA && table.size() != 0 && isOffloaded() && device.isUp())
        {
            final UlpDdpIo mapped = placeable(h, base, dataLength);
            if (mapped != null)
            {
                io = mapped;
                datao = CommonHeader.u32(h, base + DataPdu.DATAO_OFFSET);
                placing = true;
                defer = crcOffload;
                largeMode = dataLength >= directThreshold;
            }
        }
        state = padLeft > 0 ? State.PAD : State.DATA;
    }

    private void endOfData()
    {
        if (ddgstLength > 0)
        {
            ddgstFill = 0;
            state = State.DDGST;
        }
        else
        {
            endOfPdu();
        }
    }

    private void onDataDigest()
    {
        if (defer)
        {
            final boolean ok = crc.value() == Crc32c.get(ddgstBuf, 0);
            handUpPlaced(0, dataLength, ok);
            rx.consume(seg.set(ddgstBuf, 0, ddgstLength, dataStream + dataLength, false, ok));
        }
        endOfPdu();
    }

    private void endOfPdu()
    {
        abandon = false; // a teardown triggered by this PDU's own completion
        placing = false;
        defer = false;
        io = null;
        state = State.CH;
    }

    /** Stop placing the current PDU (its registration went away): what was placed goes up, the rest plain. */
    private void abandonPlacement()
    {
        abandon = false;
        if (!placing)
        {
            return;
        }
        if (defer)
        {
            flushPlain();
            handUpPlaced(0, dataDone, false);
            if (state == State.DDGST && ddgstFill > 0)
            {
                rx.consume(seg.set(ddgstBuf, 0, ddgstFill, dataStream + dataLength, false, false));
            }
        }
        placing = false;
        defer = false;
        io = null;
    }

    @Override
    protected void onUnmapped(final UlpDdpIo unmapped)
    {
        if (placing && unmapped == io)
        {
            abandon = true;
        }
    }

    @Override
    protected void onRelease()
    {
        if (placing)
        {
            abandon = true;
        }
    }

    private void flushPlain()
    {
        if (rpos > plainStart)
        {
            rx.consume(seg.set(buf, plainStart, rpos - plainStart, bufBase + plainStart, false, false));
        }
        plainStart = rpos;
    }

    /** Point sgEntry/sgOffset at a byte of the registration's concatenated ranges. */
    private void locate(final long pos)
    {
        long base = 0;
        int e = 0;
        while (e < io.nents() - 1 && base + io.length(e) <= pos)
        {
            base += io.length(e);
            e++;
        }
        sgEntry = e;
        sgOffset = (int)(pos - base);
    }

    private void copyToDestination(final int from, final int length)
    {
        locate(datao + dataDone);
        int left = length;
        int src = from;
        for (int e = sgEntry, off = sgOffset; left > 0; e++, off = 0)
        {
            final int take = Math.min(left, io.length(e) - off);
            io.buffer(e).put(io.index(e) + off, buf, src, take);
            src += take;
            left -= take;
        }
    }

    private void crcOverDestination(final int dataFrom, final int length)
    {
        locate(datao + dataFrom);
        int left = length;
        for (int e = sgEntry, off = sgOffset; left > 0; e++, off = 0)
        {
            final int take = Math.min(left, io.length(e) - off);
            crc.update(io.buffer(e), io.index(e) + off, take);
            left -= take;
        }
    }

    /** Hand up placed payload [dataFrom, dataFrom + length) of the current PDU as segments over the destination. */
    private void handUpPlaced(final int dataFrom, final int length, final boolean crcOk)
    {
        if (length <= 0)
        {
            return;
        }
        locate(datao + dataFrom);
        int left = length;
        long stream = dataStream + dataFrom;
        for (int e = sgEntry, off = sgOffset; left > 0; e++, off = 0)
        {
            final int take = Math.min(left, io.length(e) - off);
            rx.consume(seg.set(io.buffer(e), io.index(e) + off, take, stream, true, crcOk));
            stream += take;
            left -= take;
        }
    }

    @Override
    protected void scheduleTeardownDone(final Object ctx)
    {
        ulpOps.ddpTeardownDone(ctx); // nothing to invalidate in hardware: done at once
    }

    @Override
    public void resync(final int seq)
    {
        // the software device reads the stream in order and never loses sync
    }

    /** @return stream bytes read from the channel so far. */
    public long streamPosition()
    {
        return streamPos;
    }
}
