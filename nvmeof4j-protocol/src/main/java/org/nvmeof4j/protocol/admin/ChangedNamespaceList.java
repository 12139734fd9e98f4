package org.nvmeof4j.protocol.admin;

import java.nio.ByteBuffer;
import java.util.Objects;

import org.nvmeof4j.protocol.nvme.LittleEndian;

/**
 * The Changed Namespace List log page, LID 04h (NVMe Base 2.0, section 5.16.1.5): a 4096-byte Namespace List of up to
 * 1024 NSIDs whose attributes changed since it was last read, in increasing order, zero filled. If more than 1024
 * namespaces changed, the first entry is {@link #OVERFLOW} (FFFFFFFFh) and the rest are zero. Static, absolute,
 * allocation-free.
 */
public final class ChangedNamespaceList {

    /** Size of the log page. */
    public static final int LENGTH = NamespaceIdList.LENGTH;
    /** Number of entries. */
    public static final int MAX_ENTRIES = NamespaceIdList.MAX_ENTRIES;
    /** First entry when more than 1024 namespaces changed. */
    public static final int OVERFLOW = 0xFFFF_FFFF;

    private ChangedNamespaceList() {
    }

    /**
     * Writes the page from {@code sortedNsids[0..count)} (strictly increasing, non-zero); if {@code count} exceeds
     * 1024 writes the overflow form. Returns the number of entries written (1 for overflow).
     */
    public static int write(final ByteBuffer buffer, final int offset, final int[] sortedNsids, final int count) {
        Objects.checkFromIndexSize(offset, LENGTH, buffer.limit());
        if (count > MAX_ENTRIES) {
            LittleEndian.putI32(buffer, offset, OVERFLOW);
            LittleEndian.fill(buffer, offset + 4, LENGTH - 4, 0);
            return 1;
        }
        return NamespaceIdList.writeActive(buffer, offset, 0, sortedNsids, count);
    }

    /** Whether the page says more than 1024 namespaces changed. */
    public static boolean overflow(final ByteBuffer buffer, final int offset) {
        return LittleEndian.getI32(buffer, offset) == OVERFLOW;
    }

    /** Number of NSIDs listed (0 for the overflow form). */
    public static int count(final ByteBuffer buffer, final int offset) {
        return overflow(buffer, offset) ? 0 : NamespaceIdList.count(buffer, offset);
    }

    /** Entry {@code i} (0..1023). */
    public static int nsid(final ByteBuffer buffer, final int offset, final int i) {
        return NamespaceIdList.nsid(buffer, offset, i);
    }
}
