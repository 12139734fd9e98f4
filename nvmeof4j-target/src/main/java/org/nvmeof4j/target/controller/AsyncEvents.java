package org.nvmeof4j.target.controller;

import java.nio.ByteBuffer;
import org.nvmeof4j.protocol.admin.AsyncEvent;
import org.nvmeof4j.protocol.admin.ChangedNamespaceList;
import org.nvmeof4j.protocol.admin.Features;
import org.nvmeof4j.protocol.nvme.NvmeStatus;
import org.nvmeof4j.target.queue.Request;
import org.nvmeof4j.target.queue.TargetQueue;

/**
 * The asynchronous events of one {@link Controller} (NVMe Base 1.4, 5.2): the Asynchronous Event Requests it parks,
 * the notices waiting for one, the Asynchronous Event Configuration (AEC) that enables them, and the Changed Namespace
 * List (log page 04h) behind the namespace attribute notice.
 *
 * <p>Thread model: AERs, notices and AEC belong to the admin queue's poller; namespace changes arrive from any thread,
 * are recorded in the changed namespace list under a lock and handed to that poller.
 */
final class AsyncEvents
{
    private final Controller controller;

    // admin-thread state
    private final Request[] aers = new Request[Controller.AER_LIMIT];
    private int aerCount;
    private int aec;
    private final Notice nsNotice =
        new Notice(Features.AEC_NAMESPACE_ATTRIBUTE_NOTICES, AsyncEvent.NAMESPACE_ATTRIBUTE_CHANGED);
    private final Notice discNotice =
        new Notice(Features.AEC_DISCOVERY_LOG_CHANGE_NOTICES, AsyncEvent.DISCOVERY_LOG_CHANGED);
    private final Notice anaNotice = new Notice(Features.AEC_ANA_CHANGE_NOTICES, AsyncEvent.ANA_CHANGE);
    private final Notice[] notices = {nsNotice, anaNotice, discNotice};

    // changed namespace list (any thread, under lock)
    private final Object lock = new Object();
    private final int[] changedNs = new int[1024];
    private int changedCount;
    private boolean changedOverflow;

    AsyncEvents(final Controller controller)
    {
        this.controller = controller;
    }

    /** @return the Asynchronous Event Configuration the host set (Features 0Bh). Admin thread. */
    int aec()
    {
        return aec;
    }

    /** Set Features Asynchronous Event Configuration. Admin thread. */
    void aec(final int value)
    {
        aec = value;
    }

    /**
     * An Asynchronous Event Request: complete it at once with a pending notice, or park it. Admin thread.
     *
     * @return an NVMe status, or {@link Controller#PENDING} for a parked request.
     */
    int request(final Request r)
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
        return Controller.PENDING;
    }

    /** See {@link Controller#abandonAer}. Admin thread. */
    boolean abandon(final Request r)
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

    /** A namespace of the subsystem was added, removed or resized. Any thread. */
    void onNamespaceChanged(final int nsid)
    {
        synchronized (lock)
        {
            if (controller.isDead())
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

    /** See {@link Controller#onDiscoveryLogChanged}. Any thread. */
    void onDiscoveryLogChanged()
    {
        if (!controller.isDiscovery() || controller.isDead())
        {
            return;
        }
        raiseOnAdminThread(discNotice);
    }

    /**
     * The Changed Namespace List log page (04h); unless the host retains the event (RAE), reading it clears the list
     * and re-enables the namespace attribute notice.
     */
    byte[] changedNamespaceList(final boolean retainAsyncEvent)
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

    /** See {@link Controller#onAnaChanged}. Any thread. */
    void onAnaChanged()
    {
        if (controller.isDiscovery() || controller.isDead())
        {
            return;
        }
        raiseOnAdminThread(anaNotice);
    }

    /**
     * The host read the ANA log page (0Ch): unless it retains the event (RAE), the ANA change notice is enabled again
     * (as nvmet clears its ANA AEN bit and Linux expects when it reads the log from its ANA work). Admin thread.
     */
    void anaLogRead(final boolean retainAsyncEvent)
    {
        if (!retainAsyncEvent)
        {
            anaNotice.masked = false;
        }
    }

    /** The host read the Discovery log page (70h). Admin thread. */
    void discoveryLogRead(final boolean retainAsyncEvent)
    {
        if (!retainAsyncEvent)
        {
            discNotice.masked = false; // reading the log re-enables the discovery log change notice
        }
    }

    /** AER state belongs to the admin queue's poller: hand the notice over to it (or raise now when there is none). */
    private void raiseOnAdminThread(final Notice n)
    {
        final TargetQueue adminQueue = controller.adminQueue();
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
        if (controller.isDead() || (aec & n.aecBit) == 0 || n.masked)
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
        controller.adminQueue().completeParked(r, 0, n.dw0);
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
}
