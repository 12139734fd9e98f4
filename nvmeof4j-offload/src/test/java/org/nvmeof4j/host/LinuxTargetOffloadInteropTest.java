package org.nvmeof4j.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nvmeof4j.host.discovery.Discovery;
import org.nvmeof4j.host.discovery.DiscoveryLogEntry;
import org.nvmeof4j.host.offload.NvmeTcpOfldStats;
import org.nvmeof4j.host.offload.NvmeTcpOffload;
import org.nvmeof4j.protocol.admin.IdentifyController;

/**
 * The {@code tcp_offload} transport with the reference engine against the Linux kernel target (nvmet-tcp) in a QEMU
 * VM ({@code interop/linux-target.sh}): discovery, Identify, write + read-back at 4 KiB, 128 KiB and 1 MiB with and
 * without digests over 1 and 2 I/O queues, through the async API and a polled queue. The kernel must not tell the
 * engine from the {@code tcp} transport. Run with {@code mvn -Pinterop -pl nvmeof4j-offload -am verify}.
 */
@Tag("linux-interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LinuxTargetOffloadInteropTest
{
    private static final String NQN = "nqn.2014-08.org.nvmeof4j:linux-offload-interop";
    private static final int SIZE_MIB = 64;

    private LinuxTargetVm vm;

    @BeforeAll
    void bootLinuxTarget() throws Exception
    {
        vm = LinuxTargetVm.start(NQN, SIZE_MIB);
    }

    @AfterAll
    void stopLinuxTarget() throws InterruptedException
    {
        if (vm != null)
        {
            vm.close();
        }
    }

    private ConnectOptions options()
    {
        return vm.options().transport("tcp_offload");
    }

    @Test
    void shouldDiscoverTheSubsystemThroughTheEngine()
    {
        final Discovery.Log log = Discovery.discover(options());
        assertThat(log.subsystems()).extracting(DiscoveryLogEntry::subnqn).contains(NQN);
        System.out.println("tcp_offload discovery: " + log.entries());
    }

    @Test
    void shouldIdentifyControllerAndNamespace()
    {
        try (NvmeController c = NvmeController.connect(options()))
        {
            final IdentifyController id = c.identifyController();
            assertThat(id.subnqn()).isEqualTo(NQN);
            assertThat(c.namespaces()).hasSize(1);
            assertThat(c.namespace(1).sizeBytes()).isEqualTo((long)SIZE_MIB << 20);
            System.out.println("tcp_offload id-ctrl: mn=" + id.mn() + " fr=" + id.fr() + " mdts=" + id.mdts());
        }
    }

    @ParameterizedTest(name = "digests={0} queues={1}")
    @CsvSource({"false,1", "false,2", "true,1", "true,2"})
    void shouldWriteAndReadBack(final boolean digests, final int queues) throws Exception
    {
        final ConnectOptions o = options().hdrDigest(digests).dataDigest(digests).nrIoQueues(queues).nrPollQueues(3);
        final long errorsBefore = NvmeTcpOffload.byName("engine").stats().get(NvmeTcpOfldStats.QUEUE_ERRORS);
        try (NvmeController c = NvmeController.connect(o))
        {
            assertThat(c.ioQueueCount()).isEqualTo(queues);
            final int bs = c.namespace(1).blockSize();
            long lba = (digests ? 0 : 50_000) + (queues - 1) * 25_000L;
            for (final int size : new int[] {4096, 128 << 10, 1 << 20})
            {
                final List<CompletableFuture<Void>> writes = new ArrayList<>();
                final List<ByteBuffer> data = new ArrayList<>();
                for (int i = 0; i < 2 * queues; i++)
                {
                    final ByteBuffer w = TestTargets.pattern(size, size + i + (digests ? 7 : 0), i % 2 == 0);
                    data.add(w);
                    writes.add(c.write(1, lba + (long)i * size / bs, size / bs, w));
                }
                CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
                for (int i = 0; i < data.size(); i++)
                {
                    final ByteBuffer r = i % 2 == 0 ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
                    c.readBlocking(1, lba + (long)i * size / bs, size / bs, r);
                    assertThat(r).as("%d bytes #%d digests=%s queues=%d", size, i, digests, queues)
                        .isEqualTo(data.get(i));
                }
                final IoQueue q = c.openIoQueue();
                final ByteBuffer w = TestTargets.pattern(size, size * 3L + queues, true);
                final long at = lba + (long)data.size() * size / bs;
                assertThat(HostTargetEndToEndTest.run(q, q.submitWrite(1, at, size / bs, w, 1))).isZero();
                final ByteBuffer r = ByteBuffer.allocateDirect(size);
                assertThat(HostTargetEndToEndTest.run(q, q.submitRead(1, at, size / bs, r, 2))).isZero();
                assertThat(r).isEqualTo(w);
                q.close();
                lba = at + size / bs;
                System.out.println("linux target via tcp_offload: " + size + " bytes digests=" + digests +
                    " queues=" + queues + ": write + read-back OK");
            }
            c.flushBlocking(1);
        }
        assertThat(NvmeTcpOffload.byName("engine").stats().get(NvmeTcpOfldStats.QUEUE_ERRORS))
            .isEqualTo(errorsBefore);
    }
}
