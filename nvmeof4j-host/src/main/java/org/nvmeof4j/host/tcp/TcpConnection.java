package org.nvmeof4j.host.tcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import org.nvmeof4j.host.spi.QueueOwner;
import org.nvmeof4j.host.spi.TransportQueue;
import org.nvmeof4j.protocol.nvme.Cqe;
import org.nvmeof4j.protocol.nvme.LittleEndian;
import org.nvmeof4j.protocol.nvme.NvmeStatus;
import org.nvmeof4j.protocol.nvme.Opcodes;
import org.nvmeof4j.protocol.nvme.Sqe;
import org.nvmeof4j.protocol.pdu.CapsulePdu;
import org.nvmeof4j.protocol.pdu.CommonHeader;
import org.nvmeof4j.protocol.pdu.DataPdu;
import org.nvmeof4j.protocol.pdu.Fes;
import org.nvmeof4j.protocol.pdu.IcReqPdu;
import org.nvmeof4j.protocol.pdu.IcRespPdu;
import org.nvmeof4j.protocol.pdu.PduType;
import org.nvmeof4j.tcp.NvmeTcpConnection;
import org.nvmeof4j.tcp.PduReceiver;
import org.nvmeof4j.tcp.PduSender;

/**
 * One host NVMe/TCP connection (one NVMe queue, admin or I/O): ICReq/ICResp, command capsules, CapsuleResp,
 * C2HData straight into the request's buffer, R2T answered with H2CData. Commands are tracked in slots indexed by
 * CID, preallocated at the queue size; free CIDs sit on an int stack (no boxing).
 *
 * The {@code tcp} transport's {@link TransportQueue}.
 *
 * <p>Every command ends in one place, {@link #completeCommand}, which consults the {@link ReadOffload} (it may
 * defer the completion until its teardown is done) and hands the result to the owning {@link QueueOwner} (the
 * request layer, {@link org.nvmeof4j.host.queue.HostQueue}).
 *
 * <p>Owned by one thread at a time (the queue's), like every {@link NvmeTcpConnection}.
 */
public final class TcpConnection extends NvmeTcpConnection implements TransportQueue
{

    private final int qid;
    private final int cids;
    private final boolean hdgstRequested;
    private final boolean ddgstRequested;
    private volatile QueueOwner owner;
    /** Opened by the first {@link #await}, closed with the connection. */
    private Selector awaitSelector;
    private ReadOffload offload;

    /** The slot number within a CID (its low 12 bits; the rest is the slot's generation). */
    public static final int CID_SLOT_MASK = CommandSlots.CID_SLOT_MASK;

    private final CommandSlots slots;

    private static final java.util.function.Consumer<SelectionKey> IGNORE_KEY = key -> { };

    private final IcReqPdu icReq = new IcReqPdu();
    private final IcRespPdu icResp = new IcRespPdu();
    private final DataPdu dataPdu = new DataPdu();
    private final Sqe sqe = new Sqe();
    private final Cqe cqe = new Cqe();

    private boolean initialized;
    private long maxh2cdata;
    private int cpda;
    private int icdoff;

    // the C2HData being received
    private int c2hSlot = -1;
    private int c2hFlags;
    private int c2hLength;

    private long commandsSent;
    private long digestErrors;

    /**
     * @param channel  a connected socket.
     * @param qid      0 for the admin queue.
     * @param cids     command slots (the queue size).
     * @param hdgst    ask for header digests.
     * @param ddgst    ask for data digests.
     */
    public TcpConnection(
        final SocketChannel channel, final int qid, final int cids, final boolean hdgst, final boolean ddgst)
        throws IOException
    {
        super(channel, PduReceiver.Role.HOST, Math.max(64, cids * 4));
        this.qid = qid;
        this.cids = cids;
        this.hdgstRequested = hdgst;
        this.ddgstRequested = ddgst;
        slots = new CommandSlots(cids);
    }

    @Override
    public int qid()
    {
        return qid;
    }

    /** @return command slots (the queue size). */
    @Override
    public int queueSize()
    {
        return cids;
    }

    /** Attach the request layer that owns this connection (its requests, its thread). */
    @Override
    public void attach(final QueueOwner owner)
    {
        this.owner = owner;
    }

    /** Install a receive offload (only I/O queues, only before commands are sent). */
    public void readOffload(final ReadOffload offload)
    {
        this.offload = offload;
        slots.cidGeneration = offload == null || offload.fullCommandIdRange();
    }

    public ReadOffload readOffload()
    {
        return offload;
    }

    /** ICDOFF from Identify Controller: where in-capsule data starts, in 16-byte units. */
    @Override
    public void icdoff(final int icdoff)
    {
        this.icdoff = icdoff;
    }

    /** @return whether the ICReq/ICResp exchange succeeded. */
    public boolean isInitialized()
    {
        return initialized;
    }

    @Override
    public boolean isReady()
    {
        return initialized && !isClosed();
    }

    /** @return MAXH2CDATA from the ICResp. */
    public long maxh2cdata()
    {
        return maxh2cdata;
    }

    /** @return CPDA from the ICResp. */
    public int cpda()
    {
        return cpda;
    }

    public boolean hdgst()
    {
        return hdgstRequested;
    }

    public boolean ddgst()
    {
        return ddgstRequested;
    }

    public long commandsSent()
    {
        return commandsSent;
    }

    public long digestErrors()
    {
        return digestErrors;
    }

    /** @return free command slots. */
    @Override
    public int freeCommandSlots()
    {
        return slots.freeCount();
    }

    /** Queue the ICReq (HPDA 0, MAXR2T 0: one R2T outstanding per command, as the Linux host asks). */
    public void sendIcReq()
    {
        final ByteBuffer h = sender.claimHeader();
        icReq.wrap(h, 0).encode(0, hdgstRequested, ddgstRequested, 0);
        sender.commitRaw(IcReqPdu.LENGTH, PduSender.NO_TOKEN);
    }

    /**
     * Queue a command capsule. The SQE is copied from {@code template}; its CID and SGL are set here.
     *
     * @param request   the owning request, reported back at completion.
     * @param inCapsule send the data inside the capsule (host to controller only).
     * @return the CID used.
     */
    @Override
    public int sendCommand(
        final int request, final ByteBuffer template, final int templateIndex, final byte dir, final ByteBuffer buf,
        final int index, final int length, final boolean inCapsule, final long nowNanos)
    {
        final int slot = slots.alloc();
        final int cid = slots.cid[slot];
        final ByteBuffer h = sender.claimHeader();
        h.put(CommonHeader.PDU_TYPE_OFFSET, (byte)PduType.CAPSULE_CMD.code());
        h.put(CommonHeader.FLAGS_OFFSET, (byte)0);
        h.put(CapsulePdu.CAPSULE_OFFSET, template, templateIndex, Sqe.LENGTH);
        sqe.wrap(h, CapsulePdu.CAPSULE_OFFSET);
        sqe.cid(cid);
        if (length == 0)
        {
            sqe.sglTransportDataBlock(0);
        }
        else if (inCapsule)
        {
            sqe.sglInCapsule((long)icdoff * 16, length);
        }
        else
        {
            sqe.sglTransportDataBlock(length);
        }
        slots.request[slot] = request;
        slots.buffer[slot] = buf;
        slots.index[slot] = index;
        slots.length[slot] = length;
        slots.dir[slot] = dir;
        slots.received[slot] = 0;
        slots.requested[slot] = inCapsule ? length : 0;
        slots.statusOverride[slot] = 0;
        slots.startNanos[slot] = nowNanos;
        slots.noTimeout[slot] = qid == 0 && sqe.opcode() == Opcodes.ADMIN_ASYNC_EVENT_REQUEST;
        slots.deferred[slot] = false;
        slots.fabrics[slot] = sqe.opcode() == Opcodes.FABRICS;
        slots.offloaded[slot] = dir == DIR_C2H && offload != null && offload.setup(this, cid, buf, index, length);
        commandsSent++;
        if (inCapsule && length > 0)
        {
            sender.commit(buf, index, length, PduSender.NO_TOKEN);
        }
        else
        {
            sender.commit(null, 0, 0, PduSender.NO_TOKEN);
        }
        return cid;
    }

    /**
     * @return the CID of a command older than {@code timeoutNanos}, or -1.
     */
    @Override
    public int expiredCommand(final long nowNanos, final long timeoutNanos)
    {
        return slots.expired(nowNanos, timeoutNanos);
    }

    @Override
    protected int onDuty(final long nowNanos) throws Exception
    {
        final QueueOwner q = owner;
        return q == null ? 0 : q.onDuty(this);
    }

    /**
     * A duty cycle for the owner. What was submitted since the last poll is sent before reading: at low queue depth
     * this puts the command on the wire one receive call earlier; submissions made by handlers during this poll's
     * receive are batched into the flush at the end of the duty cycle. Anything thrown (a completion handler's
     * failure included) closes the connection.
     */
    @Override
    public int poll()
    {
        try
        {
            return flushNow() + doWork();
        }
        catch (final Throwable t)
        {
            onError(t);
            return 1;
        }
    }

    @Override
    public void abort()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
    }

    @Override
    public SelectableChannel selectableChannel()
    {
        return channel;
    }

    @Override
    public void await(final long maxNanos)
    {
        if (isClosed())
        {
            return;
        }
        try
        {
            if (awaitSelector == null)
            {
                awaitSelector = Selector.open();
                channel.register(awaitSelector, SelectionKey.OP_READ);
            }
            awaitSelector.select(IGNORE_KEY, Math.max(1, maxNanos / 1_000_000)); // no selected-key set: no garbage
        }
        catch (final IOException | RuntimeException e)
        {
            // a closed channel or selector: the next poll sees the connection state and recovers
        }
    }

    /** Flush now (the queue calls this to cut latency when it submits outside a duty cycle). */
    int flushNow()
    {
        if (isClosed() || !sender.hasPending())
        {
            return 0;
        }
        try
        {
            return flushSender() > 0 ? 1 : 0;
        }
        catch (final IOException e)
        {
            close("send failed: " + e.getMessage(), e);
            return 1;
        }
    }

    @Override
    public void onPduHeader(final PduReceiver rx, final PduType type, final ByteBuffer header, final int dataLength)
    {
        switch (type)
        {
            case CAPSULE_RESP:
                onCapsuleResp(rx, header);
                break;
            case C2H_DATA:
                onC2hData(rx, header, dataLength);
                break;
            case R2T:
                onR2t(rx, header);
                break;
            case IC_RESP:
                onIcResp(rx, header);
                break;
            default:
                // TermReq is handled by the receiver and the base class
                break;
        }
    }

    @Override
    public void onPduBoundary(final long streamOffset)
    {
        final ReadOffload o = offload;
        if (o != null)
        {
            o.onPduBoundary(this, streamOffset);
        }
    }

    private void onIcResp(final PduReceiver rx, final ByteBuffer header)
    {
        icResp.wrap(header, 0);
        final String error = IcRespCheck.validate(icResp, hdgstRequested, ddgstRequested);
        if (error != null)
        {
            // Linux closes without a TermReq on a bad ICResp; we do the same (the ICResp is not a PDU error)
            rx.stop();
            close(error, null);
            return;
        }
        maxh2cdata = icResp.maxh2cdata();
        cpda = icResp.cpda();
        rx.connectionInitialized(hdgstRequested, ddgstRequested, 0);
        sender.connectionInitialized(hdgstRequested, ddgstRequested, cpda);
        initialized = true;
    }

    private void onCapsuleResp(final PduReceiver rx, final ByteBuffer header)
    {
        cqe.wrap(header, CapsulePdu.CAPSULE_OFFSET);
        final int cid = cqe.cid();
        final int slot = slots.slotOf(cid);
        if (slot < 0)
        {
            rx.fatal(Fes.INVALID_HEADER_FIELD, CapsulePdu.CAPSULE_OFFSET + Cqe.CID_OFFSET,
                "CapsuleResp for unknown CID " + cid);
            return;
        }
        final int status = cqe.status();
        if (status == 0 && qid != 0 && !slots.fabrics[slot] && !dataComplete(slot))
        {
            // an I/O command's success before all its data moved: a read would hand the caller bytes the controller
            // never sent, a write would be acknowledged before the controller asked for all of it. (Admin commands
            // are exempt: a caller of adminCommand may pass a buffer longer than the command transfers.)
            rx.fatal(Fes.PDU_SEQUENCE_ERROR, 0, "CapsuleResp for CID " + cid + " before its data (" +
                (slots.dir[slot] == DIR_C2H ? slots.received[slot] + " received" : slots.requested[slot] + " asked for") +
                " of " + slots.length[slot] + " bytes)");
            return;
        }
        completeCommand(slot, status, cqe.result64());
    }

    /** @return whether all of the command's data moved: received (C2H) or asked for by R2T or in-capsule (H2C). */
    private boolean dataComplete(final int slot)
    {
        switch (slots.dir[slot])
        {
            case DIR_C2H:
                return slots.received[slot] == slots.length[slot];
            case DIR_H2C:
                return slots.requested[slot] == slots.length[slot];
            default:
                return true;
        }
    }

    private void onC2hData(final PduReceiver rx, final ByteBuffer header, final int dataLength)
    {
        final int cid = LittleEndian.getU16(header, DataPdu.CCCID_OFFSET);
        final int slot = slots.slotOf(cid);
        if (slot < 0 || slots.dir[slot] != DIR_C2H)
        {
            rx.fatal(Fes.INVALID_HEADER_FIELD, DataPdu.CCCID_OFFSET, "C2HData for unknown CID " + cid);
            return;
        }
        final long datao = CommonHeader.u32(header, DataPdu.DATAO_OFFSET);
        if (datao != slots.received[slot] || datao + dataLength > slots.length[slot])
        {
            rx.fatal(Fes.DATA_TRANSFER_OUT_OF_RANGE, 0, "C2HData DATAO " + datao + " DATAL " + dataLength +
                " outside the command's " + slots.length[slot] + " bytes (expected offset " + slots.received[slot] + ")");
            return;
        }
        final int flags = header.get(CommonHeader.FLAGS_OFFSET) & 0xFF;
        if ((flags & CommonHeader.FLAG_SUCCESS) != 0 && (flags & CommonHeader.FLAG_LAST_PDU) == 0)
        {
            rx.fatal(Fes.INVALID_HEADER_FIELD, CommonHeader.FLAGS_OFFSET, "C2HData with SUCCESS but not LAST_PDU");
            return;
        }
        c2hSlot = slot;
        c2hFlags = flags;
        c2hLength = dataLength;
        rx.receiveDataInto(slots.buffer[slot], slots.index[slot] + (int)datao);
    }

    @Override
    public void onPduDataComplete(
        final PduReceiver rx, final PduType type, final ByteBuffer header, final boolean dataDigestOk)
    {
        if (type != PduType.C2H_DATA)
        {
            return;
        }
        final int slot = c2hSlot;
        c2hSlot = -1;
        slots.received[slot] += c2hLength;
        if (!dataDigestOk)
        {
            // NVMe/TCP 3.6.2.x: a data digest error fails the command, not the connection
            digestErrors++;
            slots.statusOverride[slot] = NvmeStatus.DATA_TRANSFER_ERROR.status();
        }
        if ((c2hFlags & CommonHeader.FLAG_SUCCESS) != 0)
        {
            if (slots.received[slot] != slots.length[slot])
            {
                rx.fatal(Fes.INVALID_HEADER_FIELD, CommonHeader.FLAGS_OFFSET,
                    "C2HData with SUCCESS before all data (" + slots.received[slot] + " of " + slots.length[slot] + ")");
                return;
            }
            completeCommand(slot, 0, 0);
        }
    }

    private void onR2t(final PduReceiver rx, final ByteBuffer header)
    {
        final int cid = LittleEndian.getU16(header, DataPdu.CCCID_OFFSET);
        final int slot = slots.slotOf(cid);
        if (slot < 0 || slots.dir[slot] != DIR_H2C)
        {
            rx.fatal(Fes.INVALID_HEADER_FIELD, DataPdu.CCCID_OFFSET, "R2T for unknown CID " + cid);
            return;
        }
        final int ttag = LittleEndian.getU16(header, DataPdu.TTAG_OFFSET);
        final long r2to = CommonHeader.u32(header, DataPdu.R2TO_OFFSET);
        final long r2tl = CommonHeader.u32(header, DataPdu.R2TL_OFFSET);
        // one R2T at a time (MAXR2T 0), each starting where the data already asked for ends: a repeated or
        // overlapping R2T, or one for in-capsule data, would send the same bytes again and let a target queue H2CData
        // without bound; a gap would let a success acknowledge a write whose middle was never sent
        if (r2tl == 0 || r2to != slots.requested[slot] || r2to + r2tl > slots.length[slot])
        {
            rx.fatal(Fes.DATA_TRANSFER_OUT_OF_RANGE, 0, "R2T offset " + r2to + " length " + r2tl +
                " outside the command's " + slots.length[slot] + " bytes (" + slots.requested[slot] + " already asked for)");
            return;
        }
        slots.requested[slot] = (int)(r2to + r2tl);
        final ByteBuffer buf = slots.buffer[slot];
        final int base = slots.index[slot];
        long offset = r2to;
        final long end = r2to + r2tl;
        while (offset < end)
        {
            final int n = (int)Math.min(end - offset, maxh2cdata);
            final ByteBuffer h = sender.claimHeader();
            dataPdu.wrap(h, 0).encode(PduType.H2C_DATA, offset + n == end ? CommonHeader.FLAG_LAST_PDU : 0, 0, 0,
                cid, ttag, offset, n);
            sender.commit(buf, base + (int)offset, n, PduSender.NO_TOKEN);
            offset += n;
        }
    }

    /**
     * The one place where a command ends: a CapsuleResp, a C2HData with SUCCESS, or a deferred offload teardown.
     */
    private void completeCommand(final int slot, final int status, final long result)
    {
        if (slots.offloaded[slot] && offload.teardown(this, slots.cid[slot]))
        {
            slots.deferred[slot] = true;
            slots.deferredStatus[slot] = status;
            slots.deferredResult[slot] = result;
            return;
        }
        finish(slot, status, result);
    }

    /**
     * The offload's teardown of {@code cid} is done (the ULP DDP {@code ddpTeardownDone}): complete it now. Call on
     * the connection's thread.
     */
    public void completeDeferred(final int cid)
    {
        final int slot = slots.deferredSlotOf(cid);
        if (slot >= 0)
        {
            slots.deferred[slot] = false;
            finish(slot, slots.deferredStatus[slot], slots.deferredResult[slot]);
        }
    }

    private void finish(final int slot, final int status, final long result)
    {
        final int override = slots.statusOverride[slot];
        final int request = slots.request[slot];
        slots.release(slot);
        final QueueOwner q = owner;
        if (q != null)
        {
            q.onCommandComplete(request, override != 0 ? override : status, result);
        }
    }

    @Override
    protected void onClosed(final String reason, final Throwable cause)
    {
        if (awaitSelector != null)
        {
            try
            {
                awaitSelector.close();
            }
            catch (final IOException ignore)
            {
                // closing anyway
            }
        }
        if (offload != null)
        {
            try
            {
                offload.close(this);
            }
            catch (final RuntimeException ignore)
            {
                // closing anyway
            }
        }
        final QueueOwner q = owner;
        if (q != null)
        {
            q.onConnectionClosed(this, reason, cause);
        }
    }

    @Override
    public String toString()
    {
        return "TcpConnection{qid=" + qid + ", " + channel + "}";
    }
}
