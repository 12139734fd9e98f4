package org.nvmeof4j.tcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import org.nvmeof4j.protocol.crc.Crc32c;
import org.nvmeof4j.protocol.pdu.CommonHeader;
import org.nvmeof4j.protocol.pdu.PduType;

/**
 * The send side of an NVMe/TCP connection: a ring of outgoing PDUs written with gather writes (header + padding,
 * data straight from the caller's buffer, data digest), resumable after a partial write.
 *
 * <p>Use: {@link #claimHeader()} gives the next slot's header buffer; write the PDU type, HLEN and the
 * PDU-specific fields at index 0 (flyweights do that); then {@link #commit} with the data, if any. The sender
 * fills in what depends on negotiation: HDGSTF/DDGSTF, PDO (padded to the peer's alignment), PLEN, and both
 * digests. ICReq/ICResp/TermReq go out byte-exact with {@link #commitRaw}.
 *
 * <p>The data buffer is not copied: it must stay unchanged until the PDU is on the wire ({@link SentListener}
 * tells when). Its position and limit are used while writing and restored afterwards, so one buffer object can
 * describe only one range per write: PDUs queued together go out in one {@code writev} only if their data buffers
 * are distinct objects (give each request slot its own view, e.g. a {@code duplicate()} made once; sharing one view
 * cut a target's read batches into a {@code writev} per few PDUs and halved its IOPS). Header buffers are
 * preallocated direct memory; the ring grows (rarely, never in steady state) when more PDUs are queued than it
 * holds. Not thread-safe.
 */
public final class PduSender
{
    /** Told when a PDU committed with a token other than {@link #NO_TOKEN} has been written whole. */
    @FunctionalInterface
    public interface SentListener
    {
        void onPduSent(long token);
    }

    public static final long NO_TOKEN = -1;
    /** Header slot size: the longest header we send is a TermReq (152) or a padded CapsuleCmd (PDO ≤ 255). */
    public static final int HEADER_SLOT = 256;
    private static final int MAX_BATCH = 48;

    private final Crc32c crc = new Crc32c();
    private final ByteBuffer[] iov = new ByteBuffer[MAX_BATCH * 3];
    private final SentListener sentListener;

    private ByteBuffer[] headers;
    private ByteBuffer[] ddgsts;
    private ByteBuffer[] data;
    private int[] dataIndex;
    private int[] dataLength;
    private int[] dataSent;
    private int[] savedPosition;
    private int[] savedLimit;
    private boolean[] hasDdgst;
    private long[] tokens;
    /** PDU data that is a file region sent with {@link FileChannel#transferTo} (null: none); see {@link #commitFile}. */
    private FileChannel[] files;
    private long[] filePosition;
    private int mask;
    private long head;
    private long tail;
    private boolean claimed;

    private boolean hdgstEnabled;
    private boolean ddgstEnabled;
    private int txAlignment;

    private long pdusSent;
    private long bytesSent;

    /**
     * @param initialCapacity PDUs the ring holds before it grows (rounded up to a power of two).
     * @param sentListener    told when tokened PDUs are written; may be null.
     */
    public PduSender(final int initialCapacity, final SentListener sentListener)
    {
        this.sentListener = sentListener;
        allocate(Integer.highestOneBit(Math.max(8, initialCapacity - 1)) << 1);
    }

    /**
     * Apply the ICReq/ICResp negotiation.
     *
     * @param txAlignment the peer's PDU data alignment, 0's based dwords (CPDA for a host, HPDA for a controller).
     */
    public void connectionInitialized(final boolean hdgst, final boolean ddgst, final int txAlignment)
    {
        this.hdgstEnabled = hdgst;
        this.ddgstEnabled = ddgst;
        this.txAlignment = txAlignment;
    }

    /** @return the header buffer of the next slot, to encode a PDU header at index 0. */
    public ByteBuffer claimHeader()
    {
        if (claimed)
        {
            throw new IllegalStateException("previous claim not committed");
        }
        if (tail - head == headers.length)
        {
            grow();
        }
        claimed = true;
        final ByteBuffer h = headers[(int)tail & mask];
        h.clear();
        return h;
    }

    /** Send the claimed header's first {@code length} bytes exactly as written (ICReq, ICResp, TermReq). */
    public void commitRaw(final int length, final long token)
    {
        final int slot = (int)tail & mask;
        headers[slot].limit(length).position(0);
        enqueue(slot, null, 0, 0, false, token);
    }

    /**
     * Finish and queue the claimed PDU.
     *
     * @param data   PDU data, or null.
     * @param index  where the data starts in {@code data}.
     * @param length data bytes (0 for none).
     * @param token  reported to the {@link SentListener} once the PDU is written, or {@link #NO_TOKEN}.
     */
    public void commit(final ByteBuffer data, final int index, final int length, final long token)
    {
        final int slot = (int)tail & mask;
        final boolean dd = finishHeader(slot, length, ddgstEnabled);
        if (dd)
        {
            Crc32c.put(ddgsts[slot], 0, crc.compute(data, index, length));
        }
        enqueue(slot, data, index, length, dd, token);
    }

    /**
     * Finish and queue the claimed PDU with data that is a region of a file, sent from the page cache to the socket
     * with {@link FileChannel#transferTo} (sendfile: no copy through user space). Only without data digests (the
     * sender never sees the bytes, so it cannot compute one). The PDU goes out in order with the others: PDUs queued
     * after it wait until the whole region is on the wire.
     *
     * @param file     the file; positional reads only, so it may be shared with other threads.
     * @param position where the region starts in the file.
     * @param length   data bytes, more than 0; the file must hold them (a short file ends the connection with an
     *                 {@link IOException} from {@link #flush}).
     * @throws IllegalStateException when data digests are enabled.
     */
    public void commitFile(final FileChannel file, final long position, final int length, final long token)
    {
        if (ddgstEnabled)
        {
            throw new IllegalStateException("file regions cannot carry a data digest");
        }
        if (length <= 0)
        {
            throw new IllegalArgumentException("file region length " + length);
        }
        final int slot = (int)tail & mask;
        finishHeader(slot, length, false);
        enqueue(slot, null, 0, length, false, token);
        files[slot] = file;
        filePosition[slot] = position;
    }

    /** Fill in HDGSTF/DDGSTF, PDO, PLEN and the header digest of a claimed slot; @return whether a DDGST follows. */
    private boolean finishHeader(final int slot, final int length, final boolean ddgstOn)
    {
        final ByteBuffer h = headers[slot];
        final PduType type = PduType.valueOf(h.get(CommonHeader.PDU_TYPE_OFFSET) & 0xFF);
        final int hlen = type.hlen();
        final int hd = hdgstEnabled && type.mayCarryHeaderDigest() ? CommonHeader.DIGEST_LENGTH : 0;
        int flags = h.get(CommonHeader.FLAGS_OFFSET) & ~(CommonHeader.FLAG_HDGSTF | CommonHeader.FLAG_DDGSTF);
        int headerLength = hlen + hd;
        final boolean dd = length > 0 && ddgstOn;
        final long plen;
        if (length > 0)
        {
            final int unit = (txAlignment + 1) * 4;
            final int pdo = txAlignment == 0 ? headerLength : (headerLength + unit - 1) / unit * unit;
            for (int i = headerLength; i < pdo; i++)
            {
                h.put(i, (byte)0);
            }
            h.put(CommonHeader.PDO_OFFSET, (byte)pdo);
            plen = (long)pdo + length + (dd ? CommonHeader.DIGEST_LENGTH : 0);
            headerLength = pdo;
        }
        else
        {
            h.put(CommonHeader.PDO_OFFSET, (byte)0);
            plen = headerLength;
        }
        if (hd > 0)
        {
            flags |= CommonHeader.FLAG_HDGSTF;
        }
        if (dd)
        {
            flags |= CommonHeader.FLAG_DDGSTF;
        }
        h.put(CommonHeader.FLAGS_OFFSET, (byte)flags);
        h.put(CommonHeader.HLEN_OFFSET, (byte)hlen);
        CommonHeader.u32(h, CommonHeader.PLEN_OFFSET, plen);
        if (hd > 0)
        {
            Crc32c.put(h, hlen, crc.compute(h, 0, hlen));
        }
        h.limit(headerLength).position(0);
        return dd;
    }

    private void enqueue(
        final int slot, final ByteBuffer buf, final int index, final int length, final boolean dd, final long token)
    {
        data[slot] = length > 0 ? buf : null;
        dataIndex[slot] = index;
        dataLength[slot] = length;
        dataSent[slot] = 0;
        if (length > 0 && buf != null)
        {
            savedPosition[slot] = buf.position();
            savedLimit[slot] = buf.limit();
        }
        hasDdgst[slot] = dd;
        files[slot] = null;
        ddgsts[slot].clear();
        tokens[slot] = token;
        tail++;
        claimed = false;
    }

    /** @return whether PDUs wait to be written. */
    public boolean hasPending()
    {
        return head != tail;
    }

    /** @return whether a queued PDU's data is a file region ({@link #commitFile}) not yet fully written. */
    public boolean hasFileRegion()
    {
        for (long s = head; s != tail; s++)
        {
            if (files[(int)s & mask] != null)
            {
                return true;
            }
        }
        return false;
    }

    /** @return PDUs queued and not yet fully written. */
    public int pending()
    {
        return (int)(tail - head);
    }

    public long pdusSent()
    {
        return pdusSent;
    }

    public long bytesSent()
    {
        return bytesSent;
    }

    /**
     * Write as much as the channel takes now.
     *
     * @return bytes written (0 when the socket buffer is full or nothing is pending).
     */
    public long flush(final GatheringByteChannel channel) throws IOException
    {
        long total = 0;
        while (head != tail)
        {
            final int first = (int)head & mask;
            if (files[first] != null && !headers[first].hasRemaining())
            {
                // the header of a file region is out: stream the region itself
                final long sent = transferFile(first, channel);
                total += sent;
                if (files[first] != null)
                {
                    break; // socket full
                }
                continue;
            }
            final int count = buildBatch();
            final long written = channel.write(iov, 0, count);
            total += written;
            bytesSent += written;
            // a gather write fills its buffers in order: if the last one still has bytes, the socket is full
            final boolean partial = iov[count - 1].hasRemaining();
            clearIov(count);
            retire();
            if (partial)
            {
                break;
            }
        }
        return total;
    }

    private long transferFile(final int slot, final GatheringByteChannel channel) throws IOException
    {
        final FileChannel file = files[slot];
        final long position = filePosition[slot] + dataSent[slot];
        final long remaining = dataLength[slot] - dataSent[slot];
        final long n = file.transferTo(position, remaining, channel);
        if (n == 0 && position + remaining > file.size())
        {
            throw new IOException("file region [" + filePosition[slot] + ", +" + dataLength[slot] +
                ") ends past the end of the file (" + file.size() + " bytes)");
        }
        dataSent[slot] += (int)n;
        bytesSent += n;
        if (dataSent[slot] == dataLength[slot])
        {
            files[slot] = null;
            final long token = tokens[slot];
            head++;
            pdusSent++;
            if (token != NO_TOKEN && sentListener != null)
            {
                sentListener.onPduSent(token);
            }
            retire();
        }
        return n;
    }

    private void clearIov(final int count)
    {
        for (int i = 0; i < count; i++)
        {
            iov[i] = null;
        }
    }

    private int buildBatch()
    {
        int count = 0;
        for (long s = head; s != tail && count + 3 <= iov.length; s++)
        {
            final int slot = (int)s & mask;
            final ByteBuffer d = data[slot];
            if (d != null && usedInBatch(d, count))
            {
                break; // one buffer object can describe only one range per write
            }
            final ByteBuffer h = headers[slot];
            if (h.hasRemaining())
            {
                iov[count++] = h;
            }
            if (files[slot] != null)
            {
                break; // the region follows its header with transferTo; nothing may be written in between
            }
            if (d != null)
            {
                final int start = dataIndex[slot] + dataSent[slot];
                final int end = dataIndex[slot] + dataLength[slot];
                if (start < end)
                {
                    if (start > d.limit())
                    {
                        d.limit(end).position(start);
                    }
                    else
                    {
                        d.position(start);
                        d.limit(end);
                    }
                    iov[count++] = d;
                }
            }
            if (hasDdgst[slot] && ddgsts[slot].hasRemaining())
            {
                iov[count++] = ddgsts[slot];
            }
        }
        return count;
    }

    private boolean usedInBatch(final ByteBuffer d, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (iov[i] == d)
            {
                return true;
            }
        }
        return false;
    }

    private void retire()
    {
        while (head != tail)
        {
            final int slot = (int)head & mask;
            if (headers[slot].hasRemaining() || files[slot] != null)
            {
                return; // a file region's data goes out in flush, after its header
            }
            final ByteBuffer d = data[slot];
            if (d != null)
            {
                final int sent = Math.max(0, d.position() - dataIndex[slot]);
                if (d.limit() == dataIndex[slot] + dataLength[slot] && sent > dataSent[slot])
                {
                    dataSent[slot] = sent;
                }
                if (dataSent[slot] < dataLength[slot])
                {
                    restore(slot, d);
                    return;
                }
                restore(slot, d);
                data[slot] = null;
            }
            if (hasDdgst[slot] && ddgsts[slot].hasRemaining())
            {
                return;
            }
            final long token = tokens[slot];
            head++;
            pdusSent++;
            if (token != NO_TOKEN && sentListener != null)
            {
                sentListener.onPduSent(token);
            }
        }
    }

    private void restore(final int slot, final ByteBuffer d)
    {
        final int lim = savedLimit[slot];
        if (lim < d.position())
        {
            d.position(savedPosition[slot]);
            d.limit(lim);
        }
        else
        {
            d.limit(lim);
            d.position(savedPosition[slot]);
        }
    }

    /** Drop everything queued (the connection is closing); tokens are not reported. */
    public void clear()
    {
        while (head != tail)
        {
            final int slot = (int)head & mask;
            if (data[slot] != null)
            {
                restore(slot, data[slot]);
                data[slot] = null;
            }
            files[slot] = null;
            head++;
        }
        claimed = false;
    }

    /**
     * Drop every queued PDU that has not started on the wire, keeping one that is partly written: what is queued
     * next (a TermReq) then starts at a PDU boundary instead of inside the cut PDU's bytes.
     */
    public void clearUnstarted()
    {
        long keep = head;
        if (head != tail && headers[(int)head & mask].position() > 0)
        {
            keep = head + 1;
        }
        for (long s = keep; s != tail; s++)
        {
            final int slot = (int)s & mask;
            if (data[slot] != null)
            {
                restore(slot, data[slot]);
                data[slot] = null;
            }
            files[slot] = null;
        }
        tail = keep;
        claimed = false;
    }

    private void allocate(final int capacity)
    {
        headers = new ByteBuffer[capacity];
        ddgsts = new ByteBuffer[capacity];
        final ByteBuffer hdrMemory = ByteBuffer.allocateDirect(capacity * HEADER_SLOT);
        final ByteBuffer ddgstMemory = ByteBuffer.allocateDirect(capacity * CommonHeader.DIGEST_LENGTH);
        for (int i = 0; i < capacity; i++)
        {
            headers[i] = hdrMemory.slice(i * HEADER_SLOT, HEADER_SLOT);
            ddgsts[i] = ddgstMemory.slice(i * CommonHeader.DIGEST_LENGTH, CommonHeader.DIGEST_LENGTH);
        }
        data = new ByteBuffer[capacity];
        dataIndex = new int[capacity];
        dataLength = new int[capacity];
        dataSent = new int[capacity];
        savedPosition = new int[capacity];
        savedLimit = new int[capacity];
        hasDdgst = new boolean[capacity];
        tokens = new long[capacity];
        files = new FileChannel[capacity];
        filePosition = new long[capacity];
        mask = capacity - 1;
    }

    private void grow()
    {
        final int old = headers.length;
        final ByteBuffer[] oh = headers;
        final ByteBuffer[] od = ddgsts;
        final ByteBuffer[] odata = data;
        final int[] oi = dataIndex;
        final int[] ol = dataLength;
        final int[] os = dataSent;
        final int[] op = savedPosition;
        final int[] olim = savedLimit;
        final boolean[] ohd = hasDdgst;
        final long[] ot = tokens;
        final FileChannel[] ofiles = files;
        final long[] ofp = filePosition;
        final int omask = mask;
        allocate(old * 2);
        int i = 0;
        for (long s = head; s != tail; s++, i++)
        {
            final int from = (int)s & omask;
            final ByteBuffer h = oh[from];
            final ByteBuffer nh = headers[i];
            nh.clear();
            for (int b = 0; b < h.limit(); b++)
            {
                nh.put(b, h.get(b));
            }
            nh.limit(h.limit()).position(h.position());
            final ByteBuffer ndd = ddgsts[i];
            for (int b = 0; b < CommonHeader.DIGEST_LENGTH; b++)
            {
                ndd.put(b, od[from].get(b));
            }
            ndd.limit(od[from].limit()).position(od[from].position());
            data[i] = odata[from];
            dataIndex[i] = oi[from];
            dataLength[i] = ol[from];
            dataSent[i] = os[from];
            savedPosition[i] = op[from];
            savedLimit[i] = olim[from];
            hasDdgst[i] = ohd[from];
            tokens[i] = ot[from];
            files[i] = ofiles[from];
            filePosition[i] = ofp[from];
        }
        tail = tail - head;
        head = 0;
    }
}
