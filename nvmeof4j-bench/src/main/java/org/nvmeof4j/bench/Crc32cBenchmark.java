package org.nvmeof4j.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.nvmeof4j.protocol.crc.Crc32c;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The NVMe/TCP digest: {@link Crc32c#compute} over a heap or a direct buffer (the direct path moves and restores
 * position/limit around {@link CRC32C#update(ByteBuffer)}), next to the bare JDK call as the floor. One operation
 * is one digest of {@code length} bytes; bytes/s is ops/s × {@code length}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class Crc32cBenchmark
{
    /** A known answer (RFC 3720 B.4: 32 bytes of zeros) so the bench cannot measure a broken digest. */
    private static final int ZEROS_32 = 0x8A9136AA;

    @Param({"4096", "131072"})
    public int length;

    @Param({"heap", "direct"})
    public String buffer;

    private final Crc32c crc = new Crc32c();
    private final CRC32C jdk = new CRC32C();
    private ByteBuffer data;

    @Setup(Level.Trial)
    public void setUp()
    {
        data = switch (buffer)
        {
            case "heap" -> ByteBuffer.allocate(length);
            case "direct" -> ByteBuffer.allocateDirect(length);
            default -> throw new IllegalArgumentException("buffer: heap or direct, not " + buffer);
        };
        if (crc.compute(data, 0, 32) != ZEROS_32)
        {
            throw new IllegalStateException("CRC32C of 32 zero bytes is not 0x8A9136AA");
        }
        for (int i = 0; i < length; i++)
        {
            data.put(i, (byte)(i * 31 + 7));
        }
        if (crc.compute(data, 0, length) != jdkDigest())
        {
            throw new IllegalStateException("Crc32c and java.util.zip.CRC32C disagree");
        }
    }

    @Benchmark
    public int crc32c()
    {
        return crc.compute(data, 0, length);
    }

    /** The floor: the JDK intrinsic on the same buffer, positioned by hand. */
    @Benchmark
    public int jdkCrc32c()
    {
        return jdkDigest();
    }

    private int jdkDigest()
    {
        jdk.reset();
        data.clear();
        jdk.update(data);
        return (int)jdk.getValue();
    }
}
