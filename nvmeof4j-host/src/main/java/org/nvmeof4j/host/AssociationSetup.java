package org.nvmeof4j.host;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;
import org.nvmeof4j.host.queue.HostQueue;
import org.nvmeof4j.host.spi.TransportController;
import org.nvmeof4j.host.spi.TransportQueue;
import org.nvmeof4j.protocol.admin.Features;
import org.nvmeof4j.protocol.admin.Identify;
import org.nvmeof4j.protocol.auth.AuthMessage;
import org.nvmeof4j.protocol.fabrics.ConnectData;
import org.nvmeof4j.protocol.fabrics.ConnectResponse;
import org.nvmeof4j.protocol.fabrics.ControllerRegisters;
import org.nvmeof4j.protocol.fabrics.FabricsCommand;
import org.nvmeof4j.protocol.nvme.Opcodes;
import org.nvmeof4j.protocol.nvme.Sqe;

/**
 * Brings up the queues of one association, as {@code nvme connect} does (NVMe over Fabrics 1.1 section 3.5, NVMe
 * Base 2.0 section 3.5.1), on whatever transport the controller uses: the transport opens a queue, then the Fabrics
 * Connect runs on it; the admin queue goes on with Property Get CAP and VS, CC.EN = 1 and CSTS.RDY within CAP.TO,
 * Identify Controller and Set Features Number of Queues. Blocking, on the connecting thread (the application's at
 * connect, the recovery thread's on a reconnect), before a queue is handed to its owner.
 */
final class AssociationSetup
{
    /** What the admin queue's setup learned. */
    static final class AdminSession
    {
        TransportQueue queue;
        int cntlid;
        long cap;
        int vs;
        ByteBuffer identify;
        int grantedQueues;
    }

    private final ConnectOptions options;
    private final NanoClock clock;
    private final TransportController transport;
    private final String where;

    AssociationSetup(final ConnectOptions options, final TransportController transport, final String where)
    {
        this.options = options;
        this.clock = options.clock();
        this.transport = transport;
        this.where = where;
    }

    /** Runs setup commands on a fresh queue from the calling thread. */
    private final class SetupRunner implements CompletionHandler
    {
        final HostQueue q;
        final ByteBuffer sqeBuf = ByteBuffer.allocateDirect(Sqe.LENGTH);
        final Sqe sqe = new Sqe().wrap(sqeBuf, 0);
        boolean done;
        int status;
        long result;

        SetupRunner(final HostQueue q)
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
                final TransportQueue c = q.connection();
                final String why = c.isClosed() ? "connection closed: " + c.closeReason() :
                    "timed out after " + timeoutNanos / 1_000_000 + " ms";
                c.close(name + " failed", null);
                throw new NvmeTransportException(name + " to " + where + ": " + why);
            }
            if (status != 0)
            {
                q.connection().close(name + " failed", null);
                throw new NvmeException(name, opcode, status);
            }
            return result;
        }
    }

    /** Open queue {@code qid} through the transport and send its Fabrics Connect. */
    private SetupRunner openQueue(final int qid, final int queueSize, final int cntlidToUse)
    {
        final long deadline = clock.nanoTime() + options.connectTimeout().toNanos();
        final TransportQueue conn = transport.connectQueue(qid, queueSize, deadline);
        final HostQueue setup = new HostQueue(qid, Math.min(queueSize, NvmeController.ADMIN_QUEUE_SIZE), null, clock,
            0, false);
        setup.inCapsuleMax(8192); // Fabrics commands: in-capsule data up to 8 KiB on any queue
        setup.adopt(conn, 0);
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
            if (options.dhchapSecret() == null)
            {
                conn.close("authentication required", null);
                throw new NvmeAuthenticationException("controller " + where + " requires DH-HMAC-CHAP " +
                    "authentication and no dhchap_secret is configured", null);
            }
            authenticate(run, qid, conn);
        }
        else if (options.dhchapCtrlSecret() != null)
        {
            // bidirectional authentication was asked for: a controller that skips it has not proven anything
            conn.close("controller did not authenticate", null);
            throw new NvmeAuthenticationException("controller " + where + " did not ask for authentication on " +
                "queue " + qid + ", but dhchap_ctrl_secret requires it to authenticate itself", null);
        }
        run.result = dw0;
        if (qid > 0)
        {
            transport.startQueue(conn);
        }
        return run;
    }

    /**
     * The DH-HMAC-CHAP transaction of one queue (NVMe Base 2.0, 8.13.5), as Linux {@code nvme_queue_auth_work}
     * runs it: Negotiate, Challenge, Reply, Success1 and (bidirectional) Success2, each message one Authentication
     * Send or Receive. On a fault this host found, AUTH_Failure2 tells the controller before the queue closes.
     */
    private void authenticate(final SetupRunner run, final int qid, final TransportQueue conn)
    {
        final long timeout = options.adminTimeout().toNanos();
        final DhchapAuthenticator auth = new DhchapAuthenticator(options, qid, qid, where);
        try
        {
            auth.run((fctype, buffer, length) -> {
                new FabricsCommand().wrap(run.sqe()).init(fctype).secp(AuthMessage.SECP).spsp0(AuthMessage.SPSP)
                    .spsp1(AuthMessage.SPSP).transferLength(length);
                final boolean send = fctype == Opcodes.FCTYPE_AUTHENTICATION_SEND;
                run.run(send ? "Authentication Send" : "Authentication Receive", Opcodes.FABRICS, send ? 1 : 2,
                    buffer, length, timeout);
            });
        }
        catch (final RuntimeException e)
        {
            conn.close("DH-HMAC-CHAP failed", null);
            throw e;
        }
    }

    /** Connect the admin queue and enable the controller. */
    AdminSession establishAdmin()
    {
        final SetupRunner run = openQueue(0, NvmeController.ADMIN_QUEUE_SIZE, ConnectData.CNTLID_DYNAMIC);
        final AdminSession s = new AdminSession();
        s.queue = run.q.connection();
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
                s.queue.close("controller fatal status", null);
                throw new NvmeTransportException("controller " + where + " reports Controller Fatal Status");
            }
            if (ControllerRegisters.Csts.rdy(csts))
            {
                break;
            }
            if (clock.nanoTime() - readyDeadline > 0)
            {
                s.queue.close("CSTS.RDY timeout", null);
                throw new NvmeTransportException("controller " + where + " not ready within CAP.TO (" +
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
        requireOpen(s.queue, "admin queue");
        return s;
    }

    /** Connect I/O queue {@code qid} to controller {@code cntlid}. */
    TransportQueue establishIo(final int qid, final int cntlid)
    {
        final SetupRunner run = openQueue(qid, options.queueSize(), cntlid);
        requireOpen(run.q.connection(), "I/O queue " + qid);
        return run.q.connection();
    }

    /**
     * A setup command can complete in the same read that brings a PDU which ends the connection (a stray
     * CapsuleResp right behind the response): the command succeeded, the connection did not. Handing such a
     * connection to a queue would leave the controller LIVE on a socket that nobody reports as lost.
     */
    private void requireOpen(final TransportQueue conn, final String what)
    {
        if (conn.isClosed())
        {
            throw new NvmeTransportException(what + " connection to " + where + " lost during setup: " +
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
}
