package org.nvmeof4j.target.offload;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * One submission queue of a {@link BackendController}: Read, Write and Flush of a backend namespace, addressed in
 * bytes (the device converts LBAs with the mapping's LBA data size). Called on poller threads; each call completes
 * before it returns (a backend that queues internally waits for its completion, bounded by its own timeout).
 *
 * <p>Errors: an {@link IOException} is a backend error, a {@link BackendTimeoutException} a backend timeout, a
 * {@link BackendStatusException} an NVMe status the backend returned; the device turns each into the front-end
 * command's status and an {@link OffloadEvent}.
 */
public interface BackendQueue
{
    /** Read {@code length} bytes at {@code offset} of namespace {@code nsid} into {@code dst} from {@code index}. */
    void read(int nsid, long offset, ByteBuffer dst, int index, int length) throws IOException;

    /** Write {@code length} bytes of {@code src} from {@code index} at {@code offset} of namespace {@code nsid}. */
    void write(int nsid, long offset, ByteBuffer src, int index, int length) throws IOException;

    /** Make completed writes to namespace {@code nsid} durable (NVM Command Set 3.2.1). */
    void flush(int nsid) throws IOException;

    /**
     * @return a file whose bytes at the namespace's byte offsets are the namespace's data, for zero-copy reads with
     *         {@link FileChannel#transferTo}; null when the backend has none (the default).
     */
    default FileChannel zeroCopySource(final int nsid)
    {
        return null;
    }

    /**
     * A read-only shared mapping of the namespace's bytes {@code [offset, offset + length)}, for reads that the
     * socket write copies straight from the page cache (one copy, in the kernel, instead of a read into a buffer and
     * the write's copy). The data path never reads the mapped bytes itself, so a file truncated under it costs the
     * write an {@code EFAULT}, not the JVM a fault.
     *
     * @return a buffer holding the region from {@code index} (set through {@code index[0]}), or null when the backend
     *         has no mapping for it (the default, a file too small or not mappable, a region across two windows).
     */
    default ByteBuffer mappedSource(final int nsid, final long offset, final int length, final int[] index)
    {
        return null;
    }
}
