package org.nvmeof4j.target.offload;

import java.nio.ByteBuffer;

/**
 * The attributes of an offload context (the RFC's {@code ibv_srq_init_attr_ex.nvmf_attr} plus its staging buffer),
 * checked against the device's {@link OffloadCapabilities} when the context is created.
 *
 * @param offloadType    what the context offloads; the device must support it.
 * @param maxNamespaces  mapped namespaces this context may hold (at most {@code maxSrqNamespaces}).
 * @param maxIoSz        bytes: larger commands go to the software target (at most the device's {@code maxIoSz}).
 * @param nvmeQueueDepth entries of each backend submission queue (within the device's min/max).
 * @param ioccsz         I/O command capsule size the subsystem's controllers report, 16-byte units.
 * @param icdoff         in-capsule data offset, 16-byte units.
 * @param stagingBuffer  direct memory for data in transit between network and backend, at least
 *                       {@code minStagingBufSize} and {@code maxIoSz} bytes. From creation on the device owns it:
 *                       software must not read or write it (the RFC's rule), nor reuse it after the context is
 *                       destroyed.
 */
public record OffloadContextAttributes(OffloadType offloadType, int maxNamespaces, int maxIoSz, int nvmeQueueDepth,
    int ioccsz, int icdoff, ByteBuffer stagingBuffer)
{
    /**
     * @return attributes that fit {@code caps}: the widest offload type it has, its limits, a staging buffer of
     *         {@code max(minStagingBufSize, 8 * maxIoSz)} bytes (8 commands in flight before writes fall back to
     *         per-request staging), and the IOCCSZ of a target with {@code inlineDataSize} bytes in-capsule.
     */
    public static OffloadContextAttributes defaults(final OffloadCapabilities caps, final int inlineDataSize)
    {
        OffloadType type = null;
        for (final OffloadType t : OffloadType.values())
        {
            if (caps.supports(t))
            {
                type = t;
            }
        }
        final long staging = Math.max(caps.minStagingBufSize(), 8L * caps.maxIoSz());
        final int ioccsz = Math.max(caps.minIoccsz(), Math.min(caps.maxIoccsz(), (64 + inlineDataSize) / 16));
        return new OffloadContextAttributes(type, caps.maxSrqNamespaces(), caps.maxIoSz(),
            Math.min(caps.maxNvmeQueueDepth(), Math.max(caps.minNvmeQueueDepth(), 128)), ioccsz, 0,
            ByteBuffer.allocateDirect((int)Math.min(Integer.MAX_VALUE - 8, staging)));
    }

    /** @return a copy with another offload type. */
    public OffloadContextAttributes withOffloadType(final OffloadType type)
    {
        return new OffloadContextAttributes(type, maxNamespaces, maxIoSz, nvmeQueueDepth, ioccsz, icdoff,
            stagingBuffer);
    }

    /** @return a copy with another staging buffer. */
    public OffloadContextAttributes withStagingBuffer(final ByteBuffer buffer)
    {
        return new OffloadContextAttributes(offloadType, maxNamespaces, maxIoSz, nvmeQueueDepth, ioccsz, icdoff,
            buffer);
    }

    /** @return a copy with other limits. */
    public OffloadContextAttributes withLimits(final int maxNamespaces, final int maxIoSz, final int nvmeQueueDepth)
    {
        return new OffloadContextAttributes(offloadType, maxNamespaces, maxIoSz, nvmeQueueDepth, ioccsz, icdoff,
            stagingBuffer);
    }

    /** @return a copy with other capsule parameters. */
    public OffloadContextAttributes withCapsule(final int ioccsz, final int icdoff)
    {
        return new OffloadContextAttributes(offloadType, maxNamespaces, maxIoSz, nvmeQueueDepth, ioccsz, icdoff,
            stagingBuffer);
    }
}
