package org.nvmeof4j.target.offload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nvmeof4j.target.backend.FileBackend;

/** {@link FileBackendController}'s mapped reads: the namespace's bytes, only where the file holds them. */
class FileBackendControllerTest
{
    @TempDir
    Path dir;

    @Test
    void shouldMapTheFileAndSeeLaterWritesThroughTheMapping() throws Exception
    {
        final FileBackend fb = new FileBackend(dir.resolve("a.img"), 1 << 20);
        final FileBackendController c = new FileBackendController(fb, 1, 32);
        final ByteBuffer w = ByteBuffer.allocateDirect(4096);
        for (int i = 0; i < 4096; i++)
        {
            w.put(i, (byte)(i * 31 + 5));
        }
        c.queue(0).write(1, 8192, w, 0, 4096);
        final int[] index = new int[1];
        final ByteBuffer m = c.queue(0).mappedSource(1, 8192, 4096, index);
        assertThat(m).isNotNull();
        assertThat(index[0]).isEqualTo(8192);
        assertThat(m.slice(index[0], 4096)).isEqualTo(w);
        // a write after the mapping is seen through it (a shared mapping of the page cache)
        w.put(0, (byte)0x5A);
        c.queue(0).write(1, 8192, w, 0, 4096);
        assertThat(c.queue(0).mappedSource(1, 8192, 4096, index).get(index[0])).isEqualTo((byte)0x5A);
        assertThat(c.queue(0).mappedSource(2, 0, 4096, index)).as("no namespace 2").isNull();
        fb.close();
    }

    @Test
    void shouldNotMapAFileShorterThanItsNamespace() throws Exception
    {
        final Path p = dir.resolve("b.img");
        final FileBackend fb = new FileBackend(p, 1 << 20);
        // cut the file under the namespace: past its end a mapping has no pages
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw"))
        {
            f.setLength(4096);
        }
        assertThat(Files.size(p)).isEqualTo(4096);
        final FileBackendController c = new FileBackendController(fb, 1, 32);
        assertThat(c.queue(0).mappedSource(1, 0, 4096, new int[1])).isNull();
        // nor send it with sendfile, which stops at the file's end: such reads are staged (zeroes past the end)
        assertThat(c.queue(0).zeroCopySource(1)).isNull();
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw"))
        {
            f.setLength(1 << 20);
        }
        Thread.sleep(5); // past the length check interval
        assertThat(c.queue(0).zeroCopySource(1)).as("the file is whole again").isNotNull();
        fb.close();
    }
}
