package org.nvmeof4j.protocol.pdu;

import java.nio.ByteBuffer;
import org.nvmeof4j.protocol.nvme.LittleEndian;

/**
 * Flyweight over the 8-byte NVMe/TCP common header (NVMe/TCP 3.6.1) and base of every PDU flyweight.
 *
 * <pre>
 *   0               1               2               3
 *   0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 *  +---------------+---------------+---------------+---------------+
 *  |   PDU-Type    |     FLAGS     |     HLEN      |      PDO      |
 *  +---------------+---------------+---------------+---------------+
 *  |                             PLEN                              |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>All fields are little-endian. Accessors use absolute indexing and never move the buffer's position or
 * limit, and never allocate, so one flyweight can be re-wrapped over any number of PDUs.
 */
public class CommonHeader
{
    public static final int LENGTH = 8;
    public static final int PDU_TYPE_OFFSET = 0;
    public static final int FLAGS_OFFSET = 1;
    public static final int HLEN_OFFSET = 2;
    public static final int PDO_OFFSET = 3;
    public static final int PLEN_OFFSET = 4;

    /** Header digest follows the header. */
    public static final int FLAG_HDGSTF = 0x01;
    /** Data digest follows the data. */
    public static final int FLAG_DDGSTF = 0x02;
    /** Last data PDU of a transfer (H2CData, C2HData). */
    public static final int FLAG_LAST_PDU = 0x04;
    /** C2HData: the command completed successfully, no CapsuleResp follows (requires LAST_PDU). */
    public static final int FLAG_SUCCESS = 0x08;

    /** Size of a header or data digest. */
    public static final int DIGEST_LENGTH = 4;

    protected ByteBuffer buffer;
    protected int offset;

    /**
     * Point this flyweight at a PDU.
     *
     * @param buffer the buffer holding the PDU (its byte order is ignored).
     * @param offset where the PDU starts.
     * @return this.
     */
    public CommonHeader wrap(final ByteBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public ByteBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    public int pduType()
    {
        return buffer.get(offset + PDU_TYPE_OFFSET) & 0xFF;
    }

    public CommonHeader pduType(final int type)
    {
        buffer.put(offset + PDU_TYPE_OFFSET, (byte)type);
        return this;
    }

    public int flags()
    {
        return buffer.get(offset + FLAGS_OFFSET) & 0xFF;
    }

    public CommonHeader flags(final int flags)
    {
        buffer.put(offset + FLAGS_OFFSET, (byte)flags);
        return this;
    }

    public boolean hasFlag(final int flag)
    {
        return (flags() & flag) != 0;
    }

    public int hlen()
    {
        return buffer.get(offset + HLEN_OFFSET) & 0xFF;
    }

    public CommonHeader hlen(final int hlen)
    {
        buffer.put(offset + HLEN_OFFSET, (byte)hlen);
        return this;
    }

    public int pdo()
    {
        return buffer.get(offset + PDO_OFFSET) & 0xFF;
    }

    public CommonHeader pdo(final int pdo)
    {
        buffer.put(offset + PDO_OFFSET, (byte)pdo);
        return this;
    }

    /** @return PLEN as an unsigned value in a long (the wire allows up to 2^32-1). */
    public long plen()
    {
        return getU32(PLEN_OFFSET);
    }

    public CommonHeader plen(final long plen)
    {
        putU32(PLEN_OFFSET, plen);
        return this;
    }

    /** Write the four common header fields at once. */
    public CommonHeader header(final PduType type, final int flags, final int pdo, final long plen)
    {
        pduType(type.code());
        flags(flags);
        hlen(type.hlen());
        pdo(pdo);
        plen(plen);
        return this;
    }

    /** Zero {@code length} bytes from the PDU start (for reserved fields). */
    public CommonHeader clear(final int length)
    {
        for (int i = 0; i < length; i++)
        {
            buffer.put(offset + i, (byte)0);
        }
        return this;
    }

    protected final int getU16(final int fieldOffset)
    {
        return LittleEndian.getU16(buffer, offset + fieldOffset);
    }

    protected final void putU16(final int fieldOffset, final int value)
    {
        LittleEndian.putU16(buffer, offset + fieldOffset, value);
    }

    protected final long getU32(final int fieldOffset)
    {
        return getI32(fieldOffset) & 0xFFFF_FFFFL;
    }

    protected final int getI32(final int fieldOffset)
    {
        return LittleEndian.getI32(buffer, offset + fieldOffset);
    }

    protected final void putU32(final int fieldOffset, final long value)
    {
        LittleEndian.putU32(buffer, offset + fieldOffset, value);
    }

    /** Read a little-endian u32 at an absolute index of any buffer. */
    public static long u32(final ByteBuffer buffer, final int index)
    {
        return LittleEndian.getU32(buffer, index);
    }

    /** Write a little-endian u32 at an absolute index of any buffer. */
    public static void u32(final ByteBuffer buffer, final int index, final long value)
    {
        LittleEndian.putU32(buffer, index, value);
    }
}
