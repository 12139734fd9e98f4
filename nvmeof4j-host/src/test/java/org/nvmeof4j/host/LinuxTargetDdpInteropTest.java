package org.nvmeof4j.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nvmeof4j.ddp.UlpDdpRegistry;
import org.nvmeof4j.ddp.UlpDdpStats;
import org.nvmeof4j.ddp.soft.SoftDdpDevice;
import org.nvmeof4j.host.tcp.DdpReadOffload;

/** The soft ULP DDP device on the host's I/O queues against the Linux kernel target (nvmet-tcp) in a VM. */
@Tag("linux-interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LinuxTargetDdpInteropTest
{
    private static final String NQN = "nqn.2014-08.org.nvmeof4j:linux-ddp";
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

    /** The soft ULP DDP device against the Linux kernel target: exact data, balanced setup/teardown, bytes placed. */
    @ParameterizedTest(name = "digests={0}")
    @CsvSource({"false", "true"})
    void shouldReadBackThroughTheSoftDevice(final boolean digests) throws Exception
    {
        final UlpDdpRegistry registry = new UlpDdpRegistry(false);
        final SoftDdpDevice dev = new SoftDdpDevice("soft-linux");
        registry.register(dev);
        final ConnectOptions o = vm.options().hdrDigest(digests).dataDigest(digests).nrIoQueues(2).nrPollQueues(1)
            .readOffload(DdpReadOffload.factory(registry, dev.name()));
        try (NvmeController c = NvmeController.connect(o))
        {
            final int bs = c.namespace(1).blockSize();
            final IoQueue q = c.openIoQueue();
            long lba = digests ? 0 : 60_000;
            for (final int size : new int[] {4096, 64 << 10, 128 << 10, 1 << 20})
            {
                for (int i = 0; i < 4; i++)
                {
                    final ByteBuffer w = TestTargets.pattern(size, size * 5L + i + (digests ? 3 : 0), true);
                    c.writeBlocking(1, lba, size / bs, w);
                    final ByteBuffer r = ByteBuffer.allocateDirect(size);
                    c.readBlocking(1, lba, size / bs, r);
                    assertThat(r).as("%d bytes #%d digests=%s", size, i, digests).isEqualTo(w);
                    final ByteBuffer r2 = ByteBuffer.allocateDirect(size);
                    assertThat(HostTargetEndToEndTest.run(q, q.submitRead(1, lba, size / bs, r2, 1))).isZero();
                    assertThat(r2).isEqualTo(w);
                    lba += size / bs;
                }
            }
            q.close();
        }
        final UlpDdpStats st = dev.getStats();
        System.out.println("linux target, soft ULP DDP, digests=" + digests + ":\n" + st);
        assertThat(st.skAdd()).isPositive();
        assertThat(st.setup()).isPositive().isEqualTo(st.teardown());
        assertThat(st.bytes()).isPositive();
        assertThat(st.skDel()).isEqualTo(st.skAdd());
    }
}
