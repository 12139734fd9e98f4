package org.nvmeof4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nvmeof4j.gateway.NvmeTcpBackendController;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.LinuxTargetVm;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.offload.OffloadContext;
import org.nvmeof4j.target.offload.OffloadNamespaceStats;
import org.nvmeof4j.target.subsystem.Subsystem;

/**
 * Our host through an nvmeof4j gateway to the Linux kernel target (nvmet-tcp) in a QEMU VM
 * ({@code interop/linux-target.sh}): the gateway is an nvmeof4j target configured from nvmetcli JSON whose namespace
 * 1 is a {@code "passthru"} entry naming the VM's forwarded port, served by {@code fastpath}. Write + read-back at
 * 4 KiB, 128 KiB and 1 MiB with digests off and on, on the front and the back connections independently; the read
 * back goes once through the gateway and once straight to the Linux target, and the mapping's counters must show
 * the gateway's device served every command. Run with
 * {@code mvn -Pinterop -pl nvmeof4j-cli -am verify -Dtest=LinuxTargetGatewayInteropTest}.
 */
@Tag("linux-interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LinuxTargetGatewayInteropTest
{
    private static final String BACKEND_NQN = "nqn.2014-08.org.nvmeof4j:linux-gateway-backend";
    private static final String FRONT_NQN = "nqn.2024-01.org.nvmeof4j:gateway";
    private static final int SIZE_MIB = 64;
    private static final int[] SIZES = {4096, 128 << 10, 1 << 20};

    private LinuxTargetVm vm;

    @BeforeAll
    void bootLinuxTarget() throws Exception
    {
        vm = LinuxTargetVm.start(BACKEND_NQN, SIZE_MIB);
    }

    @AfterAll
    void stopLinuxTarget() throws InterruptedException
    {
        if (vm != null)
        {
            vm.close();
        }
    }

    private String config(final boolean backDigests)
    {
        final int d = backDigests ? 1 : 0;
        return "{ \"ports\": [ { \"portid\": 1, \"addr\": { \"trtype\": \"tcp\", \"traddr\": \"127.0.0.1\","
            + " \"trsvcid\": \"0\" }, \"subsystems\": [ \"" + FRONT_NQN + "\" ] } ], \"subsystems\": [ { \"nqn\": \""
            + FRONT_NQN + "\", \"attr\": { \"allow_any_host\": \"1\" }, \"offload\": { \"device\": \"fastpath\" },"
            + " \"namespaces\": [ { \"nsid\": 1, \"passthru\": { \"traddr\": \"127.0.0.1\", \"trsvcid\": \""
            + vm.port() + "\", \"subnqn\": \"" + BACKEND_NQN + "\", \"nsid\": 1, \"queues\": 2, \"hdr_digest\": " + d
            + ", \"data_digest\": " + d + " } } ] } ] }";
    }

    private static ByteBuffer pattern(final int n, final long seed)
    {
        final ByteBuffer b = ByteBuffer.allocateDirect(n);
        long x = seed * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < n; i += 8)
        {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b.putLong(i, x);
        }
        return b;
    }

    @ParameterizedTest(name = "front digests={0} back digests={1}")
    @CsvSource({"false,false", "true,false", "false,true", "true,true"})
    void shouldWriteAndReadBackThroughTheGatewayToTheLinuxTarget(final boolean frontDigests,
        final boolean backDigests) throws Exception
    {
        final NvmetConfig cfg = NvmetConfig.parse(config(backDigests));
        final Target.Builder b = Target.builder();
        cfg.apply(b);
        try (Target gw = b.build())
        {
            final Subsystem s = gw.subsystem(FRONT_NQN);
            TargetOffloads.attach(s, cfg.offload(FRONT_NQN), gw.inlineDataSize(), cfg.passthru(FRONT_NQN));
            gw.start();
            final OffloadContext ctx = (OffloadContext)s.offload();
            try
            {
                assertThat(ctx.mapping(1).controller().name()).startsWith("nvme-tcp:127.0.0.1:" + vm.port());
                // the passthru entry's digest fields reach the back connection (our host checks ICResp agrees)
                final ConnectOptions back = ((NvmeTcpBackendController)ctx.mapping(1).controller()).controller()
                    .options();
                assertThat(back.hdrDigest()).isEqualTo(backDigests);
                assertThat(back.dataDigest()).isEqualTo(backDigests);
                final ConnectOptions front = ConnectOptions.tcp("127.0.0.1", gw.boundPort(), FRONT_NQN)
                    .nrIoQueues(2).nrPollQueues(0).hdrDigest(frontDigests).dataDigest(frontDigests);
                // each combination writes its own 8 MiB region of the RAM disk
                long lba = (frontDigests ? 2 : 0) * 16384L + (backDigests ? 1 : 0) * 16384L;
                long bytes = 0;
                try (NvmeController host = NvmeController.connect(front);
                     NvmeController direct = NvmeController.connect(vm.options()))
                {
                    assertThat(host.namespace(1).sizeBytes()).isEqualTo((long)SIZE_MIB << 20);
                    final int bs = host.namespace(1).blockSize();
                    for (final int size : SIZES)
                    {
                        final ByteBuffer w = pattern(size, lba + size + (frontDigests ? 3 : 0));
                        host.writeBlocking(1, lba, size / bs, w);
                        final ByteBuffer r = ByteBuffer.allocateDirect(size);
                        host.readBlocking(1, lba, size / bs, r);
                        assertThat(r).as("%d bytes read back through the gateway", size).isEqualTo(w);
                        final ByteBuffer atLinux = ByteBuffer.allocateDirect(size);
                        direct.readBlocking(1, lba, size / bs, atLinux);
                        assertThat(atLinux).as("%d bytes as the Linux target holds them", size).isEqualTo(w);
                        lba += size / bs;
                        bytes += size;
                        System.out.println("gateway -> linux target: " + size + " bytes front digests=" +
                            frontDigests + " back digests=" + backDigests + ": write + read-back OK");
                    }
                    host.flushBlocking(1);
                }
                final OffloadNamespaceStats st = ctx.mapping(1).stats();
                System.out.println("gateway counters: " + st);
                assertThat(st.getWrites()).as("writes the gateway's device served").isEqualTo(SIZES.length);
                assertThat(st.getReads()).as("reads the gateway's device served").isEqualTo(SIZES.length);
                assertThat(st.getFlushes()).isEqualTo(1);
                assertThat(st.getBytesWritten()).isEqualTo(bytes);
                assertThat(st.getBytesRead()).isEqualTo(bytes);
                assertThat(st.getErrors()).isZero();
                assertThat(st.getZeroCopyReads()).as("no page cache behind a backend controller").isZero();
            }
            finally
            {
                ctx.destroy();
            }
        }
    }
}
