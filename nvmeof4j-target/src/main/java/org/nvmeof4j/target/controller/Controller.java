package org.nvmeof4j.target.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.IntConsumer;
import org.nvmeof4j.protocol.fabrics.ControllerRegisters;
import org.nvmeof4j.protocol.fabrics.FabricsCommand;
import org.nvmeof4j.protocol.nvme.NvmeStatus;
import org.nvmeof4j.protocol.nvme.Opcodes;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.queue.Request;
import org.nvmeof4j.target.queue.TargetQueue;
import org.nvmeof4j.target.subsystem.Namespace;
import org.nvmeof4j.target.subsystem.Subsystem;

/**
 * One controller of the dynamic controller model (NVMe-oF 1.1, 3.4): created by the admin queue's Connect for one
 * host association, identified by its CNTLID, joined by I/O queues that Connect with that CNTLID. It holds the
 * controller properties (CAP, VS, CC, CSTS; NVMe-oF 1.1 3.5), the association's features (Number of Queues, Keep
 * Alive Timer) and the keep-alive deadline (NVMe Base 1.4, 7.12). The admin command set (5.1) runs in its
 * {@code AdminCommands}, the Asynchronous Event Requests it parks (5.2) live in its {@code AsyncEvents}.
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
    private final AsyncEvents events;
    private final AdminCommands admin;
    private final IntConsumer namespaceListener;
    private final Object lock = new Object();

    private volatile int nrIoQueues;
    private volatile long katoMillis;
    private volatile int cc;
    private volatile int csts;
    private volatile boolean dead;

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
        this.events = new AsyncEvents(this);
        this.admin = new AdminCommands(this, target, events);
        this.namespaceListener = events::onNamespaceChanged;
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

    /** @return the connected I/O queues in QID order (a snapshot, for monitoring). */
    public List<TargetQueue> ioQueues()
    {
        final List<TargetQueue> l = new ArrayList<>();
        synchronized (lock)
        {
            for (int i = 1; i < ioQueues.length; i++)
            {
                if (ioQueues[i] != null)
                {
                    l.add(ioQueues[i]);
                }
            }
        }
        return l;
    }

    /** @return whether the admin queue or a connected I/O queue came in through {@code port}. */
    public boolean hasQueueThrough(final org.nvmeof4j.target.Listener port)
    {
        if (adminQueue.listener() == port)
        {
            return true;
        }
        synchronized (lock)
        {
            for (int i = 1; i < ioQueues.length; i++)
            {
                if (ioQueues[i] != null && ioQueues[i].listener() == port)
                {
                    return true;
                }
            }
        }
        return false;
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
    // features kept here because the I/O queue attach and the keep-alive check read them (admin thread writes)

    /**
     * Set Features Number of Queues: grant {@code count} I/O queues, refused once an I/O queue is connected.
     *
     * @return whether the grant was taken.
     */
    boolean grantIoQueues(final int count)
    {
        synchronized (lock)
        {
            if (connectedIoQueues() > 0)
            {
                return false;
            }
            nrIoQueues = count;
            return true;
        }
    }

    /** Set Features Keep Alive Timer. */
    void katoMillis(final long millis)
    {
        katoMillis = millis;
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
    // admin command set (NVMe Base 1.4, 5) and asynchronous events (5.2)

    /**
     * Run one admin command.
     *
     * @return an NVMe status (0 = success; data, if any, announced with {@link Request#c2hLength}), or
     *         {@link #PENDING} for a parked command.
     */
    public int executeAdmin(final TargetQueue queue, final Request r)
    {
        return admin.execute(queue, r);
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
        return events.abandon(r);
    }

    /**
     * The discovery log this (discovery) controller serves may have changed: report a Discovery Log Page Change
     * notice if the host enabled it (AEC bit 31), once until the host reads log page 70h again. Any thread.
     */
    public void onDiscoveryLogChanged()
    {
        events.onDiscoveryLogChanged();
    }

    /**
     * The ANA state of a group this controller reaches changed: report an Asymmetric Namespace Access Change notice
     * if the host enabled it (AEC bit 11), once until the host reads log page 0Ch again. Any thread.
     */
    public void onAnaChanged()
    {
        events.onAnaChanged();
    }

    @Override
    public String toString()
    {
        return "controller " + cntlid + " of " + subsystem.nqn() + " for " +
            (hostNqn.isEmpty() ? "a host with no NQN" : hostNqn);
    }
}
