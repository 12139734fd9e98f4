package org.nvmeof4j.protocol.admin;

import org.nvmeof4j.protocol.nvme.Opcodes;
import org.nvmeof4j.protocol.nvme.Sqe;

/**
 * The Get Log Page command (opcode 02h; NVMe Base 2.0, section 5.16): log identifiers and SQE fields.
 *
 * <pre>
 *  CDW10: NUMDL 31:16 | RAE 15 | LSP 14:8 | LID 7:0
 *  CDW11: LSI 31:16   | NUMDU 15:0            number of dwords = (NUMDU &lt;&lt; 16 | NUMDL) + 1
 *  CDW12: LPOL        CDW13: LPOU              byte offset into the log page (u64, dword aligned)
 *  CDW14: CSI 31:24   | OT 23 | UUID index 6:0
 * </pre>
 */
public final class GetLogPage {

    /** LID 01h: Error Information. */
    public static final int LID_ERROR_INFORMATION = 0x01;
    /** LID 02h: SMART / Health Information. */
    public static final int LID_SMART_HEALTH = 0x02;
    /** LID 03h: Firmware Slot Information. */
    public static final int LID_FIRMWARE_SLOT = 0x03;
    /** LID 04h: Changed Namespace List. */
    public static final int LID_CHANGED_NAMESPACE_LIST = 0x04;
    /** LID 05h: Commands Supported and Effects. */
    public static final int LID_COMMANDS_EFFECTS = 0x05;
    /** LID 0Ch: Asymmetric Namespace Access. */
    public static final int LID_ANA = 0x0C;
    /** LID 70h: Discovery (NVMe over Fabrics 1.1, section 5.3). */
    public static final int LID_DISCOVERY = 0x70;

    /** LSP bit 0 of the ANA log page (LID 0Ch): Return Groups Only, the descriptors without their NSID lists. */
    public static final int LSP_ANA_RGO = 1;

    /** CDW10 bit 15: Retain Asynchronous Event. */
    public static final int CDW10_RAE = 1 << 15;

    private GetLogPage() {
    }

    /** LID from CDW10 bits 7:0. */
    public static int lid(final Sqe sqe) {
        return sqe.cdw10() & 0xFF;
    }

    /** LSP from CDW10 bits 14:8 (NVMe 1.4 defines bits 11:8; 2.0 widens to 14:8). */
    public static int lsp(final Sqe sqe) {
        return (sqe.cdw10() >>> 8) & 0x7F;
    }

    /** RAE: retain asynchronous event, CDW10 bit 15. */
    public static boolean rae(final Sqe sqe) {
        return (sqe.cdw10() & CDW10_RAE) != 0;
    }

    /** Number of dwords to transfer, decoded from the 0's based NUMDU:NUMDL (1..2^32). */
    public static long numberOfDwords(final Sqe sqe) {
        final long numdl = sqe.cdw10() >>> 16;
        final long numdu = sqe.cdw11() & 0xFFFF;
        return ((numdu << 16) | numdl) + 1;
    }

    /** Number of bytes to transfer, 4 x {@link #numberOfDwords}. */
    public static long numberOfBytes(final Sqe sqe) {
        return numberOfDwords(sqe) * 4;
    }

    /** LSI: log specific identifier, CDW11 bits 31:16. */
    public static int lsi(final Sqe sqe) {
        return sqe.cdw11() >>> 16;
    }

    /** Log page offset in bytes, LPOU:LPOL (u64). */
    public static long offset(final Sqe sqe) {
        return (sqe.cdw12() & 0xFFFF_FFFFL) | ((long) sqe.cdw13() << 32);
    }

    /**
     * Fills {@code sqe} (cleared first by the caller) as a Get Log Page for {@code lid} reading {@code bytes} bytes (a
     * multiple of 4, at least 4) from byte {@code offset} of the log page; the caller adds CID and the data pointer.
     *
     * @throws IllegalArgumentException if {@code bytes} is not a positive multiple of 4 up to 2^34
     */
    public static Sqe prepare(final Sqe sqe, final int lid, final int nsid, final int lsp, final boolean rae,
                              final long bytes, final long offset) {
        if (bytes < 4 || (bytes & 3) != 0 || bytes > (1L << 34)) {
            throw new IllegalArgumentException("log page length must be a positive multiple of 4: " + bytes);
        }
        final long numd = bytes / 4 - 1;
        sqe.opcode(Opcodes.ADMIN_GET_LOG_PAGE).nsid(nsid)
            .cdw10((int) ((numd & 0xFFFF) << 16) | (rae ? CDW10_RAE : 0) | ((lsp & 0x7F) << 8) | (lid & 0xFF))
            .cdw11((int) ((numd >>> 16) & 0xFFFF))
            .cdw12((int) offset)
            .cdw13((int) (offset >>> 32));
        return sqe;
    }
}
