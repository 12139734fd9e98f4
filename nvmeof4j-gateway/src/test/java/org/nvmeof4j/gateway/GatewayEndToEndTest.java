package org.nvmeof4j.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.host.NvmeException;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.offload.FastpathDevice;
import org.nvmeof4j.target.offload.OffloadContext;
import org.nvmeof4j.target.offload.OffloadContextAttributes;
import org.nvmeof4j.target.offload.OffloadEvent;
import org.nvmeof4j.target.offload.OffloadNamespaceStats;

/**
 * Java host → nvmeof4j gateway (a target whose namespace 1 is a backend controller's namespace, served by
 * {@code fastpath}) → Java target as the backend controller, all on loopback.
 */
class GatewayEndToEndTest
{
    private static final String BACKEND_NQN = "nqn.2024-01.org.nvmeof4j:backend";
    private static final String FRONT_NQN = "nqn.2024-01.org.nvmeof4j:gateway";

    private Target backend;
    private Target front;
    private OffloadContext ctx;
    private NvmeTcpBackendController be;

    private void start(final boolean backendDigests) throws Exception
    {
        backend = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(BACKEND_NQN).allowAnyHost().ramNamespace(1, 16L << 20)).build().start();
        be = NvmeTcpBackendController.connect(ConnectOptions.tcp("127.0.0.1", backend.boundPort(), BACKEND_NQN)
            .hdrDigest(backendDigests).dataDigest(backendDigests).ioTimeout(Duration.ofSeconds(2))
            .ctrlLossTmo(Duration.ofSeconds(1)).reconnectDelay(Duration.ofMillis(200)), 2);
        front = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(FRONT_NQN).allowAnyHost().ramNamespace(2, 4L << 20)).build().start();
        final FastpathDevice dev = new FastpathDevice();
        ctx = dev.createContext(front.subsystem(FRONT_NQN), OffloadContextAttributes.defaults(dev.capabilities(),
            8192));
        Gateway.passthru(ctx, 1, be, 1);
    }

    @AfterEach
    void stop()
    {
        if (ctx != null)
        {
            ctx.destroy(); // closes the backend controller
        }
        if (front != null)
        {
            front.close();
        }
        if (backend != null)
        {
            backend.close();
        }
    }

    private ConnectOptions frontOptions(final boolean digests)
    {
        return ConnectOptions.tcp("127.0.0.1", front.boundPort(), FRONT_NQN).nrIoQueues(2).hdrDigest(digests)
            .dataDigest(digests);
    }

    private static ByteBuffer pattern(final int n, final int seed)
    {
        final ByteBuffer b = ByteBuffer.allocateDirect(n);
        for (int i = 0; i < n; i++)
        {
            b.put(i, (byte)(i * 13 + seed + (i >>> 11)));
        }
        return b;
    }

    @ParameterizedTest(name = "digests={0}")
    @ValueSource(booleans = {false, true})
    void shouldWriteThroughTheGatewayAndReadBackFromTheBackend(final boolean digests) throws Exception
    {
        start(digests);
        final int[] sizes = {4096, 128 << 10, 1 << 20};
        try (NvmeController host = NvmeController.connect(frontOptions(digests));
             NvmeController direct = NvmeController.connect(ConnectOptions.tcp("127.0.0.1", backend.boundPort(),
                 BACKEND_NQN).nrIoQueues(1)))
        {
            assertThat(host.namespace(1).sizeBytes()).isEqualTo(16L << 20);
            long lba = 0;
            for (final int size : sizes)
            {
                final ByteBuffer w = pattern(size, size + (digests ? 1 : 0));
                host.writeBlocking(1, lba, size / 512, w);
                final ByteBuffer r = ByteBuffer.allocateDirect(size);
                host.readBlocking(1, lba, size / 512, r);
                assertThat(r).as("read back %d bytes through the gateway", size).isEqualTo(w);
                final ByteBuffer atBackend = ByteBuffer.allocateDirect(size);
                direct.readBlocking(1, lba, size / 512, atBackend);
                assertThat(atBackend).as("%d bytes on the backend", size).isEqualTo(w);
                lba += size / 512;
            }
            host.flushBlocking(1);
            // not offloaded: Write Zeroes goes through the software target's passthru backend
            host.writeZeroesBlocking(1, 0, 8);
            final ByteBuffer z = ByteBuffer.allocateDirect(4096);
            direct.readBlocking(1, 0, 8, z);
            assertThat(z).isEqualTo(ByteBuffer.allocateDirect(4096));
        }
        final OffloadNamespaceStats st = ctx.mapping(1).stats();
        assertThat(st.getWrites()).isEqualTo(sizes.length);
        assertThat(st.getReads()).isEqualTo(sizes.length);
        assertThat(st.getFlushes()).isEqualTo(1);
        assertThat(st.getBytesWritten()).isEqualTo(4096 + (128 << 10) + (1 << 20));
        assertThat(st.getZeroCopyReads()).isZero();
        assertThat(st.getErrors()).isZero();
    }

    @Test
    void shouldFailCommandsWithAnErrorAndAnEventWhenTheBackendDisappearsWhileOtherNamespacesServe()
        throws Exception
    {
        start(false);
        final List<OffloadEvent> events = new CopyOnWriteArrayList<>();
        ctx.addEventListener(events::add);
        try (NvmeController host = NvmeController.connect(frontOptions(false).ioTimeout(Duration.ofSeconds(30))))
        {
            host.writeBlocking(1, 0, 8, pattern(4096, 1));
            backend.close();
            assertThatThrownBy(() -> host.readBlocking(1, 0, 8, ByteBuffer.allocateDirect(4096)))
                .isInstanceOf(NvmeException.class)
                .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("Internal error", "path error",
                    "Internal path error"));
            final ByteBuffer w2 = pattern(4096, 2);
            host.writeBlocking(2, 0, 8, w2);
            final ByteBuffer r2 = ByteBuffer.allocateDirect(4096);
            host.readBlocking(2, 0, 8, r2);
            assertThat(r2).isEqualTo(w2);
        }
        assertThat(events).isNotEmpty();
        assertThat(events.get(0).type()).isIn(OffloadEvent.Type.BACKEND_ERROR, OffloadEvent.Type.BACKEND_TIMEOUT);
        assertThat(events.get(0).feNsid()).isEqualTo(1);
        assertThat(ctx.mapping(1).stats().getErrors()).isEqualTo(1);
    }
}
