package org.nvmeof4j.target.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file backend's durability mode (O_DSYNC seen by the kernel), its write cache and DLFEAT claims, and
 * Deallocate: zeroes over the range, neighbours kept, nothing written over a range that is already zero.
 */
class FileBackendTest
{
    /** O_DSYNC on Linux x86-64 and arm64 (octal 010000); O_SYNC includes it. */
    private static final int O_DSYNC = 010000;

    @TempDir
    Path dir;

    @Test
    void shouldOpenTheFileWithODsyncOnlyInWriteThroughMode() throws Exception
    {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fdinfo")), "needs Linux /proc");
        try (FileBackend cached = new FileBackend(dir.resolve("cached.img"), 1 << 20);
             FileBackend through = new FileBackend(dir.resolve("through.img"), 1 << 20, true))
        {
            assertThat(openFlags(dir.resolve("cached.img")) & O_DSYNC).isZero();
            assertThat(openFlags(dir.resolve("through.img")) & O_DSYNC).isEqualTo(O_DSYNC);
            assertThat(cached.writeThrough()).isFalse();
            assertThat(through.writeThrough()).isTrue();
        }
    }

    @Test
    void shouldReportAVolatileWriteCacheOnlyWithoutWriteThrough() throws Exception
    {
        try (FileBackend cached = new FileBackend(dir.resolve("a.img"), 1 << 20);
             FileBackend through = new FileBackend(dir.resolve("b.img"), 1 << 20, true))
        {
            assertThat(cached.volatileWriteCache()).isTrue();
            assertThat(through.volatileWriteCache()).isFalse();
            assertThat(through.describe()).endsWith("write-through");
            assertThat(cached.deallocatedReadsZeroes()).isTrue();
            assertThat(through.deallocatedReadsZeroes()).isTrue();
        }
    }

    @Test
    void shouldWriteReadAndFlushInWriteThroughMode() throws Exception
    {
        final Path img = dir.resolve("wt.img");
        try (FileBackend b = new FileBackend(img, 4 << 20, true))
        {
            final ByteBuffer src = ByteBuffer.allocateDirect(8192);
            for (int i = 0; i < 8192; i++)
            {
                src.put(i, (byte)(i * 7 + 1));
            }
            b.write(1 << 20, src, 0, 8192);
            b.flush();
            final ByteBuffer dst = ByteBuffer.allocateDirect(8192);
            b.read(1 << 20, dst, 0, 8192);
            assertThat(dst.mismatch(src)).isEqualTo(-1);
        }
        assertThat(Files.size(img)).isEqualTo(4 << 20);
        assertThat(onDisk(img, 1 << 20, 2)).containsExactly(1, 8);
    }

    @Test
    void shouldZeroADeallocatedRangeAcrossPiecesAndKeepItsNeighbours() throws Exception
    {
        final Path img = dir.resolve("d.img");
        final int size = 4 << 20;
        final byte[] data = new byte[size];
        for (int i = 0; i < size; i++)
        {
            data[i] = (byte)(i % 251 + 1);
        }
        Files.write(img, data);
        try (FileBackend b = new FileBackend(img, 0))
        {
            // from one block into the second MiB piece to three blocks before the end of the third
            final long from = 512;
            final long to = (3L << 20) - 1536;
            b.deallocate(from, to - from);
            final byte[] after = Files.readAllBytes(img);
            assertThat(Arrays.copyOfRange(after, 0, (int)from)).isEqualTo(Arrays.copyOfRange(data, 0, (int)from));
            assertThat(Arrays.copyOfRange(after, (int)from, (int)to)).containsOnly(0);
            assertThat(Arrays.copyOfRange(after, (int)to, size)).isEqualTo(Arrays.copyOfRange(data, (int)to, size));
            final ByteBuffer dst = ByteBuffer.allocate(4096);
            b.read(to - 2048, dst, 0, 4096);
            assertThat(Arrays.copyOfRange(dst.array(), 0, 2048)).containsOnly(0);
            assertThat(Arrays.copyOfRange(dst.array(), 2048, 4096))
                .isEqualTo(Arrays.copyOfRange(data, (int)to, (int)to + 2048));
        }
    }

    @Test
    void shouldWriteNothingWhenDeallocatingARangeThatIsAlreadyZero() throws Exception
    {
        final Path img = dir.resolve("sparse.img");
        try (FileBackend b = new FileBackend(img, 64L << 20))
        {
            final ByteBuffer one = ByteBuffer.allocate(512);
            Arrays.fill(one.array(), (byte)0x5A);
            b.write(10L << 20, one, 0, 512);
            b.flush();
            final long before = allocatedBlocks(img);
            assumeTrue(before >= 0, "needs stat(1)");
            b.deallocate(0, 64L << 20);
            b.flush();
            final long after = allocatedBlocks(img);
            // the piece with data was rewritten (as zeroes), the 63 pieces that were holes stayed holes
            assertThat(after).isLessThanOrEqualTo(before + 2048 + 16);
            assertThat(after).isLessThan(64L << 20 >> 9 >> 2);
            final ByteBuffer dst = ByteBuffer.allocate(512);
            b.read(10L << 20, dst, 0, 512);
            assertThat(dst.array()).containsOnly(0);
        }
    }

    private static byte[] onDisk(final Path img, final long offset, final int n) throws IOException
    {
        final byte[] b = new byte[n];
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "r"))
        {
            f.seek(offset);
            f.readFully(b);
        }
        return b;
    }

    /** The open flags the kernel holds for this process's descriptor of {@code file} (/proc/self/fdinfo). */
    private static int openFlags(final Path file) throws IOException
    {
        final Path real = file.toRealPath();
        try (var fds = Files.list(Path.of("/proc/self/fd")))
        {
            for (final Path fd : (Iterable<Path>)fds::iterator)
            {
                try
                {
                    if (Files.readSymbolicLink(fd).equals(real))
                    {
                        for (final String line : Files.readAllLines(Path.of("/proc/self/fdinfo",
                            fd.getFileName().toString()), StandardCharsets.US_ASCII))
                        {
                            if (line.startsWith("flags:"))
                            {
                                return Integer.parseInt(line.substring(6).trim(), 8);
                            }
                        }
                    }
                }
                catch (final IOException e)
                {
                    // a descriptor that closed while we listed: not ours
                }
            }
        }
        throw new AssertionError("no descriptor open on " + real);
    }

    /** 512-byte blocks the file system allocated to {@code file}, or -1 without stat(1). */
    private static long allocatedBlocks(final Path file)
    {
        try
        {
            final Process p = new ProcessBuilder("stat", "-c", "%b", file.toString()).redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return p.waitFor() == 0 ? Long.parseLong(out) : -1;
        }
        catch (final IOException | NumberFormatException e)
        {
            return -1;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
