package org.nvmeof4j.target.controller;

import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.function.IntConsumer;
import org.nvmeof4j.protocol.admin.AsyncEvent;
import org.nvmeof4j.protocol.admin.ChangedNamespaceList;
import org.nvmeof4j.protocol.admin.Features;
import org.nvmeof4j.protocol.admin.GetLogPage;
import org.nvmeof4j.protocol.admin.Identify;
import org.nvmeof4j.protocol.admin.NamespaceIdDescriptors;
import org.nvmeof4j.protocol.fabrics.ControllerRegisters;
import org.nvmeof4j.protocol.fabrics.FabricsCommand;
import org.nvmeof4j.protocol.nvme.LittleEndian;
import org.nvmeof4j.protocol.nvme.NvmeStatus;
import org.nvmeof4j.protocol.nvme.Opcodes;
import org.nvmeof4j.protocol.nvme.Sqe;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.queue.Request;
import org.nvmeof4j.target.queue.TargetQueue;
import org.nvmeof4j.target.subsystem.Namespace;
import org.nvmeof4j.target.subsystem.Subsystem;

/**
 * One controller of the dynamic controller model (NVMe-oF 1.1, 3.4): created by the admin queue's Connect for one
 * host association, identified by its CNTLID, joined by I/O queues that Connect with that CNTLID. It holds the
 * controller properties (CAP, VS, CC, CSTS; NVMe-oF 1.1 3.5), the features the host set (Number of Queues, Keep Alive
 * Timer, Asynchronous Event Configuration), the keep-alive deadline (NVMe Base 1.4, 7.12) and the Asynchronous Event
 * Requests it parks (5.2), and it runs the admin command set (5.1) on the admin queue's thread.
 *
 * <p>Thread model: admin commands, AER state and the keep-alive check run on the admin queue's poller; namespace
 * changes arrive from any thread and are handed to that poller. Queue attach/detach (rare) take a lock; the I/O path
 * takes none.
 */
public final class Controller
{
    /** Returned by {@link #executeAdmin} for a command that stays parked (AER). */
    public static final int PENDING = -2;
    /** Most outstanding Asynchronous Event Requests (AERL + 1). */
    public static final int AER_LIMIT = 4;
    /** Keep-alive granularity we report (KAS, units of 100 ms). */
    public static final int KAS = 10;

    private final Target target;
    private final Subsystem subsystem;
    private final int cntlid;
    private final String hostNqn;
    private final UUID hostId;
    private final TargetQueue adminQueue;
    private final TargetQueue[] ioQueues;
    private final long cap;
    private final IntConsumer namespaceListener = this::onNamespaceChanged;
    private final Object lock = new Object();

    private volatile int nrIoQueues;
    private volatile long katoMillis;
    private volatile int cc;
    private volatile int csts;
    private volatile boolean dead;
    private int aec;
    private int temperatureThreshold = 0x157;

    // admin-thread state
    private final Request[] aers = new Request[AER_LIMIT];
    private int aerCount;
    private final Notice nsNotice =
        new Notice(Features.AEC_NAMESPACE_ATTRIBUTE_NOTICES, AsyncEvent.NAMESPACE_ATTRIBUTE_CHANGED);
    private final Notice discNotice =
        new Notice(Features.AEC_DISCOVERY_LOG_CHANGE_NOTICES, AsyncEvent.DISCOVERY_LOG_CHANGED);
    private final Notice[] notices = {nsNotice, discNotice};

    // changed namespace list (any thread, under lock)
    private final int[] changedNs = new int[1024];
    private int changedCount;
    private boolean changedOverflow;

    /**
     * @param katoMillis keep-alive timeout from Connect (0 = none).
     */
    public Controller(final Target target, final Subsystem subsystem, final int cntlid, final String hostNqn,
        final UUID hostId, final TargetQueue adminQueue, final long katoMillis)
    {
        this.target = target;
        this.subsystem = subsystem;
        this.cntlid = cntlid;
        this.hostNqn = hostNqn;
        this.hostId = hostId;
        this.adminQueue = adminQueue;
        this.ioQueues = new TargetQueue[target.maxIoQueues() + 1];
        this.katoMillis = katoMillis;
        this.cap = ControllerRegisters.Cap.of(target.maxQueueSize() - 1, true, 0, 15, 0,
            ControllerRegisters.Cap.CSS_NVM, 0, 0);
        subsystem.addNamespaceListener(namespaceListener);
    }

    public int cntlid()
    {
        return cntlid;
    }

    public Subsystem subsystem()
    {
        return subsystem;
    }

    public String hostNqn()
    {
        return hostNqn;
    }

    public UUID hostId()
    {
        return hostId;
    }

    public TargetQueue adminQueue()
    {
        return adminQueue;
    }

    public boolean isDiscovery()
    {
        return subsystem.isDiscovery();
    }

    public boolean isDead()
    {
        return dead;
    }

    /** @return the keep-alive timeout in milliseconds (0 = disabled). */
    public long katoMillis()
    {
        return katoMillis;
    }

    /** @return I/O queues granted by Set Features Number of Queues. */
    public int nrIoQueues()
    {
        return nrIoQueues;
    }

    /** @return the number of connected I/O queues. */
    public int connectedIoQueues()
    {
        synchronized (lock)
        {
            int n = 0;
            for (int i = 1; i < ioQueues.length; i++)
            {
                if (ioQueues[i] != null)
                {
                    n++;
                }
            }
            return n;
        }
    }

    /** An I/O queue's Connect: the QID must be granted and not yet connected. */
    public boolean attachIoQueue(final int qid, final TargetQueue queue)
    {
        synchronized (lock)
        {
            if (dead || qid < 1 || qid > nrIoQueues || qid >= ioQueues.length || ioQueues[qid] != null)
            {
                return false;
            }
            ioQueues[qid] = queue;
            return true;
        }
    }

    /**
     * A queue of this controller closed. The admin queue going away, or any queue failing, ends the association (as
     * nvmet does); an I/O queue the host closed in order only detaches.
     */
    public void queueClosed(final TargetQueue queue, final int qid, final boolean byPeer, final String reason)
    {
        if (qid > 0 && byPeer)
        {
            synchronized (lock)
            {
                if (qid < ioQueues.length && ioQueues[qid] == queue)
                {
                    ioQueues[qid] = null;
                }
            }
            return;
        }
        shutdown((qid == 0 ? "admin queue closed: " : "I/O queue " + qid + " failed: ") + reason);
    }

    /** Tear the association down: close every queue (each on its own poller) and free the CNTLID. */
    public void shutdown(final String reason)
    {
        final TargetQueue[] queues;
        synchronized (lock)
        {
            if (dead)
            {
                return;
            }
            dead = true;
            queues = ioQueues.clone();
        }
        subsystem.removeNamespaceListener(namespaceListener);
        target.controllerGone(this, reason);
        adminQueue.closeAsync("controller " + cntlid + " torn down: " + reason);
        for (final TargetQueue q : queues)
        {
            if (q != null)
            {
                q.closeAsync("controller " + cntlid + " torn down: " + reason);
            }
        }
    }

    /** Keep-alive check (NVMe Base 1.4, 7.12.1), run from the admin queue's duty cycle. */
    public int onAdminDuty(final TargetQueue queue, final long nowNanos)
    {
        final long kato = katoMillis;
        if (kato <= 0 || dead)
        {
            return 0;
        }
        long last = adminQueue.lastActivityNanos();
        for (int i = 1; i < ioQueues.length && i <= nrIoQueues; i++)
        {
            final TargetQueue q = ioQueues[i];
            if (q != null)
            {
                final long t = q.lastActivityNanos();
                if (t - last > 0)
                {
                    last = t;
                }
            }
        }
        if (nowNanos - last > kato * 1_000_000L)
        {
            shutdown("keep alive timer expired (KATO " + kato + " ms)");
            return 1;
        }
        return 0;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Fabrics Property Get / Set (NVMe-oF 1.1, 3.5 and 3.6)

    /** Property Get / Property Set on the admin queue. */
    public int executeFabrics(final TargetQueue queue, final Request r)
    {
        final FabricsCommand fc = r.fabrics;
        switch (fc.fctype())
        {
            case Opcodes.FCTYPE_PROPERTY_GET:
            {
                final long ofst = fc.ofst();
                final boolean eight = (fc.attrib() & 0x7) == FabricsCommand.ATTRIB_SIZE_8;
                final long value;
                if (ofst == ControllerRegisters.CAP)
                {
                    value = cap;
                }
                else if (ofst == ControllerRegisters.VS && !eight)
                {
                    value = ControllerRegisters.Vs.V1_4;
                }
                else if (ofst == ControllerRegisters.CC && !eight)
                {
                    value = cc & 0xFFFF_FFFFL;
                }
                else if (ofst == ControllerRegisters.CSTS && !eight)
                {
                    value = csts & 0xFFFF_FFFFL;
                }
                else
                {
                    return NvmeStatus.INVALID_FIELD.status();
                }
                r.dw0 = (int)value;
                r.dw1 = eight ? (int)(value >>> 32) : 0;
                return 0;
            }
            case Opcodes.FCTYPE_PROPERTY_SET:
            {
                if (fc.ofst() != ControllerRegisters.CC || (fc.attrib() & 0x7) != FabricsCommand.ATTRIB_SIZE_4)
                {
                    return NvmeStatus.INVALID_FIELD.status();
                }
                writeCc((int)fc.value());
                return 0;
            }
            default:
                return NvmeStatus.INVALID_OPCODE.status();
        }
    }

    private void writeCc(final int value)
    {
        synchronized (lock)
        {
            final int old = cc;
            cc = value;
            int s = csts;
            final boolean en = ControllerRegisters.Cc.en(value);
            if (en && !ControllerRegisters.Cc.en(old))
            {
                if (ControllerRegisters.Cc.mps(value) != 0 ||
                    (!isDiscovery() && (ControllerRegisters.Cc.iosqes(value) != 6 ||
                        ControllerRegisters.Cc.iocqes(value) != 4)))
                {
                    s |= 1 << 1; // CFS: the host asked for a configuration we cannot run
                }
                else
                {
                    s = (s | 1) & ~(0x3 << 2);
                }
            }
            else if (!en && ControllerRegisters.Cc.en(old))
            {
                s = 0; // controller reset: not ready, no shutdown status
            }
            if (ControllerRegisters.Cc.shn(value) != ControllerRegisters.Cc.SHN_NONE)
            {
                s = (s & ~(0x3 << 2)) | (ControllerRegisters.Csts.SHST_COMPLETE << 2);
            }
            csts = s;
        }
    }

    /** @return CSTS.RDY. */
    public boolean isReady()
    {
        return (csts & 1) != 0;
    }

    // ------------------------------------------------------------------------------------------------------------
    // admin command set (NVMe Base 1.4, 5)

    /**
     * Run one admin command.
     *
     * @return an NVMe status (0 = success; data, if any, announced with {@link Request#c2hLength}), or
     *         {@link #PENDING} for a parked command.
     */
    public int executeAdmin(final TargetQueue queue, final Request r)
    {
        final Sqe sqe = r.sqe;
        switch (sqe.opcode())
        {
            case Opcodes.ADMIN_IDENTIFY:
                return identify(r);
            case Opcodes.ADMIN_GET_LOG_PAGE:
                return getLogPage(queue, r);
            case Opcodes.ADMIN_SET_FEATURES:
                return setFeatures(r);
            case Opcodes.ADMIN_GET_FEATURES:
                return getFeatures(r);
            case Opcodes.ADMIN_ASYNC_EVENT_REQUEST:
                return asyncEventRequest(r);
            case Opcodes.ADMIN_KEEP_ALIVE:
                return 0;
            case Opcodes.ADMIN_ABORT:
                r.dw0 = 1; // command not aborted: we run commands to completion
                return 0;
            default:
                return NvmeStatus.INVALID_OPCODE.status();
        }
    }

    private int identify(final Request r)
    {
        final int nsid = r.sqe.nsid();
        final ByteBuffer b = r.staging(IdentifyData.LENGTH);
        LittleEndian.fill(b, 0, IdentifyData.LENGTH, 0);
        switch (Identify.cns(r.sqe))
        {
            case Identify.CNS_NAMESPACE:
            {
                if (isDiscovery())
                {
                    return NvmeStatus.INVALID_FIELD.status();
                }
                if (nsid == 0 || (nsid != -1 && Integer.compareUnsigned(nsid, Subsystem.MAX_NSID) > 0))
                {
                    return NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.status();
                }
                final Namespace ns = nsid == -1 ? null : subsystem.namespace(nsid);
                if (ns != null)
                {
                    IdentifyData.namespace(b, ns);
                }
                break; // an inactive NSID returns zeroes
            }
            case Identify.CNS_CONTROLLER:
                IdentifyData.controller(b, this, target);
                break;
            case Identify.CNS_ACTIVE_NAMESPACE_LIST:
            {
                if (isDiscovery())
                {
                    return NvmeStatus.INVALID_FIELD.status();
                }
                if (nsid == -1 || nsid == -2)
                {
                    return NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.status();
                }
                int n = 0;
                for (final Namespace ns : subsystem.namespaces())
                {
                    if (Integer.compareUnsigned(ns.nsid(), nsid) > 0 && n < 1024)
                    {
                        LittleEndian.putI32(b, 4 * n++, ns.nsid());
                    }
                }
                break;
            }
            case Identify.CNS_NAMESPACE_ID_DESCRIPTORS:
            {
                final Namespace ns = isDiscovery() ? null : subsystem.namespace(nsid);
                if (ns == null)
                {
                    return NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.status();
                }
                IdentifyData.namespaceDescriptors(b, ns);
                break;
            }
            case Identify.CNS_CS_NAMESPACE:
            {
                if (isDiscovery() || Identify.csi(r.sqe) != NamespaceIdDescriptors.CSI_NVM)
                {
                    return NvmeStatus.INVALID_FIELD.status();
                }
                if (subsystem.namespace(nsid) == null)
                {
                    return NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.status();
                }
                break; // nothing NVM-specific beyond the common structure
            }
            case Identify.CNS_CS_CONTROLLER: // NVM: no extra limits (all zero)
            {
                if (isDiscovery() || Identify.csi(r.sqe) != NamespaceIdDescriptors.CSI_NVM)
                {
                    return NvmeStatus.INVALID_FIELD.status();
                }
                break;
            }
            default:
                return NvmeStatus.INVALID_FIELD.status();
        }
        r.c2hLength(IdentifyData.LENGTH);
        return 0;
    }

    private int getLogPage(final TargetQueue queue, final Request r)
    {
        final long length = GetLogPage.numberOfBytes(r.sqe);
        final long offset = GetLogPage.offset(r.sqe);
        if (length > target.maxTransferSize() || (offset & 3) != 0)
        {
            return NvmeStatus.INVALID_FIELD.status();
        }
        final byte[] page;
        switch (GetLogPage.lid(r.sqe))
        {
            case GetLogPage.LID_ERROR_INFORMATION: // no errors recorded
                page = new byte[64];
                break;
            case GetLogPage.LID_SMART_HEALTH:
                page = LogPages.smart();
                break;
            case GetLogPage.LID_FIRMWARE_SLOT:
                page = LogPages.firmwareSlot(target.firmwareRevision());
                break;
            case GetLogPage.LID_CHANGED_NAMESPACE_LIST:
                page = changedNamespaceList(GetLogPage.rae(r.sqe));
                break;
            case GetLogPage.LID_DISCOVERY:
                if (!isDiscovery())
                {
                    return NvmeStatus.INVALID_LOG_PAGE.status();
                }
                page = LogPages.discovery(target, hostNqn, queue);
                if (!GetLogPage.rae(r.sqe))
                {
                    discNotice.masked = false; // reading the log re-enables the discovery log change notice
                }
                break;
            default:
                return NvmeStatus.INVALID_LOG_PAGE.status();
        }
        if (offset > page.length)
        {
            return NvmeStatus.INVALID_FIELD.status();
        }
        final int len = (int)length;
        final ByteBuffer b = r.staging(len);
        LittleEndian.fill(b, 0, len, 0);
        final int n = (int)Math.min(len, page.length - offset);
        b.put(0, page, (int)offset, n);
        r.c2hLength(len);
        return 0;
    }

    private byte[] changedNamespaceList(final boolean retainAsyncEvent)
    {
        final byte[] page = new byte[4096];
        final ByteBuffer b = ByteBuffer.wrap(page);
        synchronized (lock)
        {
            ChangedNamespaceList.write(b, 0, changedNs, changedOverflow ? ChangedNamespaceList.MAX_ENTRIES + 1 :
                changedCount);
            if (!retainAsyncEvent)
            {
                changedCount = 0;
                changedOverflow = false;
                nsNotice.masked = false;
            }
        }
        return page;
    }

    private int setFeatures(final Request r)
    {
        if (Features.save(r.sqe))
        {
            return NvmeStatus.FEATURE_NOT_SAVEABLE.status();
        }
        final int cdw11 = r.sqe.cdw11();
        switch (Features.fid(r.sqe))
        {
            case Features.FID_NUMBER_OF_QUEUES:
            {
                if (isDiscovery())
                {
                    return NvmeStatus.INVALID_FIELD.status();
                }
                final int nsqr = cdw11 & 0xFFFF;
                final int ncqr = cdw11 >>> 16;
                if (nsqr == 0xFFFF || ncqr == 0xFFFF)
                {
                    return NvmeStatus.INVALID_FIELD.status();
                }
                synchronized (lock)
                {
                    if (connectedIoQueues() > 0)
                    {
                        return NvmeStatus.COMMAND_SEQUENCE_ERROR.status();
                    }
                    nrIoQueues = Math.min(Math.max(nsqr, ncqr) + 1, target.maxIoQueues());
                }
                r.dw0 = (nrIoQueues - 1) | (nrIoQueues - 1) << 16;
                return 0;
            }
            case Features.FID_ASYNC_EVENT_CONFIGURATION:
                aec = cdw11;
                return 0;
            case Features.FID_KEEP_ALIVE_TIMER:
                katoMillis = cdw11 & 0xFFFF_FFFFL;
                return 0;
            case Features.FID_TEMPERATURE_THRESHOLD:
                temperatureThreshold = cdw11 & 0xFFFF;
                return 0;
            case Features.FID_INTERRUPT_COALESCING:
            case Features.FID_POWER_MANAGEMENT:
            case Features.FID_ERROR_RECOVERY:
                return 0;
            case Features.FID_VOLATILE_WRITE_CACHE:
                return NvmeStatus.FEATURE_NOT_CHANGEABLE.status();
            default:
                return NvmeStatus.INVALID_FIELD.status();
        }
    }

    private int getFeatures(final Request r)
    {
        switch (Features.fid(r.sqe))
        {
            case Features.FID_NUMBER_OF_QUEUES:
            {
                final int n = Math.max(1, nrIoQueues > 0 ? nrIoQueues : target.maxIoQueues()) - 1;
                r.dw0 = n | n << 16;
                return 0;
            }
            case Features.FID_ASYNC_EVENT_CONFIGURATION:
                r.dw0 = aec;
                return 0;
            case Features.FID_KEEP_ALIVE_TIMER:
                r.dw0 = (int)katoMillis;
                return 0;
            case Features.FID_VOLATILE_WRITE_CACHE:
                r.dw0 = volatileWriteCache() ? 1 : 0;
                return 0;
            case Features.FID_TEMPERATURE_THRESHOLD:
                r.dw0 = temperatureThreshold;
                return 0;
            case Features.FID_POWER_MANAGEMENT:
            case Features.FID_ERROR_RECOVERY:
            case Features.FID_INTERRUPT_COALESCING:
            case Features.FID_WRITE_ATOMICITY_NORMAL:
                r.dw0 = 0;
                return 0;
            default:
                return NvmeStatus.INVALID_FIELD.status();
        }
    }

    /** @return whether any namespace's backend has a volatile write cache (VWC). */
    public boolean volatileWriteCache()
    {
        for (final Namespace ns : subsystem.namespaces())
        {
            if (ns.backend().volatileWriteCache())
            {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------------------------
    // asynchronous events (NVMe Base 1.4, 5.2)

    private int asyncEventRequest(final Request r)
    {
        if (aerCount == aers.length)
        {
            return NvmeStatus.ASYNC_EVENT_REQUEST_LIMIT_EXCEEDED.status();
        }
        for (final Notice n : notices)
        {
            if (n.pending && !n.masked)
            {
                n.pending = false;
                n.masked = true;
                r.dw0 = n.dw0;
                return 0;
            }
        }
        aers[aerCount++] = r;
        return PENDING;
    }

    /**
     * Forget the outstanding AER {@code r} without completing it: the host reused its command identifier, so it has
     * given the AER up. SPDK's host does this when it detaches or resets a controller (it completes its AERs locally
     * and sends the shutdown Property Get/Set under their CIDs); Linux nvmet and SPDK's target keep no per-CID
     * state and so accept that. Admin thread.
     *
     * @return whether {@code r} was an outstanding AER of this controller.
     */
    public boolean abandonAer(final Request r)
    {
        for (int i = 0; i < aerCount; i++)
        {
            if (aers[i] == r)
            {
                System.arraycopy(aers, i + 1, aers, i, aerCount - i - 1);
                aers[--aerCount] = null;
                return true;
            }
        }
        return false;
    }

    private void onNamespaceChanged(final int nsid)
    {
        synchronized (lock)
        {
            if (dead)
            {
                return;
            }
            // the log lists NSIDs in increasing order (NVMe Base 5.16.1.5): keep the array sorted, without repeats
            final int at = java.util.Arrays.binarySearch(changedNs, 0, changedCount, nsid);
            if (at < 0)
            {
                if (changedCount == changedNs.length)
                {
                    changedOverflow = true;
                }
                else
                {
                    final int insert = -at - 1;
                    System.arraycopy(changedNs, insert, changedNs, insert + 1, changedCount - insert);
                    changedNs[insert] = nsid;
                    changedCount++;
                }
            }
        }
        raiseOnAdminThread(nsNotice);
    }

    /**
     * The discovery log this (discovery) controller serves may have changed: report a Discovery Log Page Change
     * notice if the host enabled it (AEC bit 31), once until the host reads log page 70h again. Any thread.
     */
    public void onDiscoveryLogChanged()
    {
        if (!isDiscovery() || dead)
        {
            return;
        }
        raiseOnAdminThread(discNotice);
    }

    /** AER state belongs to the admin queue's poller: hand the notice over to it (or raise now when there is none). */
    private void raiseOnAdminThread(final Notice n)
    {
        if (adminQueue.poller() != null)
        {
            adminQueue.poller().execute(() -> raise(n));
        }
        else
        {
            raise(n);
        }
    }

    /**
     * Report {@code n} if the host enabled it (AEC) and it is not masked: complete an outstanding AER, or keep it
     * pending for the next one. Once reported it stays masked until the host reads its log page. Admin thread.
     */
    private void raise(final Notice n)
    {
        if (dead || (aec & n.aecBit) == 0 || n.masked)
        {
            return;
        }
        if (aerCount == 0)
        {
            n.pending = true;
            return;
        }
        final Request r = aers[--aerCount];
        aers[aerCount] = null;
        n.masked = true;
        n.pending = false;
        adminQueue.completeParked(r, 0, n.dw0);
    }

    /** One kind of asynchronous notice: its AEC enable bit, its completion DW0, and its state (admin thread). */
    private static final class Notice
    {
        final int aecBit;
        final int dw0;
        boolean pending;
        boolean masked;

        Notice(final int aecBit, final int dw0)
        {
            this.aecBit = aecBit;
            this.dw0 = dw0;
        }
    }

    @Override
    public String toString()
    {
        return "controller " + cntlid + " of " + subsystem.nqn() + " for " +
            (hostNqn.isEmpty() ? "a host with no NQN" : hostNqn);
    }
}
