package org.nvmeof4j.protocol.admin;

import org.nvmeof4j.protocol.nvme.Opcodes;
import org.nvmeof4j.protocol.nvme.Sqe;

/**
 * The Identify command (opcode 06h; NVMe Base 2.0, section 5.17): CNS values and its SQE fields. CDW10: CNS bits
 * 7:0, CNTID bits 31:16; CDW11: CNS specific identifier bits 15:0, CSI bits 31:24. Every Identify returns 4096 bytes.
 */
public final class Identify {

    /** Size of every Identify data structure. */
    public static final int DATA_LENGTH = 4096;

    /** CNS 00h: Identify Namespace for the NSID. */
    public static final int CNS_NAMESPACE = 0x00;
    /** CNS 01h: Identify Controller. */
    public static final int CNS_CONTROLLER = 0x01;
    /** CNS 02h: active namespace ID list, NSIDs greater than the NSID in the command. */
    public static final int CNS_ACTIVE_NAMESPACE_LIST = 0x02;
    /** CNS 03h: namespace identification descriptor list for the NSID. */
    public static final int CNS_NAMESPACE_ID_DESCRIPTORS = 0x03;
    /** CNS 05h: I/O command set specific Identify Namespace. */
    public static final int CNS_CS_NAMESPACE = 0x05;
    /** CNS 06h: I/O command set specific Identify Controller. */
    public static final int CNS_CS_CONTROLLER = 0x06;
    /** CNS 08h: I/O command set independent Identify Namespace. */
    public static final int CNS_CS_INDEPENDENT_NAMESPACE = 0x08;

    private Identify() {
    }

    /** CNS from CDW10 bits 7:0. */
    public static int cns(final Sqe sqe) {
        return sqe.cdw10() & 0xFF;
    }

    /** CNTID from CDW10 bits 31:16. */
    public static int cntid(final Sqe sqe) {
        return sqe.cdw10() >>> 16;
    }

    /** CSI (command set identifier) from CDW11 bits 31:24. */
    public static int csi(final Sqe sqe) {
        return sqe.cdw11() >>> 24;
    }

    /**
     * Fills {@code sqe} (which must be cleared first) as an Identify of {@code cns} for {@code nsid}; the caller adds
     * CID and the data pointer.
     */
    public static Sqe prepare(final Sqe sqe, final int cns, final int nsid) {
        return sqe.opcode(Opcodes.ADMIN_IDENTIFY).nsid(nsid).cdw10(cns & 0xFF);
    }
}
