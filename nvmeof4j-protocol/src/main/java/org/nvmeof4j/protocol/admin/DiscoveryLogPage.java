package org.nvmeof4j.protocol.admin;

import java.nio.ByteBuffer;

import org.nvmeof4j.protocol.nvme.Flyweight;

/**
 * Flyweight over the 1024-byte header of the Discovery log page, LID 70h (NVMe over Fabrics 1.1, section 5.3, Figure
 * "Discovery Log Page"; Linux {@code struct nvmf_disc_rsp_page_hdr}). The header is followed by NUMREC 1024-byte
 * entries, see {@link DiscoveryLogEntry} and {@link #entryOffset(int)}.
 *
 * <pre>
 *     0  u64  GENCTR  generation counter, changes whenever the log changes
 *     8  u64  NUMREC  number of records
 *    16  u16  RECFMT  record format (0)
 *    18..1023 reserved
 *  1024       entry 0, 2048 entry 1, ...
 * </pre>
 *
 * <p>Hosts read the header first, then the whole log, then the header again and retry if GENCTR changed (as Linux
 * {@code nvme-cli} does).
 */
public final class DiscoveryLogPage extends Flyweight {

    /** Size of the header. */
    public static final int LENGTH = 1024;

    public static final int GENCTR_OFFSET = 0;
    public static final int NUMREC_OFFSET = 8;
    public static final int RECFMT_OFFSET = 16;

    /** Points this flyweight at the 1024-byte header at {@code offset} of {@code buffer}. */
    public DiscoveryLogPage wrap(final ByteBuffer buffer, final int offset) {
        wrapBuffer(buffer, offset);
        return this;
    }

    @Override
    public int encodedLength() {
        return LENGTH;
    }

    /** Zeroes the header. */
    public DiscoveryLogPage clear() {
        zero();
        return this;
    }

    /** Byte offset of entry {@code i} from the start of the log page. */
    public static long entryOffset(final int i) {
        return LENGTH + (long) i * DiscoveryLogEntry.LENGTH;
    }

    /** Size in bytes of a log page with {@code numrec} entries. */
    public static long pageLength(final long numrec) {
        return LENGTH + numrec * DiscoveryLogEntry.LENGTH;
    }

    /** GENCTR. */
    public long genctr() {
        return i64(GENCTR_OFFSET);
    }

    public DiscoveryLogPage genctr(final long v) {
        i64(GENCTR_OFFSET, v);
        return this;
    }

    /** NUMREC (u64; a peer value is not trusted, bound it before sizing a buffer). */
    public long numrec() {
        return i64(NUMREC_OFFSET);
    }

    public DiscoveryLogPage numrec(final long v) {
        i64(NUMREC_OFFSET, v);
        return this;
    }

    /** RECFMT. */
    public int recfmt() {
        return u16(RECFMT_OFFSET);
    }

    public DiscoveryLogPage recfmt(final int v) {
        u16(RECFMT_OFFSET, v);
        return this;
    }
}
