package org.nvmeof4j.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nvmeof4j.target.TargetTestSupport.*;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nvmeof4j.tcp.IdleStrategy;

/**
 * No allocation per I/O on the target's data path: the bytes the poller thread allocates
 * ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}) while it serves thousands of reads and writes
 * (in-capsule and R2T) must not grow with the I/O count.
 */
class AllocationTest
{
    @ParameterizedTest(name = "digests={0}")
    @CsvSource({"false", "true"})
    void shouldNotAllocatePerIo(final boolean digests) throws Exception
    {
        try (Target target = Target.builder().listen("127.0.0.1", 0).idleStrategy(IdleStrategy::busySpin)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().ramNamespace(1, 16L << 20)).build().start();
             RawHost admin = new RawHost(target.boundPort()); RawHost io = new RawHost(target.boundPort()))
        {
            ioSetup(io, adminSetup(admin, digests, digests, 1), 1, digests, digests);
            final ByteBuffer[] batch = batch(io);
            final Thread poller = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("nvmeof4j-target-poller-0")).findFirst().orElseThrow();
            final com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            run(io, batch, 300); // warm up: JIT, staging buffers, namespace views, NIO caches
            final long before = mx.getThreadAllocatedBytes(poller.getId());
            final int rounds = 600;
            run(io, batch, rounds);
            final long allocated = mx.getThreadAllocatedBytes(poller.getId()) - before;
            final long ios = (long)rounds * 16;
            System.out.printf("poller allocated %d bytes over %d I/Os (digests=%s): %.3f B/IO%n", allocated, ios,
                digests, (double)allocated / ios);
            assertThat((double)allocated / ios).as("bytes allocated per I/O").isLessThan(1.0);
        }
    }

    /** 16 commands: 4 in-capsule writes, 4 R2T writes (16 KiB), 8 reads (4 KiB and 16 KiB). */
    private static ByteBuffer[] batch(final RawHost h)
    {
        final ByteBuffer[] b = new ByteBuffer[16];
        for (int i = 0; i < 4; i++)
        {
            b[i] = h.capsule(RawHost.sglInCapsule(rw(0x01, 100 + i, 8L * i, 8), 4096), pattern(4096, i));
        }
        for (int i = 4; i < 8; i++)
        {
            b[i] = h.capsule(RawHost.sglTransport(rw(0x01, 100 + i, 64L * i, 32), 16384), null);
        }
        for (int i = 8; i < 16; i++)
        {
            final int blocks = i % 2 == 0 ? 8 : 32;
            b[i] = h.capsule(RawHost.sglTransport(rw(0x02, 100 + i, 64L * i, blocks), blocks * 512), null);
        }
        return b;
    }

    private static void run(final RawHost h, final ByteBuffer[] batch, final int rounds) throws Exception
    {
        final byte[] payload = pattern(16384, 9);
        for (int r = 0; r < rounds; r++)
        {
            for (final ByteBuffer c : batch)
            {
                h.send(c);
            }
            int responses = 0;
            while (responses < batch.length)
            {
                final ByteBuffer p = h.readPdu();
                switch (p.get(0))
                {
                    case 0x05:
                        assertThat(RawHost.status(p)).isZero();
                        responses++;
                        break;
                    case 0x09:
                        h.send(h.h2cData(p.getShort(8) & 0xFFFF, p.getShort(10) & 0xFFFF, 0, payload, true));
                        break;
                    case 0x07:
                        break;
                    default:
                        throw new AssertionError("unexpected PDU type " + p.get(0));
                }
            }
        }
    }
}
