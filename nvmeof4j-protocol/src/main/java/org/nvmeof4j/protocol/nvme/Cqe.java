package org.nvmeof4j.protocol.nvme;

import java.nio.ByteBuffer;

/**
 * Flyweight over a 16-byte Completion Queue Entry (NVMe Base 2.0, section 4.2.2 "Completion Queue Entry"; NVMe Base
 * 1.4 section 4.6), the response carried in a CapsuleResp PDU (NVMe/TCP 1.0, section 3.6.2.6).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 DW0 (command specific result)                 |  0
 *  +---------------------------------------------------------------+
 *  |                 DW1 (command specific result)                 |  4
 *  +-------------------------------+-------------------------------+
 *  |             SQHD              |             SQID              |  8
 *  +-------------------------------+-------------------------------+
 *  |              CID              |P|    SC (8)     |SCT|CRD|M|D |  12
 *  +-------------------------------+-------------------------------+
 * </pre>
 *
 * <p>The 16-bit status field (bytes 14..15) holds P (phase tag) in bit 0, SC in bits 8:1, SCT in bits 11:9, CRD in
 * bits 13:12, M (More) in bit 14 and DNR in bit 15. {@link #status()} returns the 15 bits above the phase tag, the
 * value Linux calls {@code status} ({@code le16_to_cpu(cqe->status) >> 1}): SC in bits 7:0, SCT in 10:8, CRD in
 * 12:11, M in 13, DNR in 14. Its low 11 bits are the {@link NvmeStatus#status()} encoding {@code (sct << 8) | sc}.
 * Fabrics transports ignore the phase tag (NVMe over Fabrics 1.1, section 2.2), so it is normally 0.
 */
public final class Cqe extends Flyweight {

    /** Size of a completion queue entry in bytes. */
    public static final int LENGTH = 16;

    /** Byte offset of DW0. */
    public static final int DW0_OFFSET = 0;
    /** Byte offset of DW1. */
    public static final int DW1_OFFSET = 4;
    /** Byte offset of SQHD, the submission queue head pointer. */
    public static final int SQHD_OFFSET = 8;
    /** Byte offset of SQID, the submission queue identifier. */
    public static final int SQID_OFFSET = 10;
    /** Byte offset of CID, the command identifier. */
    public static final int CID_OFFSET = 12;
    /** Byte offset of the status field (with the phase tag in bit 0). */
    public static final int STATUS_OFFSET = 14;

    /** {@link #status()} bit 14: Do Not Retry. */
    public static final int STATUS_DNR = 1 << 14;
    /** {@link #status()} bit 13: More (information in the Error Information log page). */
    public static final int STATUS_MORE = 1 << 13;
    /** {@link #status()} bits 12:11: Command Retry Delay, shift. */
    public static final int STATUS_CRD_SHIFT = 11;
    /** {@link #status()} mask of SCT and SC, {@code (sct << 8) | sc}. */
    public static final int STATUS_SCT_SC_MASK = 0x7FF;

    /** Points this flyweight at the 16 bytes at {@code offset} of {@code buffer}. */
    public Cqe wrap(final ByteBuffer buffer, final int offset) {
        wrapBuffer(buffer, offset);
        return this;
    }

    @Override
    public int encodedLength() {
        return LENGTH;
    }

    /** Zeroes all 16 bytes. */
    public Cqe clear() {
        zero();
        return this;
    }

    /** DW0: command specific result (u32 bit pattern). */
    public int dw0() {
        return i32(DW0_OFFSET);
    }

    /** Sets DW0. */
    public Cqe dw0(final int value) {
        i32(DW0_OFFSET, value);
        return this;
    }

    /** DW1: command specific result. */
    public int dw1() {
        return i32(DW1_OFFSET);
    }

    /** Sets DW1. */
    public Cqe dw1(final int value) {
        i32(DW1_OFFSET, value);
        return this;
    }

    /** DW0 and DW1 as one u64, e.g. the value of an 8-byte Property Get (NVMe over Fabrics 1.1, section 3.5). */
    public long result64() {
        return i64(DW0_OFFSET);
    }

    /** Sets DW0..DW1 as one u64. */
    public Cqe result64(final long value) {
        i64(DW0_OFFSET, value);
        return this;
    }

    /** SQHD: submission queue head pointer (u16). */
    public int sqhd() {
        return u16(SQHD_OFFSET);
    }

    /** Sets SQHD. */
    public Cqe sqhd(final int value) {
        u16(SQHD_OFFSET, value);
        return this;
    }

    /** SQID: submission queue identifier (u16). */
    public int sqid() {
        return u16(SQID_OFFSET);
    }

    /** Sets SQID. */
    public Cqe sqid(final int value) {
        u16(SQID_OFFSET, value);
        return this;
    }

    /** CID: identifier of the completed command (u16). */
    public int cid() {
        return u16(CID_OFFSET);
    }

    /** Sets CID. */
    public Cqe cid(final int value) {
        u16(CID_OFFSET, value);
        return this;
    }

    /** The raw 16-bit status field including the phase tag. */
    public int statusField() {
        return u16(STATUS_OFFSET);
    }

    /** Sets the raw 16-bit status field including the phase tag. */
    public Cqe statusField(final int value) {
        u16(STATUS_OFFSET, value);
        return this;
    }

    /** P: phase tag, status field bit 0. */
    public boolean phase() {
        return (u16(STATUS_OFFSET) & 1) != 0;
    }

    /** Sets the phase tag, keeping the status. */
    public Cqe phase(final boolean phase) {
        final int v = u16(STATUS_OFFSET);
        u16(STATUS_OFFSET, phase ? v | 1 : v & ~1);
        return this;
    }

    /**
     * The 15-bit status without the phase tag: {@code (dnr << 14) | (more << 13) | (crd << 11) | (sct << 8) | sc}.
     * 0 means success.
     */
    public int status() {
        return u16(STATUS_OFFSET) >>> 1;
    }

    /** Sets the 15-bit status (see {@link #status()}), keeping the phase tag. */
    public Cqe status(final int status) {
        u16(STATUS_OFFSET, ((status & 0x7FFF) << 1) | (u16(STATUS_OFFSET) & 1));
        return this;
    }

    /** Sets SCT and SC from {@code status} and the DNR bit, clearing CRD and M, keeping the phase tag. */
    public Cqe status(final NvmeStatus status, final boolean dnr) {
        return status(status.status() | (dnr ? STATUS_DNR : 0));
    }

    /** {@code (sct << 8) | sc}, comparable with {@link NvmeStatus#status()}. */
    public int nvmeStatus() {
        return status() & STATUS_SCT_SC_MASK;
    }

    /** SC: status code, status field bits 8:1. */
    public int statusCode() {
        return status() & 0xFF;
    }

    /** SCT: status code type, status field bits 11:9. */
    public int statusCodeType() {
        return (status() >>> 8) & 0x7;
    }

    /** CRD: command retry delay index (0..3), status field bits 13:12. */
    public int crd() {
        return (status() >>> STATUS_CRD_SHIFT) & 0x3;
    }

    /** M: more status information in the Error Information log page, status field bit 14. */
    public boolean more() {
        return (status() & STATUS_MORE) != 0;
    }

    /** DNR: do not retry, status field bit 15. */
    public boolean dnr() {
        return (status() & STATUS_DNR) != 0;
    }

    /** Whether SCT and SC are both 0. */
    public boolean isSuccess() {
        return nvmeStatus() == 0;
    }

    @Override
    public String toString() {
        if (buffer == null) {
            return "Cqe{unwrapped}";
        }
        return "Cqe{cid=" + cid() + ", sqid=" + sqid() + ", sqhd=" + sqhd() + ", dw0=0x" + Integer.toHexString(dw0())
            + ", status=" + NvmeStatus.describe(status()) + "}";
    }
}
