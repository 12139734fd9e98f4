package org.nvmeof4j.host.offload;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.nvmeof4j.protocol.nvme.Sqe;

/**
 * One request slot of an offloaded queue (seed 002's {@code struct nvme_tcp_ofld_req}): the 64-byte SQE with its
 * CID already set (the slot index), the data buffer and direction, and {@link #done}. A queue has
 * {@code queueSize} of them, made once; the ULP fills one in before {@link NvmeTcpOfldOps#sendReq} and the driver
 * reads it until it calls {@code done}. The SGL of the SQE is the driver's to fill (NVMe/TCP: a transport data block
 * or in-capsule data at ICDOFF).
 *
 * <p>Fields are written by the owner thread before {@code sendReq}; a driver that reads them on another thread must
 * publish the request to that thread with a happens-before edge (a release/acquire ring).
 */
public final class NvmeTcpOfldReq
{
    /** Data direction: none. */
    public static final byte DIR_NONE = 0;
    /** Data direction: host to controller (a write). */
    public static final byte DIR_H2C = 1;
    /** Data direction: controller to host (a read). */
    public static final byte DIR_C2H = 2;

    private final NvmeTcpOfldQueue queue;
    private final int index;
    private final ByteBuffer sqe;
    byte dir;
    ByteBuffer data;
    int dataIndex;
    int dataLength;
    boolean inCapsule;
    boolean async;

    NvmeTcpOfldReq(final NvmeTcpOfldQueue queue, final int index, final ByteBuffer sqes)
    {
        this.queue = queue;
        this.index = index;
        this.sqe = sqes.slice(index * Sqe.LENGTH, Sqe.LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** @return the queue the request belongs to. */
    public NvmeTcpOfldQueue queue()
    {
        return queue;
    }

    /** @return the slot index in its queue, also the CID in {@link #sqe}. */
    public int index()
    {
        return index;
    }

    /** @return the command: 64 bytes at index 0, little-endian; CID set, SGL left to the driver. */
    public ByteBuffer sqe()
    {
        return sqe;
    }

    /** @return {@link #DIR_NONE}, {@link #DIR_H2C} or {@link #DIR_C2H}. */
    public byte dir()
    {
        return dir;
    }

    /** @return the data buffer, or null without data; the device uses bytes [dataIndex, dataIndex + dataLength). */
    public ByteBuffer data()
    {
        return data;
    }

    public int dataIndex()
    {
        return dataIndex;
    }

    public int dataLength()
    {
        return dataLength;
    }

    /** @return whether the ULP asks for the data inside the command capsule (writes up to IOCCSZ). */
    public boolean inCapsule()
    {
        return inCapsule;
    }

    /** @return whether this is an Asynchronous Event Request (no timeout; completes when the controller has news). */
    public boolean isAsync()
    {
        return async;
    }

    /**
     * The device finished the request (seed 002's {@code nvme_tcp_ofld_req_done}): its data has been placed (a read)
     * or sent (a write) and the device will not touch the buffer again. Owner thread, from inside
     * {@link NvmeTcpOfldOps#pollQueue}. A call for a request that is not outstanding is counted and ignored.
     *
     * @param result the CQE's DW0 (low 32 bits) and DW1 (high 32 bits).
     * @param status the 15-bit NVMe status (0: success); a data digest error is a Data Transfer Error.
     */
    public void done(final long result, final int status)
    {
        queue.onDone(this, result, status);
    }

    @Override
    public String toString()
    {
        return "NvmeTcpOfldReq{qid=" + queue.qid() + ", index=" + index + "}";
    }
}
