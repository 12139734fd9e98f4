package org.nvmeof4j.target.backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A regular file or a block device, accessed with positional {@link FileChannel} I/O (pread/pwrite, safe from
 * several threads at once). A missing regular file is created (sparse) at the requested size; an existing one
 * smaller than asked is extended.
 *
 * <p><b>Durability.</b> By default writes land in the OS page cache, so the namespace reports a volatile write cache
 * (VWC) and Flush calls {@link FileChannel#force(boolean)} (NVM Command Set 3.2.1: after Flush completes, prior
 * writes are durable). In <em>write-through</em> mode the channel is opened with
 * {@link StandardOpenOption#DSYNC} (O_DSYNC): each pwrite returns only once its data, and the metadata needed to read
 * it back, are on stable storage, so a write's completion is sent after it is durable and the namespace reports no
 * volatile cache. O_DSYNC rather than a force after each write because it syncs only the range written (a force
 * would also sync the other queues' writes in flight) and because the target offload's fast path writes to the same
 * channel and so inherits it. Flush still forces (cheap: nothing is dirty).
 *
 * <p><b>Deallocate.</b> The JDK cannot punch holes (no fallocate), so a deallocated range is zeroed instead and the
 * namespace reports DLFEAT 001b (deallocated blocks read as zeroes), as a RAM namespace does: a host that trims
 * then reads gets what the specification lets it expect. Each 1 MiB piece is read first and written only if it holds
 * a non-zero byte, so trimming a range that is already zero (a fresh sparse file, the usual mkfs discard) writes
 * nothing and allocates no blocks; trimming data costs a read and a write of the range. No space is returned to the
 * file system.
 */
public final class FileBackend implements Backend
{
    private static final int ZERO_SIZE = 1 << 20;
    private static final ThreadLocal<ByteBuffer> ZEROES = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(ZERO_SIZE));
    private static final ThreadLocal<ByteBuffer> SCRATCH = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(ZERO_SIZE));

    private static final java.util.Set<StandardOpenOption> OPEN =
        java.util.EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
    private static final java.util.Set<StandardOpenOption> OPEN_WRITE_THROUGH =
        java.util.EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
            StandardOpenOption.DSYNC);

    private final Path path;
    private final FileChannel channel;
    private final long size;
    private final boolean writeThrough;

    /**
     * @param path  file or block device.
     * @param size  bytes wanted; 0 = use the existing file's or device's size.
     */
    public FileBackend(final Path path, final long size) throws IOException
    {
        this(path, size, false);
    }

    /**
     * @param path          file or block device.
     * @param size          bytes wanted; 0 = use the existing file's or device's size.
     * @param writeThrough  open with O_DSYNC: every write durable before it completes, no volatile write cache.
     */
    public FileBackend(final Path path, final long size, final boolean writeThrough) throws IOException
    {
        this.path = path;
        this.writeThrough = writeThrough;
        final boolean exists = Files.exists(path);
        if (!exists && size <= 0)
        {
            throw new IOException(path + " does not exist and no size was given to create it");
        }
        this.channel = FileChannel.open(path, writeThrough ? OPEN_WRITE_THROUGH : OPEN);
        final boolean regular = Files.isRegularFile(path);
        long current = channel.size();
        if (!regular && current == 0)
        {
            current = blockDeviceSize(path);
        }
        if (regular && size > current)
        {
            // sparse extension: write one byte at the end
            channel.write(ByteBuffer.wrap(new byte[1]), size - 1);
            current = size;
        }
        if (size > 0 && size > current)
        {
            channel.close();
            throw new IOException(path + " holds " + current + " bytes, fewer than the " + size + " asked for");
        }
        this.size = size > 0 ? size : current;
        if (this.size <= 0)
        {
            channel.close();
            throw new IOException(path + " is empty: give a size");
        }
    }

    /**
     * @return the file's channel, for positional reads and writes and {@code transferTo} by a target offload
     *         (never close it or move its position).
     */
    public FileChannel channel()
    {
        return channel;
    }

    private static long blockDeviceSize(final Path path)
    {
        try
        {
            final Path real = path.toRealPath();
            final Path sys = Path.of("/sys/class/block", real.getFileName().toString(), "size");
            return Long.parseLong(Files.readString(sys).trim()) * 512;
        }
        catch (final IOException | RuntimeException e)
        {
            return 0;
        }
    }

    public Path path()
    {
        return path;
    }

    /** @return whether the file was opened with O_DSYNC (no volatile write cache). */
    public boolean writeThrough()
    {
        return writeThrough;
    }

    @Override
    public long size()
    {
        return size;
    }

    @Override
    public void read(final long offset, final ByteBuffer dst, final int index, final int length) throws IOException
    {
        final int pos = dst.position();
        final int lim = dst.limit();
        try
        {
            dst.limit(index + length).position(index);
            long at = offset;
            while (dst.hasRemaining())
            {
                final int n = channel.read(dst, at);
                if (n < 0)
                {
                    // beyond the end of a file that was shrunk under us: zeroes
                    while (dst.hasRemaining())
                    {
                        dst.put((byte)0);
                    }
                    break;
                }
                at += n;
            }
        }
        finally
        {
            dst.limit(lim).position(pos);
        }
    }

    @Override
    public void write(final long offset, final ByteBuffer src, final int index, final int length) throws IOException
    {
        final int pos = src.position();
        final int lim = src.limit();
        try
        {
            src.limit(index + length).position(index);
            long at = offset;
            while (src.hasRemaining())
            {
                at += channel.write(src, at);
            }
        }
        finally
        {
            src.limit(lim).position(pos);
        }
    }

    @Override
    public void flush() throws IOException
    {
        channel.force(false);
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException
    {
        final ByteBuffer z = ZEROES.get();
        while (length > 0)
        {
            final int n = (int)Math.min(length, ZERO_SIZE);
            write(offset, z, 0, n);
            offset += n;
            length -= n;
        }
    }

    /** Zeroes the range, skipping the pieces that already read as zeroes (see the class comment). */
    @Override
    public void deallocate(long offset, long length) throws IOException
    {
        final ByteBuffer scratch = SCRATCH.get();
        final ByteBuffer z = ZEROES.get();
        while (length > 0)
        {
            final int n = (int)Math.min(length, ZERO_SIZE);
            read(offset, scratch, 0, n);
            // the JDK's vectorized compare against the zero buffer
            if (scratch.slice(0, n).mismatch(z.slice(0, n)) != -1)
            {
                write(offset, z, 0, n);
            }
            offset += n;
            length -= n;
        }
    }

    @Override
    public boolean volatileWriteCache()
    {
        return !writeThrough;
    }

    @Override
    public boolean deallocatedReadsZeroes()
    {
        return true;
    }

    @Override
    public String describe()
    {
        return "file " + path + " " + size + " bytes" + (writeThrough ? " write-through" : "");
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
