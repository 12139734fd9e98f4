package org.nvmeof4j.host;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.nvmeof4j.host.queue.HostQueue;
import org.nvmeof4j.host.spi.NvmeTransport;
import org.nvmeof4j.host.spi.NvmeTransports;
import org.nvmeof4j.host.spi.TransportController;
import org.nvmeof4j.protocol.admin.GetLogPage;
import org.nvmeof4j.protocol.admin.Identify;
import org.nvmeof4j.protocol.admin.IdentifyController;
import org.nvmeof4j.protocol.fabrics.ControllerRegisters;
import org.nvmeof4j.protocol.fabrics.FabricsCommand;
import org.nvmeof4j.protocol.nvme.NvmeStatus;
import org.nvmeof4j.protocol.nvme.Opcodes;
import org.nvmeof4j.protocol.nvme.Sqe;
import org.nvmeof4j.tcp.Poller;

/**
 * A connection to one NVMe controller over a fabrics transport ({@code tcp} unless {@link ConnectOptions#transport}
 * names another), brought up as {@code nvme connect} does ({@link AssociationSetup}): admin queue with Connect
 * (dynamic CNTLID), CAP and VS, CC.EN = 1 and CSTS.RDY within CAP.TO, Identify Controller, Set Features Number of
 * Queues, then the I/O queues. {@link #close()} shuts the controller down (CC.SHN) and closes the connections.
 * This class is the controller level; it knows no transport: the transport, found by name in
 * {@link NvmeTransports}, opens each queue and moves its commands.
 *
 * <p><b>Two I/O APIs.</b> The thread-safe async API ({@link #read}, {@link #write}, ... returning
 * {@link CompletableFuture}s, plus blocking variants) runs on {@code nr_io_queues} queues driven by poller threads.
 * {@link #openIoQueue()} hands an {@link IoQueue} to the calling thread (one of {@code nr_poll_queues}): the fastest
 * path, submit and poll on that thread.
 *
 * <p><b>Error recovery</b> ({@link ErrorRecovery}) follows the Linux host's: when any queue loses its connection
 * (peer closed, TermReq, protocol error, command timeout) the controller goes to {@link State#RECONNECTING}, closes
 * every queue's connection, and tries to connect again every {@code reconnect_delay}; I/O in flight waits and is
 * resent on the new connections, so no acknowledged write is lost and nothing is acknowledged twice. When
 * {@code ctrl_loss_tmo} expires the controller is {@link State#DEAD} and every request fails with a
 * {@link ControllerLostException} naming the last error. Namespaces ({@link NamespaceTable}) and asynchronous
 * events ({@link AsyncEvents}) have their own parts.
 */
public final class NvmeController implements AutoCloseable
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

    /** Guards the state, the generation and the queue lists. */
    final Object lock = new Object();
    private final int instance;
    private final ConnectOptions options;
    private final java.util.concurrent.atomic.AtomicLong reauthentications = new java.util.concurrent.atomic.AtomicLong();
    private final NanoClock clock;
    private final TransportController transport;
    private final AssociationSetup setup;
    private final ControllerQueues queues = new ControllerQueues();
    private final NamespaceTable namespaces = new NamespaceTable(this);
    private final AsyncEvents asyncEvents;
    private final ErrorRecovery recovery;

    private volatile State state = State.LIVE;
    /** The association: incremented on every loss, so that late news of an old one is ignored. */
    private volatile long generation;
    private volatile int cntlid;
    private long cap;
    private int vs;
    private ByteBuffer identifyData;
    private IdentifyController identify;
    private int grantedIoQueues;
    private int nextPollQid;
    /** The first qid of the polled queues (after the async ones). */
    private int firstPollQid;
    /** Polled qids being connected by {@link #openIoQueue} now (not in {@code queues.polled} yet). Under the lock. */
    private final java.util.BitSet connectingPollQids = new java.util.BitSet();
    private volatile int[] lbaShifts = new int[0];
    /** Largest transfer the transport can move (0: no cap), from the admin queue's first connect. */
    private long transportMaxTransfer;
    private volatile String lastError;
    private volatile String deadReason;

    private NvmeController(final ConnectOptions options, final NvmeTransport transport)
    {
        final int instance = INSTANCES.incrementAndGet();
        this.options = options;
        this.clock = options.clock();
        this.transport = transport.createController(options);
        this.setup = new AssociationSetup(options, this.transport, this.transport.address() + " (" +
            options.nqn() + ")");
        this.asyncEvents = new AsyncEvents(this, options, instance);
        this.recovery = new ErrorRecovery(this, options, instance);
        this.instance = instance;
    }

    /**
     * Connect to the controller {@code options} names.
     *
     * @throws IllegalArgumentException for options the transport does not take (or an unknown transport).
     * @throws NvmeTransportException   if it cannot be reached or breaks the protocol.
     * @throws NvmeException            if it fails a command of the connect sequence (e.g. Connect Invalid Host).
     */
    public static NvmeController connect(final ConnectOptions options)
    {
        final ConnectOptions o = options.validated();
        final NvmeTransport transport = NvmeTransports.get(o.transport());
        transport.validate(o);
        final NvmeController c = new NvmeController(o, transport);
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
        final AssociationSetup.AdminSession s = setup.establishAdmin();
        cap = s.cap;
        vs = s.vs;
        cntlid = s.cntlid;
        identifyData = s.identify;
        identify = new IdentifyController().wrap(identifyData, 0);
        grantedIoQueues = s.grantedQueues;
        transportMaxTransfer = Math.max(0, transport.maxTransferBytes(s.queue));
        final HostQueue admin = new HostQueue(0, ADMIN_QUEUE_SIZE, recovery, clock, options.adminTimeout().toNanos(),
            false);
        admin.icdoff(identify.icdoff());
        admin.keepAliveInterval(options.keepsAlive() ? options.keepAliveTmo().toNanos() / 2 : 0);
        admin.adopt(s.queue, generation);
        queues.admin = admin;
        queues.adminPoller = new Poller("nvmeof4j-admin-" + instance, options.idleStrategy()).start();
        queues.adminAsync = new AsyncQueue(this, admin, queues.adminPoller);
        queues.adminAsync.start();
        if (options.isDiscovery())
        {
            if (options.persistent())
            {
                asyncEvents.enable();
                asyncEvents.arm(generation);
            }
            return;
        }
        asyncEvents.enable();
        namespaces.rescan();
        final int nrIo = Math.min(options.nrIoQueues(), grantedIoQueues);
        final int pollers = Math.max(1, Math.min(nrIo, Runtime.getRuntime().availableProcessors()));
        for (int i = 0; i < pollers && nrIo > 0; i++)
        {
            queues.ioPollers.add(new Poller("nvmeof4j-io-" + instance + "-" + i, options.idleStrategy()).start());
        }
        for (int qid = 1; qid <= nrIo; qid++)
        {
            final HostQueue q = newIoQueue(qid);
            q.adopt(setup.establishIo(qid, cntlid), generation);
            final AsyncQueue aq = new AsyncQueue(this, q, queues.ioPollers.get((qid - 1) % pollers));
            synchronized (lock)
            {
                queues.ioAsync.add(aq);
            }
            aq.start();
        }
        nextPollQid = nrIo + 1;
        firstPollQid = nextPollQid;
        asyncEvents.arm(generation);
    }

    private HostQueue newIoQueue(final int qid)
    {
        final HostQueue q = new HostQueue(qid, options.queueSize(), recovery, clock, options.ioTimeout().toNanos(),
            !options.failoverIo());
        q.maxDataBytes(maxDataTransferBytes());
        final long icsz = identify.maxInCapsuleDataBytes();
        q.inCapsuleMax((int)Math.max(0, Math.min(icsz, 1 << 20)));
        q.icdoff(identify.icdoff());
        q.lbaShifts(lbaShifts);
        return q;
    }

    /** MDTS in bytes (0: no limit), capped by the transport's limit (a read offload's) when there is one. */
    public long maxDataTransferBytes()
    {
        final long mdts = identify.maxDataTransferBytes(4096 << ControllerRegisters.Cap.mpsmin(cap));
        if (transportMaxTransfer <= 0)
        {
            return mdts;
        }
        return mdts <= 0 ? transportMaxTransfer : Math.min(mdts, transportMaxTransfer);
    }

    // ------------------------------------------------------------------ what the parts share

    /** @return whether association {@code gen} is the live one. */
    boolean isLive(final long gen)
    {
        return state == State.LIVE && generation == gen;
    }

    long generation()
    {
        return generation;
    }

    /** A connection was lost: later news of the old association is stale. Under the lock. */
    void nextGeneration()
    {
        generation++;
    }

    void state(final State s)
    {
        state = s;
    }

    void cntlid(final int id)
    {
        cntlid = id;
    }

    void lastError(final String error)
    {
        lastError = error;
    }

    ControllerQueues queues()
    {
        return queues;
    }

    AssociationSetup setup()
    {
        return setup;
    }

    AsyncEvents events()
    {
        return asyncEvents;
    }

    NamespaceTable namespaceTable()
    {
        return namespaces;
    }

    /** @return the I/O queue IDs in use (async and polled): a reconnect needs as many. Under the lock. */
    int ioQueuesInUse()
    {
        return nextPollQid - 1;
    }

    /** LBA size per NSID, to every I/O queue (a volatile array swap; queues read it per command). */
    void publishLbaShifts(final int[] shifts)
    {
        synchronized (lock)
        {
            lbaShifts = shifts;
            queues.lbaShifts(shifts);
        }
    }

    String where()
    {
        return transport.address() + " (" + options.nqn() + ")";
    }

    /** Lost for good: fail everything. Under the lock. */
    void giveUp(final String why)
    {
        state = State.DEAD;
        deadReason = "controller " + where() + " lost: " + why;
        queues.failAll(deadReason);
        queues.wakeAll();
    }

    // ------------------------------------------------------------------ asynchronous events

    /** Listen to this controller's asynchronous events (namespace changes and others). */
    public void addAsyncEventListener(final AsyncEventListener listener)
    {
        asyncEvents.addListener(listener);
    }

    public void removeAsyncEventListener(final AsyncEventListener listener)
    {
        asyncEvents.removeListener(listener);
    }

    /** Asynchronous events completed by the controller since connect. */
    public long asyncEvents()
    {
        return asyncEvents.completed();
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
        return namespaces.list();
    }

    /** @return the namespace, or null if not active. */
    public Namespace namespace(final int nsid)
    {
        return namespaces.get(nsid);
    }

    /** @return I/O queues behind the async API. */
    public int ioQueueCount()
    {
        return queues.ioAsync.size();
    }

    /** @return reconnects completed since connect. */
    public long reconnects()
    {
        return recovery.reconnects();
    }

    /** @return the last transport error seen, or null. */
    public String lastError()
    {
        return lastError;
    }

    /** @return Keep Alive commands sent on the admin queue. */
    public long keepAlivesSent()
    {
        return queues.admin.keepAlivesSent();
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
    CompletableFuture<Long> adminCommand(final String name, final ByteBuffer sqe64, final int dir,
        final ByteBuffer data, final int length, final long onlyGeneration)
    {
        final AsyncQueue.Op op = new AsyncOps.Admin(this, name, sqe64, dir, data, length, onlyGeneration);
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
        return queues.adminAsync.post(op);
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

    /**
     * Re-authenticate the admin queue with DH-HMAC-CHAP (NVMe Base 2.0, 8.13.5.9: a host may start a new transaction
     * at any time on an authenticated queue), as Linux does when {@code dhchap_secret} is written in sysfs: a new
     * AUTH_Negotiate, fresh challenges and, with a DH group, a fresh DH exchange. Blocking; I/O continues meanwhile.
     *
     * @throws IllegalStateException        without a {@code dhchap_secret}
     * @throws NvmeAuthenticationException  when the transaction fails (the controller then ends the association,
     *                                      and this controller reconnects as after any loss)
     */
    public void reauthenticate()
    {
        if (options.dhchapSecret() == null)
        {
            throw new IllegalStateException("no dhchap_secret configured for " + where());
        }
        final long timeout = options.adminTimeout().toNanos();
        final int tid = 0x100 + (int)(reauthentications.incrementAndGet() & 0xFEFF);
        new DhchapAuthenticator(options, 0, tid, where()).run((fctype, buffer, length) -> {
            final ByteBuffer sqe = ByteBuffer.allocateDirect(Sqe.LENGTH);
            new FabricsCommand().wrap(sqe, 0).init(fctype).secp(org.nvmeof4j.protocol.auth.AuthMessage.SECP)
                .spsp0(org.nvmeof4j.protocol.auth.AuthMessage.SPSP).spsp1(org.nvmeof4j.protocol.auth.AuthMessage.SPSP)
                .transferLength(length);
            final boolean send = fctype == Opcodes.FCTYPE_AUTHENTICATION_SEND;
            await(adminCommand(send ? "Authentication Send" : "Authentication Receive", sqe, send ? 1 : 2, buffer,
                length), timeout);
        });
    }

    /** @return re-authentications started with {@link #reauthenticate()}. */
    public long reauthentications()
    {
        return reauthentications.get();
    }

    // ------------------------------------------------------------------ async I/O

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
            final AsyncQueue q = queues.pick();
            if (q == null)
            {
                throw new IllegalStateException("no I/O queues behind the async API (nr_io_queues=0" +
                    (options.isDiscovery() ? ", discovery controller" : "") + ")");
            }
            f = q.post(op);
        }
        return f.thenApply(x -> null);
    }

    /** Read {@code blocks} blocks at {@code lba} into {@code dst} (from its position); thread-safe. */
    public CompletableFuture<Void> read(final int nsid, final long lba, final int blocks, final ByteBuffer dst)
    {
        return io(new AsyncOps.Read(nsid, lba, blocks, dst));
    }

    /** Write {@code blocks} blocks at {@code lba} from {@code src} (from its position); thread-safe. */
    public CompletableFuture<Void> write(final int nsid, final long lba, final int blocks, final ByteBuffer src)
    {
        return io(new AsyncOps.Write(nsid, lba, blocks, src));
    }

    /** Flush; thread-safe. */
    public CompletableFuture<Void> flush(final int nsid)
    {
        return io(new AsyncOps.Flush(nsid));
    }

    /** Write Zeroes; thread-safe. */
    public CompletableFuture<Void> writeZeroes(final int nsid, final long lba, final long blocks)
    {
        return io(new AsyncOps.WriteZeroes(nsid, lba, blocks));
    }

    /** Deallocate (Dataset Management, AD) one range; thread-safe. */
    public CompletableFuture<Void> deallocate(final int nsid, final long lba, final int blocks)
    {
        return io(new AsyncOps.Deallocate(nsid, lba, blocks));
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
     * connection; submit and {@link IoQueue#poll} on one thread. The qid of a polled queue the application closed is
     * used again (a gateway reopens a queue it closed after a timeout).
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
            final int free = freePollQid();
            if (free < 0 && nextPollQid > grantedIoQueues)
            {
                throw new IllegalStateException("no I/O queue left: the controller granted " + grantedIoQueues +
                    " (nr_io_queues=" + options.nrIoQueues() + ", nr_poll_queues=" + options.nrPollQueues() + ")");
            }
            qid = free >= 0 ? free : nextPollQid++;
            connectingPollQids.set(qid);
        }
        try
        {
            return openIoQueue(qid);
        }
        finally
        {
            synchronized (lock)
            {
                connectingPollQids.clear(qid);
            }
        }
    }

    /** @return a polled qid whose queue the application closed (none open or connecting with it), or -1. Locked. */
    private int freePollQid()
    {
        queues.polled.removeIf(HostQueue::isClosing);
        for (int qid = firstPollQid; qid < nextPollQid; qid++)
        {
            if (connectingPollQids.get(qid))
            {
                continue;
            }
            boolean used = false;
            for (final HostQueue p : queues.polled)
            {
                used |= p.qid() == qid;
            }
            if (!used)
            {
                return qid;
            }
        }
        return -1;
    }

    private IoQueue openIoQueue(final int qid)
    {
        final HostQueue q = newIoQueue(qid);
        final long gen = generation;
        q.adopt(setup.establishIo(qid, cntlid), gen);
        synchronized (lock)
        {
            if (generation != gen)
            {
                // lost while this queue connected: its connection belongs to an association that is gone, and the
                // reconnect may already have counted the queues it brings back
                q.close();
                throw new NvmeTransportException("I/O queue " + qid + " to " + where() +
                    " lost while connecting (" + lastError + ")");
            }
            q.lbaShifts(lbaShifts); // a namespace event may have come while the queue connected
            queues.polled.add(q);
        }
        return q;
    }

    // ------------------------------------------------------------------ errors

    RuntimeException statusError(final String name, final int opcode, final int status, final HostQueue q)
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
        recovery.shutdown();
        asyncEvents.shutdown();
        synchronized (lock)
        {
            queues.shutdown(reason);
        }
        transport.close();
    }

    @Override
    public String toString()
    {
        return "NvmeController{" + where() + ", cntlid=" + cntlid + ", " + state + '}';
    }
}
