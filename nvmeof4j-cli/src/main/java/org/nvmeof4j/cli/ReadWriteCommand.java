package org.nvmeof4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.nvmeof4j.cli.Nvmeof4j.UsageException;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.host.Namespace;
import org.nvmeof4j.host.multipath.NvmeSubsystem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code nvmeof4j read} and {@code write}: move blocks between a namespace and a file (or stdin/stdout). */
public abstract class ReadWriteCommand implements Callable<Integer>
{
    @Mixin
    HostConnectOptions.Connection connect;
    @Option(names = {"--nsid", "--namespace-id"}, paramLabel = "NSID", defaultValue = "1",
        description = "namespace (default ${DEFAULT-VALUE})")
    int nsid;
    @Option(names = {"--start-block", "-S"}, paramLabel = "LBA", defaultValue = "0",
        description = "first logical block (default ${DEFAULT-VALUE})")
    long startBlock;
    @Option(names = {"--block-count", "-c"}, paramLabel = "N", required = true,
        description = "number of logical blocks (a count, not 0's based)")
    long blockCount;
    @Option(names = {"--data", "-d"}, paramLabel = "FILE", description = "data file (default: stdin/stdout)")
    Path data;

    abstract boolean isWrite();

    @Override
    public Integer call() throws IOException
    {
        if (nsid < 1 || startBlock < 0 || blockCount < 1)
        {
            throw new UsageException("--nsid, --start-block and --block-count must be positive");
        }
        if (connect.options.multipath())
        {
            return HostConnectOptions.subsystem(connect.options, connect.host.hostnqn, isWrite() ? "write" : "read",
                this::transfer);
        }
        return connect.io(isWrite() ? "write" : "read", this::transfer);
    }

    /** The same transfer through a multipath subsystem ({@code --path}): the policy picks the path. */
    private Integer transfer(final NvmeSubsystem s) throws IOException
    {
        final Namespace ns = s.namespace(nsid);
        if (ns == null)
        {
            throw new UsageException("namespace " + nsid + " is not active on " + s.nqn());
        }
        final ByteBuffer buf = buffer(ns);
        if (isWrite())
        {
            readInput(buf);
            buf.clear();
            s.writeBlocking(nsid, startBlock, (int)blockCount, buf);
            System.err.println("write: Success");
        }
        else
        {
            s.readBlocking(nsid, startBlock, (int)blockCount, buf);
            writeOutput(buf);
            System.err.println("read: Success");
        }
        return 0;
    }

    private ByteBuffer buffer(final Namespace ns)
    {
        final long bytes = blockCount * ns.blockSize();
        if (bytes > Integer.MAX_VALUE - 8)
        {
            throw new UsageException("transfer too large: " + bytes + " bytes");
        }
        return ByteBuffer.allocateDirect((int)bytes);
    }

    private Integer transfer(final NvmeController c) throws IOException
    {
        final Namespace ns = c.namespace(nsid);
        if (ns == null)
        {
            throw new UsageException("namespace " + nsid + " is not active on " + connect.options.nqn);
        }
        final long bytes = blockCount * ns.blockSize();
        if (bytes > Integer.MAX_VALUE - 8)
        {
            throw new UsageException("transfer too large: " + bytes + " bytes");
        }
        final ByteBuffer buf = ByteBuffer.allocateDirect((int)bytes);
        if (isWrite())
        {
            readInput(buf);
            buf.clear();
            c.writeBlocking(nsid, startBlock, (int)blockCount, buf);
            System.err.println("write: Success");
        }
        else
        {
            c.readBlocking(nsid, startBlock, (int)blockCount, buf);
            writeOutput(buf);
            System.err.println("read: Success");
        }
        return 0;
    }

    private void readInput(final ByteBuffer buf) throws IOException
    {
        try (InputStream in = data != null ? Files.newInputStream(data) : System.in)
        {
            final byte[] chunk = new byte[65536];
            while (buf.hasRemaining())
            {
                final int n = in.read(chunk, 0, Math.min(chunk.length, buf.remaining()));
                if (n < 0)
                {
                    break; // short input: the rest of the blocks are zeroes
                }
                buf.put(chunk, 0, n);
            }
        }
    }

    private void writeOutput(final ByteBuffer buf) throws IOException
    {
        final OutputStream out = data != null ? Files.newOutputStream(data) : System.out;
        try
        {
            final byte[] chunk = new byte[65536];
            buf.clear();
            while (buf.hasRemaining())
            {
                final int n = Math.min(chunk.length, buf.remaining());
                buf.get(chunk, 0, n);
                out.write(chunk, 0, n);
            }
            out.flush();
        }
        finally
        {
            if (data != null)
            {
                out.close();
            }
        }
    }

    /** {@code nvmeof4j read}. */
    @Command(name = "read", mixinStandardHelpOptions = true,
        description = "Read blocks to a file or stdout (nvme read with a block count).")
    public static final class Read extends ReadWriteCommand
    {
        @Override
        boolean isWrite()
        {
            return false;
        }
    }

    /** {@code nvmeof4j write}. */
    @Command(name = "write", mixinStandardHelpOptions = true,
        description = "Write blocks from a file or stdin (nvme write with a block count; short input is zero-padded).")
    public static final class Write extends ReadWriteCommand
    {
        @Override
        boolean isWrite()
        {
            return true;
        }
    }
}
