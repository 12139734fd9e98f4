package org.nvmeof4j.target.controller;

import java.nio.ByteBuffer;
import java.util.UUID;
import org.nvmeof4j.protocol.admin.Features;
import org.nvmeof4j.protocol.fabrics.ControllerRegisters;
import org.nvmeof4j.protocol.fabrics.Nqn;
import org.nvmeof4j.protocol.nvme.FixedStrings;
import org.nvmeof4j.protocol.nvme.LittleEndian;
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
    public static final int LENGTH = 4096;

    /** CNTRLTYPE values. */
    public static final int CNTRLTYPE_IO = 1;
    public static final int CNTRLTYPE_DISCOVERY = 2;

    private IdentifyData()
    {
    }

    /** Fill an Identify Controller structure (the buffer is already zeroed). */
    public static void controller(final ByteBuffer b, final Controller c, final Target t)
    {
        final Subsystem s = c.subsystem();
        LittleEndian.putU16(b, 0, 0);              // VID
        LittleEndian.putU16(b, 2, 0);              // SSVID
        FixedStrings.writeSpacePadded(b, 4, 20, s.serial());
        FixedStrings.writeSpacePadded(b, 24, 40, s.model());
        FixedStrings.writeSpacePadded(b, 64, 8, t.firmwareRevision());
        b.put(72, (byte)6);                        // RAB
        b.put(76, (byte)(c.isDiscovery() ? 0 : 0x02)); // CMIC: the subsystem may have several controllers
        b.put(77, (byte)mdts(t));                  // MDTS in CAP.MPSMIN (4 KiB) units, as a power of two
        LittleEndian.putU16(b, 78, c.cntlid());
        LittleEndian.putI32(b, 80, ControllerRegisters.Vs.V1_4);
        // OAES: Namespace Attribute Notices (bit 8)
        LittleEndian.putI32(b, 92, c.isDiscovery() ? 0 : Features.AEC_NAMESPACE_ATTRIBUTE_NOTICES);
        LittleEndian.putI32(b, 96, 1);             // CTRATT: 128-bit Host Identifier
        b.put(111, (byte)(c.isDiscovery() ? CNTRLTYPE_DISCOVERY : CNTRLTYPE_IO));
        LittleEndian.putU16(b, 256, 0);            // OACS: no optional admin commands
        b.put(258, (byte)3);                       // ACL (0's based)
        b.put(259, (byte)(Controller.AER_LIMIT - 1)); // AERL (0's based)
        b.put(260, (byte)0x03);                    // FRMW: slot 1 read-only, one slot
        b.put(261, (byte)0x04);                    // LPA: extended data for Get Log Page (NUMDU, LPO)
        b.put(262, (byte)0);                       // ELPE: one error log entry (0's based)
        LittleEndian.putU16(b, 266, 0x157);        // WCTEMP 343 K
        LittleEndian.putU16(b, 268, 0x175);        // CCTEMP 373 K
        LittleEndian.putU16(b, 320, Controller.KAS);
        b.put(512, (byte)0x66);                    // SQES: 64 bytes
        b.put(513, (byte)0x44);                    // CQES: 16 bytes
        LittleEndian.putU16(b, 514, t.maxQueueSize()); // MAXCMD
        LittleEndian.putI32(b, 516, c.isDiscovery() ? 0 : Subsystem.MAX_NSID); // NN
        // ONCS: Compare (bit 0), Dataset Management (bit 2), Write Zeroes (bit 3)
        LittleEndian.putU16(b, 520, c.isDiscovery() ? 0 : 0x0D);
        // VWC: present (bit 0) and Flush with NSID FFFFFFFFh supported (bits 2:1 = 11b); all zero without a cache
        b.put(525, (byte)(c.volatileWriteCache() ? 0x07 : 0x00));
        LittleEndian.putU16(b, 526, 0);            // AWUN
        // SGLS: SGLs supported (bits 1:0 = 01b), SGL offset (bit 20) for in-capsule data
        LittleEndian.putI32(b, 536, 0x1 | 1 << 20);
        Nqn.write(b, 768, Nqn.FIELD_LENGTH, s.nqn());
        // fabrics fields
        LittleEndian.putI32(b, 1792, (t.inlineDataSize() + 64) / 16); // IOCCSZ
        LittleEndian.putI32(b, 1796, 1);           // IORCSZ
        LittleEndian.putU16(b, 1800, 0);           // ICDOFF
        b.put(1802, (byte)0);                      // FCATT: dynamic controller model
        b.put(1803, (byte)1);                      // MSDBD
        // power state 0: 25 W max power (MP in 0.01 W), operational
        LittleEndian.putU16(b, 2048, 2500);
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
        LittleEndian.putI64(b, 0, blocks);        // NSZE
        LittleEndian.putI64(b, 8, blocks);        // NCAP
        LittleEndian.putI64(b, 16, blocks);       // NUSE
        b.put(24, (byte)0);                       // NSFEAT
        b.put(25, (byte)0);                       // NLBAF: one format (0's based)
        b.put(26, (byte)0);                       // FLBAS: format 0
        b.put(30, (byte)1);                       // NMIC: may be attached to several controllers
        // DLFEAT: deallocated blocks read as zeroes (001b) and Write Zeroes may deallocate (bit 3)
        b.put(33, (byte)(ns.backend().deallocatedReadsZeroes() ? 0x09 : 0x00));
        LittleEndian.putI64(b, 48, blocks << ns.blockShift()); // NVMCAP (low 64 bits)
        putUuid(b, 104, ns.uuid());               // NGUID
        LittleEndian.putI32(b, 128, ns.blockShift() << 16); // LBAF0: LBADS, MS 0, RP 0
    }

    /** Fill the Namespace Identification Descriptor list: NGUID, UUID and CSI (buffer zeroed). */
    public static void namespaceDescriptors(final ByteBuffer b, final Namespace ns)
    {
        int at = 0;
        b.put(at, (byte)2).put(at + 1, (byte)16);  // NIDT 2: NGUID
        putUuid(b, at + 4, ns.uuid());
        at += 20;
        b.put(at, (byte)3).put(at + 1, (byte)16);  // NIDT 3: UUID
        putUuid(b, at + 4, ns.uuid());
        at += 20;
        b.put(at, (byte)4).put(at + 1, (byte)1);   // NIDT 4: Command Set Identifier, NVM = 0
        b.put(at + 4, (byte)0);
    }

    private static void putUuid(final ByteBuffer b, final int index, final UUID uuid)
    {
        final long msb = uuid.getMostSignificantBits();
        final long lsb = uuid.getLeastSignificantBits();
        for (int i = 0; i < 8; i++)
        {
            b.put(index + i, (byte)(msb >>> (56 - 8 * i)));
            b.put(index + 8 + i, (byte)(lsb >>> (56 - 8 * i)));
        }
    }
}
