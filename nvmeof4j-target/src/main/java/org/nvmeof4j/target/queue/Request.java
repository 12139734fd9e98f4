package org.nvmeof4j.target.queue;

import java.nio.ByteBuffer;
import org.nvmeof4j.protocol.fabrics.FabricsCommand;
import org.nvmeof4j.protocol.nvme.Sqe;

/**
 * One preallocated request slot of a target queue: the command (a private copy of its SQE), where its data goes or
 * comes from, and its completion values. Slots are indexed by position; the R2T transfer tag is {@code index + 1}
 * (the SPDK convention), and a CID maps to its slot through the queue's CID table.
 *
 * <p>Owned by the queue's poller thread; command handlers fill {@link #dw0}, {@link #dw1} and, for commands that
 * return data in the staging buffer, {@link #c2hLength(int)}.
 */
public final class Request
{
    static final int FREE = 0;
    /** Receiving in-capsule data. */
    static final int CAPSULE_DATA = 1;
    /** R2T sent, receiving H2CData. */
    static final int R2T = 2;
    /** Being executed, or parked (an Asynchronous Event Request). */
    static final int EXECUTING = 3;
    /** Waiting for its connection's staging budget before its R2T is sent or its read runs. */
    static final int WAITING = 5;
    /** Completion queued for sending; the slot frees when it is on the wire. */
    static final int SENDING = 4;

    /** Who counts the staging memory of a queue's slots. */
    interface StagingAccount
    {
        /** A slot's staging grows from {@code oldCapacity} to {@code newCapacity} bytes (make room, count it). */
        void stagingGrown(Request r, int oldCapacity, int newCapacity);
    }

    private static final StagingAccount UNCOUNTED = (r, o, n) -> { };

    final int index;
    final ByteBuffer sqeBuffer;
    private final StagingAccount account;
    /** Whether this command's wait for staging was counted already (it may wait more than once). */
    boolean stagingWaitCounted;
    /** The command, valid while the slot is in use. */
    public final Sqe sqe = new Sqe();
    /** The same bytes seen as a Fabrics command. */
    public final FabricsCommand fabrics = new FabricsCommand();

    int state;
    int cid;
    /** Bytes of host-to-controller data this command carries (in-capsule or by R2T); 0 if none. */
    int dataLength;
    /** Host-to-controller bytes received so far. */
    int received;
    /** Where host-to-controller data lands. */
    ByteBuffer dataBuffer;
    int dataIndex;
    /** Whether the data lands in the staging buffer (to be committed later) rather than straight in the backend. */
    boolean staged;
    /** First error seen while the data arrived (a data digest mismatch), reported once all data is in. */
    int pendingStatus;
    long byteOffset;
    org.nvmeof4j.target.subsystem.Namespace namespace;

    private ByteBuffer staging;
    private int c2hLength;
    /** DW0 / DW1 of the completion. */
    public int dw0;
    public int dw1;

    Request(final int index, final ByteBuffer sqeBuffer)
    {
        this(index, sqeBuffer, UNCOUNTED);
    }

    Request(final int index, final ByteBuffer sqeBuffer, final StagingAccount account)
    {
        this.account = account;
        this.index = index;
        this.sqeBuffer = sqeBuffer;
        sqe.wrap(sqeBuffer, 0);
        fabrics.wrap(sqeBuffer, 0);
    }

    /** @return the slot index (the R2T transfer tag minus one); stable for the life of the queue. */
    public int index()
    {
        return index;
    }

    /** @return the namespace resolved by the range check ({@link TargetQueue#checkReadWrite}), or null. */
    public org.nvmeof4j.target.subsystem.Namespace namespace()
    {
        return namespace;
    }

    /** @return the byte offset of the starting LBA in the namespace, set by the range check. */
    public long byteOffset()
    {
        return byteOffset;
    }

    /** @return where the host-to-controller data was received (null before any). */
    public ByteBuffer dataBuffer()
    {
        return dataBuffer;
    }

    /** @return the index of the first data byte in {@link #dataBuffer()}. */
    public int dataIndex()
    {
        return dataIndex;
    }

    /**
     * Receive this command's host-to-controller data into {@code buffer} from {@code index} (a target offload's
     * staging buffer): called before the R2T goes out, on the queue's thread.
     */
    public void placeData(final ByteBuffer buffer, final int index)
    {
        this.dataBuffer = buffer;
        this.dataIndex = index;
        this.staged = true;
    }

    /** @return the command identifier. */
    public int cid()
    {
        return cid;
    }

    /**
     * @return the slot's staging buffer, at least {@code size} bytes (allocated the first time a slot needs that
     *         much, then reused: no allocation in steady state).
     */
    public ByteBuffer staging(final int size)
    {
        if (staging == null || staging.capacity() < size)
        {
            final int cap = capacityFor(size);
            account.stagingGrown(this, stagingCapacity(), cap);
            staging = ByteBuffer.allocateDirect(cap);
        }
        return staging;
    }

    /** @return the staging capacity a command of {@code size} bytes needs: a power of two, at least 4 KiB. */
    static int capacityFor(final int size)
    {
        int cap = 4096;
        while (cap < size)
        {
            cap <<= 1;
        }
        return cap;
    }

    /** @return bytes of staging this slot holds now. */
    int stagingCapacity()
    {
        return staging == null ? 0 : staging.capacity();
    }

    /** Hand this free slot's staging buffer to another slot: @return it (null if none); this slot has none after. */
    ByteBuffer takeStaging()
    {
        final ByteBuffer b = staging;
        staging = null;
        return b;
    }

    /** Hold {@code buffer} (from {@link #takeStaging()} of a free slot) as this slot's staging; it has none now. */
    void adoptStaging(final ByteBuffer buffer)
    {
        buffer.clear();
        staging = buffer;
    }

    /** Let go of the staging buffer (of a free slot, to make room for another): @return the bytes let go. */
    int dropStaging()
    {
        final int cap = stagingCapacity();
        staging = null;
        return cap;
    }

    /** @return the host-to-controller data (in-capsule or from H2CData), from index 0 of the staging buffer. */
    public ByteBuffer data()
    {
        return staging;
    }

    /** @return bytes of host-to-controller data received. */
    public int dataLength()
    {
        return dataLength;
    }

    /** A handler returns {@code length} bytes from index 0 of {@link #staging(int)} to the host. */
    public void c2hLength(final int length)
    {
        this.c2hLength = length;
    }

    int c2hLength()
    {
        return c2hLength;
    }

    void reset(final int cid)
    {
        this.cid = cid;
        this.dataLength = 0;
        this.received = 0;
        this.dataBuffer = null;
        this.dataIndex = 0;
        this.staged = false;
        this.pendingStatus = 0;
        this.byteOffset = 0;
        this.namespace = null;
        this.c2hLength = 0;
        this.stagingWaitCounted = false;
        this.dw0 = 0;
        this.dw1 = 0;
    }
}
