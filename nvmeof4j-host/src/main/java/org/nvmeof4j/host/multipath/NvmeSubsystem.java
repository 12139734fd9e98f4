package org.nvmeof4j.host.multipath;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.nvmeof4j.host.AsyncEventListener;
import org.nvmeof4j.host.AsyncEventNotice;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.ControllerLostException;
import org.nvmeof4j.host.Namespace;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.host.NvmeException;
import org.nvmeof4j.host.NvmeTransportException;
import org.nvmeof4j.protocol.admin.AnaLogPage;
import org.nvmeof4j.protocol.admin.AnaState;
import org.nvmeof4j.protocol.admin.GetLogPage;
import org.nvmeof4j.protocol.admin.Identify;
import org.nvmeof4j.protocol.admin.IdentifyController;
import org.nvmeof4j.protocol.admin.IdentifyNamespace;
import org.nvmeof4j.protocol.admin.NamespaceIdDescriptors;
import org.nvmeof4j.protocol.nvme.NvmeStatus;

/**
 * One NVM subsystem reached through several paths, as Linux's native NVMe multipath presents it ({@code
 * nvme-subsysN} with one {@code nvmeXnY} head per namespace): one {@link NvmeController} per path, the namespaces
 * matched across paths by NGUID, EUI-64 or UUID, the ANA state of every namespace on every path (its ANA log page,
 * read at connect, on every ANA change notice, after every reconnect and after an I/O came back with an ANA status),
 * and an {@link IoPolicy} that picks the path of each I/O.
 *
 * <p><b>Failover</b>, as Linux's {@code nvme_failover_req}: an I/O that comes back with a path status (SCT 3h: ANA
 * inaccessible, persistent loss or transition, host pathing error) or loses its connection is sent again on another
 * usable path; writes too, since a command that failed on its path did not complete there (the paths' controllers
 * fail their in-flight I/O at once on a loss, {@link ConnectOptions#failoverIo}). Any other error (a DNR status,
 * LBA out of range) fails the I/O. While no path is usable, I/O waits (Linux's queueing when no path is available)
 * until a path comes back or every path's controller is lost for good ({@code ctrl_loss_tmo}); then it fails with a
 * {@link ControllerLostException}. Each I/O completes exactly once.
 *
 * <p>Thread-safe async API ({@link #read}, {@link #write}, {@link #flush} and blocking variants). Per I/O it
 * allocates its request record and futures, like {@link NvmeController}'s async API.
 */
public final class NvmeSubsystem implements AutoCloseable
{
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    /** How often waiting I/O looks for a usable path again, and paths are checked for a reconnect. */
    private static final long RETRY_NANOS = 2_000_000L;

    private final List<NvmePath> paths;
    private final IoPolicy policy;
    private final int instance = INSTANCES.getAndIncrement();
    private final ScheduledExecutorService scheduler;
    private final ExecutorService anaThread;
    private final ConcurrentLinkedQueue<Request> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final AtomicLong submitted = new AtomicLong();
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong attemptsDone = new AtomicLong();
    private final AtomicLong failovers = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong queuedNoPath = new AtomicLong();
    private final AtomicLong longestWaitNanos = new AtomicLong();
    private final AnaListener anaListener = new AnaListener();
    /** The open polled queues: woken on every path change, their counters summed into this subsystem's. */
    private final java.util.concurrent.CopyOnWriteArrayList<SubsystemIoQueue> polledQueues =
        new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The counters of polled queues closed already (by {@code SubsystemIoQueue} counter index); under itself. */
    private final long[] closedQueueCounts = new long[SubsystemIoQueue.COUNTERS];
    /** Per path, its controller's state and reconnect count when {@link #watch} last looked (scheduler thread). */
    private final long[] lastPathSignature;
    private final String nqn;
    private volatile boolean closed;

    private NvmeSubsystem(final List<ConnectOptions> options, final IoPolicy policy)
    {
        final List<NvmePath> list = new ArrayList<>();
        for (int i = 0; i < options.size(); i++)
        {
            list.add(new NvmePath(i, options.get(i).copy().failoverIo(true)));
        }
        this.paths = Collections.unmodifiableList(list);
        this.lastPathSignature = new long[list.size()];
        Arrays.fill(lastPathSignature, -1);
        this.policy = Objects.requireNonNull(policy, "policy");
        this.nqn = options.get(0).nqn();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "nvmeof4j-mpath-" + instance));
        this.anaThread = Executors.newSingleThreadExecutor(r -> daemon(r, "nvmeof4j-mpath-ana-" + instance));
    }

    private static Thread daemon(final Runnable r, final String name)
    {
        final Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Connect every path (the same subsystem NQN through different ports). A path that cannot be reached now is
     * tried again every {@code reconnect_delay} in the background.
     *
     * @throws IllegalArgumentException for no paths, paths naming different subsystems, or bad options.
     * @throws NvmeTransportException   if no path can be connected.
     */
    public static NvmeSubsystem connect(final List<ConnectOptions> paths, final IoPolicy policy)
    {
        if (paths.isEmpty())
        {
            throw new IllegalArgumentException("a subsystem needs at least one path");
        }
        for (final ConnectOptions o : paths)
        {
            if (!o.nqn().equals(paths.get(0).nqn()))
            {
                throw new IllegalArgumentException("paths name different subsystems: " + paths.get(0).nqn() + " and " +
                    o.nqn());
            }
        }
        final NvmeSubsystem s = new NvmeSubsystem(paths, policy);
        RuntimeException firstError = null;
        int up = 0;
        for (final NvmePath p : s.paths)
        {
            try
            {
                s.connectPath(p);
                up++;
            }
            catch (final RuntimeException e)
            {
                p.lastError("connect: " + e.getMessage());
                firstError = firstError == null ? e : firstError;
            }
        }
        if (up == 0)
        {
            s.close();
            throw new NvmeTransportException("no path to " + paths.get(0).nqn() + " could be connected: " +
                firstError.getMessage(), firstError);
        }
        for (final NvmePath p : s.paths)
        {
            if (p.controller() == null)
            {
                s.retryConnectLater(p);
            }
        }
        s.scheduler.scheduleWithFixedDelay(s::watch, RETRY_NANOS, RETRY_NANOS, TimeUnit.NANOSECONDS);
        return s;
    }

    private void connectPath(final NvmePath p)
    {
        final NvmeController c = NvmeController.connect(p.options());
        if (closed)
        {
            c.close();
            return;
        }
        p.controller(c);
        c.addAsyncEventListener(anaListener);
        matchNamespaces(p);
        readAnaLog(p);
    }

    private void retryConnectLater(final NvmePath p)
    {
        try
        {
            scheduler.schedule(() -> anaThread.execute(() ->
            {
                if (closed || p.controller() != null)
                {
                    return;
                }
                try
                {
                    connectPath(p);
                    kick(); // a new usable path: waiting I/O goes now
                }
                catch (final RuntimeException e)
                {
                    p.lastError("connect: " + e.getMessage());
                    retryConnectLater(p);
                }
            }), p.options().reconnectDelay().toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (final RejectedExecutionException ignore)
        {
            // closing
        }
    }

    // ------------------------------------------------------------------ namespaces and ANA

    /**
     * The identifier of a namespace that is the same on every path (NVMe Base 2.0, 4.7.1): NGUID if non-zero, else
     * EUI-64 if non-zero, else the UUID of the Namespace Identification Descriptor list.
     */
    static String namespaceId(final NvmeController c, final Namespace ns)
    {
        final IdentifyNamespace id = ns.identifyNamespace();
        final byte[] nguid = new byte[16];
        id.copyNguidTo(nguid);
        if (!allZero(nguid))
        {
            return "nguid:" + HexFormat.of().formatHex(nguid);
        }
        final byte[] eui = new byte[8];
        id.copyEui64To(eui);
        if (!allZero(eui))
        {
            return "eui64:" + HexFormat.of().formatHex(eui);
        }
        try
        {
            final ByteBuffer list = c.identify(Identify.CNS_NAMESPACE_ID_DESCRIPTORS, ns.nsid());
            final NamespaceIdDescriptors.Reader r = new NamespaceIdDescriptors.Reader().wrap(list, 0,
                NamespaceIdDescriptors.LIST_LENGTH);
            while (r.next())
            {
                if (r.nidt() == NamespaceIdDescriptors.NIDT_UUID && r.lengthValid())
                {
                    return "uuid:" + r.uuid();
                }
            }
        }
        catch (final RuntimeException e)
        {
            // no descriptor list: no identifier
        }
        return null;
    }

    private static boolean allZero(final byte[] b)
    {
        for (final byte x : b)
        {
            if (x != 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * A namespace is the same namespace on two paths only if its identifier matches (Linux refuses a path whose
     * NSID names another namespace, {@code nvme_global_check_duplicate_ids}); such a path is not used for it.
     */
    private synchronized void matchNamespaces(final NvmePath p)
    {
        for (final Namespace ns : p.controller().namespaces())
        {
            final String id = namespaceId(p.controller(), ns);
            for (final NvmePath other : paths)
            {
                if (other == p || other.controller() == null)
                {
                    continue;
                }
                final Namespace o = other.controller().namespace(ns.nsid());
                if (o != null)
                {
                    final String oid = namespaceId(other.controller(), o);
                    if (!Objects.equals(id, oid) || id == null)
                    {
                        p.exclude(ns.nsid());
                        p.lastError("namespace " + ns.nsid() + " is " + id + " on this path but " + oid + " on " +
                            other.address() + ": not used on this path");
                    }
                    break;
                }
            }
        }
    }

    /**
     * Read the ANA log page of {@code p} (the whole page, sized as Linux sizes it) and take its states. Reads run on
     * one thread, so they are taken in the order they were read; a log whose CHGCNT is older than the one taken
     * already is not taken.
     */
    void readAnaLog(final NvmePath p)
    {
        final NvmeController c = p.controller();
        if (c == null || !p.anaSupported())
        {
            return;
        }
        final IdentifyController id = c.identifyController();
        final long groups = Math.min(id.nanagrpid(), 0xFFFF);
        final long mnan = id.mnan() == 0 ? 1024 : id.mnan() & 0xFFFF_FFFFL;
        long size = AnaLogPage.pageLength((int)groups, Math.min(mnan, 1 << 18));
        final long mdts = c.maxDataTransferBytes();
        size = Math.min(size, Math.min(mdts > 0 ? mdts : 1 << 20, 1 << 20)) & ~3L;
        try
        {
            final ByteBuffer log = c.getLogPage(GetLogPage.LID_ANA, 0xFFFF_FFFF, 0, (int)size);
            p.anaLog(AnaLog.parse(log, (int)size, id.anagrpmax()));
        }
        catch (final RuntimeException e)
        {
            p.lastError("ANA log: " + e.getMessage());
        }
    }

    private void readAnaLogLater(final NvmePath p)
    {
        try
        {
            anaThread.execute(() ->
            {
                readAnaLog(p);
                kick();
            });
        }
        catch (final RejectedExecutionException ignore)
        {
            // closing
        }
    }

    /** On every ANA change notice of any path's controller: read that path's ANA log (the event already cleared). */
    private final class AnaListener implements AsyncEventListener
    {
        @Override
        public void onAsyncEvent(final NvmeController controller, final AsyncEventNotice notice)
        {
            if (notice.logPage() != GetLogPage.LID_ANA)
            {
                return;
            }
            for (final NvmePath p : paths)
            {
                if (p.controller() == controller)
                {
                    readAnaLogLater(p); // every read of a path's log on one thread, in order
                }
            }
        }
    }

    /**
     * Periodic: paths that reconnected have their ANA log read again; waiting I/O tries again; a path whose
     * controller changed state (lost, reconnecting, live again, gone for good) wakes the polled queues, whose
     * waiting I/O may now go (or fail: no path left).
     */
    private void watch()
    {
        boolean changed = false;
        for (final NvmePath p : paths)
        {
            if (p.reconnectedSinceLastCheck())
            {
                readAnaLogLater(p);
            }
            final NvmeController c = p.controller();
            final long signature = c == null ? -1 : c.reconnects() << 3 | c.state().ordinal();
            if (signature != lastPathSignature[p.index()])
            {
                lastPathSignature[p.index()] = signature;
                changed = true;
            }
        }
        retryWaiting();
        if (changed)
        {
            wakePolledQueues();
        }
    }

    /** A path may have become usable (or every path is gone): waiting I/O of both APIs tries again. */
    private void kick()
    {
        wakePolledQueues();
        try
        {
            scheduler.execute(this::retryWaiting);
        }
        catch (final RejectedExecutionException ignore)
        {
            // closing
        }
    }

    private void wakePolledQueues()
    {
        for (final SubsystemIoQueue q : polledQueues)
        {
            q.wake();
        }
    }

    // ------------------------------------------------------------------ I/O

    private static final int READ = 0;
    private static final int WRITE = 1;
    private static final int FLUSH = 2;

    /** One I/O of the application, sent on one path after another until it completes. */
    private static final class Request
    {
        final int op;
        final int nsid;
        final long lba;
        final int blocks;
        final ByteBuffer buffer;
        final CompletableFuture<Void> future = new CompletableFuture<>();
        long waitingSince;
        /** The reconnect count of the controller this attempt went to, when it was sent. */
        long reconnectsAtSend;

        Request(final int op, final int nsid, final long lba, final int blocks, final ByteBuffer buffer)
        {
            this.op = op;
            this.nsid = nsid;
            this.lba = lba;
            this.blocks = blocks;
            this.buffer = buffer;
        }
    }

    /** Read {@code blocks} blocks at {@code lba} into {@code dst} (from its position); thread-safe. */
    public CompletableFuture<Void> read(final int nsid, final long lba, final int blocks, final ByteBuffer dst)
    {
        return submit(new Request(READ, nsid, lba, blocks, dst));
    }

    /** Write {@code blocks} blocks at {@code lba} from {@code src} (from its position); thread-safe. */
    public CompletableFuture<Void> write(final int nsid, final long lba, final int blocks, final ByteBuffer src)
    {
        return submit(new Request(WRITE, nsid, lba, blocks, src));
    }

    /** Flush; thread-safe. */
    public CompletableFuture<Void> flush(final int nsid)
    {
        return submit(new Request(FLUSH, nsid, 0, 0, null));
    }

    public void readBlocking(final int nsid, final long lba, final int blocks, final ByteBuffer dst)
    {
        NvmeController.await(read(nsid, lba, blocks, dst), 0);
    }

    public void writeBlocking(final int nsid, final long lba, final int blocks, final ByteBuffer src)
    {
        NvmeController.await(write(nsid, lba, blocks, src), 0);
    }

    public void flushBlocking(final int nsid)
    {
        NvmeController.await(flush(nsid), 0);
    }

    private CompletableFuture<Void> submit(final Request r)
    {
        submitted.incrementAndGet();
        r.future.whenComplete((v, e) -> completed.incrementAndGet());
        dispatch(r);
        return r.future;
    }

    /** The path the policy picks for {@code nsid}, or null when none is usable now. */
    NvmePath select(final int nsid)
    {
        return select(nsid, policy == IoPolicy.ROUND_ROBIN ? roundRobin.getAndIncrement() : 0);
    }

    /**
     * The path the policy picks for {@code nsid}, or null when none is usable now; {@code turn} is the round-robin
     * cursor of the caller (the async path shares one, each polled queue has its own). Allocation-free.
     */
    NvmePath select(final int nsid, final int turn)
    {
        switch (policy)
        {
            case ROUND_ROBIN:
            {
                final int n = paths.size();
                final int start = Math.floorMod(turn, n);
                NvmePath nonOptimized = null;
                for (int i = 0; i < n; i++)
                {
                    final NvmePath p = paths.get((start + i) % n);
                    final int rank = p.rank(nsid);
                    if (rank == 2)
                    {
                        return p;
                    }
                    if (rank == 1 && nonOptimized == null)
                    {
                        nonOptimized = p;
                    }
                }
                return nonOptimized;
            }
            case QUEUE_DEPTH:
            {
                NvmePath best = null;
                int bestRank = 0;
                int bestDepth = Integer.MAX_VALUE;
                for (final NvmePath p : paths)
                {
                    final int rank = p.rank(nsid);
                    if (rank == 0)
                    {
                        continue;
                    }
                    final int depth = p.inflight();
                    if (rank > bestRank || (rank == bestRank && depth < bestDepth))
                    {
                        best = p;
                        bestRank = rank;
                        bestDepth = depth;
                    }
                }
                return best;
            }
            default:
            {
                NvmePath nonOptimized = null;
                for (final NvmePath p : paths)
                {
                    final int rank = p.rank(nsid);
                    if (rank == 2)
                    {
                        return p;
                    }
                    if (rank == 1 && nonOptimized == null)
                    {
                        nonOptimized = p;
                    }
                }
                return nonOptimized;
            }
        }
    }

    /** @return whether some path may still become usable (connecting, or live): else waiting I/O fails. */
    boolean anyPathMayReturn()
    {
        for (final NvmePath p : paths)
        {
            final NvmeController c = p.controller();
            if (c == null)
            {
                if (!closed)
                {
                    return true; // still trying to connect it
                }
                continue;
            }
            final NvmeController.State s = c.state();
            if (s == NvmeController.State.LIVE || s == NvmeController.State.RECONNECTING)
            {
                return true;
            }
        }
        return false;
    }

    private void dispatch(final Request r)
    {
        if (closed)
        {
            r.future.completeExceptionally(new NvmeTransportException("subsystem " + nqn + " is closed"));
            return;
        }
        final NvmePath p = select(r.nsid);
        if (p == null)
        {
            if (!anyPathMayReturn())
            {
                r.future.completeExceptionally(new ControllerLostException("no path to " + nqn +
                    " is left (every controller lost): " + describePaths(), null));
                return;
            }
            if (r.waitingSince == 0)
            {
                r.waitingSince = System.nanoTime();
                queuedNoPath.incrementAndGet();
            }
            waiting.add(r);
            return;
        }
        if (r.waitingSince != 0)
        {
            longestWaitNanos.accumulateAndGet(System.nanoTime() - r.waitingSince, Math::max);
            r.waitingSince = 0;
        }
        final NvmeController c = p.controller();
        r.reconnectsAtSend = c.reconnects();
        p.inflight.incrementAndGet();
        attempts.incrementAndGet();
        CompletableFuture<Void> f;
        try
        {
            switch (r.op)
            {
                case READ:
                    f = c.read(r.nsid, r.lba, r.blocks, r.buffer.duplicate());
                    break;
                case WRITE:
                    f = c.write(r.nsid, r.lba, r.blocks, r.buffer.duplicate());
                    break;
                default:
                    f = c.flush(r.nsid);
                    break;
            }
        }
        catch (final RuntimeException e)
        {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((v, e) -> attemptDone(r, p, e));
    }

    private void attemptDone(final Request r, final NvmePath p, final Throwable error)
    {
        p.inflight.decrementAndGet();
        attemptsDone.incrementAndGet();
        if (error == null)
        {
            r.future.complete(null);
            return;
        }
        final Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        final boolean failover;
        if (e instanceof NvmeException ne)
        {
            failover = pathFailed(p, r.nsid, ne.status(), r.reconnectsAtSend);
        }
        else if (e instanceof NvmeTransportException)
        {
            // the connection went (or the controller is lost): another path
            failover = pathFailed(p, r.nsid, NvmeStatus.HOST_PATHING_ERROR.status(), r.reconnectsAtSend);
        }
        else
        {
            failover = false;
        }
        if (!failover)
        {
            r.future.completeExceptionally(e);
            return;
        }
        failovers.incrementAndGet();
        // not from this completion's thread: the next attempt may fail at once and must not recurse
        try
        {
            scheduler.execute(() -> dispatch(r));
        }
        catch (final RejectedExecutionException closing)
        {
            r.future.completeExceptionally(new NvmeTransportException("subsystem " + nqn + " is closed"));
        }
    }

    /**
     * The failover rule of both I/O paths (Linux's {@code nvme_failover_req}): an attempt on {@code p} that came back
     * with {@code status} is sent again on another path when the status is path related (SCT 3h: an ANA status, a
     * host pathing error, which is also what a lost connection or a lost controller reports). An ANA status makes
     * {@code p} unusable for {@code nsid} in the state it implies, and the ANA log of {@code p} is read again; any
     * other path status makes {@code p} unusable until its controller reconnects.
     *
     * @param reconnectsAtSend the reconnect count of {@code p}'s controller when the attempt was sent.
     * @return whether to fail over; false: complete the I/O with {@code status}.
     */
    boolean pathFailed(final NvmePath p, final int nsid, final int status, final long reconnectsAtSend)
    {
        if (!isPathStatus(status))
        {
            return false;
        }
        final AnaState implied = impliedState(status);
        if (implied != null)
        {
            p.markAnaStatus(nsid, implied);
            readAnaLogLater(p);
        }
        else
        {
            p.markFailed(reconnectsAtSend);
        }
        return true;
    }

    /** Run {@code task} on the subsystem's background thread (the one that reads ANA logs); dropped when closing. */
    void background(final Runnable task)
    {
        try
        {
            anaThread.execute(task);
        }
        catch (final RejectedExecutionException ignore)
        {
            // closing
        }
    }

    boolean isClosed()
    {
        return closed;
    }

    /** SCT 3h, path related (Linux's {@code nvme_is_path_error}). */
    static boolean isPathStatus(final int status)
    {
        return (status >> 8 & 0x7) == 3;
    }

    private static AnaState impliedState(final int status)
    {
        final int s = status & NvmeStatus.SCT_SC_MASK;
        if (s == NvmeStatus.ASYMMETRIC_ACCESS_INACCESSIBLE.status())
        {
            return AnaState.INACCESSIBLE;
        }
        if (s == NvmeStatus.ASYMMETRIC_ACCESS_PERSISTENT_LOSS.status())
        {
            return AnaState.PERSISTENT_LOSS;
        }
        if (s == NvmeStatus.ASYMMETRIC_ACCESS_TRANSITION.status())
        {
            return AnaState.CHANGE;
        }
        return null;
    }

    private void retryWaiting()
    {
        final int n = waiting.size();
        for (int i = 0; i < n; i++)
        {
            final Request r = waiting.poll();
            if (r == null)
            {
                return;
            }
            dispatch(r);
        }
    }

    private final AtomicInteger nextQid = new AtomicInteger(1);

    /**
     * A polled queue for the calling thread over this subsystem ({@link SubsystemIoQueue}): one polled I/O queue of
     * each path's controller (each path needs {@code nr_poll_queues} of at least the number of such queues), driven
     * by the caller's thread, with this subsystem's path selection and failover.
     *
     * @param depth most I/Os in flight at once; at most {@code queue_size - 1} of every path.
     * @throws IllegalArgumentException for a depth no path can take.
     * @throws IllegalStateException    when a live path has no polled queue left ({@code nr_poll_queues}).
     */
    public SubsystemIoQueue openIoQueue(final int depth)
    {
        if (closed)
        {
            throw new NvmeTransportException("subsystem " + nqn + " is closed");
        }
        final SubsystemIoQueue q = new SubsystemIoQueue(this, nextQid.getAndIncrement(), depth);
        polledQueues.add(q);
        return q;
    }

    /** {@code q} closed: keep its counts in this subsystem's. */
    void polledQueueClosed(final SubsystemIoQueue q)
    {
        synchronized (closedQueueCounts)
        {
            if (polledQueues.remove(q))
            {
                for (int i = 0; i < SubsystemIoQueue.COUNTERS; i++)
                {
                    closedQueueCounts[i] = i == SubsystemIoQueue.LONGEST_WAIT_NANOS ?
                        Math.max(closedQueueCounts[i], q.counter(i)) : closedQueueCounts[i] + q.counter(i);
                }
            }
        }
    }

    /** @return counter {@code i} of the polled queues, open and closed (the largest for the longest wait). */
    private long polled(final int i)
    {
        synchronized (closedQueueCounts)
        {
            long v = closedQueueCounts[i];
            for (final SubsystemIoQueue q : polledQueues)
            {
                v = i == SubsystemIoQueue.LONGEST_WAIT_NANOS ? Math.max(v, q.counter(i)) : v + q.counter(i);
            }
            return v;
        }
    }

    // ------------------------------------------------------------------ state

    /** @return the paths, in the order given. */
    public List<NvmePath> paths()
    {
        return paths;
    }

    public IoPolicy policy()
    {
        return policy;
    }

    public String nqn()
    {
        return nqn;
    }

    /** @return the namespace {@code nsid} as the first live path describes it, or null. */
    public Namespace namespace(final int nsid)
    {
        for (final NvmePath p : paths)
        {
            final NvmeController c = p.controller();
            if (c != null && c.state() == NvmeController.State.LIVE && c.namespace(nsid) != null)
            {
                return c.namespace(nsid);
            }
        }
        return null;
    }

    /** @return the NSIDs any connected path has, in increasing order. */
    public List<Integer> namespaceIds()
    {
        final java.util.TreeSet<Integer> ids = new java.util.TreeSet<>();
        for (final NvmePath p : paths)
        {
            final NvmeController c = p.controller();
            if (c != null)
            {
                for (final Namespace ns : c.namespaces())
                {
                    ids.add(ns.nsid());
                }
            }
        }
        return new ArrayList<>(ids);
    }

    // The counters below count both APIs: the async one and every polled queue (SubsystemIoQueue), open or closed;
    // a polled queue's own figures are its accessors of the same names.

    /** @return I/O submitted by the application. */
    public long submitted()
    {
        return submitted.get() + polled(SubsystemIoQueue.SUBMITTED);
    }

    /** @return I/O completed to the application (success or failure): each exactly once. */
    public long completed()
    {
        return completed.get() + polled(SubsystemIoQueue.COMPLETED);
    }

    /** @return commands sent on a path (the first send and every failover). */
    public long attempts()
    {
        return attempts.get() + polled(SubsystemIoQueue.ATTEMPTS);
    }

    /** @return commands sent on a path that came back (attempts() - attemptsDone() are in flight). */
    public long attemptsDone()
    {
        return attemptsDone.get() + polled(SubsystemIoQueue.ATTEMPTS_DONE);
    }

    /** @return I/O sent again on another path after a path error or a lost connection. */
    public long failovers()
    {
        return failovers.get() + polled(SubsystemIoQueue.FAILOVERS);
    }

    /** @return I/O that had to wait because no path was usable. */
    public long queuedNoPath()
    {
        return queuedNoPath.get() + polled(SubsystemIoQueue.QUEUED_NO_PATH);
    }

    /** @return the longest time an I/O waited for a usable path, in nanoseconds. */
    public long longestWaitNanos()
    {
        return Math.max(longestWaitNanos.get(), polled(SubsystemIoQueue.LONGEST_WAIT_NANOS));
    }

    /** @return the paths, one line each, as {@code nvme list-subsys} prints them. */
    public String describePaths()
    {
        final StringBuilder sb = new StringBuilder();
        for (final NvmePath p : paths)
        {
            sb.append(sb.length() == 0 ? "" : "; ").append(p);
        }
        return sb.toString();
    }

    /**
     * @return {@code nvme list-subsys}'s view: the subsystem, then one {@code +- path} line per path with its
     *         controller state and its ANA state for {@code nsid} (0: the group states).
     */
    public String listSubsys(final int nsid)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("nvme-subsys").append(instance).append(" - NQN=").append(nqn).append('\n');
        sb.append("  iopolicy=").append(policy.sysfsName()).append('\n');
        sb.append("\\\n");
        for (final NvmePath p : paths)
        {
            sb.append(" +- nvme").append(instance).append('.').append(p.index()).append(' ')
                .append("tcp traddr=").append(p.options().traddr()).append(",trsvcid=")
                .append(p.options().trsvcid()).append(' ').append(p.controllerState());
            if (p.anaSupported())
            {
                if (nsid > 0)
                {
                    sb.append(' ').append(p.anaState(nsid).configName());
                }
                else
                {
                    final StringBuilder g = new StringBuilder();
                    p.groupStates().forEach((k, v) -> g.append(g.length() == 0 ? "" : ",").append(k).append(':')
                        .append(v.configName()));
                    sb.append(" ana ").append(g.length() == 0 ? "-" : g);
                }
            }
            if (p.lastError() != null && p.controller() == null)
            {
                sb.append(" (").append(p.lastError()).append(')');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Close every path's controller; waiting I/O fails. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        wakePolledQueues(); // their waiting I/O fails at the next poll
        scheduler.shutdownNow();
        anaThread.shutdownNow();
        for (final NvmePath p : paths)
        {
            final NvmeController c = p.controller();
            if (c != null)
            {
                c.close();
            }
        }
        Request r;
        while ((r = waiting.poll()) != null)
        {
            r.future.completeExceptionally(new NvmeTransportException("subsystem " + nqn + " is closed"));
        }
    }

    @Override
    public String toString()
    {
        return "NvmeSubsystem{" + nqn + ", " + policy.sysfsName() + ", " + Arrays.toString(paths.toArray()) + "}";
    }
}
