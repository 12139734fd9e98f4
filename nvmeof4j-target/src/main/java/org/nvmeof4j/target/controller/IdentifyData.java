package org.nvmeof4j.target.controller;

import java.nio.ByteBuffer;
import java.util.UUID;
import org.nvmeof4j.protocol.admin.IdentifyController;
import org.nvmeof4j.protocol.admin.IdentifyNamespace;
import org.nvmeof4j.protocol.admin.NamespaceIdDescriptors;
import org.nvmeof4j.protocol.fabrics.ControllerRegisters;
import org.nvmeof4j.protocol.nvme.LittleEndian;
import org.nvmeof4j.target.AnaGroups;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.subsystem.Namespace;
import org.nvmeof4j.target.subsystem.Subsystem;

/**
 * Builders of the Identify data structures (NVMe Base 1.4, 5.15.2): Identify Controller (Figure 247), Identify
 * Namespace (NVM, Figure 245) and the Namespace Identification Descriptor list (Figure 249), filled the way an
 * NVMe/TCP host expects from a fabrics controller (NVMe-oF 1.1, 4.1: IOCCSZ, IORCSZ, ICDOFF, FCATT, MSDBD).
 */
public final class IdentifyData
{
    public static final int LENGTH = IdentifyController.LENGTH;

    private IdentifyData()
    {
    }

    /** Fill an Identify Controller structure (the buffer is already zeroed). */
    public static void controller(final ByteBuffer b, final Controller c, final Target t)
    {
        final Subsystem s = c.subsystem();
        final boolean discovery = c.isDiscovery();
        final IdentifyController id = new IdentifyController().wrap(b, 0);
        id.vid(0).ssvid(0)
            .sn(s.serial()).mn(s.model()).fr(t.firmwareRevision())
            .rab(6)
            .cmic(discovery ? 0 : IdentifyController.CMIC_MULTI_CONTROLLER | IdentifyController.CMIC_ANA)
            .mdts(mdts(t))                           // in CAP.MPSMIN (4 KiB) units, as a power of two
            .cntlid(c.cntlid())
            .ver(ControllerRegisters.Vs.V1_4)
            .oaes(discovery ? IdentifyController.OAES_DISCOVERY_LOG_CHANGE
                : IdentifyController.OAES_NAMESPACE_ATTRIBUTE_NOTICES | IdentifyController.OAES_ANA_CHANGE_NOTICES)
            .ctratt(IdentifyController.CTRATT_HOST_ID_128_BIT)
            .cntrltype(discovery ? IdentifyController.CNTRLTYPE_DISCOVERY : IdentifyController.CNTRLTYPE_IO)
            .oacs(0)                                 // no optional admin commands
            .acl(3)                                  // 0's based
            .aerl(Controller.AER_LIMIT - 1)          // 0's based
            .frmw(0x03)                              // slot 1 read-only, one slot
            .lpa(0x04)                               // extended data for Get Log Page (NUMDU, LPO)
            .elpe(0)                                 // one error log entry (0's based)
            .kas(Controller.KAS)
            .sqes(0x66)                              // 64 bytes
            .cqes(0x44)                              // 16 bytes
            .maxcmd(t.maxQueueSize())
            .nn(discovery ? 0 : Subsystem.MAX_NSID)
            // ONCS: Compare (bit 0), Dataset Management (bit 2), Write Zeroes (bit 3)
            .oncs(discovery ? 0 : 0x0D)
            // VWC: present (bit 0) and Flush with NSID FFFFFFFFh supported (bits 2:1 = 11b); all zero without a cache
            .vwc(c.volatileWriteCache() ? 0x07 : 0x00)
            .awun(0)
            // SGLS: SGLs supported (bits 1:0 = 01b), SGL offset (bit 20) for in-capsule data
            .sgls(0x1 | 1 << 20)
            .subnqn(s.nqn())
            // fabrics fields
            .ioccsz((t.inlineDataSize() + 64) / 16)
            .iorcsz(1)
            .icdoff(0)
            .fcatt(0)                                // dynamic controller model
            .msdbd(1);
        if (!discovery)
        {
            // ANA reporting (NVMe Base 2.0, 8.1.1), as nvmet: every state reported, 128 groups, any NSID may move
            id.anatt(AnaGroups.TRANSITION_TIME_SECONDS)
                .anacap(IdentifyController.ANACAP_OPTIMIZED | IdentifyController.ANACAP_NON_OPTIMIZED
                    | IdentifyController.ANACAP_INACCESSIBLE | IdentifyController.ANACAP_PERSISTENT_LOSS
                    | IdentifyController.ANACAP_CHANGE)
                .anagrpmax(AnaGroups.MAX_GROUPS)
                .nanagrpid(AnaGroups.MAX_GROUPS)
                .mnan(Subsystem.MAX_NSID); // Linux sizes its ANA log buffer with NANAGRPID and MNAN
        }
        LittleEndian.putU16(b, 266, 0x157); // WCTEMP 343 K
        LittleEndian.putU16(b, 268, 0x175);        // CCTEMP 373 K
        // power state 0: 25 W max power (MP in 0.01 W), operational
        LittleEndian.putU16(b, IdentifyController.psdOffset(0) + IdentifyController.PSD_MP, 2500);
    }

    /** @return MDTS for the target's maximum transfer size, in 4 KiB units as a power of two (0 = no limit). */
    static int mdts(final Target t)
    {
        final int units = t.maxTransferSize() / 4096;
        return Integer.numberOfTrailingZeros(Integer.highestOneBit(Math.max(1, units)));
    }

    /** Fill an Identify Namespace structure for the NVM command set (buffer zeroed). */
    public static void namespace(final ByteBuffer b, final Namespace ns)
    {
        final long blocks = ns.blocks();
        new IdentifyNamespace().wrap(b, 0)
            .nsze(blocks).ncap(blocks).nuse(blocks)
            .nsfeat(0)
            .nlbaf(0)                                // one format (0's based)
            .flbas(0)                                // format 0
            .nmic(1)                                 // may be attached to several controllers
            // DLFEAT: deallocated blocks read as zeroes (001b) and Write Zeroes may deallocate (bit 3)
            .dlfeat(ns.backend().deallocatedReadsZeroes() ? 0x09 : 0x00)
            .nvmcap(blocks << ns.blockShift())
            .nguid(uuidBytes(ns.uuid()))
            .anagrpid(ns.anaGrpId())
            .lbaf(0, 0, ns.blockShift(), 0);
    }

    /** Fill the Namespace Identification Descriptor list: NGUID, UUID and CSI (buffer zeroed). */
    public static void namespaceDescriptors(final ByteBuffer b, final Namespace ns)
    {
        new NamespaceIdDescriptors.Writer().wrap(b, 0)
            .nguid(uuidBytes(ns.uuid()))
            .uuid(ns.uuid())
            .csi(NamespaceIdDescriptors.CSI_NVM);
    }

    /** @return the UUID's 16 bytes in RFC 4122 (big-endian) order, used as the NGUID too. */
    private static byte[] uuidBytes(final UUID uuid)
    {
        return ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits())
            .array();
    }
}
