package org.nvmeof4j.protocol.crc;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC32C (Castagnoli) as NVMe/TCP header and data digests use it: reflected polynomial 0x82F63B78, initial value
 * and final XOR 0xFFFFFFFF, written to the wire little-endian. {@link CRC32C} computes exactly this value with the
 * CPU's CRC32 instruction; this class adds range updates that never allocate.
 *
 * <p>An instance is not thread-safe: one per connection. A range update on a direct buffer moves that buffer's
 * position and limit for the duration of the call and then restores them, so the buffer must not be used by
 * another thread at the same time (give each thread its own {@code duplicate()} view).
 */
public final class Crc32c
{
    private final CRC32C crc = new CRC32C();

    /** Start a new digest. */
    public Crc32c reset()
    {
        crc.reset();
        return this;
    }

    /** Add {@code length} bytes of {@code buffer} from absolute index {@code index}. */
    public Crc32c update(final ByteBuffer buffer, final int index, final int length)
    {
        if (length <= 0)
        {
            return this;
        }
        if (buffer.hasArray())
        {
            crc.update(buffer.array(), buffer.arrayOffset() + index, length);
            return this;
        }
        final int pos = buffer.position();
        final int lim = buffer.limit();
        try
        {
            if (index + length > lim)
            {
                buffer.limit(index + length);
                buffer.position(index);
            }
            else
            {
                buffer.position(index);
                buffer.limit(index + length);
            }
            crc.update(buffer);
        }
        finally
        {
            buffer.limit(lim);
            buffer.position(pos);
        }
        return this;
    }

    /** @return the digest of everything added since the last reset, as the unsigned 32-bit value in an int. */
    public int value()
    {
        return (int)crc.getValue();
    }

    /** One-shot digest of a range; allocates nothing but is not thread-safe (see class comment). */
    public int compute(final ByteBuffer buffer, final int index, final int length)
    {
        return reset().update(buffer, index, length).value();
    }

    /** Write a digest value little-endian at an absolute index. */
    public static void put(final ByteBuffer buffer, final int index, final int digest)
    {
        buffer.put(index, (byte)digest);
        buffer.put(index + 1, (byte)(digest >>> 8));
        buffer.put(index + 2, (byte)(digest >>> 16));
        buffer.put(index + 3, (byte)(digest >>> 24));
    }

    /** Read a little-endian digest value at an absolute index. */
    public static int get(final ByteBuffer buffer, final int index)
    {
        return (buffer.get(index) & 0xFF) | (buffer.get(index + 1) & 0xFF) << 8 | (buffer.get(index + 2) & 0xFF) << 16 |
            (buffer.get(index + 3) & 0xFF) << 24;
    }
}
