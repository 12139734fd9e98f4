package org.nvmeof4j.target.queue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import org.nvmeof4j.protocol.auth.AuthMessage;
import org.nvmeof4j.protocol.auth.DhchapController;
import org.nvmeof4j.protocol.fabrics.FabricsCommand;
import org.nvmeof4j.protocol.fabrics.Nqn;
import org.nvmeof4j.protocol.nvme.Cqe;
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
import org.nvmeof4j.target.ConnectionLimits;
import org.nvmeof4j.target.Listener;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.controller.Controller;
import org.nvmeof4j.target.subsystem.HostAuth;
import org.nvmeof4j.target.offload.OffloadHook;
import org.nvmeof4j.tcp.PduReceiver;
import org.nvmeof4j.tcp.PduSender;
import org.nvmeof4j.tcp.Poller;
import org.nvmeof4j.tcp.SocketSegmentSource;
import org.nvmeof4j.tcp.NvmeTcpConnection;

/**
 * One NVMe/TCP controller-side queue (one TCP connection): the PDU data flow of its commands. ICReq/ICResp
 * (NVMe/TCP 3.6.2.2-3), in-capsule data, R2T + H2CData for the rest of a host-to-controller transfer (3.6.2.8-10),
 * C2HData for controller-to-host data and CapsuleResp (3.6.2.7). What a command does is elsewhere: the Connect that
 * binds the queue to a controller in {@link ConnectHandler}, the NVM I/O commands in {@link NvmCommands} (both on the
 * queue's poller thread), admin commands in the {@link Controller}.
 *
 * <p>Nothing is allocated per command: request slots are preallocated (SQSIZE + 1 of them, indexed by a CID table),
 * PDU headers come from the sender's ring, and data is sent straight from RAM-backend memory or received straight
 * into it when data digests are off. With data digests on, H2C data is staged and committed only once the digest
 * matched; a mismatch fails that command with Data Transfer Error and the connection stays up.
 *
 * <p>Protocol violations end the connection with the C2HTermReq that NVMe/TCP 3.6.2.5 names (see {@link Fes}); other
 * queues and the process are unaffected.
 */
public final class TargetQueue extends NvmeTcpConnection implements Request.StagingAccount
{
    private static final System.Logger LOG = System.getLogger("org.nvmeof4j.target");
    /** Largest in-capsule data accepted on the admin queue (NVMe/TCP 3.6.2.6: 8 KiB for admin and Fabrics). */
    public static final int ADMIN_INLINE_DATA = 8192;
    private static final int NO_SLOT = 0;
    /** Status Code Type 3h: path related status (NVMe Base 2.0, 4.6.1.2.4). */
    private static final int PATH_RELATED_SCT = 0x3;
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    /** Staging room for the data of an Authentication Receive (the largest Challenge is 1104 bytes). */
    private static final int AUTH_RECEIVE_BUFFER = 4096;
    /** {@link #prepareH2c} result: the command must wait for staging. Statuses are never negative. */
    private static final int WAIT_FOR_STAGING = -2;

    private final Target target;
    private final Listener listener;
    private final Poller poller;
    private final IcReqPdu icReq = new IcReqPdu();
    private final IcRespPdu icResp = new IcRespPdu();
    private final DataPdu dataPdu = new DataPdu();
    private final Cqe cqe = new Cqe();
    private final Sqe peek = new Sqe();
    private final ConnectHandler connectHandler;
    private final NvmCommands nvm;
    /**
     * CID to slot + 1 of the commands in flight, sized to the slots; allocated with the first command capsule, so
     * that a connection which never gets past ICReq (a silent or slowloris peer) costs nothing here.
     */
    private CidMap cidToSlot;
    /** The target offload serving this I/O queue (seed 004): set only after Connect, null when none. */
    private OffloadHook.Connection offload;

    private Request[] requests;
    private int[] freeSlots;
    private int freeCount;
    private Request current;

    private boolean ddgst;
    /** The DH-HMAC-CHAP state of this queue when its host must authenticate; null otherwise. */
    private DhchapController dhchap;
    private String authHostNqn;
    /** When this queue's host was asked to authenticate. */
    private long authStartNanos;
    /** The send token after which the queue closes (a failed authentication), or -1. */
    private long closeAfterToken = -1;
    private Controller controller;
    private int qid = -1;
    private int sqSize = 1;
    private int sqhd;
    private boolean sqFlowControlDisabled;
    private volatile long lastActivityNanos = System.nanoTime();
    private long nowNanos = System.nanoTime();

    // statistics
    private long commands;
    private long errors;
    private final InetAddress remoteAddress;
    private final long acceptedNanos;
    /** When the ICResp went out; 0 before. */
    private long initializedNanos;
    private long abandonedAers;
    /** The host NQN this queue is counted under ({@link Target#admitHost}), or null. */
    private String countedHostNqn;

    // staging budget (ConnectionLimits.stagingPerConnection x MAXH2CDATA)
    private final long stagingBudget;
    private long stagingHeld;
    /** Commands waiting for staging, in arrival order (a ring of slot indexes). */
    private int[] waiting = new int[1];
    private int waitingHead;
    private int waitingCount;
    /** A slot freed since the waiting commands last tried. */
    private boolean slotFreed;
    private boolean resuming;
    private long stagingWaits;

    /**
     * @param channel  the accepted connection.
     * @param target   the target it belongs to.
     * @param listener the listener that accepted it (port identity for the discovery log).
     * @param poller   the poller that will drive it.
     */
    public TargetQueue(final SocketChannel channel, final Target target, final Listener listener, final Poller poller)
        throws IOException
    {
        this(channel, target, listener, poller, null);
    }

    /**
     * A queue on an accepted connection that the target admitted under its connection limits.
     *
     * @param remoteAddress the host's IP address as counted against the limits; null: not counted (a queue that
     *                      did not come through {@code Target.accept}, as in tests that drive one by hand).
     */
    public TargetQueue(final SocketChannel channel, final Target target, final Listener listener, final Poller poller,
        final InetAddress remoteAddress)
        throws IOException
    {
        // the send ring starts at its smallest (8 PDUs, 2 KiB of direct memory) and grows with the queue's first
        // bursts: a connection that never sends an ICReq (a flood) then costs 2 KiB of it, not 16 KiB; direct memory
        // of a closed connection returns only when a GC runs
        super(channel, PduReceiver.Role.CONTROLLER, 8);
        this.remoteAddress = remoteAddress;
        this.acceptedNanos = System.nanoTime();
        this.target = target;
        this.listener = listener;
        this.poller = poller;
        if (poller != null)
        {
            // every read goes into the poller's one receive buffer: a connection keeps no receive memory of its own
            segmentSource(new SocketSegmentSource(poller::receiveBuffer));
        }
        this.connectHandler = new ConnectHandler(target, listener);
        this.nvm = new NvmCommands(this);
        this.stagingBudget = target.stagingBudget();
        allocateSlots(1);
        receiver.maxInCapsuleData(Math.max(ADMIN_INLINE_DATA, target.inlineDataSize()));
        receiver.maxDataPdu(target.maxH2cData());
    }

    private void allocateSlots(final int n)
    {
        final Request[] old = requests;
        final Request[] slots = new Request[n];
        final ByteBuffer sqes = ByteBuffer.allocateDirect(n * Sqe.LENGTH);
        final int keep = old == null ? 0 : Math.min(old.length, n);
        for (int i = 0; i < n; i++)
        {
            slots[i] = i < keep ? old[i] : new Request(i, sqes.slice(i * Sqe.LENGTH, Sqe.LENGTH), this);
        }
        for (int i = keep; old != null && i < old.length; i++)
        {
            stagingHeld -= old[i].dropStaging();
        }
        requests = slots;
        if (cidToSlot != null)
        {
            // the map is sized to the slots: carry the commands in flight (the Connect that binds) into a new one
            cidToSlot = new CidMap(n);
            for (int i = 0; i < keep; i++)
            {
                if (slots[i].state != Request.FREE)
                {
                    cidToSlot.put(slots[i].cid, i + 1);
                }
            }
        }
        waiting = new int[n];
        waitingHead = 0;
        waitingCount = 0;
        freeSlots = new int[n];
        freeCount = 0;
        for (int i = n - 1; i >= 0; i--)
        {
            if (slots[i].state == Request.FREE)
            {
                freeSlots[freeCount++] = i;
            }
        }
    }

    public Target target()
    {
        return target;
    }

    public Listener listener()
    {
        return listener;
    }

    public Poller poller()
    {
        return poller;
    }

    /** @return the queue ID from Connect (0 = admin), or -1 before Connect. */
    public int qid()
    {
        return qid;
    }

    public Controller controller()
    {
        return controller;
    }

    /** @return whether data digests were negotiated in ICReq/ICResp (data then goes through staging buffers). */
    public boolean dataDigest()
    {
        return ddgst;
    }

    /** @return {@link System#nanoTime()} of the last command received on this queue. */
    public long lastActivityNanos()
    {
        return lastActivityNanos;
    }

    /** @return the local address of the connection (the address the host reached us on), or null. */
    public InetSocketAddress localAddress()
    {
        try
        {
            return (InetSocketAddress)channel.getLocalAddress();
        }
        catch (final IOException | RuntimeException e)
        {
            return null;
        }
    }

    public long commandsReceived()
    {
        return commands;
    }

    public long errorsReturned()
    {
        return errors;
    }

    /** @return Read commands this I/O queue completed successfully (0 on the admin queue). Any thread. */
    public long readsCompleted()
    {
        return nvm.reads();
    }

    /** @return Write commands this I/O queue completed successfully. Any thread. */
    public long writesCompleted()
    {
        return nvm.writes();
    }

    /** @return data bytes this I/O queue sent for successful Reads. Any thread. */
    public long bytesRead()
    {
        return nvm.bytesRead();
    }

    /** @return data bytes this I/O queue stored for successful Writes. Any thread. */
    public long bytesWritten()
    {
        return nvm.bytesWritten();
    }

    /** @return AERs the host gave up by reusing their command identifiers (see {@code Controller.abandonAer}). */
    public long abandonedAers()
    {
        return abandonedAers;
    }

    /** Close from any thread: the close runs on the queue's poller. */
    public void closeAsync(final String reason)
    {
        if (poller == null || poller.inPollerThread())
        {
            close(reason, null);
        }
        else
        {
            poller.execute(() -> close(reason, null));
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // duty cycle

    @Override
    public int doWork() throws Exception
    {
        // one clock read per duty cycle: commands received in this cycle are stamped with it (keep-alive)
        nowNanos = System.nanoTime();
        return super.doWork();
    }

    @Override
    protected int onDuty(final long now)
    {
        nowNanos = now;
        if (qid < 0 && overdue(now))
        {
            return 1;
        }
        if (authOverdue(now))
        {
            return 1;
        }
        int work = 0;
        if (waitingCount > 0 && slotFreed)
        {
            work += resumeWaiting();
        }
        if (controller != null && qid == 0)
        {
            work += controller.onAdminDuty(this, now);
        }
        return work;
    }

    @Override
    public boolean prepareToSleep()
    {
        return waitingCount > 0 && slotFreed && !isClosed();
    }

    // ------------------------------------------------------------------------------------------------------------
    // staging budget

    @Override
    public void stagingGrown(final Request r, final int oldCapacity, final int newCapacity)
    {
        // in-capsule data and admin data cannot wait: they only make room (their size is bounded by the ICResp)
        makeRoom(r, newCapacity, false);
        stagingHeld += newCapacity - oldCapacity;
    }

    /**
     * Whether {@code r} may hold {@code capacity} bytes of staging within the connection's budget, after letting go
     * of the staging that free slots keep for reuse; {@code adopt}: whether {@code r} may instead take over an idle
     * slot's buffer.
     */
    private boolean makeRoom(final Request r, final int capacity, final boolean adopt)
    {
        final int grow = capacity - r.stagingCapacity();
        if (grow <= 0)
        {
            return true;
        }
        if (stagingHeld + grow <= stagingBudget)
        {
            return true;
        }
        // at the budget: take over a big enough buffer of a free slot or of a waiting command (which holds no data
        // until it runs, and asks again when it resumes) rather than let go of it and allocate another (a direct
        // buffer let go of is freed only at a GC: at 10K such reads a second, 1.3 GB/s of them)
        final int candidates = freeCount + waitingCount;
        for (int i = 0; adopt && i < candidates; i++)
        {
            final Request f = idleSlot(i);
            if (f != null && f != r && f.stagingCapacity() >= capacity)
            {
                stagingHeld -= r.dropStaging();
                r.adoptStaging(f.takeStaging());
                return true;
            }
        }
        for (int i = 0; i < candidates && stagingHeld + grow > stagingBudget; i++)
        {
            final Request f = idleSlot(i);
            if (f != null && f != r)
            {
                stagingHeld -= f.dropStaging();
            }
        }
        return stagingHeld + grow <= stagingBudget;
    }

    /**
     * @return the {@code i}th slot whose staging nothing uses (the free slots, then the waiting commands that hold
     *         no data yet), or null when that waiting command holds data.
     */
    private Request idleSlot(final int i)
    {
        if (i < freeCount)
        {
            return requests[freeSlots[i]];
        }
        final Request w = requests[waiting[(waitingHead + i - freeCount) % waiting.length]];
        return w.dataLength == 0 ? w : null;
    }

    /**
     * Whether {@code r} may go on with {@code capacity} bytes of staging now. Commands wait in arrival order: while
     * any is waiting, a new one queues behind it even if the staging just freed would fit it, or a steady stream of
     * new commands (each taking what the last completion freed before the duty cycle resumes the waiting ones)
     * starves the oldest for many milliseconds (128 KiB reads at QD 32 against a 2 MiB budget: waits of 10 ms on
     * average, p99 20 ms), the more so as a new command lands in the slot just freed, whose staging it keeps.
     */
    private boolean takeStaging(final Request r, final int capacity)
    {
        return (resuming || waitingCount == 0) && makeRoom(r, capacity, true);
    }

    /** Park {@code r} until staging frees; counted once per command. */
    private void waitForStaging(final Request r)
    {
        r.state = Request.WAITING;
        if (!r.stagingWaitCounted)
        {
            r.stagingWaitCounted = true;
            stagingWaits++;
            target.limitCounters().stagingWait();
        }
        if (resuming)
        {
            waitingHead = waitingHead == 0 ? waiting.length - 1 : waitingHead - 1;
            waiting[waitingHead] = r.index;
        }
        else
        {
            waiting[(waitingHead + waitingCount) % waiting.length] = r.index;
        }
        waitingCount++;
    }

    /** Start the waiting commands, oldest first, until one must wait again. */
    private int resumeWaiting()
    {
        slotFreed = false;
        int n = 0;
        while (waitingCount > 0 && !isClosed())
        {
            final Request r = requests[waiting[waitingHead]];
            waitingHead = waitingHead + 1 == waiting.length ? 0 : waitingHead + 1;
            waitingCount--;
            r.state = Request.EXECUTING;
            resuming = true;
            try
            {
                start(r);
            }
            finally
            {
                resuming = false;
            }
            if (r.state == Request.WAITING)
            {
                break;
            }
            n++;
        }
        return n;
    }

    /** @return bytes of staging this connection holds now (at most its budget, plus in-capsule data). */
    public long stagingHeld()
    {
        return stagingHeld;
    }

    /** @return commands that waited for staging on this connection. */
    public long stagingWaits()
    {
        return stagingWaits;
    }

    /** @return commands waiting for staging now. */
    public int waitingForStaging()
    {
        return waitingCount;
    }

    /** This queue is counted under {@code hostNqn} (released when it closes). */
    void countHost(final String hostNqn)
    {
        this.countedHostNqn = hostNqn;
    }

    /** @return the host NQN this queue is counted under, or null. */
    public String countedHostNqn()
    {
        return countedHostNqn;
    }

    /**
     * A connection with no Connect yet may wait only so long for each step (accept to ICReq, ICResp to Connect):
     * drop it, and count it, when its time is up.
     */
    private boolean overdue(final long now)
    {
        final ConnectionLimits limits = target.connectionLimits();
        final boolean waitingForIcReq = initializedNanos == 0;
        final long limitMillis = waitingForIcReq ? limits.icReqTimeoutMillis() : limits.connectTimeoutMillis();
        final long since = waitingForIcReq ? acceptedNanos : initializedNanos;
        if (limitMillis == 0 || now - since < limitMillis * 1_000_000L || isClosed())
        {
            return false;
        }
        target.limitCounters().timedOut(waitingForIcReq);
        final String reason = (waitingForIcReq ? "no ICReq within " : "no Connect within ") + limitMillis +
            " ms of " + (waitingForIcReq ? "accept" : "ICResp");
        final org.nvmeof4j.tcp.tls.SecureChannel tls = secureChannel();
        if (waitingForIcReq && tls != null && tls.handshakePending())
        {
            target.countTlsFailure(org.nvmeof4j.tcp.tls.TlsFailure.TIMEOUT, peer(),
                "no TLS handshake within " + limitMillis + " ms of accept");
        }
        final long more = target.limitCounters().log().acquire();
        if (more != org.nvmeof4j.target.LogLimiter.SUPPRESSED)
        {
            LOG.log(System.Logger.Level.WARNING, () -> "dropped " + peer() + ": " + reason +
                org.nvmeof4j.target.LogLimiter.more(more));
        }
        close(reason, null);
        return true;
    }

    /**
     * A queue whose host was asked to authenticate has as long as a connection has for its Connect (the
     * {@code ConnectionLimits} Connect timeout) to finish: a host that never does holds no controller for ever.
     */
    private boolean authOverdue(final long now)
    {
        final long limitMillis = target.connectionLimits().connectTimeoutMillis();
        if (!authenticationPending() || limitMillis == 0 || now - authStartNanos < limitMillis * 1_000_000L ||
            isClosed() || closeAfterToken >= 0)
        {
            return false;
        }
        target.countAuthentication(false);
        LOG.log(System.Logger.Level.WARNING, () -> "DH-HMAC-CHAP not completed by host '" + authHostNqn + "' on " +
            subsystemNqn() + " qid " + qid + " from " + peer() + " within " + limitMillis + " ms");
        close("no DH-HMAC-CHAP authentication within " + limitMillis + " ms", null);
        return true;
    }

    /** @return the host's IP address as counted against the connection limits; null when not counted. */
    public InetAddress remoteAddress()
    {
        return remoteAddress;
    }

    @Override
    protected void onPduSent(final long token)
    {
        final Request r = requests[(int)token];
        if (r.state == Request.SENDING)
        {
            release(r);
        }
        if (token == closeAfterToken)
        {
            close("DH-HMAC-CHAP authentication failed", null);
        }
    }

    @Override
    protected void onClosed(final String reason, final Throwable cause)
    {
        if (offload != null)
        {
            offload.closed();
        }
        final org.nvmeof4j.tcp.tls.SecureChannel tls = secureChannel();
        if (tls != null && tls.failure() != null)
        {
            target.countTlsFailure(tls.failure(), String.valueOf(remoteAddress()), reason);
        }
        target.queueClosed(this, reason, cause);
        if (controller != null)
        {
            controller.queueClosed(this, qid, isClosedByPeer(), reason);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // receive side

    @Override
    public void onPduHeader(final PduReceiver rx, final PduType type, final ByteBuffer header, final int dataLength)
    {
        switch (type)
        {
            case IC_REQ:
                onIcReq(rx, header);
                break;
            case CAPSULE_CMD:
                onCapsule(rx, header, dataLength);
                break;
            case H2C_DATA:
                onH2cData(rx, header, dataLength);
                break;
            default:
                // TermReqs are handled by the receiver; nothing else reaches a controller
                rx.fatal(Fes.INVALID_HEADER_FIELD, CommonHeader.PDU_TYPE_OFFSET, "unexpected " + type);
        }
    }

    private void onIcReq(final PduReceiver rx, final ByteBuffer header)
    {
        icReq.wrap(header, 0);
        if (icReq.pfv() != 0)
        {
            rx.fatal(Fes.UNSUPPORTED_PARAMETER, IcReqPdu.PFV_OFFSET, "ICReq PFV " + icReq.pfv());
            return;
        }
        final int hpda = icReq.hpda();
        if (hpda > 31)
        {
            rx.fatal(Fes.UNSUPPORTED_PARAMETER, IcReqPdu.HPDA_OFFSET, "ICReq HPDA " + hpda);
            return;
        }
        final boolean hd = (icReq.dgst() & IcReqPdu.DGST_HDGST_ENABLE) != 0;
        final boolean dd = (icReq.dgst() & IcReqPdu.DGST_DDGST_ENABLE) != 0;
        final ByteBuffer h = sender.claimHeader();
        icResp.wrap(h, 0).encode(0, hd, dd, target.maxH2cData());
        sender.commitRaw(IcRespPdu.LENGTH, PduSender.NO_TOKEN);
        ddgst = dd;
        initializedNanos = Math.max(1, nowNanos);
        // we receive without alignment (CPDA 0) and send C2HData aligned as the host asked (HPDA)
        receiver.connectionInitialized(hd, dd, 0);
        sender.connectionInitialized(hd, dd, hpda);
    }

    private void onCapsule(final PduReceiver rx, final ByteBuffer header, final int dataLength)
    {
        lastActivityNanos = nowNanos;
        commands++;
        final int sqeIndex = CapsulePdu.CAPSULE_OFFSET;
        peek.wrap(header, sqeIndex);
        final int cid = peek.cid();
        if (qid >= 0)
        {
            sqhd = sqhd + 1 == sqSize ? 0 : sqhd + 1;
        }
        current = null;
        if (cidToSlot == null)
        {
            cidToSlot = new CidMap(requests.length);
        }
        final int inFlight = cidToSlot.get(cid);
        if (inFlight != NO_SLOT && !abandonedAer(requests[inFlight - 1]))
        {
            respondWithoutSlot(cid, NvmeStatus.COMMAND_ID_CONFLICT.status());
            drain(rx, dataLength);
            return;
        }
        if (freeCount == 0)
        {
            // the host exceeded the queue size it asked for in Connect
            respondWithoutSlot(cid, NvmeStatus.COMMAND_SEQUENCE_ERROR.status());
            drain(rx, dataLength);
            return;
        }
        final Request r = requests[freeSlots[--freeCount]];
        r.reset(cid);
        cidToSlot.put(cid, r.index + 1);
        for (int i = 0; i < Sqe.LENGTH; i += 8)
        {
            r.sqeBuffer.putLong(i, header.getLong(sqeIndex + i));
        }
        if (dataLength > 0)
        {
            // in-capsule data: SGL data block with offset subtype; ICDOFF is 0 so the offset must be 0
            if (r.sqe.sglIdentifier() != Sqe.SGL_DATA_BLOCK_OFFSET || r.sqe.sglAddress() != 0)
            {
                r.pendingStatus = NvmeStatus.SGL_DESCRIPTOR_TYPE_INVALID.status();
            }
            else if (r.sqe.sglLength() != dataLength)
            {
                r.pendingStatus = NvmeStatus.DATA_SGL_LENGTH_INVALID.status();
            }
            r.state = Request.CAPSULE_DATA;
            r.dataLength = dataLength;
            r.staged = true;
            r.dataBuffer = r.staging(dataLength);
            r.dataIndex = 0;
            current = r;
            rx.receiveDataInto(r.dataBuffer, 0);
            return;
        }
        r.state = Request.EXECUTING;
        start(r);
    }

    private static void drain(final PduReceiver rx, final int dataLength)
    {
        if (dataLength > 0)
        {
            rx.discardData();
        }
    }

    private void onH2cData(final PduReceiver rx, final ByteBuffer header, final int dataLength)
    {
        dataPdu.wrap(header, 0);
        final int ttag = dataPdu.ttag();
        final int slot = ttag - 1;
        if (slot < 0 || slot >= requests.length || requests[slot].state != Request.R2T)
        {
            rx.fatal(Fes.INVALID_HEADER_FIELD, DataPdu.TTAG_OFFSET, "H2CData with unknown TTAG " + ttag);
            return;
        }
        final Request r = requests[slot];
        if (dataPdu.cccid() != r.cid)
        {
            rx.fatal(Fes.INVALID_HEADER_FIELD, DataPdu.CCCID_OFFSET, "H2CData CCCID " + dataPdu.cccid() +
                " does not match TTAG " + ttag);
            return;
        }
        final long datao = dataPdu.datao();
        if (datao != r.received || datao + dataLength > r.dataLength)
        {
            rx.fatal(Fes.DATA_TRANSFER_OUT_OF_RANGE, 0, "H2CData DATAO " + datao + " DATAL " + dataLength +
                " outside R2T (expected offset " + r.received + " of " + r.dataLength + ")");
            return;
        }
        rx.receiveDataInto(r.dataBuffer, r.dataIndex + (int)datao);
    }

    @Override
    public void onPduDataComplete(final PduReceiver rx, final PduType type, final ByteBuffer header,
        final boolean dataDigestOk)
    {
        if (type == PduType.CAPSULE_CMD)
        {
            final Request r = current;
            current = null;
            if (r == null)
            {
                return; // drained after an early error
            }
            r.received = r.dataLength;
            if (!dataDigestOk)
            {
                complete(r, NvmeStatus.DATA_TRANSFER_ERROR.status());
                return;
            }
            r.state = Request.EXECUTING;
            if (r.pendingStatus != 0)
            {
                complete(r, r.pendingStatus);
                return;
            }
            start(r);
        }
        else if (type == PduType.H2C_DATA)
        {
            dataPdu.wrap(header, 0);
            final Request r = requests[dataPdu.ttag() - 1];
            r.received += (int)dataPdu.datal();
            if (!dataDigestOk && r.pendingStatus == 0)
            {
                r.pendingStatus = NvmeStatus.DATA_TRANSFER_ERROR.status();
            }
            if (r.received == r.dataLength)
            {
                r.state = Request.EXECUTING;
                if (r.pendingStatus != 0)
                {
                    complete(r, r.pendingStatus);
                    return;
                }
                execute(r);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // command dispatch

    /** A command whose SQE (and in-capsule data, if any) arrived: fetch remaining data by R2T, or run it. */
    private void start(final Request r)
    {
        try
        {
            final int opcode = r.sqe.opcode();
            if (r.sqe.fuse() != Sqe.FUSE_NORMAL)
            {
                complete(r, NvmeStatus.INVALID_FIELD.status()); // fused operations are not supported
                return;
            }
            if (r.sqe.psdt() == Sqe.PSDT_PRP && opcode != Opcodes.FABRICS && (r.dataLength > 0 ||
                r.sqe.sglLength() > 0 && (opcode & 0x3) != 0))
            {
                complete(r, NvmeStatus.INVALID_FIELD.status()); // NVMe over Fabrics moves data with SGLs only
                return;
            }
            final boolean h2c = opcode == Opcodes.FABRICS ?
                r.fabrics.fctype() == Opcodes.FCTYPE_AUTHENTICATION_SEND : (opcode & 0x3) == 0x1;
            if (r.dataLength == 0 && h2c && r.sqe.sglLength() > 0)
            {
                // host-to-controller data not in the capsule: ask for it with one R2T (within MAXR2T = 0)
                final int status = prepareH2c(r, opcode);
                if (status == WAIT_FOR_STAGING)
                {
                    waitForStaging(r);
                    return;
                }
                if (status != 0)
                {
                    complete(r, status);
                    return;
                }
                r.state = Request.R2T;
                final ByteBuffer h = sender.claimHeader();
                dataPdu.wrap(h, 0).encode(PduType.R2T, 0, 0, 0, r.cid, r.index + 1, 0, r.dataLength);
                sender.commit(null, 0, 0, PduSender.NO_TOKEN);
                return;
            }
            if (qid > 0 && opcode == Opcodes.IO_READ && r.sqe.sglLength() <= target.maxTransferSize() &&
                !takeStaging(r, Request.capacityFor((int)r.sqe.sglLength())))
            {
                waitForStaging(r); // a read may stage its data (file backends, data digest)
                return;
            }
            execute(r);
        }
        catch (final RuntimeException e)
        {
            complete(r, NvmeStatus.INTERNAL_ERROR.status());
        }
    }

    /** Check a command before asking for its data, and say where the data goes. */
    private int prepareH2c(final Request r, final int opcode)
    {
        final long sglLength = r.sqe.sglLength();
        if (r.sqe.sglIdentifier() != Sqe.SGL_TRANSPORT_DATA_BLOCK)
        {
            return NvmeStatus.SGL_DESCRIPTOR_TYPE_INVALID.status();
        }
        if (sglLength > target.maxTransferSize())
        {
            return NvmeStatus.DATA_SGL_LENGTH_INVALID.status();
        }
        final int length = (int)sglLength;
        if (qid > 0 && opcode == Opcodes.IO_WRITE)
        {
            final int status = nvm.checkRw(r, length);
            if (status != 0)
            {
                return status;
            }
            if (offload != null && offload.placeWrite(r, length))
            {
                r.dataLength = length; // the R2T asks for it; dataLength 0 means "not placed yet" (staging waits)
                return 0;
            }
            if (!ddgst && nvm.placeInBackend(r, length))
            {
                r.dataLength = length;
                return 0;
            }
        }
        if (!takeStaging(r, Request.capacityFor(length)))
        {
            return WAIT_FOR_STAGING; // dataLength stays 0: start() asks again from the top
        }
        r.dataLength = length;
        r.staged = true;
        r.dataBuffer = r.staging(length);
        r.dataIndex = 0;
        return 0;
    }

    private void execute(final Request r)
    {
        int status;
        try
        {
            if (r.sqe.opcode() == Opcodes.FABRICS && isAuthentication(r.fabrics.fctype()) && controller != null)
            {
                authenticate(r);
                return;
            }
            if (dhchap != null && !dhchap.authenticated())
            {
                // NVMe Base 2.0, 8.13.3: nothing but Authentication Send/Receive until the queue is authenticated
                status = NvmeStatus.AUTH_REQUIRED.status();
            }
            else if (r.sqe.opcode() == Opcodes.FABRICS)
            {
                status = executeFabrics(r);
            }
            else if (controller == null)
            {
                status = NvmeStatus.COMMAND_SEQUENCE_ERROR.status();
            }
            else if (qid == 0)
            {
                status = controller.executeAdmin(this, r);
                if (status == Controller.PENDING)
                {
                    return;
                }
                if (status == 0 && r.c2hLength() > 0)
                {
                    final int len = (int)Math.min(r.c2hLength(), r.sqe.sglLength());
                    completeWithData(r, r.data(), 0, len);
                    return;
                }
            }
            else
            {
                status = offload == null ? OffloadHook.NOT_OFFLOADED : offload.execute(r);
                if (status == OffloadHook.NOT_OFFLOADED)
                {
                    status = nvm.execute(r);
                }
                if (status < 0)
                {
                    return; // completed with data
                }
            }
        }
        catch (final IOException e)
        {
            status = r.sqe.opcode() == Opcodes.IO_READ ? NvmeStatus.UNRECOVERED_READ_ERROR.status() :
                NvmeStatus.WRITE_FAULT.status();
        }
        catch (final RuntimeException e)
        {
            status = NvmeStatus.INTERNAL_ERROR.status();
        }
        complete(r, status);
    }

    private int executeFabrics(final Request r)
    {
        final int fctype = r.fabrics.fctype();
        if (fctype == Opcodes.FCTYPE_CONNECT)
        {
            return connectHandler.connect(this, r);
        }
        if (controller == null)
        {
            return NvmeStatus.COMMAND_SEQUENCE_ERROR.status();
        }
        if (qid != 0)
        {
            // property and authentication commands belong on the admin queue
            return NvmeStatus.INVALID_OPCODE.status();
        }
        return controller.executeFabrics(this, r);
    }

    private static boolean isAuthentication(final int fctype)
    {
        return fctype == Opcodes.FCTYPE_AUTHENTICATION_SEND || fctype == Opcodes.FCTYPE_AUTHENTICATION_RECEIVE;
    }

    /**
     * The host of this queue must authenticate with DH-HMAC-CHAP before any other command (called by
     * {@link ConnectHandler} after the Connect that bound the queue).
     */
    void requireAuthentication(final HostAuth auth, final String hostNqn, final String subNqn)
    {
        dhchap = new DhchapController(auth.key(), auth.ctrlKey(), auth.hash(), auth.group(), hostNqn, subNqn, RANDOM);
        authHostNqn = hostNqn;
        authStartNanos = System.nanoTime();
        if (qid > 0)
        {
            // the Authentication Send of an I/O queue may carry up to 8 KiB in the capsule, like any Fabrics command
            receiver.maxInCapsuleData(Math.max(ADMIN_INLINE_DATA, target.inlineDataSize()));
        }
    }

    /** @return whether this queue's host must (still or again) authenticate; false if it need not or has. */
    public boolean authenticationPending()
    {
        return dhchap != null && !dhchap.authenticated();
    }

    /**
     * Authentication Send / Receive (NVMe Base 2.0, 6.2 and 6.3; as nvmet {@code nvmet_execute_auth_send} /
     * {@code _receive}): SECP must be E9h and SPSP0/SPSP1 01h, TL / AL non-zero and TL the data length, else Invalid
     * Field. The message itself goes to the queue's {@link DhchapController}, whose failures come back as
     * AUTH_Failure1 in the next Receive; once a failure is delivered (or the host's AUTH_Failure2 arrives) the
     * queue closes behind the response, and so does its controller.
     */
    private void authenticate(final Request r)
    {
        final FabricsCommand fc = r.fabrics;
        final boolean send = fc.fctype() == Opcodes.FCTYPE_AUTHENTICATION_SEND;
        final long length = fc.transferLength();
        if (dhchap == null || fc.secp() != AuthMessage.SECP || fc.spsp0() != AuthMessage.SPSP ||
            fc.spsp1() != AuthMessage.SPSP || length == 0)
        {
            complete(r, NvmeStatus.INVALID_FIELD.status());
            return;
        }
        final DhchapController.Step before = dhchap.step();
        if (send)
        {
            if (length != r.dataLength)
            {
                complete(r, NvmeStatus.INVALID_FIELD.status());
                return;
            }
            dhchap.send(r.data(), r.dataLength);
            afterAuthentication(r, before);
            complete(r, 0);
            return;
        }
        final ByteBuffer out = r.staging(AUTH_RECEIVE_BUFFER);
        final int n = dhchap.receive(out, Math.min(length, r.sqe.sglLength()));
        if (n == DhchapController.AL_TOO_SMALL)
        {
            complete(r, NvmeStatus.INVALID_FIELD.status());
            return;
        }
        afterAuthentication(r, before);
        completeWithData(r, out, 0, n);
    }

    private void afterAuthentication(final Request r, final DhchapController.Step before)
    {
        final DhchapController.Step now = dhchap.step();
        if (now == DhchapController.Step.DONE && before != DhchapController.Step.DONE)
        {
            target.countAuthentication(true);
            if (qid > 0)
            {
                receiver.maxInCapsuleData(Math.max(target.inlineDataSize(), 0));
            }
        }
        else if (now == DhchapController.Step.FAILED && before != DhchapController.Step.FAILED)
        {
            target.countAuthentication(false);
            closeAfterToken = r.index;
            final String detail = dhchap.failureReason() + ": " + dhchap.failureDetail();
            LOG.log(System.Logger.Level.WARNING, () -> "DH-HMAC-CHAP failed for host '" + authHostNqn + "' on " +
                subsystemNqn() + " qid " + qid + " from " + peer() + ": " + detail);
        }
    }

    /** Bind this queue to its controller after a successful Connect (called by {@link ConnectHandler}). */
    void bind(final Controller ctrl, final int qid, final int sqSize, final boolean sqFlowControlDisabled)
    {
        this.controller = ctrl;
        this.qid = qid;
        this.sqSize = sqSize;
        this.sqhd = 1 % sqSize;
        this.sqFlowControlDisabled = sqFlowControlDisabled;
        allocateSlots(sqSize + 1);
        receiver.maxInCapsuleData(qid == 0 ? ADMIN_INLINE_DATA : Math.max(target.inlineDataSize(), 0));
        if (qid > 0)
        {
            nvm.connected(requests.length);
            // the RFC's rule: offload is enabled on a queue only once its Connect succeeded, never before
            final OffloadHook hook = ctrl.subsystem().offload();
            offload = hook == null ? null : hook.enable(this);
        }
    }

    /** @return the target offload serving this queue, or null (software only, or before Connect). */
    public OffloadHook.Connection offload()
    {
        return offload;
    }

    /**
     * Check the namespace, LBA range and transfer length of a Read or Write (for a target offload); sets the
     * request's namespace and byte offset. Queue thread.
     *
     * @return 0 or the NVMe status to complete with.
     */
    public int checkReadWrite(final Request r, final long transferLength)
    {
        return nvm.checkRw(r, transferLength);
    }

    /**
     * Send a Read's data as one C2HData PDU whose payload is a file region, written with
     * {@link FileChannel#transferTo} (zero copy from the page cache), then the completion. Only with data digests
     * off. Queue thread.
     */
    public void completeWithFile(final Request r, final FileChannel file, final long position, final int length)
    {
        final boolean success = sqFlowControlDisabled;
        final ByteBuffer h = sender.claimHeader();
        final int flags = CommonHeader.FLAG_LAST_PDU | (success ? CommonHeader.FLAG_SUCCESS : 0);
        dataPdu.wrap(h, 0).encode(PduType.C2H_DATA, flags, 0, 0, r.cid, 0, 0, length);
        if (success)
        {
            r.state = Request.SENDING;
            sender.commitFile(file, position, length, r.index);
            return;
        }
        sender.commitFile(file, position, length, PduSender.NO_TOKEN);
        complete(r, 0);
    }


    // ------------------------------------------------------------------------------------------------------------
    // send side

    /** Send controller-to-host data, then the completion (or C2HData SUCCESS when SQ flow control is off). */
    public void completeWithData(final Request r, final ByteBuffer buf, final int index, final int length)
    {
        if (length <= 0)
        {
            complete(r, 0);
            return;
        }
        final boolean success = sqFlowControlDisabled;
        final ByteBuffer h = sender.claimHeader();
        final int flags = CommonHeader.FLAG_LAST_PDU | (success ? CommonHeader.FLAG_SUCCESS : 0);
        dataPdu.wrap(h, 0).encode(PduType.C2H_DATA, flags, 0, 0, r.cid, 0, 0, length);
        if (success)
        {
            r.state = Request.SENDING;
            sender.commit(buf, index, length, r.index);
            return;
        }
        sender.commit(buf, index, length, PduSender.NO_TOKEN);
        complete(r, 0);
    }

    /** Queue the CapsuleResp of a request; the slot frees once it is written. */
    public void complete(final Request r, final int status)
    {
        if (status != 0)
        {
            errors++;
        }
        r.state = Request.SENDING;
        sendResponse(r.cid, status, r.dw0, r.dw1, r.index);
    }

    /** Complete a parked request (an Asynchronous Event Request) from the controller, on this queue's thread. */
    public void completeParked(final Request r, final int status, final int dw0)
    {
        if (isClosed() || r.state != Request.EXECUTING)
        {
            return;
        }
        r.dw0 = dw0;
        complete(r, status);
    }

    private void respondWithoutSlot(final int cid, final int status)
    {
        errors++;
        sendResponse(cid, status, 0, 0, PduSender.NO_TOKEN);
    }

    private void sendResponse(final int cid, final int status, final int dw0, final int dw1, final long token)
    {
        final ByteBuffer h = sender.claimHeader();
        h.put(CommonHeader.PDU_TYPE_OFFSET, (byte)PduType.CAPSULE_RESP.code());
        h.put(CommonHeader.FLAGS_OFFSET, (byte)0);
        cqe.wrap(h, CapsulePdu.CAPSULE_OFFSET).clear();
        cqe.dw0(dw0).dw1(dw1).sqhd(sqFlowControlDisabled ? 0 : sqhd).sqid(Math.max(qid, 0)).cid(cid);
        if (status != 0)
        {
            // do-not-retry for everything but a data digest error, which a retry may well fix, and the path errors
            // (SCT 3h, e.g. ANA inaccessible): a multipath host retries those on another path, and Linux fails a
            // command with DNR set instead of failing it over
            cqe.status(status | (status == NvmeStatus.DATA_TRANSFER_ERROR.status() ||
                (status >>> 8 & 0x7) == PATH_RELATED_SCT ? 0 : Cqe.STATUS_DNR));
        }
        sender.commit(null, 0, 0, token);
    }

    /** A new command reuses the CID of {@code r}: if {@code r} is a parked AER, the host gave it up; free its slot. */
    private boolean abandonedAer(final Request r)
    {
        if (qid != 0 || controller == null || !controller.abandonAer(r))
        {
            return false;
        }
        abandonedAers++;
        release(r);
        return true;
    }

    private void release(final Request r)
    {
        slotFreed = true;
        if (offload != null)
        {
            offload.released(r);
        }
        r.state = Request.FREE;
        if (cidToSlot != null)
        {
            cidToSlot.remove(r.cid);
        }
        freeSlots[freeCount++] = r.index;
    }

    @Override
    public String toString()
    {
        return "TargetQueue{qid=" + qid + ", ctrl=" + (controller == null ? "-" : controller.cntlid()) + ", peer=" +
            peer() + '}';
    }

    /** @return the host's address, for logs. */
    String peer()
    {
        try
        {
            return String.valueOf(channel.getRemoteAddress());
        }
        catch (final IOException | RuntimeException e)
        {
            return "?";
        }
    }

    /** @return the subsystem NQN of this queue's controller, for logs. */
    public String subsystemNqn()
    {
        return controller == null ? Nqn.DISCOVERY : controller.subsystem().nqn();
    }
}
