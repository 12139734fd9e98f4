package org.nvmeof4j.protocol.admin;

import java.nio.ByteBuffer;
import java.util.Objects;

import org.nvmeof4j.protocol.nvme.LittleEndian;

/**
 * The Asymmetric Namespace Access log page, LID 0Ch (NVMe Base 2.0, section 5.16.1.9; Linux {@code struct
 * nvme_ana_rsp_hdr} and {@code struct nvme_ana_group_desc}): a header, then one variable-length descriptor per ANA
 * group. Static, absolute, allocation-free accessors.
 *
 * <pre>
 * header (16 bytes)                      group descriptor (32 bytes + 4 per NSID)
 *   0     8    CHGCNT change count         0     4    ANAGRPID
 *   8     2    NGRPS descriptors           4     4    NNSIDS (0 when read with RGO)
 *  10     6    reserved                    8     8    CHGCNT
 *                                         16     1    ANA state (bits 3:0, {@link AnaState})
 *                                         17    15    reserved
 *                                         32   4*n    NSIDs, increasing
 * </pre>
 */
public final class AnaLogPage {

    /** Size of the header. */
    public static final int HEADER_LENGTH = 16;
    /** Size of a group descriptor without its NSID list. */
    public static final int DESCRIPTOR_LENGTH = 32;

    public static final int CHGCNT_OFFSET = 0;
    public static final int NGRPS_OFFSET = 8;

    public static final int DESC_ANAGRPID_OFFSET = 0;
    public static final int DESC_NNSIDS_OFFSET = 4;
    public static final int DESC_CHGCNT_OFFSET = 8;
    public static final int DESC_STATE_OFFSET = 16;
    public static final int DESC_NSIDS_OFFSET = 32;

    private AnaLogPage() {
    }

    /** The length of a page with {@code groups} descriptors listing {@code nsids} NSIDs in all. */
    public static long pageLength(final int groups, final long nsids) {
        return HEADER_LENGTH + (long) groups * DESCRIPTOR_LENGTH + 4L * nsids;
    }

    /** Writes the header. */
    public static void writeHeader(final ByteBuffer b, final int offset, final long chgcnt, final int ngrps) {
        Objects.checkFromIndexSize(offset, HEADER_LENGTH, b.limit());
        LittleEndian.fill(b, offset, HEADER_LENGTH, 0);
        LittleEndian.putI64(b, offset + CHGCNT_OFFSET, chgcnt);
        LittleEndian.putU16(b, offset + NGRPS_OFFSET, ngrps);
    }

    /**
     * Writes one group descriptor at {@code offset} with {@code nsids[0..count)} (increasing).
     *
     * @return the offset just past the descriptor.
     */
    public static int writeDescriptor(final ByteBuffer b, final int offset, final int anagrpid, final long chgcnt,
        final AnaState state, final int[] nsids, final int count) {
        Objects.checkFromIndexSize(offset, DESCRIPTOR_LENGTH + 4 * count, b.limit());
        LittleEndian.fill(b, offset, DESCRIPTOR_LENGTH, 0);
        LittleEndian.putI32(b, offset + DESC_ANAGRPID_OFFSET, anagrpid);
        LittleEndian.putI32(b, offset + DESC_NNSIDS_OFFSET, count);
        LittleEndian.putI64(b, offset + DESC_CHGCNT_OFFSET, chgcnt);
        b.put(offset + DESC_STATE_OFFSET, (byte) state.code());
        for (int i = 0; i < count; i++) {
            LittleEndian.putI32(b, offset + DESC_NSIDS_OFFSET + 4 * i, nsids[i]);
        }
        return offset + DESCRIPTOR_LENGTH + 4 * count;
    }

    /** CHGCNT of the header. */
    public static long chgcnt(final ByteBuffer b, final int offset) {
        return LittleEndian.getI64(b, offset + CHGCNT_OFFSET);
    }

    /** NGRPS of the header. */
    public static int ngrps(final ByteBuffer b, final int offset) {
        return LittleEndian.getU16(b, offset + NGRPS_OFFSET);
    }

    /** ANAGRPID of the descriptor at {@code desc}. */
    public static int anagrpid(final ByteBuffer b, final int desc) {
        return LittleEndian.getI32(b, desc + DESC_ANAGRPID_OFFSET);
    }

    /** NNSIDS of the descriptor at {@code desc}, unsigned. */
    public static long nnsids(final ByteBuffer b, final int desc) {
        return LittleEndian.getI32(b, desc + DESC_NNSIDS_OFFSET) & 0xFFFF_FFFFL;
    }

    /** CHGCNT of the descriptor at {@code desc}. */
    public static long descriptorChgcnt(final ByteBuffer b, final int desc) {
        return LittleEndian.getI64(b, desc + DESC_CHGCNT_OFFSET);
    }

    /** The ANA state code (bits 3:0) of the descriptor at {@code desc}. */
    public static int stateCode(final ByteBuffer b, final int desc) {
        return b.get(desc + DESC_STATE_OFFSET) & 0x0F;
    }

    /** NSID {@code i} of the descriptor at {@code desc}. */
    public static int nsid(final ByteBuffer b, final int desc, final int i) {
        return LittleEndian.getI32(b, desc + DESC_NSIDS_OFFSET + 4 * i);
    }
}
