package org.nvmeof4j.host;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.nvmeof4j.host.tcp.QueueEvents;
import org.nvmeof4j.host.tcp.ReadOffload;
import org.nvmeof4j.host.tcp.TcpConnection;
import org.nvmeof4j.host.tcp.TcpQueue;
import org.nvmeof4j.protocol.admin.AsyncEvent;
import org.nvmeof4j.protocol.admin.ChangedNamespaceList;
import org.nvmeof4j.protocol.admin.Features;
import org.nvmeof4j.protocol.admin.GetLogPage;
import org.nvmeof4j.protocol.admin.Identify;
import org.nvmeof4j.protocol.admin.IdentifyController;
import org.nvmeof4j.protocol.admin.NamespaceIdList;
import org.nvmeof4j.protocol.fabrics.ConnectData;
import org.nvmeof4j.protocol.fabrics.ConnectResponse;
import org.nvmeof4j.protocol.fabrics.ControllerRegisters;
import org.nvmeof4j.protocol.fabrics.FabricsCommand;
import org.nvmeof4j.protocol.nvme.NvmeStatus;
import org.nvmeof4j.protocol.nvme.Opcodes;
import org.nvmeof4j.protocol.nvme.Sqe;
import org.nvmeof4j.tcp.Poller;

/**
 * A connection to one NVMe controller over NVMe/TCP, brought up as {@code nvme connect} does (NVMe over Fabrics
 * 1.1 section 3.5, NVMe Base 2.0 section 3.5.1): admin queue with Connect (dynamic CNTLID), Property Get CAP and VS,
 * CC.EN = 1 and wait for CSTS.RDY within CAP.TO, Identify Controller, Set Features Number of Queues, then the I/O
 * queues (one connection each). {@link #close()} shuts the controller down (CC.SHN) and closes the connections.
 *
 * <p><b>Two I/O APIs.</b> The thread-safe async API ({@link #read}, {@link #write}, ... returning
 * {@link CompletableFuture}s, plus blocking variants) runs on {@code nr_io_queues} queues driven by poller threads.
 * {@link #openIoQueue()} hands an {@link IoQueue} to the calling thread (one of {@code nr_poll_queues}): the fastest
 * path, submit and poll on that thread.
 *
 * <p><b>Error recovery</b> follows the Linux host's: when any queue loses its connection (peer closed, TermReq,
 * protocol error, command timeout) the controller goes to {@link State#RECONNECTING}, closes every queue's
 * connection, and tries to connect again every {@code reconnect_delay} (the first attempt after one delay); I/O in
 * flight waits and is resent on the new connections, so no acknowledged write is lost and nothing is acknowledged
 * twice. When {@code ctrl_loss_tmo} expires the controller is {@link State#DEAD} and every request fails with a
 * {@link ControllerLostException} naming the last error.
 */
public final class NvmeController implements AutoCloseable, QueueEvents
{
    /** Controller states, after Linux's {@code nvme_ctrl_state}. */
    public enum State
    {
        /** Connected, I/O flows. */
        LIVE,
        /** A connection was lost; reconnecting every reconnect_delay. */
        RECONNECTING,
        /** {@link #close()} is shutting the controller down. */
        DELETING,
        /** Lost for good (ctrl_loss_tmo) or deleted: every request fails. */
        DEAD
    }

    /** Admin queue depth (the Linux host's NVME_AQ_DEPTH). */
    public static final int ADMIN_QUEUE_SIZE = 32;
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final ConnectOptions options;
    private final NanoClock clock;
    private final int instance = INSTANCES.incrementAndGet();
    private final ScheduledExecutorService recovery;
    /**
     * Asynchronous events, their log pages and rescans, and the listeners: apart from {@link #recovery}, so that an
     * admin command of an event that waits out a lost connection never holds up the reconnect.
     */
    private final java.util.concurrent.ExecutorService events;
    private final Object lock = new Object();

    private volatile State state = State.LIVE;
    private volatile int cntlid;
    private long cap;
    private int vs;
    private ByteBuffer identifyData;
    private IdentifyController identify;
    private int grantedIoQueues;
    private final Map<Integer, Namespace> namespaces = new ConcurrentSkipListMap<>();
    private final List<AsyncEventListener> asyncEventListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong asyncEvents = new AtomicLong();
    /** Generation whose admin queue has an Asynchronous Event Request outstanding (-1: none). */
    private long aerGeneration = -1;
    private volatile int[] lbaShifts = new int[0];

    private TcpQueue adminQueue;
    private AsyncQueue adminAsync;
    private Poller adminPoller;
    private final List<AsyncQueue> ioAsync = new ArrayList<>();
    private final List<Poller> ioPollers = new ArrayList<>();
    private final List<TcpQueue> pollQueues = new ArrayList<>();
    private int nextPollQid;
    private final AtomicInteger roundRobin = new AtomicInteger();

    private volatile long generation;
    private long lossStartNanos;
    private int reconnectAttempts;
    /** Largest transfer the read offload can map (0: no cap), from its limits on the first admin connect. */
    private long offloadMaxTransfer;
    private volatile String lastError;
    private volatile String deadReason;
    private long reconnects;

    private NvmeController(final ConnectOptions options)
    {
        this.options = options;
        this.clock = options.clock();
        this.events = Executors.newSingleThreadExecutor(r ->
        {
            final Thread t = new Thread(r, "nvmeof4j-events-" + instance);
            t.setDaemon(true);
            return t;
        });
        this.recovery = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread t = new Thread(r, "nvmeof4j-recovery-" + instance);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Connect to the controller {@code options} names.
     *
     * @throws NvmeTransportException if it cannot be reached or breaks the protocol.
     * @throws NvmeException          if it fails a command of the connect sequence (e.g. Connect Invalid Host).
     */
    public static NvmeController connect(final ConnectOptions options)
    {
        final NvmeController c = new NvmeController(options.validated());
        try
        {
            c.start();
            return c;
        }
        catch (final RuntimeException e)
        {
            c.shutdownQuietly();
            throw e;
        }
    }

    private void start()
    {
        final AdminSession s = establishAdmin();
        cap = s.cap;
        vs = s.vs;
        cntlid = s.cntlid;
        identifyData = s.identify;
        identify = new IdentifyController().wrap(identifyData, 0);
        grantedIoQueues = s.grantedQueues;
        if (options.readOffload() != null && !options.isDiscovery())
        {
            // the admin queue queries the offload's limits and caps the transfer size (nvme_tcp_offload_apply_limits)
            offloadMaxTransfer = Math.max(0, options.readOffload().maxTransferBytes(s.conn));
        }
        adminQueue = new TcpQueue(0, ADMIN_QUEUE_SIZE, this, clock, options.adminTimeout().toNanos(), false);
        adminQueue.adopt(s.conn);
        configureAdmin(adminQueue);
        adminPoller = new Poller("nvmeof4j-admin-" + instance, options.idleStrategy()).start();
        adminAsync = new AsyncQueue(this, adminQueue, adminPoller);
        adminAsync.start();
        if (options.isDiscovery())
        {
            if (options.persistent())
            {
                enableAsyncEvents();
                armAsyncEvents(generation);
            }
            return;
        }
        enableAsyncEvents();
        rescanNamespaces();
        final int nrIo = Math.min(options.nrIoQueues(), grantedIoQueues);
        final int pollers = Math.max(1, Math.min(nrIo, Runtime.getRuntime().availableProcessors()));
        for (int i = 0; i < pollers && nrIo > 0; i++)
        {
            ioPollers.add(new Poller("nvmeof4j-io-" + instance + "-" + i, options.idleStrategy()).start());
        }
        for (int qid = 1; qid <= nrIo; qid++)
        {
            final TcpQueue q = newIoQueue(qid);
            q.adopt(establishIo(qid, cntlid));
            final AsyncQueue aq = new AsyncQueue(this, q, ioPollers.get((qid - 1) % pollers));
            ioAsync.add(aq);
            aq.start();
        }
        nextPollQid = nrIo + 1;
        armAsyncEvents(generation);
    }

    private TcpQueue newIoQueue(final int qid)
    {
        final TcpQueue q = new TcpQueue(qid, options.queueSize(), this, clock, options.ioTimeout().toNanos(), true);
        q.maxDataBytes(maxDataTransferBytes());
        final long icsz = identify.maxInCapsuleDataBytes();
        q.inCapsuleMax((int)Math.max(0, Math.min(icsz, 1 << 20)));
        q.icdoff(identify.icdoff());
        q.lbaShifts(lbaShifts);
        return q;
    }

    private void configureAdmin(final TcpQueue q)
    {
        q.icdoff(identify.icdoff());
        final long kato = options.keepsAlive() ? options.keepAliveTmo().toNanos() : 0;
        q.keepAliveInterval(kato / 2);
    }

    /** MDTS in bytes (0: no limit), capped by the read offload's limits when one is configured. */
    public long maxDataTransferBytes()
    {
        final long mdts = identify.maxDataTransferBytes(4096 << ControllerRegisters.Cap.mpsmin(cap));
        if (offloadMaxTransfer <= 0)
        {
            return mdts;
        }
        return mdts <= 0 ? offloadMaxTransfer : Math.min(mdts, offloadMaxTransfer);
    }

    // ------------------------------------------------------------------ queue setup (synchronous, any thread)

    private static final class AdminSession
    {
        TcpConnection conn;
        int cntlid;
        long cap;
        int vs;
        ByteBuffer identify;
        int grantedQueues;
    }

    /** Runs setup commands on a fresh connection from the calling thread, before it is handed to its owner. */
    private final class SetupRunner implements CompletionHandler
    {
        final TcpQueue q;
        final ByteBuffer sqeBuf = ByteBuffer.allocateDirect(Sqe.LENGTH);
        final Sqe sqe = new Sqe().wrap(sqeBuf, 0);
        boolean done;
        int status;
        long result;

        SetupRunner(final TcpQueue q)
        {
            this.q = q;
        }

        @Override
        public void onComplete(final long userTag, final int st)
        {
            done = true;
            status = st;
            result = q.completionResult();
        }

        Sqe sqe()
        {
            return sqe.clear();
        }

        long run(final String name, final int opcode, final int dir, final ByteBuffer data, final int length,
            final long timeoutNanos)
        {
            done = false;
            if (q.submitCommand(sqeBuf, 0, dir, data, 0, length, 0) < 0)
            {
                throw new IllegalStateException("setup queue full");
            }
            if (!q.pollUntil(() -> done, this, clock.nanoTime() + timeoutNanos))
            {
                final TcpConnection c = q.connection();
                final String why = c.isClosed() ? "connection closed: " + c.closeReason() :
                    "timed out after " + timeoutNanos / 1_000_000 + " ms";
                c.close(name + " failed", null);
                throw new NvmeTransportException(name + " to " + where() + ": " + why);
            }
            if (status != 0)
            {
                q.connection().close(name + " failed", null);
                throw new NvmeException(name, opcode, status);
            }
            return result;
        }
    }

    private String where()
    {
        return options.traddr() + ":" + options.trsvcid() + " (" + options.nqn() + ")";
    }

    private SetupRunner openConnection(final int qid, final int queueSize, final int cntlidToUse,
        final ReadOffload.Factory offload)
    {
        final long deadline = clock.nanoTime() + options.connectTimeout().toNanos();
        final SocketChannel ch;
        try
        {
            ch = SocketChannel.open();
            ch.socket().connect(new InetSocketAddress(options.traddr(), options.trsvcid()),
                (int)Math.max(1, options.connectTimeout().toMillis()));
        }
        catch (final IOException e)
        {
            throw new NvmeTransportException("cannot connect to " + where() + ": " + e.getMessage(), e);
        }
        final TcpConnection conn;
        try
        {
            conn = new TcpConnection(ch, qid, queueSize, options.hdrDigest(), options.dataDigest());
        }
        catch (final IOException e)
        {
            closeQuietly(ch);
            throw new NvmeTransportException("cannot set up socket to " + where() + ": " + e.getMessage(), e);
        }
        final TcpQueue setup = new TcpQueue(qid, Math.min(queueSize, ADMIN_QUEUE_SIZE), null, clock, 0, false);
        setup.inCapsuleMax(8192); // Fabrics commands: in-capsule data up to 8 KiB on any queue
        setup.adopt(conn);
        conn.sendIcReq();
        while (!conn.isInitialized())
        {
            if (conn.isClosed())
            {
                throw new NvmeTransportException("ICReq to " + where() + " failed: " + conn.closeReason());
            }
            if (setup.poll(null) == 0)
            {
                if (clock.nanoTime() - deadline > 0)
                {
                    conn.close("ICResp timeout", null);
                    throw new NvmeTransportException("no ICResp from " + where() + " within " +
                        options.connectTimeout().toMillis() + " ms");
                }
                LockSupport.parkNanos(20_000);
            }
        }
        final SetupRunner run = new SetupRunner(setup);
        final FabricsCommand connect = new FabricsCommand().wrap(run.sqe());
        connect.init(Opcodes.FCTYPE_CONNECT).recfmt(FabricsCommand.RECFMT_0).qid(qid)
            .submissionQueueSize(queueSize)
            .disableSqFlowControl(options.disableSqflow());
        if (qid == 0)
        {
            connect.kato(options.keepsAlive() ? options.keepAliveTmo().toMillis() : 0);
        }
        final ByteBuffer data = ByteBuffer.allocateDirect(ConnectData.LENGTH);
        new ConnectData().wrap(data, 0).clear().hostId(options.hostid()).cntlid(cntlidToUse)
            .subnqn(options.nqn()).hostnqn(options.hostnqn());
        final long dw0 = run.run("Connect", Opcodes.FABRICS, 1, data, ConnectData.LENGTH,
            Math.max(1, deadline - clock.nanoTime()));
        if (ConnectResponse.authenticationRequired((int)dw0))
        {
            conn.close("authentication required", null);
            throw new NvmeTransportException("controller " + where() + " requires in-band authentication, " +
                "which this host does not support yet");
        }
        run.result = dw0;
        if (offload != null && qid > 0)
        {
            // ULP DDP: only I/O queues, after ICReq/ICResp and Connect (seed 000, nvme_tcp_start_queue)
            try
            {
                conn.readOffload(offload.create(conn));
            }
            catch (final RuntimeException e)
            {
                conn.readOffload(null); // an offload that fails to set up falls back to software, silently
            }
        }
        return run;
    }

    private AdminSession establishAdmin()
    {
        final SetupRunner run = openConnection(0, ADMIN_QUEUE_SIZE, ConnectData.CNTLID_DYNAMIC, null);
        final AdminSession s = new AdminSession();
        s.conn = run.q.connection();
        s.cntlid = ConnectResponse.cntlid((int)run.result);
        final long admin = options.adminTimeout().toNanos();
        s.cap = propertyGet(run, ControllerRegisters.CAP, 8, admin);
        s.vs = (int)propertyGet(run, ControllerRegisters.VS, 4, admin);
        // enable: NVM command set (or admin only for a discovery controller), 4 KiB pages, 64/16-byte entries
        final int css = ControllerRegisters.Cap.cssNvm(s.cap) ? ControllerRegisters.Cc.CSS_NVM : 0;
        final int cc = ControllerRegisters.Cc.of(true, css, 0, 0, 0, 6, 4);
        propertySet(run, ControllerRegisters.CC, cc, admin);
        final long readyTimeout = Math.max(500L, ControllerRegisters.Cap.timeoutMillis(s.cap)) * 1_000_000L;
        final long readyDeadline = clock.nanoTime() + readyTimeout;
        while (true)
        {
            final int csts = (int)propertyGet(run, ControllerRegisters.CSTS, 4, admin);
            if (ControllerRegisters.Csts.cfs(csts))
            {
                s.conn.close("controller fatal status", null);
                throw new NvmeTransportException("controller " + where() + " reports Controller Fatal Status");
            }
            if (ControllerRegisters.Csts.rdy(csts))
            {
                break;
            }
            if (clock.nanoTime() - readyDeadline > 0)
            {
                s.conn.close("CSTS.RDY timeout", null);
                throw new NvmeTransportException("controller " + where() + " not ready within CAP.TO (" +
                    readyTimeout / 1_000_000 + " ms)");
            }
            LockSupport.parkNanos(1_000_000);
        }
        final ByteBuffer id = ByteBuffer.allocateDirect(Identify.DATA_LENGTH);
        Identify.prepare(run.sqe(), Identify.CNS_CONTROLLER, 0);
        run.run("Identify Controller", Opcodes.ADMIN_IDENTIFY, 2, id, Identify.DATA_LENGTH, admin);
        s.identify = id;
        if (!options.isDiscovery())
        {
            final int asked = Math.max(1, options.nrIoQueues() + options.nrPollQueues());
            Features.prepareSet(run.sqe(), Features.FID_NUMBER_OF_QUEUES, Features.numberOfQueues(asked, asked));
            final long dw0 = run.run("Set Features (Number of Queues)", Opcodes.ADMIN_SET_FEATURES, 0, null, 0,
                admin);
            final int nsqa = Features.submissionQueues((int)dw0);
            final int ncqa = Features.completionQueues((int)dw0);
            s.grantedQueues = Math.min(asked, Math.min(nsqa, ncqa));
        }
        requireOpen(s.conn, "admin queue");
        return s;
    }

    /**
     * A setup command can complete in the same read that brings a PDU which ends the connection (a stray
     * CapsuleResp right behind the response): the command succeeded, the connection did not. Handing such a
     * connection to a queue would leave the controller LIVE on a socket that nobody reports as lost.
     */
    private void requireOpen(final TcpConnection conn, final String what)
    {
        if (conn.isClosed())
        {
            throw new NvmeTransportException(what + " connection to " + where() + " lost during setup: " +
                conn.closeReason());
        }
    }

    private static long propertyGet(final SetupRunner run, final int offset, final int size, final long timeout)
    {
        new FabricsCommand().wrap(run.sqe()).init(Opcodes.FCTYPE_PROPERTY_GET).propertySize(size).ofst(offset);
        final long v = run.run("Property Get " + ControllerRegisters.name(offset), Opcodes.FABRICS, 0, null, 0,
            timeout);
        return size == 4 ? v & 0xFFFF_FFFFL : v;
    }

    private static void propertySet(final SetupRunner run, final int offset, final long value, final long timeout)
    {
        new FabricsCommand().wrap(run.sqe()).init(Opcodes.FCTYPE_PROPERTY_SET).propertySize(4).ofst(offset)
            .value(value);
        run.run("Property Set " + ControllerRegisters.name(offset), Opcodes.FABRICS, 0, null, 0, timeout);
    }

    private TcpConnection establishIo(final int qid, final int useCntlid)
    {
        final SetupRunner run = openConnection(qid, options.queueSize(), useCntlid, options.readOffload());
        requireOpen(run.q.connection(), "I/O queue " + qid);
        return run.q.connection();
    }

    /**
     * Read the Active Namespace ID list and identify every namespace on it; namespaces no longer active are dropped.
     * Blocking (admin queue); called at connect, after a reconnect and when a Changed Namespace List overflowed.
     */
    private void rescanNamespaces()
    {
        rescanNamespaces(null);
    }

    /**
     * Re-identify {@code changed} (null: every active namespace): each is kept if the Active Namespace ID list names
     * it, dropped otherwise.
     */
    private void rescanNamespaces(final List<Integer> changed)
    {
        final ByteBuffer list = identify(Identify.CNS_ACTIVE_NAMESPACE_LIST, 0);
        final int count = NamespaceIdList.count(list, 0);
        final java.util.Set<Integer> active = new java.util.LinkedHashSet<>();
        for (int i = 0; i < count; i++)
        {
            active.add(NamespaceIdList.nsid(list, 0, i));
        }
        final Map<Integer, Namespace> found = new java.util.TreeMap<>();
        final java.util.Set<Integer> gone = new java.util.HashSet<>(changed == null ? namespaces.keySet() : changed);
        for (final int nsid : changed == null ? active : changed)
        {
            final Namespace ns = active.contains(nsid) ? new Namespace(nsid, identify(Identify.CNS_NAMESPACE, nsid)) : null;
            if (ns != null && ns.blockSize() > 0)
            {
                found.put(nsid, ns);
                gone.remove(nsid);
            }
        }
        // queues learn a new namespace's LBA size before the application can see it, and forget a removed one only
        // after it is gone from namespaces()
        final List<Namespace> both = new ArrayList<>(namespaces.values());
        both.addAll(found.values());
        publishLbaShifts(both);
        namespaces.putAll(found);
        namespaces.keySet().removeAll(gone);
        publishLbaShifts(namespaces.values());
    }

    /** LBA size per NSID, to every I/O queue (a volatile array swap; queues read it per command). */
    private void publishLbaShifts(final java.util.Collection<Namespace> known)
    {
        int max = 0;
        for (final Namespace ns : known)
        {
            max = Math.max(max, ns.nsid());
        }
        final int[] shifts = new int[max + 1];
        for (final Namespace ns : known)
        {
            shifts[ns.nsid()] = Integer.numberOfTrailingZeros(ns.blockSize());
        }
        synchronized (lock)
        {
            lbaShifts = shifts;
            for (final AsyncQueue aq : ioAsync)
            {
                aq.queue.lbaShifts(shifts);
            }
            for (final TcpQueue q : pollQueues)
            {
                q.lbaShifts(shifts);
            }
        }
    }

    // ------------------------------------------------------------------ asynchronous events

    /**
     * Enable the notices the controller supports and we handle (Set Features Asynchronous Event Configuration, as
     * far as OAES allows). Blocking, and done before the namespace scan as Linux does: a change after it is either
     * seen by the scan or reported by the controller, never lost in between. Features belong to the association,
     * so this runs again after every reconnect. A controller that refuses is used without notices.
     */
    private void enableAsyncEvents()
    {
        final int notices = identify.oaes() & (options.isDiscovery()
            ? Features.AEC_DISCOVERY_LOG_CHANGE_NOTICES : Features.AEC_NAMESPACE_ATTRIBUTE_NOTICES);
        if (notices == 0)
        {
            return;
        }
        final ByteBuffer sqe = ByteBuffer.allocateDirect(Sqe.LENGTH);
        Features.prepareSet(new Sqe().wrap(sqe, 0).clear(), Features.FID_ASYNC_EVENT_CONFIGURATION, notices);
        try
        {
            await(adminCommand("Set Features (Asynchronous Event Configuration)", sqe, 0, null, 0),
                options.adminTimeout().toNanos());
        }
        catch (final NvmeException e)
        {
            lastError = "asynchronous event configuration refused: " + e.getMessage();
        }
    }

    /**
     * Keep one Asynchronous Event Request outstanding on the admin queue of association {@code gen}, as the Linux
     * host does; it is re-armed after each event and after every reconnect.
     */
    private void armAsyncEvents(final long gen)
    {
        synchronized (lock)
        {
            if (!options.keepsAlive() || state != State.LIVE || generation != gen || aerGeneration == gen)
            {
                return;
            }
            aerGeneration = gen;
        }
        submitAsyncEventRequest(gen);
    }

    private void submitAsyncEventRequest(final long gen)
    {
        final ByteBuffer sqe = ByteBuffer.allocateDirect(Sqe.LENGTH);
        new Sqe().wrap(sqe, 0).clear().opcode(Opcodes.ADMIN_ASYNC_EVENT_REQUEST);
        adminCommand("Asynchronous Event Request", sqe, 0, null, 0, gen)
            .whenCompleteAsync((result, error) -> onAsyncEventCompletion(gen, result, error), events);
    }

    private void onAsyncEventCompletion(final long gen, final Long result, final Throwable error)
    {
        synchronized (lock)
        {
            if (state != State.LIVE || generation != gen)
            {
                return; // lost or closing: a reconnect arms a new request on the new association
            }
        }
        if (error != null)
        {
            final Throwable cause = unwrap(error);
            if (cause instanceof NvmeException && !isPathError(((NvmeException)cause).status()))
            {
                // the controller refused it (e.g. Asynchronous Event Request Limit Exceeded): stop asking
                lastError = "asynchronous events stopped: " + cause.getMessage();
            }
            // otherwise the connection went: the reconnect arms a new request on the next association
            return;
        }
        final int dw0 = (int)(long)result;
        asyncEvents.incrementAndGet();
        AsyncEventNotice notice;
        try
        {
            notice = handleAsyncEvent(dw0);
        }
        catch (final RuntimeException e)
        {
            lastError = "handling asynchronous event 0x" + Integer.toHexString(dw0) + ": " + e.getMessage();
            notice = new AsyncEventNotice(dw0, List.of(), false);
        }
        notifyListeners(notice);
        synchronized (lock)
        {
            if (state != State.LIVE || generation != gen)
            {
                return;
            }
        }
        submitAsyncEventRequest(gen);
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
                enableAsyncEvents();
            }
            if (!options.isDiscovery())
            {
                rescanNamespaces();
            }
        }
        catch (final RuntimeException e)
        {
            lastError = "after reconnect: " + e.getMessage();
            return; // lost again: the next reconnect does all of this again
        }
        armAsyncEvents(gen);
        if (options.isDiscovery() && options.persistent())
        {
            notifyListeners(new AsyncEventNotice(AsyncEvent.DISCOVERY_LOG_CHANGED, List.of(), false));
        }
    }

    private void notifyListeners(final AsyncEventNotice notice)
    {
        for (final AsyncEventListener l : asyncEventListeners)
        {
            try
            {
                l.onAsyncEvent(this, notice);
            }
            catch (final RuntimeException e)
            {
                lastError = "asynchronous event listener failed: " + e;
            }
        }
    }

    /** Read the event's log page (which re-enables the event) and act on it. */
    private AsyncEventNotice handleAsyncEvent(final int dw0)
    {
        final int lid = AsyncEvent.logPage(dw0);
        if (AsyncEvent.type(dw0) == AsyncEvent.TYPE_NOTICE &&
            AsyncEvent.info(dw0) == AsyncEvent.NOTICE_NAMESPACE_ATTRIBUTE_CHANGED)
        {
            final ByteBuffer log = getLogPage(GetLogPage.LID_CHANGED_NAMESPACE_LIST, 0xFFFF_FFFF, 0,
                ChangedNamespaceList.LENGTH);
            if (ChangedNamespaceList.overflow(log, 0))
            {
                rescanNamespaces();
                return new AsyncEventNotice(dw0, List.of(), true);
            }
            final int n = ChangedNamespaceList.count(log, 0);
            final List<Integer> changed = new ArrayList<>(n);
            for (int i = 0; i < n; i++)
            {
                changed.add(ChangedNamespaceList.nsid(log, 0, i));
            }
            rescanNamespaces(changed);
            return new AsyncEventNotice(dw0, changed, false);
        }
        if (lid == GetLogPage.LID_DISCOVERY)
        {
            // the header (GENCTR) is enough to re-enable the notice; the listener reads the entries it wants
            getLogPage(lid, 0, 0, org.nvmeof4j.protocol.admin.DiscoveryLogPage.LENGTH);
        }
        else if (lid != 0)
        {
            getLogPage(lid, 0xFFFF_FFFF, 0, 512); // reading the page clears the event (RAE = 0)
        }
        return new AsyncEventNotice(dw0, List.of(), false);
    }

    /** Status code type 3 (path related): the command did not reach, or did not come back from, the controller. */
    private static boolean isPathError(final int status)
    {
        return (status >> 8 & 0x7) == 3;
    }

    private static Throwable unwrap(final Throwable t)
    {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    /** Listen to this controller's asynchronous events (namespace changes and others). */
    public void addAsyncEventListener(final AsyncEventListener listener)
    {
        asyncEventListeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    public void removeAsyncEventListener(final AsyncEventListener listener)
    {
        asyncEventListeners.remove(listener);
    }

    /** Asynchronous events completed by the controller since connect. */
    public long asyncEvents()
    {
        return asyncEvents.get();
    }

    // ------------------------------------------------------------------ accessors

    public ConnectOptions options()
    {
        return options.copy();
    }

    public State state()
    {
        return state;
    }

    public int cntlid()
    {
        return cntlid;
    }

    /** CAP, as read at connect. */
    public long cap()
    {
        return cap;
    }

    /** VS, as read at connect. */
    public int vs()
    {
        return vs;
    }

    /** @return a flyweight over the Identify Controller data read at connect. */
    public IdentifyController identifyController()
    {
        return new IdentifyController().wrap(identifyData.duplicate(), 0);
    }

    /** @return the raw 4096 bytes of Identify Controller (read-only). */
    public ByteBuffer identifyControllerData()
    {
        return identifyData.asReadOnlyBuffer();
    }

    /** Active namespaces, by NSID: found at connect, kept current by namespace-attribute-changed events. */
    public List<Namespace> namespaces()
    {
        return Collections.unmodifiableList(new ArrayList<>(namespaces.values()));
    }

    /** @return the namespace, or null if not active. */
    public Namespace namespace(final int nsid)
    {
        return namespaces.get(nsid);
    }

    /** @return I/O queues behind the async API. */
    public int ioQueueCount()
    {
        return ioAsync.size();
    }

    /** @return reconnects completed since connect. */
    public long reconnects()
    {
        return reconnects;
    }

    /** @return the last transport error seen, or null. */
    public String lastError()
    {
        return lastError;
    }

    /** @return Keep Alive commands sent on the admin queue. */
    public long keepAlivesSent()
    {
        return adminQueue.keepAlivesSent();
    }

    // ------------------------------------------------------------------ admin commands

    /**
     * Send any admin command (the SQE's CID and data pointer are filled in).
     *
     * @param sqe64 64 bytes of SQE.
     * @param dir   0 no data, 1 host to controller, 2 controller to host.
     * @return the completion's DW0 | DW1 << 32.
     */
    public CompletableFuture<Long> adminCommand(final String name, final ByteBuffer sqe64, final int dir,
        final ByteBuffer data, final int length)
    {
        return adminCommand(name, sqe64, dir, data, length, -1);
    }

    /**
     * @param onlyGeneration if not negative, the command is sent only on that association: it fails instead if the
     *                       connection was lost before the admin poller submits it (so it never runs on the next one).
     */
    private CompletableFuture<Long> adminCommand(final String name, final ByteBuffer sqe64, final int dir,
        final ByteBuffer data, final int length, final long onlyGeneration)
    {
        final ByteBuffer copy = ByteBuffer.allocateDirect(Sqe.LENGTH);
        copy.put(0, sqe64, sqe64.position(), Sqe.LENGTH);
        final int opcode = copy.get(0) & 0xFF;
        final AsyncQueue.Op op = new AsyncQueue.Op(name, opcode)
        {
            @Override
            int submit(final TcpQueue q, final long tag)
            {
                if (onlyGeneration >= 0 && (generation != onlyGeneration || state != State.LIVE))
                {
                    throw new NvmeTransportException(name + " not sent: the connection to " + where() +
                        " was lost");
                }
                return q.submitCommand(copy, 0, dir, data, data == null ? 0 : data.position(), length, tag);
            }
        };
        if (state == State.DEAD)
        {
            op.future.completeExceptionally(lostError(deadReason));
            return op.future;
        }
        if (state == State.RECONNECTING)
        {
            // it would wait for, and then run on, the next association; fail it now, as Linux fails admin commands
            // while a controller is not live
            op.future.completeExceptionally(new NvmeTransportException(name + " not sent: controller " + where() +
                " is reconnecting (" + lastError + ")"));
            return op.future;
        }
        return adminAsync.post(op);
    }

    /** Identify with {@code cns} for {@code nsid}: the 4096 bytes returned. Blocking. */
    public ByteBuffer identify(final int cns, final int nsid)
    {
        final ByteBuffer sqe = ByteBuffer.allocateDirect(Sqe.LENGTH);
        Identify.prepare(new Sqe().wrap(sqe, 0).clear(), cns, nsid);
        final ByteBuffer data = ByteBuffer.allocateDirect(Identify.DATA_LENGTH);
        await(adminCommand("Identify (CNS " + cns + ")", sqe, 2, data, Identify.DATA_LENGTH),
            options.adminTimeout().toNanos());
        return data;
    }

    /**
     * Get Log Page (NVMe Base 2.0, 5.16): {@code length} bytes (a multiple of 4) of log {@code lid} from byte
     * {@code offset}. Blocking.
     */
    public ByteBuffer getLogPage(final int lid, final int nsid, final long offset, final int length)
    {
        final ByteBuffer sqe = ByteBuffer.allocateDirect(Sqe.LENGTH);
        GetLogPage.prepare(new Sqe().wrap(sqe, 0).clear(), lid, nsid, 0, false, length, offset);
        final ByteBuffer data = ByteBuffer.allocateDirect(length);
        await(adminCommand("Get Log Page (LID 0x" + Integer.toHexString(lid) + ")", sqe, 2, data, length),
            options.adminTimeout().toNanos());
        return data;
    }

    /** Property Get (Fabrics) of a controller register. Blocking. */
    public long propertyGet(final int offset, final int size)
    {
        final ByteBuffer sqe = ByteBuffer.allocateDirect(Sqe.LENGTH);
        new FabricsCommand().wrap(sqe, 0).init(Opcodes.FCTYPE_PROPERTY_GET).propertySize(size).ofst(offset);
        final long v = await(adminCommand("Property Get " + ControllerRegisters.name(offset), sqe, 0, null, 0),
            options.adminTimeout().toNanos());
        return size == 4 ? v & 0xFFFF_FFFFL : v;
    }

    /** Property Set (Fabrics) of a 4-byte controller register. Blocking. */
    public void propertySet(final int offset, final int value)
    {
        final ByteBuffer sqe = ByteBuffer.allocateDirect(Sqe.LENGTH);
        new FabricsCommand().wrap(sqe, 0).init(Opcodes.FCTYPE_PROPERTY_SET).propertySize(4).ofst(offset)
            .value(value & 0xFFFF_FFFFL);
        await(adminCommand("Property Set " + ControllerRegisters.name(offset), sqe, 0, null, 0),
            options.adminTimeout().toNanos());
    }

    // ------------------------------------------------------------------ async I/O

    private AsyncQueue pickQueue()
    {
        if (ioAsync.isEmpty())
        {
            throw new IllegalStateException("no I/O queues behind the async API (nr_io_queues=0" +
                (options.isDiscovery() ? ", discovery controller" : "") + ")");
        }
        return ioAsync.get(Math.floorMod(roundRobin.getAndIncrement(), ioAsync.size()));
    }

    private CompletableFuture<Void> io(final AsyncQueue.Op op)
    {
        final CompletableFuture<Long> f;
        if (state == State.DEAD)
        {
            op.future.completeExceptionally(lostError(deadReason));
            f = op.future;
        }
        else
        {
            f = pickQueue().post(op);
        }
        return f.thenApply(x -> null);
    }

    /** Read {@code blocks} blocks at {@code lba} into {@code dst} (from its position); thread-safe. */
    public CompletableFuture<Void> read(final int nsid, final long lba, final int blocks, final ByteBuffer dst)
    {
        return io(new AsyncQueue.Op("Read", Opcodes.IO_READ)
        {
            @Override
            int submit(final TcpQueue q, final long tag)
            {
                return q.submitRead(nsid, lba, blocks, dst, tag);
            }
        });
    }

    /** Write {@code blocks} blocks at {@code lba} from {@code src} (from its position); thread-safe. */
    public CompletableFuture<Void> write(final int nsid, final long lba, final int blocks, final ByteBuffer src)
    {
        return io(new AsyncQueue.Op("Write", Opcodes.IO_WRITE)
        {
            @Override
            int submit(final TcpQueue q, final long tag)
            {
                return q.submitWrite(nsid, lba, blocks, src, tag);
            }
        });
    }

    /** Flush; thread-safe. */
    public CompletableFuture<Void> flush(final int nsid)
    {
        return io(new AsyncQueue.Op("Flush", Opcodes.IO_FLUSH)
        {
            @Override
            int submit(final TcpQueue q, final long tag)
            {
                return q.submitFlush(nsid, tag);
            }
        });
    }

    /** Write Zeroes; thread-safe. */
    public CompletableFuture<Void> writeZeroes(final int nsid, final long lba, final long blocks)
    {
        return io(new AsyncQueue.Op("Write Zeroes", Opcodes.IO_WRITE_ZEROES)
        {
            @Override
            int submit(final TcpQueue q, final long tag)
            {
                return q.submitWriteZeroes(nsid, lba, blocks, tag);
            }
        });
    }

    /** Deallocate (Dataset Management, AD) one range; thread-safe. */
    public CompletableFuture<Void> deallocate(final int nsid, final long lba, final int blocks)
    {
        return io(new AsyncQueue.Op("Dataset Management", Opcodes.IO_DATASET_MANAGEMENT)
        {
            @Override
            int submit(final TcpQueue q, final long tag)
            {
                return q.submitDeallocate(nsid, lba, blocks, tag);
            }
        });
    }

    public void readBlocking(final int nsid, final long lba, final int blocks, final ByteBuffer dst)
    {
        await(read(nsid, lba, blocks, dst), 0);
    }

    public void writeBlocking(final int nsid, final long lba, final int blocks, final ByteBuffer src)
    {
        await(write(nsid, lba, blocks, src), 0);
    }

    public void flushBlocking(final int nsid)
    {
        await(flush(nsid), 0);
    }

    public void writeZeroesBlocking(final int nsid, final long lba, final long blocks)
    {
        await(writeZeroes(nsid, lba, blocks), 0);
    }

    public void deallocateBlocking(final int nsid, final long lba, final int blocks)
    {
        await(deallocate(nsid, lba, blocks), 0);
    }

    /** Wait for {@code f}; rethrow its failure as it is (NvmeException, NvmeTransportException...). */
    public static <T> T await(final CompletableFuture<T> f, final long timeoutNanos)
    {
        try
        {
            return timeoutNanos > 0 ? f.get(timeoutNanos, TimeUnit.NANOSECONDS) : f.get();
        }
        catch (final ExecutionException | CompletionException e)
        {
            final Throwable c = e.getCause();
            if (c instanceof RuntimeException)
            {
                throw (RuntimeException)c;
            }
            throw new NvmeTransportException(String.valueOf(c), c);
        }
        catch (final TimeoutException e)
        {
            throw new NvmeTransportException("no completion within " + timeoutNanos / 1_000_000 + " ms");
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new NvmeTransportException("interrupted", e);
        }
    }

    // ------------------------------------------------------------------ polled queues

    /**
     * Open an I/O queue for the calling thread (one of the {@code nr_poll_queues} the controller granted): a new
     * connection; submit and {@link IoQueue#poll} on one thread.
     *
     * @throws IllegalStateException when every granted queue is in use.
     */
    public IoQueue openIoQueue()
    {
        final int qid;
        synchronized (lock)
        {
            if (state != State.LIVE)
            {
                throw new NvmeTransportException("controller " + where() + " is " + state);
            }
            if (nextPollQid > grantedIoQueues)
            {
                throw new IllegalStateException("no I/O queue left: the controller granted " + grantedIoQueues +
                    " (nr_io_queues=" + options.nrIoQueues() + ", nr_poll_queues=" + options.nrPollQueues() + ")");
            }
            qid = nextPollQid++;
        }
        final TcpQueue q = newIoQueue(qid);
        q.adopt(establishIo(qid, cntlid));
        synchronized (lock)
        {
            q.connection().generation = generation;
            q.lbaShifts(lbaShifts); // a namespace event may have come while the queue connected
            pollQueues.add(q);
        }
        return q;
    }

    // ------------------------------------------------------------------ error recovery

    @Override
    public void connectionLost(final TcpQueue queue, final TcpConnection connection, final String reason,
        final Throwable cause)
    {
        synchronized (lock)
        {
            if (state != State.LIVE || connection.generation != generation)
            {
                return;
            }
            state = State.RECONNECTING;
            lastError = "queue " + queue.qid() + ": " + reason;
            lossStartNanos = clock.nanoTime();
            reconnectAttempts = 0;
            generation++;
            stopQueues();
            scheduleReconnect();
        }
    }

    /** Close every queue's socket; each owner notices on its next poll and requeues its requests. */
    private void stopQueues()
    {
        adminQueue.abortConnection();
        for (final AsyncQueue aq : ioAsync)
        {
            aq.queue.abortConnection();
            aq.poller.wakeup();
        }
        for (final TcpQueue q : pollQueues)
        {
            q.abortConnection();
        }
        adminPoller.wakeup();
    }

    private void scheduleReconnect()
    {
        try
        {
            recovery.schedule(this::reconnect, options.reconnectDelay().toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (final java.util.concurrent.RejectedExecutionException ignore)
        {
            // shutting down
        }
    }

    private void reconnect()
    {
        synchronized (lock)
        {
            if (state != State.RECONNECTING)
            {
                return;
            }
            reconnectAttempts++;
        }
        final List<TcpConnection> opened = new ArrayList<>();
        try
        {
            final AdminSession s = establishAdmin();
            opened.add(s.conn);
            final List<TcpQueue> queues = new ArrayList<>();
            for (final AsyncQueue aq : ioAsync)
            {
                queues.add(aq.queue);
            }
            synchronized (lock)
            {
                pollQueues.removeIf(TcpQueue::isClosing); // queues the application closed stay closed
                queues.addAll(pollQueues);
            }
            if (s.grantedQueues < nextPollQid - 1)
            {
                throw new NvmeTransportException("controller now grants only " + s.grantedQueues + " I/O queues");
            }
            final List<TcpConnection> io = new ArrayList<>();
            for (final TcpQueue q : queues)
            {
                final TcpConnection c = establishIo(q.qid(), s.cntlid);
                opened.add(c);
                io.add(c);
            }
            synchronized (lock)
            {
                if (state != State.RECONNECTING)
                {
                    throw new NvmeTransportException("controller is " + state);
                }
                cntlid = s.cntlid;
                final long gen = generation;
                s.conn.generation = gen;
                adminQueue.offerConnection(s.conn);
                for (int i = 0; i < queues.size(); i++)
                {
                    io.get(i).generation = gen;
                    queues.get(i).offerConnection(io.get(i));
                }
                state = State.LIVE;
                reconnects++;
                wakeAll();
            }
            // a new association: namespaces may have changed while we were away, and AERs/features are per controller
            final long gen;
            synchronized (lock)
            {
                gen = generation;
            }
            try
            {
                events.execute(() -> afterReconnect(gen));
            }
            catch (final java.util.concurrent.RejectedExecutionException ignore)
            {
                // closing
            }
        }
        catch (final RuntimeException e)
        {
            for (final TcpConnection c : opened)
            {
                closeQuietly(c.channel());
            }
            synchronized (lock)
            {
                lastError = e.getMessage();
                if (state != State.RECONNECTING)
                {
                    return;
                }
                final long tmo = options.ctrlLossTmo().toNanos();
                if (tmo >= 0 && clock.nanoTime() - lossStartNanos + options.reconnectDelay().toNanos() > tmo)
                {
                    giveUp("ctrl_loss_tmo (" + options.ctrlLossTmo().toSeconds() + " s) expired after " +
                        reconnectAttempts + " reconnect attempt(s); last error: " + lastError);
                }
                else
                {
                    scheduleReconnect();
                }
            }
        }
    }

    private void giveUp(final String why)
    {
        state = State.DEAD;
        deadReason = "controller " + where() + " lost: " + why;
        adminQueue.fail(deadReason);
        for (final AsyncQueue aq : ioAsync)
        {
            aq.queue.fail(deadReason);
        }
        for (final TcpQueue q : pollQueues)
        {
            q.fail(deadReason);
        }
        wakeAll();
    }

    private void wakeAll()
    {
        adminPoller.execute(() -> { });
        for (final Poller p : ioPollers)
        {
            p.execute(() -> { });
        }
    }

    // ------------------------------------------------------------------ errors

    RuntimeException statusError(final String name, final int opcode, final int status, final TcpQueue q)
    {
        if (status == IoQueue.STATUS_CONTROLLER_LOST && q.failure() != null)
        {
            return lostError(q.failure());
        }
        if (status == NvmeStatus.HOST_PATHING_ERROR.status() && q.lostReason() != null)
        {
            return new NvmeTransportException(name + " aborted: connection to " + where() + " lost (" +
                q.lostReason() + ")");
        }
        return new NvmeException(name, opcode, status);
    }

    RuntimeException lostError(final String reason)
    {
        return new ControllerLostException(reason != null ? reason : "controller " + where() + " lost", null);
    }

    RuntimeException closedError()
    {
        if (deadReason != null)
        {
            return lostError(deadReason);
        }
        return new NvmeTransportException("controller " + where() + " is closed");
    }

    // ------------------------------------------------------------------ shutdown

    /**
     * Disconnect: shut the controller down (CC.SHN = normal, wait for CSTS.SHST complete, at most 5 s), then close
     * every connection. Requests still in flight fail. Polled queues must no longer be used.
     */
    @Override
    public void close()
    {
        synchronized (lock)
        {
            if (state == State.DELETING || (state == State.DEAD && deadReason != null &&
                deadReason.endsWith("deleted")))
            {
                return;
            }
            final boolean live = state == State.LIVE;
            state = State.DELETING;
            if (!live)
            {
                shutdownQuietly();
                return;
            }
        }
        try
        {
            final int cc = (int)propertyGet(ControllerRegisters.CC, 4);
            propertySet(ControllerRegisters.CC, (cc & ~(0x3 << 14)) | ControllerRegisters.Cc.SHN_NORMAL << 14);
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline)
            {
                final int csts = (int)propertyGet(ControllerRegisters.CSTS, 4);
                if (ControllerRegisters.Csts.shst(csts) == ControllerRegisters.Csts.SHST_COMPLETE)
                {
                    break;
                }
                LockSupport.parkNanos(1_000_000);
            }
        }
        catch (final RuntimeException ignore)
        {
            // a controller that cannot shut down cleanly is closed anyway
        }
        shutdownQuietly();
    }

    private void shutdownQuietly()
    {
        final String reason = "controller " + where() + " deleted";
        deadReason = reason;
        state = State.DEAD;
        recovery.shutdownNow();
        events.shutdownNow();
        for (final Poller p : ioPollers)
        {
            p.close();
        }
        if (adminPoller != null)
        {
            adminPoller.close();
        }
        synchronized (lock)
        {
            for (final TcpQueue q : pollQueues)
            {
                q.fail(reason);
                q.abortConnection();
            }
        }
        if (adminQueue != null)
        {
            adminQueue.abortConnection();
        }
    }

    private static void closeQuietly(final java.nio.channels.Channel ch)
    {
        try
        {
            ch.close();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
    }

    @Override
    public String toString()
    {
        return "NvmeController{" + where() + ", cntlid=" + cntlid + ", " + state + '}';
    }
}
