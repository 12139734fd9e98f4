package org.nvmeof4j.ddp;

import java.nio.ByteBuffer;

/**
 * One read's buffer registration: the command ID that tags its C2HData PDUs on the wire and the scatter-gather list
 * of destination ranges, mirroring {@code struct ulp_ddp_io} (seed 003, "Destination buffer registration").
 *
 * <p>Allocated once per request slot with a fixed SG capacity and refilled for every I/O with {@link #reset(int)}
 * and {@link #add}: nothing is allocated per I/O. The ranges are concatenated in order: PDU data at DATAO lands at
 * byte DATAO of that concatenation.
 *
 * <p>Between {@code setup} and the end of {@code teardown} the device owns the ranges like a DMA mapping: it may
 * write them at any time while receiving on the connection's thread, and may move a buffer's position and limit for
 * the duration of a read (restoring both before it returns). Direct buffers avoid a JDK-internal bounce copy on
 * socket reads.
 */
public final class UlpDdpIo
{
    /** Default SG capacity (the kernel's {@code SG_CHUNK_SIZE}). */
    public static final int SG_CHUNK_SIZE = 128;

    private final ByteBuffer[] sgBuffer;
    private final int[] sgIndex;
    private final int[] sgLength;
    private int commandId;
    private int nents;
    private long length;

    public UlpDdpIo()
    {
        this(SG_CHUNK_SIZE);
    }

    /** @param maxEntries SG capacity of this registration object. */
    public UlpDdpIo(final int maxEntries)
    {
        sgBuffer = new ByteBuffer[maxEntries];
        sgIndex = new int[maxEntries];
        sgLength = new int[maxEntries];
    }

    /** Start a new registration for this command ID (u16) with an empty SG list; returns this. */
    public UlpDdpIo reset(final int commandId)
    {
        for (int i = 0; i < nents; i++)
        {
            sgBuffer[i] = null;
        }
        this.commandId = commandId & 0xFFFF;
        this.nents = 0;
        this.length = 0;
        return this;
    }

    /**
     * Append a destination range; returns this.
     *
     * @throws IllegalStateException when the SG capacity is exhausted.
     * @throws IndexOutOfBoundsException when the range is not inside the buffer's capacity.
     */
    public UlpDdpIo add(final ByteBuffer buffer, final int index, final int length)
    {
        if (nents == sgBuffer.length)
        {
            throw new IllegalStateException("SG list full (" + sgBuffer.length + " entries)");
        }
        if (index < 0 || length <= 0 || index + length > buffer.capacity() || index + length < 0)
        {
            throw new IndexOutOfBoundsException("range " + index + "+" + length + " of " + buffer.capacity());
        }
        sgBuffer[nents] = buffer;
        sgIndex[nents] = index;
        sgLength[nents] = length;
        nents++;
        this.length += length;
        return this;
    }

    /** @return the command ID (CCCID of the C2HData PDUs carrying this read's data). */
    public int commandId()
    {
        return commandId;
    }

    /** @return number of SG entries. */
    public int nents()
    {
        return nents;
    }

    /** @return SG capacity. */
    public int maxEntries()
    {
        return sgBuffer.length;
    }

    /** @return total bytes described by the SG list. */
    public long length()
    {
        return length;
    }

    public ByteBuffer buffer(final int entry)
    {
        return sgBuffer[entry];
    }

    public int index(final int entry)
    {
        return sgIndex[entry];
    }

    public int length(final int entry)
    {
        return sgLength[entry];
    }

    @Override
    public String toString()
    {
        return "UlpDdpIo{cid=" + commandId + ", nents=" + nents + ", length=" + length + '}';
    }
}
