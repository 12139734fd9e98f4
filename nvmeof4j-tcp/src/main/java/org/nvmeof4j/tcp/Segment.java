package org.nvmeof4j.tcp;

import java.nio.ByteBuffer;

/**
 * A run of received stream bytes: the analog of the kernel's skb fragment that the NVMe/TCP receive path walks.
 *
 * <p>A segment names where its bytes live ({@link #buffer} from absolute index {@link #index}, {@link #length}
 * bytes), where they sit in the TCP stream ({@link #streamOffset}: bytes received on the connection before the
 * first one), and two offload flags set by a DDP device:
 * <ul>
 *   <li>{@link #placed}: the bytes already sit in the request's destination buffer, so {@code buffer} is the
 *       destination itself (src == dst) and the ULP skips the copy;</li>
 *   <li>{@link #crcOk}: the device verified the data digest over these bytes; when every data byte of a PDU
 *       arrived in such segments the ULP skips the digest.</li>
 * </ul>
 * A plain socket reader produces segments with both flags clear. Segments are mutable and reused: a producer
 * fills one, hands it to {@link PduReceiver#consume(Segment)}, and may refill it after the call returns.
 */
public final class Segment
{
    public ByteBuffer buffer;
    public int index;
    public int length;
    public long streamOffset;
    public boolean placed;
    public boolean crcOk;

    /** Fill every field at once; returns this. */
    public Segment set(
        final ByteBuffer buffer, final int index, final int length, final long streamOffset, final boolean placed,
        final boolean crcOk)
    {
        this.buffer = buffer;
        this.index = index;
        this.length = length;
        this.streamOffset = streamOffset;
        this.placed = placed;
        this.crcOk = crcOk;
        return this;
    }

    @Override
    public String toString()
    {
        return "Segment{offset=" + streamOffset + ", length=" + length + ", placed=" + placed + ", crcOk=" + crcOk +
            '}';
    }
}
