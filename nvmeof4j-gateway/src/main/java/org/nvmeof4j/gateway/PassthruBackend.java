package org.nvmeof4j.gateway;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.target.backend.Backend;

/**
 * The software target's view of a gateway namespace: every command the offload device does not serve goes to the
 * backend controller through the host's thread-safe async API (one small allocation per call: this is the slow
 * path). The backend decides durability, so the namespace reports a volatile write cache and forwards Flush.
 */
final class PassthruBackend implements Backend
{
    private final NvmeController controller;
    private final int nsid;
    private final int blockSize;
    private final long size;
    private final String name;

    PassthruBackend(final NvmeController controller, final int nsid, final int blockSize, final long size,
        final String name)
    {
        this.controller = controller;
        this.nsid = nsid;
        this.blockSize = blockSize;
        this.size = size;
        this.name = name;
    }

    /** @return the backend's logical block size. */
    int blockSize()
    {
        return blockSize;
    }

    @Override
    public long size()
    {
        return size;
    }

    @Override
    public void read(final long offset, final ByteBuffer dst, final int index, final int length) throws IOException
    {
        join(controller.read(nsid, offset / blockSize, length / blockSize, dst.slice(index, length)));
    }

    @Override
    public void write(final long offset, final ByteBuffer src, final int index, final int length) throws IOException
    {
        join(controller.write(nsid, offset / blockSize, length / blockSize, src.slice(index, length)));
    }

    @Override
    public void flush() throws IOException
    {
        join(controller.flush(nsid));
    }

    @Override
    public void writeZeroes(final long offset, final long length) throws IOException
    {
        join(controller.writeZeroes(nsid, offset / blockSize, length / blockSize));
    }

    @Override
    public void deallocate(final long offset, final long length) throws IOException
    {
        // a hint: forwarded range by range would need a 32-bit block count; Write Zeroes is the reliable way
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
        return "passthru " + name + " nsid " + nsid;
    }

    private static void join(final CompletableFuture<Void> f) throws IOException
    {
        try
        {
            f.join();
        }
        catch (final CompletionException e)
        {
            throw new IOException(String.valueOf(e.getCause() == null ? e : e.getCause().getMessage()), e);
        }
    }
}
