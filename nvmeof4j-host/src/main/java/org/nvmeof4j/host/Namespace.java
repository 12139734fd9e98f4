package org.nvmeof4j.host;

import java.nio.ByteBuffer;
import org.nvmeof4j.protocol.admin.IdentifyNamespace;

/**
 * An active namespace of a controller, as Identify Namespace (CNS 00h, NVM Command Set 4.1.5.1) described it when
 * the controller was connected.
 */
public final class Namespace
{
    private final int nsid;
    private final long nsze;
    private final long ncap;
    private final long nuse;
    private final int blockSize;
    private final ByteBuffer identify;

    Namespace(final int nsid, final ByteBuffer identifyData)
    {
        this.nsid = nsid;
        final IdentifyNamespace id = new IdentifyNamespace().wrap(identifyData, 0);
        this.nsze = id.nsze();
        this.ncap = id.ncap();
        this.nuse = id.nuse();
        this.blockSize = id.logicalBlockSize();
        this.identify = identifyData.asReadOnlyBuffer();
    }

    public int nsid()
    {
        return nsid;
    }

    /** NSZE: size in logical blocks. */
    public long nsze()
    {
        return nsze;
    }

    /** NCAP: capacity in logical blocks. */
    public long ncap()
    {
        return ncap;
    }

    /** NUSE: utilization in logical blocks. */
    public long nuse()
    {
        return nuse;
    }

    /** Logical block size in bytes of the format in use. */
    public int blockSize()
    {
        return blockSize;
    }

    /** @return the size in bytes. */
    public long sizeBytes()
    {
        return nsze * blockSize;
    }

    /** @return the raw 4096-byte Identify Namespace data (read-only). */
    public ByteBuffer identifyData()
    {
        return identify.duplicate();
    }

    /** @return a flyweight over the identify data, for the other fields. */
    public IdentifyNamespace identifyNamespace()
    {
        return new IdentifyNamespace().wrap(identify.duplicate(), 0);
    }

    @Override
    public String toString()
    {
        return "Namespace{nsid=" + nsid + ", blocks=" + nsze + ", blockSize=" + blockSize + '}';
    }
}
