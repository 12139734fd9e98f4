package org.nvmeof4j.protocol.admin;

import java.nio.ByteBuffer;
import java.util.Objects;

import org.nvmeof4j.protocol.nvme.LittleEndian;

/**
 * A Namespace List: up to 1024 NSIDs (u32) in increasing order, unused entries zero (NVMe Base 2.0, section 4.4.2
 * "Namespace List"). Used for the active namespace ID list (Identify CNS 02h: active NSIDs greater than the NSID in
 * the command) and, with an overflow marker, by the Changed Namespace List log page ({@link ChangedNamespaceList}).
 * All methods are static, absolute and allocation-free.
 */
public final class NamespaceIdList {

    /** Size of the list. */
    public static final int LENGTH = 4096;
    /** Number of entries. */
    public static final int MAX_ENTRIES = 1024;

    private NamespaceIdList() {
    }

    /**
     * Writes the active namespace ID list for Identify CNS 02h: the NSIDs of {@code sortedNsids[0..count)} greater
     * than {@code afterNsid} (unsigned), at most 1024, zero filled. Returns the number written.
     *
     * @throws IllegalArgumentException if the NSIDs are not strictly increasing or one is 0
     */
    public static int writeActive(final ByteBuffer buffer, final int offset, final int afterNsid,
                                  final int[] sortedNsids, final int count) {
        Objects.checkFromIndexSize(offset, LENGTH, buffer.limit());
        Objects.checkFromIndexSize(0, count, sortedNsids.length);
        int written = 0;
        int previous = 0;
        for (int i = 0; i < count; i++) {
            final int nsid = sortedNsids[i];
            if (nsid == 0 || (i > 0 && Integer.compareUnsigned(nsid, previous) <= 0)) {
                throw new IllegalArgumentException("NSIDs must be non-zero and strictly increasing at " + i);
            }
            previous = nsid;
            if (Integer.compareUnsigned(nsid, afterNsid) > 0 && written < MAX_ENTRIES) {
                LittleEndian.putI32(buffer, offset + 4 * written, nsid);
                written++;
            }
        }
        LittleEndian.fill(buffer, offset + 4 * written, LENGTH - 4 * written, 0);
        return written;
    }

    /** Number of entries before the first zero entry. */
    public static int count(final ByteBuffer buffer, final int offset) {
        Objects.checkFromIndexSize(offset, LENGTH, buffer.limit());
        for (int i = 0; i < MAX_ENTRIES; i++) {
            if (LittleEndian.getI32(buffer, offset + 4 * i) == 0) {
                return i;
            }
        }
        return MAX_ENTRIES;
    }

    /** Entry {@code i} (0..1023). */
    public static int nsid(final ByteBuffer buffer, final int offset, final int i) {
        return LittleEndian.getI32(buffer, offset + 4 * Objects.checkIndex(i, MAX_ENTRIES));
    }
}
