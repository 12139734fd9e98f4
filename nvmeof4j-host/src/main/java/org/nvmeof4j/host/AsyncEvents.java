package org.nvmeof4j.host;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.nvmeof4j.protocol.admin.AsyncEvent;
import org.nvmeof4j.protocol.admin.ChangedNamespaceList;
import org.nvmeof4j.protocol.admin.DiscoveryLogPage;
import org.nvmeof4j.protocol.admin.Features;
import org.nvmeof4j.protocol.admin.GetLogPage;
import org.nvmeof4j.protocol.nvme.Opcodes;
import org.nvmeof4j.protocol.nvme.Sqe;

/**
 * A controller's asynchronous events (NVMe Base 2.0 section 5.2): the notices enabled, one Asynchronous Event
 * Request kept outstanding per association (as the Linux host does), the event's log page read (which re-enables
 * it), the namespace rescan a notice asks for, and the listeners. Runs on its own thread, apart from error
 * recovery, so that an admin command of an event that waits out a lost connection never holds up the reconnect.
 */
final class AsyncEvents
{
    private final NvmeController controller;
    private final ConnectOptions options;
    private final ExecutorService thread;
    private final List<AsyncEventListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong completed = new AtomicLong();
    /** Generation whose admin queue has an Asynchronous Event Request outstanding (-1: none); under the lock. */
    private long aerGeneration = -1;

    AsyncEvents(final NvmeController controller, final ConnectOptions options, final int instance)
    {
        this.controller = controller;
        this.options = options;
        this.thread = Executors.newSingleThreadExecutor(r ->
        {
            final Thread t = new Thread(r, "nvmeof4j-events-" + instance);
            t.setDaemon(true);
            return t;
        });
    }

    void addListener(final AsyncEventListener listener)
    {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    void removeListener(final AsyncEventListener listener)
    {
        listeners.remove(listener);
    }

    long completed()
    {
        return completed.get();
    }

    void shutdown()
    {
        thread.shutdownNow();
    }

    /**
     * Enable the notices the controller supports and we handle (Set Features Asynchronous Event Configuration, as
     * far as OAES allows). Blocking, and done before the namespace scan as Linux does: a change after it is either
     * seen by the scan or reported by the controller, never lost in between. Features belong to the association,
     * so this runs again after every reconnect. A controller that refuses is used without notices.
     */
    void enable()
    {
        // ANA change notices too, as Linux enables them: their log page is read below, and a multipath layer
        // (NvmeSubsystem) listening for them rereads the states
        final int notices = controller.identifyController().oaes() & (options.isDiscovery()
            ? Features.AEC_DISCOVERY_LOG_CHANGE_NOTICES
            : Features.AEC_NAMESPACE_ATTRIBUTE_NOTICES | Features.AEC_ANA_CHANGE_NOTICES);
        if (notices == 0)
        {
            return;
        }
        final ByteBuffer sqe = ByteBuffer.allocateDirect(Sqe.LENGTH);
        Features.prepareSet(new Sqe().wrap(sqe, 0).clear(), Features.FID_ASYNC_EVENT_CONFIGURATION, notices);
        try
        {
            NvmeController.await(controller.adminCommand("Set Features (Asynchronous Event Configuration)", sqe, 0,
                null, 0), options.adminTimeout().toNanos());
        }
        catch (final NvmeException e)
        {
            controller.lastError("asynchronous event configuration refused: " + e.getMessage());
        }
    }

    /**
     * Keep one Asynchronous Event Request outstanding on the admin queue of association {@code gen}; it is re-armed
     * after each event and after every reconnect.
     */
    void arm(final long gen)
    {
        synchronized (controller.lock)
        {
            if (!options.keepsAlive() || !controller.isLive(gen) || aerGeneration == gen)
            {
                return;
            }
            aerGeneration = gen;
        }
        submit(gen);
    }

    private void submit(final long gen)
    {
        final ByteBuffer sqe = ByteBuffer.allocateDirect(Sqe.LENGTH);
        new Sqe().wrap(sqe, 0).clear().opcode(Opcodes.ADMIN_ASYNC_EVENT_REQUEST);
        controller.adminCommand("Asynchronous Event Request", sqe, 0, null, 0, gen)
            .whenCompleteAsync((result, error) -> onCompletion(gen, result, error), thread);
    }

    private void onCompletion(final long gen, final Long result, final Throwable error)
    {
        synchronized (controller.lock)
        {
            if (!controller.isLive(gen))
            {
                return; // lost or closing: a reconnect arms a new request on the new association
            }
        }
        if (error != null)
        {
            final Throwable cause = error instanceof CompletionException && error.getCause() != null ?
                error.getCause() : error;
            if (cause instanceof NvmeException && !isPathError(((NvmeException)cause).status()))
            {
                // the controller refused it (e.g. Asynchronous Event Request Limit Exceeded): stop asking
                controller.lastError("asynchronous events stopped: " + cause.getMessage());
            }
            // otherwise the connection went: the reconnect arms a new request on the next association
            return;
        }
        final int dw0 = (int)(long)result;
        completed.incrementAndGet();
        AsyncEventNotice notice;
        try
        {
            notice = handle(dw0);
        }
        catch (final RuntimeException e)
        {
            controller.lastError("handling asynchronous event 0x" + Integer.toHexString(dw0) + ": " + e.getMessage());
            notice = new AsyncEventNotice(dw0, List.of(), false);
        }
        notifyListeners(notice);
        synchronized (controller.lock)
        {
            if (!controller.isLive(gen))
            {
                return;
            }
        }
        submit(gen);
    }

    /**
     * Run {@link #afterReconnect} on the events thread (not on the recovery thread, which must stay free to handle
     * the next loss).
     */
    void afterReconnectLater(final long gen)
    {
        try
        {
            thread.execute(() -> afterReconnect(gen));
        }
        catch (final RejectedExecutionException ignore)
        {
            // closing
        }
    }

    /**
     * A new association is LIVE: features and AERs belong to the controller, so enable and arm them again, and
     * rescan the namespaces, which may have changed while we were away. A persistent discovery controller's
     * listeners hear of it as a discovery log change, as Linux raises a rediscover event on every reconnect.
     */
    private void afterReconnect(final long gen)
    {
        try
        {
            if (options.keepsAlive())
            {
                enable();
            }
            if (!options.isDiscovery())
            {
                controller.namespaceTable().rescan();
            }
        }
        catch (final RuntimeException e)
        {
            controller.lastError("after reconnect: " + e.getMessage());
            return; // lost again: the next reconnect does all of this again
        }
        arm(gen);
        if (options.isDiscovery() && options.persistent())
        {
            notifyListeners(new AsyncEventNotice(AsyncEvent.DISCOVERY_LOG_CHANGED, List.of(), false));
        }
    }

    private void notifyListeners(final AsyncEventNotice notice)
    {
        for (final AsyncEventListener l : listeners)
        {
            try
            {
                l.onAsyncEvent(controller, notice);
            }
            catch (final RuntimeException e)
            {
                controller.lastError("asynchronous event listener failed: " + e);
            }
        }
    }

    /** Read the event's log page (which re-enables the event) and act on it. */
    private AsyncEventNotice handle(final int dw0)
    {
        final int lid = AsyncEvent.logPage(dw0);
        if (AsyncEvent.type(dw0) == AsyncEvent.TYPE_NOTICE &&
            AsyncEvent.info(dw0) == AsyncEvent.NOTICE_NAMESPACE_ATTRIBUTE_CHANGED)
        {
            final ByteBuffer log = controller.getLogPage(GetLogPage.LID_CHANGED_NAMESPACE_LIST, 0xFFFF_FFFF, 0,
                ChangedNamespaceList.LENGTH);
            final List<Integer> changed = changedNamespaces(log);
            if (changed == null)
            {
                controller.namespaceTable().rescan();
                return new AsyncEventNotice(dw0, List.of(), true);
            }
            controller.namespaceTable().rescan(changed);
            return new AsyncEventNotice(dw0, changed, false);
        }
        if (lid == GetLogPage.LID_DISCOVERY)
        {
            // the header (GENCTR) is enough to re-enable the notice; the listener reads the entries it wants
            controller.getLogPage(lid, 0, 0, DiscoveryLogPage.LENGTH);
        }
        else if (lid != 0)
        {
            controller.getLogPage(lid, 0xFFFF_FFFF, 0, 512); // reading the page clears the event (RAE = 0)
        }
        return new AsyncEventNotice(dw0, List.of(), false);
    }

    /**
     * The NSIDs of a Changed Namespace List log page (LID 04h), or null when it overflowed (more than 1024 changed:
     * rescan everything).
     */
    static List<Integer> changedNamespaces(final ByteBuffer log)
    {
        if (ChangedNamespaceList.overflow(log, 0))
        {
            return null;
        }
        final int n = ChangedNamespaceList.count(log, 0);
        final List<Integer> changed = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            changed.add(ChangedNamespaceList.nsid(log, 0, i));
        }
        return changed;
    }

    /** Status code type 3 (path related): the command did not reach, or did not come back from, the controller. */
    static boolean isPathError(final int status)
    {
        return (status >> 8 & 0x7) == 3;
    }
}
