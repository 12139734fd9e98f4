package org.nvmeof4j.target.controller;

import java.nio.ByteBuffer;
import org.nvmeof4j.protocol.admin.Features;
import org.nvmeof4j.protocol.admin.GetLogPage;
import org.nvmeof4j.protocol.admin.Identify;
import org.nvmeof4j.protocol.admin.NamespaceIdDescriptors;
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
 * The admin command set (NVMe Base 1.4, 5) of one {@link Controller}: Identify, Get Log Page, Get / Set Features,
 * Asynchronous Event Request (parked in {@link AsyncEvents}), Keep Alive and Abort.
 *
 * <p>Thread model: runs on the admin queue's poller, like the AER state it hands requests to.
 */
final class AdminCommands
{
    private final Controller controller;
    private final Target target;
    private final Subsystem subsystem;
    private final AsyncEvents events;
    private int temperatureThreshold = 0x157;

    AdminCommands(final Controller controller, final Target target, final AsyncEvents events)
    {
        this.controller = controller;
        this.target = target;
        this.subsystem = controller.subsystem();
        this.events = events;
    }

    /** See {@link Controller#executeAdmin}. */
    int execute(final TargetQueue queue, final Request r)
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
                return events.request(r);
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
        final boolean discovery = controller.isDiscovery();
        switch (Identify.cns(r.sqe))
        {
            case Identify.CNS_NAMESPACE:
            {
                if (discovery)
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
                IdentifyData.controller(b, controller, target);
                break;
            case Identify.CNS_ACTIVE_NAMESPACE_LIST:
            {
                if (discovery)
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
                final Namespace ns = discovery ? null : subsystem.namespace(nsid);
                if (ns == null)
                {
                    return NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.status();
                }
                IdentifyData.namespaceDescriptors(b, ns);
                break;
            }
            case Identify.CNS_CS_NAMESPACE:
            {
                if (discovery || Identify.csi(r.sqe) != NamespaceIdDescriptors.CSI_NVM)
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
                if (discovery || Identify.csi(r.sqe) != NamespaceIdDescriptors.CSI_NVM)
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
                page = events.changedNamespaceList(GetLogPage.rae(r.sqe));
                break;
            case GetLogPage.LID_ANA:
                if (controller.isDiscovery())
                {
                    return NvmeStatus.INVALID_LOG_PAGE.status();
                }
                page = LogPages.ana(target, subsystem, controller.adminQueue().listener(),
                    (GetLogPage.lsp(r.sqe) & GetLogPage.LSP_ANA_RGO) != 0);
                events.anaLogRead(GetLogPage.rae(r.sqe));
                break;
            case GetLogPage.LID_DISCOVERY:
                if (!controller.isDiscovery())
                {
                    return NvmeStatus.INVALID_LOG_PAGE.status();
                }
                page = LogPages.discovery(target, controller.hostNqn(), queue);
                events.discoveryLogRead(GetLogPage.rae(r.sqe));
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
        final int n = (int)Math.min(len, page.length - offset);
        b.put(0, page, (int)offset, n);
        LittleEndian.fill(b, n, len - n, 0); // what a host asks for beyond the page reads as zeroes
        r.c2hLength(len);
        return 0;
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
                if (controller.isDiscovery())
                {
                    return NvmeStatus.INVALID_FIELD.status();
                }
                final int nsqr = cdw11 & 0xFFFF;
                final int ncqr = cdw11 >>> 16;
                if (nsqr == 0xFFFF || ncqr == 0xFFFF)
                {
                    return NvmeStatus.INVALID_FIELD.status();
                }
                if (!controller.grantIoQueues(Math.min(Math.max(nsqr, ncqr) + 1, target.maxIoQueues())))
                {
                    return NvmeStatus.COMMAND_SEQUENCE_ERROR.status();
                }
                final int granted = controller.nrIoQueues();
                r.dw0 = (granted - 1) | (granted - 1) << 16;
                return 0;
            }
            case Features.FID_ASYNC_EVENT_CONFIGURATION:
                events.aec(cdw11);
                return 0;
            case Features.FID_KEEP_ALIVE_TIMER:
                controller.katoMillis(cdw11 & 0xFFFF_FFFFL);
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
                final int granted = controller.nrIoQueues();
                final int n = Math.max(1, granted > 0 ? granted : target.maxIoQueues()) - 1;
                r.dw0 = n | n << 16;
                return 0;
            }
            case Features.FID_ASYNC_EVENT_CONFIGURATION:
                r.dw0 = events.aec();
                return 0;
            case Features.FID_KEEP_ALIVE_TIMER:
                r.dw0 = (int)controller.katoMillis();
                return 0;
            case Features.FID_VOLATILE_WRITE_CACHE:
                r.dw0 = controller.volatileWriteCache() ? 1 : 0;
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
}
