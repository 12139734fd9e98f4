package org.nvmeof4j.protocol.nvme;

import java.nio.ByteBuffer;

/**
 * Flyweight over a 64-byte Submission Queue Entry (NVMe Base 2.0, section 4.2 "Submission Queue Entry"; NVMe Base 1.4
 * section 4.2), the command carried in a CapsuleCmd PDU (NVMe/TCP 1.0, section 3.6.2.5).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+-----------+---+-------------------------------+
 *  |    OPC        |PSDT| rsvd |FUS|            CID                |  0  CDW0
 *  +---------------+-----------+---+-------------------------------+
 *  |                            NSID                               |  4  CDW1
 *  +---------------------------------------------------------------+
 *  |                            CDW2                               |  8
 *  +---------------------------------------------------------------+
 *  |                            CDW3                               | 12
 *  +---------------------------------------------------------------+
 *  |                       MPTR (u64)                              | 16
 *  +---------------------------------------------------------------+
 *  |             DPTR / SGL1 address (u64)                         | 24
 *  +---------------------------------------------------------------+
 *  |             SGL1 length (u32)                                 | 32
 *  +-----------------------------------------------+---------------+
 *  |             SGL1 reserved                     | SGL identifier| 36 (byte 39 = type &lt;&lt; 4 | subtype)
 *  +-----------------------------------------------+---------------+
 *  |                       CDW10 .. CDW15                          | 40 .. 63
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The FLAGS byte (byte 1) holds FUSE in bits 1:0 and PSDT in bits 7:6. Over NVMe/TCP the data pointer is always
 * one SGL descriptor (PSDT {@link #PSDT_SGL_MPTR_CONTIGUOUS}): either a Transport SGL Data Block ({@link
 * #SGL_TRANSPORT_DATA_BLOCK}, address 0, data moved by C2HData or R2T/H2CData) or a Data Block with Offset subtype
 * ({@link #SGL_DATA_BLOCK_OFFSET}) for in-capsule data (NVMe/TCP 1.0, section 3.3.3; NVMe over Fabrics 1.1, section
 * 2.3.1).
 *
 * <p>The NVM-command helpers ({@link #startingLba()}, {@link #numberOfLogicalBlocks()}, {@link #fua()}, ...) follow the
 * Read/Write/Compare/Write Zeroes layout of the NVM Command Set 1.0, sections 3.2.4 and 3.2.6 (NVMe Base 1.4, section
 * 6.9, 6.15): SLBA in CDW10..11, NLB (0's based) in CDW12 bits 15:0, FUA bit 30, LR bit 31, DSM in CDW13 bits 7:0.
 */
public final class Sqe extends Flyweight {

    /** Size of a submission queue entry in bytes. */
    public static final int LENGTH = 64;

    /** Byte offset of the opcode (CDW0 bits 7:0). */
    public static final int OPCODE_OFFSET = 0;
    /** Byte offset of the flags byte: FUSE bits 1:0, PSDT bits 7:6 (CDW0 bits 15:8). */
    public static final int FLAGS_OFFSET = 1;
    /** Byte offset of the command identifier (CDW0 bits 31:16). */
    public static final int CID_OFFSET = 2;
    /** Byte offset of the namespace identifier (CDW1). */
    public static final int NSID_OFFSET = 4;
    /** Byte offset of CDW2. */
    public static final int CDW2_OFFSET = 8;
    /** Byte offset of CDW3. */
    public static final int CDW3_OFFSET = 12;
    /** Byte offset of the metadata pointer (CDW4..5). */
    public static final int MPTR_OFFSET = 16;
    /** Byte offset of the data pointer (CDW6..9); SGL1 or PRP1. */
    public static final int DPTR_OFFSET = 24;
    /** Byte offset of SGL1's address (u64). */
    public static final int SGL_ADDRESS_OFFSET = 24;
    /** Byte offset of PRP2 (PCIe only; SGL1's length and identifier otherwise). */
    public static final int PRP2_OFFSET = 32;
    /** Byte offset of SGL1's length (u32). */
    public static final int SGL_LENGTH_OFFSET = 32;
    /** Byte offset of SGL1's identifier byte: descriptor type in bits 7:4, subtype in bits 3:0. */
    public static final int SGL_IDENTIFIER_OFFSET = 39;
    /** Byte offset of CDW10. */
    public static final int CDW10_OFFSET = 40;
    /** Byte offset of CDW11. */
    public static final int CDW11_OFFSET = 44;
    /** Byte offset of CDW12. */
    public static final int CDW12_OFFSET = 48;
    /** Byte offset of CDW13. */
    public static final int CDW13_OFFSET = 52;
    /** Byte offset of CDW14. */
    public static final int CDW14_OFFSET = 56;
    /** Byte offset of CDW15. */
    public static final int CDW15_OFFSET = 60;

    /** FUSE: normal operation. */
    public static final int FUSE_NORMAL = 0b00;
    /** FUSE: first command of a fused operation. */
    public static final int FUSE_FIRST = 0b01;
    /** FUSE: second command of a fused operation. */
    public static final int FUSE_SECOND = 0b10;

    /** PSDT: PRPs are used for this transfer. */
    public static final int PSDT_PRP = 0b00;
    /** PSDT: SGLs, MPTR holds the address of one contiguous buffer (what NVMe/TCP uses). */
    public static final int PSDT_SGL_MPTR_CONTIGUOUS = 0b01;
    /** PSDT: SGLs, MPTR holds the address of an SGL segment with one descriptor. */
    public static final int PSDT_SGL_MPTR_SGL = 0b10;

    /** SGL descriptor type: Data Block (NVMe Base 2.0, Figure "SGL Descriptor Type"). */
    public static final int SGL_TYPE_DATA_BLOCK = 0x0;
    /** SGL descriptor type: Bit Bucket. */
    public static final int SGL_TYPE_BIT_BUCKET = 0x1;
    /** SGL descriptor type: Segment. */
    public static final int SGL_TYPE_SEGMENT = 0x2;
    /** SGL descriptor type: Last Segment. */
    public static final int SGL_TYPE_LAST_SEGMENT = 0x3;
    /** SGL descriptor type: Keyed Data Block (RDMA). */
    public static final int SGL_TYPE_KEYED_DATA_BLOCK = 0x4;
    /** SGL descriptor type: Transport SGL Data Block. */
    public static final int SGL_TYPE_TRANSPORT_DATA_BLOCK = 0x5;
    /** SGL descriptor subtype: Address. */
    public static final int SGL_SUBTYPE_ADDRESS = 0x0;
    /** SGL descriptor subtype: Offset (in-capsule data). */
    public static final int SGL_SUBTYPE_OFFSET = 0x1;
    /** SGL descriptor subtype: transport specific 0xA (NVMe/TCP). */
    public static final int SGL_SUBTYPE_TRANSPORT_A = 0xA;

    /** SGL identifier of a Transport SGL Data Block descriptor, subtype 0xA: data moved by C2HData or R2T/H2CData. */
    public static final int SGL_TRANSPORT_DATA_BLOCK = 0x5A;
    /** SGL identifier of a Data Block descriptor with the Offset subtype: in-capsule data. */
    public static final int SGL_DATA_BLOCK_OFFSET = 0x01;

    /** CDW12 bit 31: Limited Retry. */
    public static final int CDW12_LR = 1 << 31;
    /** CDW12 bit 30: Force Unit Access. */
    public static final int CDW12_FUA = 1 << 30;
    /** CDW12 bit 25: Deallocate (Write Zeroes). */
    public static final int CDW12_DEAC = 1 << 25;
    /** CDW12 bits 29:26: Protection Information field shift. */
    public static final int CDW12_PRINFO_SHIFT = 26;

    /** Most logical blocks one Read/Write can address (NLB is a 16-bit 0's based value). */
    public static final int MAX_LOGICAL_BLOCKS = 65536;

    /** Points this flyweight at the 64 bytes at {@code offset} of {@code buffer}. */
    public Sqe wrap(final ByteBuffer buffer, final int offset) {
        wrapBuffer(buffer, offset);
        return this;
    }

    @Override
    public int encodedLength() {
        return LENGTH;
    }

    /** Zeroes all 64 bytes. */
    public Sqe clear() {
        zero();
        return this;
    }

    /** OPC: command opcode. */
    public int opcode() {
        return u8(OPCODE_OFFSET);
    }

    /** Sets OPC. */
    public Sqe opcode(final int opcode) {
        u8(OPCODE_OFFSET, opcode);
        return this;
    }

    /** The whole flags byte (FUSE bits 1:0, PSDT bits 7:6). */
    public int flags() {
        return u8(FLAGS_OFFSET);
    }

    /** Sets the whole flags byte. */
    public Sqe flags(final int flags) {
        u8(FLAGS_OFFSET, flags);
        return this;
    }

    /** FUSE: fused operation, bits 1:0 of byte 1. */
    public int fuse() {
        return u8(FLAGS_OFFSET) & 0x3;
    }

    /** Sets FUSE, keeping PSDT. */
    public Sqe fuse(final int fuse) {
        u8(FLAGS_OFFSET, (u8(FLAGS_OFFSET) & ~0x3) | (fuse & 0x3));
        return this;
    }

    /** PSDT: PRP or SGL for data transfer, bits 7:6 of byte 1. */
    public int psdt() {
        return u8(FLAGS_OFFSET) >>> 6;
    }

    /** Sets PSDT, keeping FUSE. */
    public Sqe psdt(final int psdt) {
        u8(FLAGS_OFFSET, (u8(FLAGS_OFFSET) & 0x3F) | ((psdt & 0x3) << 6));
        return this;
    }

    /** CID: command identifier (u16). */
    public int cid() {
        return u16(CID_OFFSET);
    }

    /** Sets CID. */
    public Sqe cid(final int cid) {
        u16(CID_OFFSET, cid);
        return this;
    }

    /** NSID: namespace identifier (u32 bit pattern; 0xFFFFFFFF is "all namespaces"). */
    public int nsid() {
        return i32(NSID_OFFSET);
    }

    /** Sets NSID. */
    public Sqe nsid(final int nsid) {
        i32(NSID_OFFSET, nsid);
        return this;
    }

    /** CDW2. */
    public int cdw2() {
        return i32(CDW2_OFFSET);
    }

    /** Sets CDW2. */
    public Sqe cdw2(final int value) {
        i32(CDW2_OFFSET, value);
        return this;
    }

    /** CDW3. */
    public int cdw3() {
        return i32(CDW3_OFFSET);
    }

    /** Sets CDW3. */
    public Sqe cdw3(final int value) {
        i32(CDW3_OFFSET, value);
        return this;
    }

    /** MPTR: metadata pointer (u64). */
    public long mptr() {
        return i64(MPTR_OFFSET);
    }

    /** Sets MPTR. */
    public Sqe mptr(final long value) {
        i64(MPTR_OFFSET, value);
        return this;
    }

    /** PRP1, the same bytes as {@link #sglAddress()}. */
    public long prp1() {
        return i64(DPTR_OFFSET);
    }

    /** Sets PRP1. */
    public Sqe prp1(final long value) {
        i64(DPTR_OFFSET, value);
        return this;
    }

    /** PRP2 (bytes 32..39). */
    public long prp2() {
        return i64(PRP2_OFFSET);
    }

    /** Sets PRP2. */
    public Sqe prp2(final long value) {
        i64(PRP2_OFFSET, value);
        return this;
    }

    /** SGL1 address (u64); for in-capsule data the offset into the capsule data. */
    public long sglAddress() {
        return i64(SGL_ADDRESS_OFFSET);
    }

    /** Sets SGL1's address. */
    public Sqe sglAddress(final long value) {
        i64(SGL_ADDRESS_OFFSET, value);
        return this;
    }

    /** SGL1 length in bytes (u32). */
    public long sglLength() {
        return u32(SGL_LENGTH_OFFSET);
    }

    /** Sets SGL1's length. */
    public Sqe sglLength(final long value) {
        u32(SGL_LENGTH_OFFSET, value);
        return this;
    }

    /** SGL1 identifier byte: type in bits 7:4, subtype in bits 3:0 (e.g. {@link #SGL_TRANSPORT_DATA_BLOCK}). */
    public int sglIdentifier() {
        return u8(SGL_IDENTIFIER_OFFSET);
    }

    /** Sets SGL1's identifier byte. */
    public Sqe sglIdentifier(final int value) {
        u8(SGL_IDENTIFIER_OFFSET, value);
        return this;
    }

    /** SGL1 descriptor type (identifier bits 7:4). */
    public int sglType() {
        return u8(SGL_IDENTIFIER_OFFSET) >>> 4;
    }

    /** SGL1 descriptor subtype (identifier bits 3:0). */
    public int sglSubtype() {
        return u8(SGL_IDENTIFIER_OFFSET) & 0xF;
    }

    /**
     * Makes DPTR a Transport SGL Data Block descriptor (identifier 0x5A, address 0) for {@code length} bytes moved by
     * C2HData, or by R2T and H2CData, and sets PSDT to SGL. Bytes 36..38 are zeroed.
     */
    public Sqe sglTransportDataBlock(final long length) {
        i64(SGL_ADDRESS_OFFSET, 0L);
        u32(SGL_LENGTH_OFFSET, length);
        i32(SGL_LENGTH_OFFSET + 4, SGL_TRANSPORT_DATA_BLOCK << 24);
        return psdt(PSDT_SGL_MPTR_CONTIGUOUS);
    }

    /**
     * Makes DPTR a Data Block descriptor with the Offset subtype (identifier 0x01) for {@code length} bytes of
     * in-capsule data starting {@code capsuleOffset} bytes into the capsule's data (Linux: ICDOFF, SPDK: 0), and sets
     * PSDT to SGL. Bytes 36..38 are zeroed.
     */
    public Sqe sglInCapsule(final long capsuleOffset, final long length) {
        i64(SGL_ADDRESS_OFFSET, capsuleOffset);
        u32(SGL_LENGTH_OFFSET, length);
        i32(SGL_LENGTH_OFFSET + 4, SGL_DATA_BLOCK_OFFSET << 24);
        return psdt(PSDT_SGL_MPTR_CONTIGUOUS);
    }

    /** CDW10. */
    public int cdw10() {
        return i32(CDW10_OFFSET);
    }

    /** Sets CDW10. */
    public Sqe cdw10(final int value) {
        i32(CDW10_OFFSET, value);
        return this;
    }

    /** CDW11. */
    public int cdw11() {
        return i32(CDW11_OFFSET);
    }

    /** Sets CDW11. */
    public Sqe cdw11(final int value) {
        i32(CDW11_OFFSET, value);
        return this;
    }

    /** CDW12. */
    public int cdw12() {
        return i32(CDW12_OFFSET);
    }

    /** Sets CDW12. */
    public Sqe cdw12(final int value) {
        i32(CDW12_OFFSET, value);
        return this;
    }

    /** CDW13. */
    public int cdw13() {
        return i32(CDW13_OFFSET);
    }

    /** Sets CDW13. */
    public Sqe cdw13(final int value) {
        i32(CDW13_OFFSET, value);
        return this;
    }

    /** CDW14. */
    public int cdw14() {
        return i32(CDW14_OFFSET);
    }

    /** Sets CDW14. */
    public Sqe cdw14(final int value) {
        i32(CDW14_OFFSET, value);
        return this;
    }

    /** CDW15. */
    public int cdw15() {
        return i32(CDW15_OFFSET);
    }

    /** Sets CDW15. */
    public Sqe cdw15(final int value) {
        i32(CDW15_OFFSET, value);
        return this;
    }

    /** CDW{@code n} for n in 0..15. */
    public int cdw(final int n) {
        return i32(java.util.Objects.checkIndex(n, 16) * 4);
    }

    /** Sets CDW{@code n} for n in 0..15. */
    public Sqe cdw(final int n, final int value) {
        i32(java.util.Objects.checkIndex(n, 16) * 4, value);
        return this;
    }

    /** SLBA: starting LBA, CDW10 (low) and CDW11 (high) as one u64. */
    public long startingLba() {
        return i64(CDW10_OFFSET);
    }

    /** Sets SLBA. */
    public Sqe startingLba(final long slba) {
        i64(CDW10_OFFSET, slba);
        return this;
    }

    /** Number of logical blocks, 1..65536, decoded from the 0's based NLB in CDW12 bits 15:0. */
    public int numberOfLogicalBlocks() {
        return u16(CDW12_OFFSET) + 1;
    }

    /**
     * Sets NLB in CDW12 bits 15:0 from a count of 1..65536 logical blocks, keeping CDW12 bits 31:16.
     *
     * @throws IllegalArgumentException if {@code blocks} is outside 1..65536
     */
    public Sqe numberOfLogicalBlocks(final int blocks) {
        if (blocks < 1 || blocks > MAX_LOGICAL_BLOCKS) {
            throw new IllegalArgumentException("number of logical blocks not in 1..65536: " + blocks);
        }
        u16(CDW12_OFFSET, blocks - 1);
        return this;
    }

    /** FUA: Force Unit Access, CDW12 bit 30. */
    public boolean fua() {
        return (i32(CDW12_OFFSET) & CDW12_FUA) != 0;
    }

    /** Sets or clears FUA. */
    public Sqe fua(final boolean fua) {
        return cdw12Bit(CDW12_FUA, fua);
    }

    /** LR: Limited Retry, CDW12 bit 31. */
    public boolean limitedRetry() {
        return (i32(CDW12_OFFSET) & CDW12_LR) != 0;
    }

    /** Sets or clears LR. */
    public Sqe limitedRetry(final boolean lr) {
        return cdw12Bit(CDW12_LR, lr);
    }

    /** DEAC: Deallocate, CDW12 bit 25 of Write Zeroes. */
    public boolean deallocate() {
        return (i32(CDW12_OFFSET) & CDW12_DEAC) != 0;
    }

    /** Sets or clears DEAC. */
    public Sqe deallocate(final boolean deac) {
        return cdw12Bit(CDW12_DEAC, deac);
    }

    /** PRINFO: Protection Information field, CDW12 bits 29:26. */
    public int protectionInformation() {
        return (i32(CDW12_OFFSET) >>> CDW12_PRINFO_SHIFT) & 0xF;
    }

    /** Sets PRINFO. */
    public Sqe protectionInformation(final int prinfo) {
        final int mask = 0xF << CDW12_PRINFO_SHIFT;
        i32(CDW12_OFFSET, (i32(CDW12_OFFSET) & ~mask) | ((prinfo & 0xF) << CDW12_PRINFO_SHIFT));
        return this;
    }

    /** DSM: Dataset Management attributes of Read/Write, CDW13 bits 7:0. */
    public int datasetManagement() {
        return u8(CDW13_OFFSET);
    }

    /** Sets DSM in CDW13 bits 7:0. */
    public Sqe datasetManagement(final int dsm) {
        u8(CDW13_OFFSET, dsm);
        return this;
    }

    /** NR: number of ranges of a Dataset Management command, 1..256, from the 0's based CDW10 bits 7:0. */
    public int numberOfRanges() {
        return u8(CDW10_OFFSET) + 1;
    }

    /** Sets NR (1..256) in CDW10 bits 7:0. */
    public Sqe numberOfRanges(final int ranges) {
        if (ranges < 1 || ranges > 256) {
            throw new IllegalArgumentException("number of ranges not in 1..256: " + ranges);
        }
        u8(CDW10_OFFSET, ranges - 1);
        return this;
    }

    private Sqe cdw12Bit(final int bit, final boolean set) {
        final int v = i32(CDW12_OFFSET);
        i32(CDW12_OFFSET, set ? v | bit : v & ~bit);
        return this;
    }

    @Override
    public String toString() {
        if (buffer == null) {
            return "Sqe{unwrapped}";
        }
        return "Sqe{opc=0x" + Integer.toHexString(opcode()) + ", cid=" + cid()
            + ", nsid=" + Integer.toUnsignedString(nsid()) + ", sgl=0x" + Integer.toHexString(sglIdentifier())
            + "/" + sglLength() + "}";
    }
}
