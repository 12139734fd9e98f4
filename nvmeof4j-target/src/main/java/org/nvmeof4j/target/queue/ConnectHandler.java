package org.nvmeof4j.target.queue;

import java.nio.ByteBuffer;
import org.nvmeof4j.protocol.fabrics.ConnectData;
import org.nvmeof4j.protocol.fabrics.ConnectResponse;
import org.nvmeof4j.protocol.fabrics.FabricsCommand;
import org.nvmeof4j.protocol.fabrics.NqnCheck;
import org.nvmeof4j.protocol.nvme.NvmeStatus;
import org.nvmeof4j.target.Listener;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.controller.Controller;
import org.nvmeof4j.target.subsystem.HostAuth;
import org.nvmeof4j.target.subsystem.Subsystem;

/**
 * The Fabrics Connect command of one queue (NVMe-oF 1.1, 3.3): checks the SQE and the Connect data, creates the
 * controller (admin queue) or finds it (I/O queue), and binds the queue to it.
 *
 * <p>A rejected Connect answers Connect Invalid Parameters with IATTR/IPO naming the field (NVMe-oF 1.1, Figure 21:
 * IPO in bits 15:0 of dword 0, IATTR bit 0 in bit 16, set when the offset is into the Connect data), or Connect
 * Invalid Host for a host not on the allow list, and logs one line: the peer, the host NQN, the field and why.
 *
 * <p>What is accepted follows what hosts send, checked against Linux nvmet and SPDK's target: an empty HOSTNQN (SPDK's
 * {@code spdk_nvme_perf} sends one when no {@code hostnqn:} is given) is accepted by a subsystem that allows any host,
 * as both of those targets accept it, and refused as Connect Invalid Host by one with an allow list, which an empty
 * NQN cannot be on. A HOSTNQN that is not NUL-terminated, longer than 223 bytes or not UTF-8 is refused.
 */
final class ConnectHandler
{
    private static final System.Logger LOG = System.getLogger("org.nvmeof4j.target");

    private final Target target;
    private final Listener listener;
    private final ConnectData connectData = new ConnectData();

    ConnectHandler(final Target target, final Listener listener)
    {
        this.target = target;
        this.listener = listener;
    }

    /**
     * Run a Connect that arrived on {@code queue}.
     *
     * @return an NVMe status (0: the queue is now bound, dw0 of {@code r} holds the CNTLID).
     */
    int connect(final TargetQueue queue, final Request r)
    {
        final FabricsCommand fc = r.fabrics;
        if (queue.qid() >= 0)
        {
            return reject(queue, "?", "queue", "a second Connect on a connected queue",
                NvmeStatus.COMMAND_SEQUENCE_ERROR.status());
        }
        if (r.dataLength < ConnectData.LENGTH)
        {
            return reject(queue, "?", "data length", r.dataLength + " bytes, Connect data is " + ConnectData.LENGTH,
                NvmeStatus.DATA_SGL_LENGTH_INVALID.status());
        }
        if (fc.recfmt() != FabricsCommand.RECFMT_0)
        {
            return reject(queue, "?", "RECFMT", "format " + fc.recfmt() + " (only 0 is defined)",
                NvmeStatus.CONNECT_INCOMPATIBLE_FORMAT.status());
        }
        final ByteBuffer data = r.data();
        connectData.wrap(data, 0);
        final NqnCheck subnqn = connectData.checkSubnqn();
        if (subnqn != NqnCheck.VALID)
        {
            return invalid(queue, r, null, true, ConnectData.SUBNQN_OFFSET, "SUBNQN", describe(subnqn));
        }
        final Subsystem sub = target.findSubsystem(data, ConnectData.SUBNQN_OFFSET);
        if (sub == null || !listener.serves(sub))
        {
            return invalid(queue, r, null, true, ConnectData.SUBNQN_OFFSET, "SUBNQN",
                (sub == null ? "no subsystem " : "this port does not serve ") + connectData.subnqn());
        }
        final NqnCheck hostnqnCheck = connectData.checkHostnqn();
        if (hostnqnCheck != NqnCheck.VALID && hostnqnCheck != NqnCheck.EMPTY)
        {
            return invalid(queue, r, null, true, ConnectData.HOSTNQN_OFFSET, "HOSTNQN", describe(hostnqnCheck));
        }
        final String hostNqn = hostnqnCheck == NqnCheck.EMPTY ? "" : connectData.hostnqn();
        if (!sub.isHostAllowed(hostNqn))
        {
            r.dw0 = ConnectResponse.invalidParameter(true, ConnectData.HOSTNQN_OFFSET);
            return reject(queue, hostNqn, "HOSTNQN", "not allowed on " + sub.nqn(),
                NvmeStatus.CONNECT_INVALID_HOST.status());
        }
        final int sqsize = fc.sqsize();
        final int requestedQid = fc.qid();
        if (sqsize < 1 || sqsize + 1 > target.maxQueueSize())
        {
            return invalid(queue, r, hostNqn, false, FabricsCommand.SQSIZE_OFFSET, "SQSIZE",
                sqsize + " (0's based; 1.." + (target.maxQueueSize() - 1) + " accepted)");
        }
        if (!target.admitHost(hostNqn))
        {
            return reject(queue, hostNqn, "HOSTNQN", "the host holds " +
                target.connectionLimits().maxConnectionsPerHost() + " connections (the limit)",
                NvmeStatus.CONTROLLER_BUSY.status());
        }
        final int status = bindAdmitted(queue, r, sub, hostNqn, sqsize, requestedQid);
        if (status != 0)
        {
            target.releaseHost(hostNqn);
        }
        else
        {
            queue.countHost(hostNqn);
        }
        return status;
    }

    /** The rest of a Connect whose host NQN was admitted under its bound: find or create the controller, bind. */
    private int bindAdmitted(final TargetQueue queue, final Request r, final Subsystem sub, final String hostNqn,
        final int sqsize, final int requestedQid)
    {
        final FabricsCommand fc = r.fabrics;
        final Controller ctrl;
        if (requestedQid == 0)
        {
            if (connectData.cntlid() != ConnectData.CNTLID_DYNAMIC)
            {
                return invalid(queue, r, hostNqn, true, ConnectData.CNTLID_OFFSET, "CNTLID",
                    "0x" + Integer.toHexString(connectData.cntlid()) + " on an admin queue (dynamic model: FFFFh)");
            }
            ctrl = target.createController(sub, hostNqn, connectData.hostId(), queue, fc.kato());
            if (ctrl == null)
            {
                return reject(queue, hostNqn, "CNTLID", "no controller ID free", NvmeStatus.CONTROLLER_BUSY.status());
            }
        }
        else
        {
            ctrl = target.controller(sub, connectData.cntlid());
            if (ctrl == null)
            {
                return invalid(queue, r, hostNqn, true, ConnectData.CNTLID_OFFSET, "CNTLID",
                    "no controller 0x" + Integer.toHexString(connectData.cntlid()) + " in " + sub.nqn());
            }
            if (!ctrl.hostNqn().equals(hostNqn) || !ctrl.hostId().equals(connectData.hostId()))
            {
                return invalid(queue, r, hostNqn, true, ConnectData.CNTLID_OFFSET, "CNTLID",
                    "controller 0x" + Integer.toHexString(ctrl.cntlid()) + " belongs to another host NQN or host ID");
            }
            if (!ctrl.attachIoQueue(requestedQid, queue))
            {
                return invalid(queue, r, hostNqn, false, FabricsCommand.QID_OFFSET, "QID",
                    requestedQid + " is out of range or already connected");
            }
        }
        queue.bind(ctrl, requestedQid, sqsize + 1, fc.disableSqFlowControl());
        // a host with DH-HMAC-CHAP settings authenticates every queue before anything else (AUTHREQ.ATR)
        final HostAuth auth = sub.isDiscovery() ? null : sub.hostAuth(hostNqn);
        if (auth != null)
        {
            queue.requireAuthentication(auth, hostNqn, sub.nqn());
        }
        r.dw0 = ConnectResponse.success(ctrl.cntlid(), auth != null, false);
        return 0;
    }

    private int invalid(final TargetQueue queue, final Request r, final String hostNqn, final boolean inData,
        final int offset, final String field, final String reason)
    {
        r.dw0 = ConnectResponse.invalidParameter(inData, offset);
        return reject(queue, hostNqn, field, reason, NvmeStatus.CONNECT_INVALID_PARAMETERS.status());
    }

    private int reject(final TargetQueue queue, final String hostNqn, final String field, final String reason,
        final int status)
    {
        final String host = hostNqn != null ? hostNqn : hostNqnForLog();
        LOG.log(System.Logger.Level.WARNING, () -> "rejected Connect from " + queue.peer() + " host '" + host +
            "': " + field + ": " + reason);
        return status;
    }

    /** The HOSTNQN of the Connect data just wrapped, if it can be printed. */
    private String hostNqnForLog()
    {
        return connectData.checkHostnqn() == NqnCheck.VALID ? connectData.hostnqn() : "?";
    }

    private static String describe(final NqnCheck check)
    {
        switch (check)
        {
            case EMPTY:
                return "empty";
            case NOT_TERMINATED:
                return "not NUL-terminated";
            case TOO_LONG:
                return "longer than 223 bytes";
            case INVALID_UTF8:
                return "not UTF-8";
            default:
                return check.name();
        }
    }
}
