package org.nvmeof4j.target.backend;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Storage behind a namespace, addressed in bytes. The target turns NVM command set commands (NVMe NVM Command Set
 * Specification 1.0, 3.2: Read, Write, Flush, Write Zeroes, Dataset Management) into these calls after it has
 * checked LBA ranges, so offsets and lengths are always inside {@link #size()}.
 *
 * <p>Implementations must be safe for concurrent calls from several poller threads (one per queue), and must not
 * allocate per call in steady state. Buffers are addressed by absolute index; a call may move a buffer's position
 * and limit only if it restores them before returning.
 */
public interface Backend extends AutoCloseable
{
    /** @return capacity in bytes. */
    long size();

    /** Copy {@code length} bytes at {@code offset} into {@code dst} at {@code index}. */
    void read(long offset, ByteBuffer dst, int index, int length) throws IOException;

    /** Store {@code length} bytes of {@code src} from {@code index} at {@code offset}. */
    void write(long offset, ByteBuffer src, int index, int length) throws IOException;

    /** Make every completed write durable (Flush, NVM Command Set 3.2.1). */
    void flush() throws IOException;

    /** Zero a range (Write Zeroes, NVM Command Set 3.2.8). */
    void writeZeroes(long offset, long length) throws IOException;

    /** Hint that a range is no longer used (Dataset Management with the Deallocate attribute). */
    void deallocate(long offset, long length) throws IOException;

    /**
     * @return whether completed writes may sit in a volatile cache until {@link #flush()} (reported as VWC in
     *         Identify Controller, NVMe Base 1.4 5.15.2.2).
     */
    boolean volatileWriteCache();

    /** @return whether a deallocated range reads back as zeroes (DLFEAT bits 2:0 = 001b). */
    boolean deallocatedReadsZeroes();

    /**
     * Zero-copy access for the data path: a view private to one queue (its own {@code duplicate()}s of the backing
     * memory), created once per queue and namespace. {@code null} when the backend has no memory to expose.
     */
    default MemoryView newMemoryView()
    {
        return null;
    }

    /** @return a short description for logs and the CLI. */
    String describe();

    @Override
    default void close() throws IOException
    {
    }

    /**
     * Backend memory seen through one queue's private buffer views, so that the sender may move positions and limits
     * without disturbing other queues.
     */
    interface MemoryView
    {
        /**
         * @return the buffer holding {@code [offset, offset + length)} contiguously, or {@code null} if the range
         *         crosses an internal chunk boundary (the caller then falls back to a copy).
         */
        ByteBuffer buffer(long offset, int length);

        /** @return the index of {@code offset} inside the buffer {@link #buffer} returned. */
        int index(long offset);

        /** @return whether data may be received straight into the view (false for a read-only view). */
        boolean writable();
    }
}
