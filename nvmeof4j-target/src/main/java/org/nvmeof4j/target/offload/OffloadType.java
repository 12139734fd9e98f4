package org.nvmeof4j.target.offload;

/**
 * Which NVMe-oF operations a device can offload: the RFC's {@code ibv_nvmf_offload_type} bits. The set is open: new
 * constants (write zeroes, dataset management, as the RFC's review asked) get the next bits.
 */
public enum OffloadType
{
    /** {@code IBV_NVMF_WRITE_OFFLOAD}: Write only. */
    WRITE(1 << 0),
    /** {@code IBV_NVMF_READ_OFFLOAD}: Read only. */
    READ(1 << 1),
    /** {@code IBV_NVMF_READ_WRITE_OFFLOAD}: Read and Write. */
    READ_WRITE(1 << 2),
    /** {@code IBV_NVMF_READ_WRITE_FLUSH_OFFLOAD}: Read, Write and Flush. */
    READ_WRITE_FLUSH(1 << 3);

    private final int bit;

    OffloadType(final int bit)
    {
        this.bit = bit;
    }

    /** @return the bit of this type in a capability mask. */
    public int bit()
    {
        return bit;
    }

    /** @return whether this offload type serves Reads. */
    public boolean reads()
    {
        return this != WRITE;
    }

    /** @return whether this offload type serves Writes. */
    public boolean writes()
    {
        return this != READ;
    }

    /** @return whether this offload type serves Flushes. */
    public boolean flushes()
    {
        return this == READ_WRITE_FLUSH;
    }

    /** @return the mask of the given types. */
    public static int mask(final OffloadType... types)
    {
        int m = 0;
        for (final OffloadType t : types)
        {
            m |= t.bit;
        }
        return m;
    }

    /** @return the type named like the constant or its lower-case form with '-' or '_' ({@code read_write_flush}). */
    public static OffloadType parse(final String name)
    {
        try
        {
            return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("unknown offload type '" + name +
                "' (write, read, read_write, read_write_flush)");
        }
    }
}
