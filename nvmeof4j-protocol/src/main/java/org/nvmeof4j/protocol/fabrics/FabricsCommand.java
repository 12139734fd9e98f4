package org.nvmeof4j.protocol.fabrics;

import java.nio.ByteBuffer;

import org.nvmeof4j.protocol.nvme.Flyweight;
import org.nvmeof4j.protocol.nvme.Opcodes;
import org.nvmeof4j.protocol.nvme.Sqe;

/**
 * Flyweight over the 64-byte SQE of a Fabrics command (opcode 0x7F): the common header and the fields of Connect,
 * Property Get/Set and Authentication Send/Receive (NVMe over Fabrics 1.1, sections 3.1 to 3.6; Linux
 * {@code struct nvmf_connect_command}, {@code nvmf_property_set_command}, {@code nvmf_auth_send_command}). Wrap the
 * same bytes with an {@link Sqe} for the generic fields (SGL1 of Connect's in-capsule data).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  |  OPC = 0x7F   |    reserved   |             CID               |  0
 *  +---------------+---------------+-------------------------------+
 *  |    FCTYPE     |               reserved (19 bytes)             |  4
 *  +---------------+-----------------------------------------------+
 *  |                 SGL1 (16 bytes, bytes 24..39)                 | 24
 *  +---------------------------------------------------------------+
 *  Connect:
 *  +-------------------------------+-------------------------------+
 *  |            RECFMT             |              QID              | 40
 *  +-------------------------------+---------------+---------------+
 *  |     SQSIZE (0's based)        |     CATTR     |   reserved    | 44
 *  +-------------------------------+---------------+---------------+
 *  |                          KATO (ms)                            | 48
 *  +---------------------------------------------------------------+
 *  Property Get / Set:
 *  +---------------+-----------------------------------------------+
 *  |    ATTRIB     |                reserved                       | 40
 *  +---------------+-----------------------------------------------+
 *  |                             OFST                              | 44
 *  +---------------------------------------------------------------+
 *  |                    VALUE (u64, Set only)                      | 48
 *  +---------------------------------------------------------------+
 *  Authentication Send / Receive:
 *  +---------------+---------------+---------------+---------------+
 *  |   reserved    |     SPSP0     |     SPSP1     |     SECP      | 40
 *  +---------------+---------------+---------------+---------------+
 *  |                TL (Send) / AL (Receive)                       | 44
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class FabricsCommand extends Flyweight {

    /** Size of the command (an SQE). */
    public static final int LENGTH = Sqe.LENGTH;

    /** Byte offset of the opcode (always {@link Opcodes#FABRICS}). */
    public static final int OPCODE_OFFSET = 0;
    /** Byte offset of CID. */
    public static final int CID_OFFSET = 2;
    /** Byte offset of FCTYPE. */
    public static final int FCTYPE_OFFSET = 4;

    /** Connect: byte offset of RECFMT, the record format (0 defined). */
    public static final int RECFMT_OFFSET = 40;
    /** Connect: byte offset of QID (0 admin queue). */
    public static final int QID_OFFSET = 42;
    /** Connect: byte offset of SQSIZE (0's based). */
    public static final int SQSIZE_OFFSET = 44;
    /** Connect: byte offset of CATTR, the connect attributes. */
    public static final int CATTR_OFFSET = 46;
    /** Connect: byte offset of KATO, the keep alive timeout in milliseconds (admin queue only). */
    public static final int KATO_OFFSET = 48;

    /** Property Get/Set: byte offset of ATTRIB (bits 2:0 size). */
    public static final int ATTRIB_OFFSET = 40;
    /** Property Get/Set: byte offset of OFST, the property offset. */
    public static final int OFST_OFFSET = 44;
    /** Property Set: byte offset of VALUE (u64; only the low 4 bytes are used for a 4-byte property). */
    public static final int VALUE_OFFSET = 48;

    /** Authentication Send/Receive: byte offset of SPSP0. */
    public static final int SPSP0_OFFSET = 41;
    /** Authentication Send/Receive: byte offset of SPSP1. */
    public static final int SPSP1_OFFSET = 42;
    /** Authentication Send/Receive: byte offset of SECP, the security protocol (0xE9 for NVMe in-band auth). */
    public static final int SECP_OFFSET = 43;
    /** Authentication Send: byte offset of TL (transfer length); Receive: AL (allocation length). */
    public static final int TL_AL_OFFSET = 44;

    /** CATTR bits 1:0: priority class (weighted round robin with urgent priority class). */
    public static final int CATTR_PRIORITY_CLASS_MASK = 0x3;
    /** CATTR bit 2: disable SQ flow control (the target does not report SQHD; C2HData may carry SUCCESS). */
    public static final int CATTR_DISABLE_SQ_FLOW_CONTROL = 1 << 2;

    /** ATTRIB size: a 4-byte property. */
    public static final int ATTRIB_SIZE_4 = 0;
    /** ATTRIB size: an 8-byte property. */
    public static final int ATTRIB_SIZE_8 = 1;

    /** The only defined Connect record format. */
    public static final int RECFMT_0 = 0;
    /** SECP of NVMe in-band authentication (DH-HMAC-CHAP). */
    public static final int SECP_NVME_AUTH = 0xE9;

    /** Points this flyweight at the 64 bytes at {@code offset} of {@code buffer}. */
    public FabricsCommand wrap(final ByteBuffer buffer, final int offset) {
        wrapBuffer(buffer, offset);
        return this;
    }

    /** Points this flyweight at the bytes {@code sqe} wraps. */
    public FabricsCommand wrap(final Sqe sqe) {
        return wrap(sqe.buffer(), sqe.offset());
    }

    @Override
    public int encodedLength() {
        return LENGTH;
    }

    /** Zeroes the command and sets OPC to 0x7F and FCTYPE to {@code fctype}. */
    public FabricsCommand init(final int fctype) {
        zero();
        u8(OPCODE_OFFSET, Opcodes.FABRICS);
        u8(FCTYPE_OFFSET, fctype);
        return this;
    }

    /** Whether the SQE is a Fabrics command (opcode 0x7F). */
    public static boolean isFabrics(final Sqe sqe) {
        return sqe.opcode() == Opcodes.FABRICS;
    }

    /** OPC (0x7F for a Fabrics command). */
    public int opcode() {
        return u8(OPCODE_OFFSET);
    }

    /** CID. */
    public int cid() {
        return u16(CID_OFFSET);
    }

    /** Sets CID. */
    public FabricsCommand cid(final int cid) {
        u16(CID_OFFSET, cid);
        return this;
    }

    /** FCTYPE: the Fabrics command type ({@code Opcodes.FCTYPE_*}). */
    public int fctype() {
        return u8(FCTYPE_OFFSET);
    }

    /** Sets FCTYPE. */
    public FabricsCommand fctype(final int fctype) {
        u8(FCTYPE_OFFSET, fctype);
        return this;
    }

    // ---- Connect

    /** Connect RECFMT. */
    public int recfmt() {
        return u16(RECFMT_OFFSET);
    }

    /** Sets Connect RECFMT. */
    public FabricsCommand recfmt(final int recfmt) {
        u16(RECFMT_OFFSET, recfmt);
        return this;
    }

    /** Connect QID: 0 for the admin queue, 1.. for I/O queues. */
    public int qid() {
        return u16(QID_OFFSET);
    }

    /** Sets Connect QID. */
    public FabricsCommand qid(final int qid) {
        u16(QID_OFFSET, qid);
        return this;
    }

    /** Connect SQSIZE as on the wire (0's based). */
    public int sqsize() {
        return u16(SQSIZE_OFFSET);
    }

    /** Sets Connect SQSIZE as on the wire (0's based). */
    public FabricsCommand sqsize(final int sqsize) {
        u16(SQSIZE_OFFSET, sqsize);
        return this;
    }

    /** Submission queue size in entries, SQSIZE + 1 (1..65536). */
    public int submissionQueueSize() {
        return u16(SQSIZE_OFFSET) + 1;
    }

    /**
     * Sets SQSIZE from a queue size in entries (the Linux host sends queue_size - 1, e.g. 31 for its admin queue).
     *
     * @throws IllegalArgumentException if {@code entries} is outside 1..65536
     */
    public FabricsCommand submissionQueueSize(final int entries) {
        if (entries < 1 || entries > 65536) {
            throw new IllegalArgumentException("queue size not in 1..65536: " + entries);
        }
        u16(SQSIZE_OFFSET, entries - 1);
        return this;
    }

    /** Connect CATTR byte. */
    public int cattr() {
        return u8(CATTR_OFFSET);
    }

    /** Sets Connect CATTR. */
    public FabricsCommand cattr(final int cattr) {
        u8(CATTR_OFFSET, cattr);
        return this;
    }

    /** Whether CATTR asks to disable SQ flow control (bit 2). */
    public boolean disableSqFlowControl() {
        return (u8(CATTR_OFFSET) & CATTR_DISABLE_SQ_FLOW_CONTROL) != 0;
    }

    /** Sets or clears CATTR bit 2, disable SQ flow control. */
    public FabricsCommand disableSqFlowControl(final boolean disable) {
        final int v = u8(CATTR_OFFSET);
        u8(CATTR_OFFSET, disable ? v | CATTR_DISABLE_SQ_FLOW_CONTROL : v & ~CATTR_DISABLE_SQ_FLOW_CONTROL);
        return this;
    }

    /** Connect KATO: keep alive timeout in milliseconds (u32; 0 disables). */
    public long kato() {
        return u32(KATO_OFFSET);
    }

    /** Sets Connect KATO in milliseconds. */
    public FabricsCommand kato(final long katoMillis) {
        u32(KATO_OFFSET, katoMillis);
        return this;
    }

    // ---- Property Get / Set

    /** ATTRIB byte of Property Get/Set. */
    public int attrib() {
        return u8(ATTRIB_OFFSET);
    }

    /** Sets ATTRIB. */
    public FabricsCommand attrib(final int attrib) {
        u8(ATTRIB_OFFSET, attrib);
        return this;
    }

    /** Property size in bytes from ATTRIB bits 2:0: 4, 8, or -1 for a reserved encoding. */
    public int propertySize() {
        switch (u8(ATTRIB_OFFSET) & 0x7) {
            case ATTRIB_SIZE_4: return 4;
            case ATTRIB_SIZE_8: return 8;
            default: return -1;
        }
    }

    /**
     * Sets ATTRIB bits 2:0 from a property size of 4 or 8 bytes.
     *
     * @throws IllegalArgumentException for any other size
     */
    public FabricsCommand propertySize(final int bytes) {
        final int code;
        if (bytes == 4) {
            code = ATTRIB_SIZE_4;
        } else if (bytes == 8) {
            code = ATTRIB_SIZE_8;
        } else {
            throw new IllegalArgumentException("property size is 4 or 8: " + bytes);
        }
        u8(ATTRIB_OFFSET, (u8(ATTRIB_OFFSET) & ~0x7) | code);
        return this;
    }

    /** OFST: the property offset (u32), see {@link ControllerRegisters}. */
    public long ofst() {
        return u32(OFST_OFFSET);
    }

    /** Sets OFST. */
    public FabricsCommand ofst(final long offset) {
        u32(OFST_OFFSET, offset);
        return this;
    }

    /** VALUE of Property Set (u64). */
    public long value() {
        return i64(VALUE_OFFSET);
    }

    /** Sets VALUE of Property Set. */
    public FabricsCommand value(final long value) {
        i64(VALUE_OFFSET, value);
        return this;
    }

    // ---- Authentication Send / Receive

    /** SECP: security protocol. */
    public int secp() {
        return u8(SECP_OFFSET);
    }

    /** Sets SECP. */
    public FabricsCommand secp(final int secp) {
        u8(SECP_OFFSET, secp);
        return this;
    }

    /** SPSP0: security protocol specific 0. */
    public int spsp0() {
        return u8(SPSP0_OFFSET);
    }

    /** Sets SPSP0. */
    public FabricsCommand spsp0(final int v) {
        u8(SPSP0_OFFSET, v);
        return this;
    }

    /** SPSP1: security protocol specific 1. */
    public int spsp1() {
        return u8(SPSP1_OFFSET);
    }

    /** Sets SPSP1. */
    public FabricsCommand spsp1(final int v) {
        u8(SPSP1_OFFSET, v);
        return this;
    }

    /** TL (Authentication Send) or AL (Authentication Receive), u32. */
    public long transferLength() {
        return u32(TL_AL_OFFSET);
    }

    /** Sets TL / AL. */
    public FabricsCommand transferLength(final long length) {
        u32(TL_AL_OFFSET, length);
        return this;
    }

    @Override
    public String toString() {
        if (buffer == null) {
            return "FabricsCommand{unwrapped}";
        }
        return "FabricsCommand{" + Opcodes.fabricsName(fctype()) + ", cid=" + cid() + "}";
    }
}
