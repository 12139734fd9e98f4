package org.nvmeof4j.target.backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A regular file or a block device, accessed with positional {@link FileChannel} I/O (pread/pwrite, safe from
 * several threads at once). Writes land in the OS page cache, so the namespace reports a volatile write cache and
 * Flush calls {@link FileChannel#force(boolean)} (NVM Command Set 3.2.1: after Flush completes, prior writes are
 * durable). A missing regular file is created (sparse) at the requested size; an existing one smaller than asked is
 * extended.
 *
 * <p>Deallocate is accepted as a hint and does nothing (the JDK has no hole punching), so the namespace does not
 * claim that deallocated blocks read as zeroes.
 */
public final class FileBackend implements Backend
{
    private static final int ZERO_SIZE = 1 << 20;
    private static final ThreadLocal<ByteBuffer> ZEROES = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(ZERO_SIZE));

    private final Path path;
    private final FileChannel channel;
    private final long size;

    /**
     * @param path  file or block device.
     * @param size  bytes wanted; 0 = use the existing file's or device's size.
     */
    public FileBackend(final Path path, final long size) throws IOException
    {
        this.path = path;
        final boolean exists = Files.exists(path);
        if (!exists && size <= 0)
        {
            throw new IOException(path + " does not exist and no size was given to create it");
        }
        this.channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
            StandardOpenOption.CREATE);
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

    @Override
    public void deallocate(final long offset, final long length)
    {
        // a hint only; see the class comment
    }

    @Override
    public boolean volatileWriteCache()
    {
        return true;
    }

    @Override
    public boolean deallocatedReadsZeroes()
    {
        return false;
    }

    @Override
    public String describe()
    {
        return "file " + path + " " + size + " bytes";
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
