package org.nvmeof4j.target.offload;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import org.nvmeof4j.target.backend.FileBackend;

/**
 * Backend kind 1: a local file or block device seen as a backend controller with one namespace (NSID 1). Its
 * "submission queues" are logical: positional I/O on one {@link FileChannel} (pread/pwrite, safe from many threads),
 * so round-robin over them only spreads the per-queue counters. Reads can go out with zero copy
 * ({@link #zeroCopySource}); Flush is {@link FileChannel#force(boolean)}.
 *
 * <p>It shares the {@link FileBackend} of the front-end namespace, so commands the device does not serve (Write
 * Zeroes, Compare, ...) see the same bytes through the software target.
 */
public final class FileBackendController implements BackendController
{
    /** The only namespace of a file controller. */
    public static final int NSID = 1;

    /** Bytes per mapped window: a read across two windows is not served from the mapping. */
    static final long WINDOW = 1L << 30;

    /**
     * How old the file's length may be when a read is served from the mapping: a mapped page past the end of a file
     * that shrank has no data, and the kernel's copy from it fails the socket write (EFAULT), which closes the
     * connection. Reads past the length seen go the staged way, which reads zeroes there as the software target
     * does. One {@code fstat} per interval, not per read; a file cut within the interval still costs a connection.
     */
    static final long LENGTH_CHECK_NANOS = 1_000_000L;

    private final FileBackend file;
    private final int queueDepth;
    private final BackendQueue[] queues;
    /** Read-only windows of the file, mapped on first use; a null entry after a failed map stays unmapped. */
    private volatile MappedByteBuffer[] windows;
    private volatile boolean mapFailed;
    /** The file's length when last looked at ({@link #LENGTH_CHECK_NANOS}), and when that was. */
    private volatile long lengthSeen;
    private volatile long lengthSeenAt;
    /** A regular file can be cut; a block device cannot (and its channel reports length 0). */
    private final boolean regularFile;

    /**
     * @param file       the file (owned by the front-end namespace: closing this controller does not close it).
     * @param queues     logical submission queues, at least 1.
     * @param queueDepth entries per queue, checked against the device's capabilities.
     */
    public FileBackendController(final FileBackend file, final int queues, final int queueDepth)
    {
        if (queues < 1)
        {
            throw new IllegalArgumentException("a backend controller needs at least one queue: " + queues);
        }
        this.file = file;
        this.queueDepth = queueDepth;
        this.lengthSeenAt = System.nanoTime() - LENGTH_CHECK_NANOS - 1; // look at the first read
        this.regularFile = java.nio.file.Files.isRegularFile(file.path());
        this.queues = new BackendQueue[queues];
        for (int i = 0; i < queues; i++)
        {
            this.queues[i] = new FileQueue();
        }
    }

    @Override
    public String name()
    {
        return "file:" + file.path();
    }

    @Override
    public int queueCount()
    {
        return queues.length;
    }

    @Override
    public BackendQueue queue(final int i)
    {
        return queues[i];
    }

    @Override
    public int queueDepth()
    {
        return queueDepth;
    }

    @Override
    public long namespaceSize(final int nsid)
    {
        return nsid == NSID ? file.size() : -1;
    }

    @Override
    public int lbaDataSize(final int nsid)
    {
        return 0;
    }

    @Override
    public void close()
    {
        // the file belongs to the front-end namespace; the mappings go with their buffers
        windows = null;
    }

    /** @return the window holding {@code [offset, offset + length)}, mapping the file first; null when none can. */
    private MappedByteBuffer window(final long offset, final int length)
    {
        final long w = offset / WINDOW;
        if (mapFailed || (offset + length - 1) / WINDOW != w)
        {
            return null;
        }
        MappedByteBuffer[] ws = windows;
        if (ws == null)
        {
            ws = map();
            if (ws == null)
            {
                return null;
            }
        }
        return w < ws.length && inFile(offset + length) ? ws[(int)w] : null;
    }

    /** @return whether the file is at least {@code end} bytes long, by its length seen at most an interval ago. */
    private boolean inFile(final long end)
    {
        if (!regularFile)
        {
            return true;
        }
        final long now = System.nanoTime();
        if (now - lengthSeenAt > LENGTH_CHECK_NANOS)
        {
            try
            {
                lengthSeen = file.channel().size();
            }
            catch (final IOException e)
            {
                lengthSeen = 0; // the channel failed: the staged path reports it
            }
            lengthSeenAt = now;
        }
        return end <= lengthSeen;
    }

    private synchronized MappedByteBuffer[] map()
    {
        if (windows != null || mapFailed)
        {
            return windows;
        }
        try
        {
            // the namespace's size must be in the file: past its end a mapping has no pages (a block device's
            // channel reports 0 and stays with sendfile or copies)
            final long size = file.size();
            if (file.channel().size() < size)
            {
                mapFailed = true;
                return null;
            }
            final MappedByteBuffer[] ws = new MappedByteBuffer[(int)((size + WINDOW - 1) / WINDOW)];
            for (int i = 0; i < ws.length; i++)
            {
                final long at = i * WINDOW;
                ws[i] = file.channel().map(FileChannel.MapMode.READ_ONLY, at, Math.min(WINDOW, size - at));
            }
            windows = ws;
            return ws;
        }
        catch (final IOException | RuntimeException e)
        {
            mapFailed = true; // e.g. a device that cannot be mapped: reads use the other paths
            return null;
        }
    }

    private final class FileQueue implements BackendQueue
    {
        @Override
        public void read(final int nsid, final long offset, final ByteBuffer dst, final int index, final int length)
            throws IOException
        {
            file.read(offset, dst, index, length);
        }

        @Override
        public void write(final int nsid, final long offset, final ByteBuffer src, final int index, final int length)
            throws IOException
        {
            file.write(offset, src, index, length);
        }

        @Override
        public void flush(final int nsid) throws IOException
        {
            file.flush();
        }

        @Override
        public FileChannel zeroCopySource(final int nsid)
        {
            // not while the file is shorter than the namespace: sendfile stops at its end and the write would fail
            return inFile(file.size()) ? file.channel() : null;
        }

        @Override
        public ByteBuffer mappedSource(final int nsid, final long offset, final int length, final int[] index)
        {
            final MappedByteBuffer w = nsid == NSID ? window(offset, length) : null;
            if (w == null || offset % WINDOW + length > w.capacity())
            {
                return null;
            }
            index[0] = (int)(offset % WINDOW);
            return w;
        }
    }
}
