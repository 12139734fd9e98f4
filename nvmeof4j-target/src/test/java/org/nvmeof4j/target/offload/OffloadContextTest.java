package org.nvmeof4j.target.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.target.backend.RamBackend;
import org.nvmeof4j.target.subsystem.Namespace;
import org.nvmeof4j.target.subsystem.Subsystem;

/** Capability checks, backend controller limits and the mapping errors of the RFC, without a network. */
class OffloadContextTest
{
    private static final String NQN = "nqn.2024-01.org.nvmeof4j:offload-unit";
    private static int serial;

    private static Subsystem subsystem(final int... nsids)
    {
        final String nqn = NQN + (serial++);
        final Subsystem s = new Subsystem(nqn, null, null);
        for (final int nsid : nsids)
        {
            s.addNamespace(new Namespace(nsid, new RamBackend(1 << 20), 512, null, nqn));
        }
        return s;
    }

    private static void expect(final OffloadException.Reason reason, final String text, final ThrowingCallable call)
    {
        assertThatThrownBy(call).isInstanceOf(OffloadException.class).hasMessageContaining(text)
            .satisfies(e -> assertThat(((OffloadException)e).reason()).isEqualTo(reason));
    }

    private static void expectInvalidAttribute(final UnaryOperator<OffloadContextAttributes> change,
        final String text)
    {
        final FastpathDevice dev = new FastpathDevice();
        final OffloadContextAttributes ok = OffloadContextAttributes.defaults(dev.capabilities(), 8192);
        expect(OffloadException.Reason.INVALID_ARGUMENT, text, () -> dev.createContext(subsystem(1), change.apply(ok)));
    }

    @Test
    void shouldRejectContextAttributesOutsideTheCapabilities()
    {
        final OffloadCapabilities c = OffloadCapabilities.builder().build();
        expectInvalidAttribute(a -> a.withLimits(c.maxSrqNamespaces() + 1, a.maxIoSz(), a.nvmeQueueDepth()),
            "maxNamespaces " + (c.maxSrqNamespaces() + 1));
        expectInvalidAttribute(a -> a.withLimits(0, a.maxIoSz(), a.nvmeQueueDepth()), "maxNamespaces 0");
        expectInvalidAttribute(a -> a.withLimits(1, c.maxIoSz() + 1, a.nvmeQueueDepth()), "maxIoSz");
        expectInvalidAttribute(a -> a.withLimits(1, a.maxIoSz(), c.maxNvmeQueueDepth() + 1), "nvmeQueueDepth");
        expectInvalidAttribute(a -> a.withLimits(1, a.maxIoSz(), c.minNvmeQueueDepth() - 1), "nvmeQueueDepth");
        expectInvalidAttribute(a -> a.withCapsule(c.minIoccsz() - 1, 0), "ioccsz");
        expectInvalidAttribute(a -> a.withCapsule(c.maxIoccsz() + 1, 0), "ioccsz");
        expectInvalidAttribute(a -> a.withCapsule(a.ioccsz(), c.maxIcdoff() + 1), "icdoff");
        expectInvalidAttribute(a -> a.withStagingBuffer(ByteBuffer.allocateDirect((int)c.minStagingBufSize() - 1)),
            "staging buffer of " + (c.minStagingBufSize() - 1));
        expectInvalidAttribute(a -> a.withStagingBuffer(ByteBuffer.allocate((int)c.minStagingBufSize())), "direct");
    }

    @Test
    void shouldRejectAnOffloadTypeTheDeviceLacksAndASecondContext() throws Exception
    {
        final FastpathDevice readsOnly = new FastpathDevice(OffloadCapabilities.builder()
            .offloadTypes(OffloadType.READ).build());
        final OffloadContextAttributes a = OffloadContextAttributes.defaults(readsOnly.capabilities(), 8192);
        assertThat(a.offloadType()).isEqualTo(OffloadType.READ);
        final Subsystem s = subsystem(1);
        expect(OffloadException.Reason.NOT_SUPPORTED, "offload type READ_WRITE",
            () -> readsOnly.createContext(s, a.withOffloadType(OffloadType.READ_WRITE)));
        final OffloadContext ctx = readsOnly.createContext(s, a);
        assertThat(s.offload()).isSameAs(ctx);
        expect(OffloadException.Reason.ALREADY_EXISTS, "has an offload context already",
            () -> readsOnly.createContext(s, a));
        ctx.destroy();
        assertThat(s.offload()).isNull();
        assertThat(readsOnly.createContext(s, a)).isNotNull();
    }

    @Test
    void shouldCountBackendControllersPerContextAndPerDevice() throws Exception
    {
        final FastpathDevice dev = new FastpathDevice(OffloadCapabilities.builder().maxSrqBackendCtrls(2)
            .maxBackendCtrlsTotal(3).nvmeQueueDepth(4, 64).build());
        final OffloadContextAttributes a = OffloadContextAttributes.defaults(dev.capabilities(), 8192);
        final OffloadContext one = dev.createContext(subsystem(1), a);
        final OffloadContext two = dev.createContext(subsystem(1), a.withStagingBuffer(
            ByteBuffer.allocateDirect(a.stagingBuffer().capacity())));
        expect(OffloadException.Reason.INVALID_ARGUMENT, "backend queue depth 65",
            () -> one.addBackendController(new Ram(1 << 20, 65)));
        expect(OffloadException.Reason.INVALID_ARGUMENT, "backend queue depth 3",
            () -> one.addBackendController(new Ram(1 << 20, 3)));
        final Ram r = new Ram(1 << 20, 32);
        one.addBackendController(r);
        expect(OffloadException.Reason.INVALID_ARGUMENT, "attached already", () -> one.addBackendController(r));
        one.addBackendController(new Ram(1 << 20, 32));
        expect(OffloadException.Reason.LIMIT_EXCEEDED, "maxSrqBackendCtrls",
            () -> one.addBackendController(new Ram(1 << 20, 32)));
        two.addBackendController(new Ram(1 << 20, 32));
        expect(OffloadException.Reason.LIMIT_EXCEEDED, "maxBackendCtrlsTotal (3)",
            () -> two.addBackendController(new Ram(1 << 20, 32)));
        assertThat(dev.backendCtrlsInUse()).isEqualTo(3);
        one.destroy();
        assertThat(r.closed).isTrue();
        assertThat(dev.backendCtrlsInUse()).isEqualTo(1);
        two.addBackendController(new Ram(1 << 20, 32));
    }

    @Test
    void shouldFailMappingsWithTheRfcReasons() throws Exception
    {
        final FastpathDevice dev = new FastpathDevice(OffloadCapabilities.builder().lbaDataSizes(Set.of(512, 4096))
            .build());
        final Subsystem s = subsystem(1, 2, 3);
        final OffloadContext ctx = dev.createContext(s, OffloadContextAttributes.defaults(dev.capabilities(), 8192));
        final BackendController c = ctx.addBackendController(new Ram(1 << 20, 32));
        final NamespaceMapping m = ctx.mapNamespace(1, c, 1, 512);
        assertThat(ctx.mapping(1)).isSameAs(m);
        expect(OffloadException.Reason.ALREADY_EXISTS, "front-end NSID 1", () -> ctx.mapNamespace(1, c, 1, 512));
        expect(OffloadException.Reason.NOT_SUPPORTED, "LBA data size 520", () -> ctx.mapNamespace(2, c, 1, 520));
        expect(OffloadException.Reason.NOT_SUPPORTED, "has 512-byte blocks", () -> ctx.mapNamespace(2, c, 1, 4096));
        expect(OffloadException.Reason.NOT_FOUND, "front-end NSID 2", () -> ctx.unmapNamespace(2));
        expect(OffloadException.Reason.NOT_FOUND, "front-end NSID 0", () -> ctx.unmapNamespace(0));
        expect(OffloadException.Reason.INVALID_ARGUMENT, "no namespace 9", () -> ctx.mapNamespace(9, c, 1, 512));
        expect(OffloadException.Reason.INVALID_ARGUMENT, "has no namespace 7", () -> ctx.mapNamespace(2, c, 7, 512));
        expect(OffloadException.Reason.INVALID_ARGUMENT, "not attached",
            () -> ctx.mapNamespace(2, new Ram(1 << 20, 32), 1, 512));
        expect(OffloadException.Reason.INVALID_ARGUMENT, "fewer than",
            () -> ctx.mapNamespace(2, ctx.addBackendController(new Ram(1 << 19, 32)), 1, 512));
        // front-end NSIDs share one number space over every controller of the context
        ctx.unmapNamespace(1);
        assertThat(ctx.mapping(1)).isNull();
        ctx.mapNamespace(1, c, 1, 512);
        assertThat(ctx.mappings()).hasSize(1);
    }

    @Test
    void shouldStopAtTheContextsAndTheDevicesNamespaceLimits() throws Exception
    {
        final FastpathDevice dev = new FastpathDevice(OffloadCapabilities.builder().maxNamespaces(3).build());
        final OffloadContextAttributes a = OffloadContextAttributes.defaults(dev.capabilities(), 8192)
            .withLimits(2, 1 << 20, 128);
        final OffloadContext one = dev.createContext(subsystem(1, 2, 3), a);
        final BackendController c1 = one.addBackendController(new Ram(1 << 20, 32));
        one.mapNamespace(1, c1, 1, 512);
        one.mapNamespace(2, c1, 1, 512);
        expect(OffloadException.Reason.LIMIT_EXCEEDED, "its maxNamespaces", () -> one.mapNamespace(3, c1, 1, 512));
        final OffloadContext two = dev.createContext(subsystem(1, 2), a.withStagingBuffer(
            ByteBuffer.allocateDirect(a.stagingBuffer().capacity())));
        final BackendController c2 = two.addBackendController(new Ram(1 << 20, 32));
        two.mapNamespace(1, c2, 1, 512);
        expect(OffloadException.Reason.LIMIT_EXCEEDED, "maxNamespaces (3)", () -> two.mapNamespace(2, c2, 1, 512));
        one.unmapNamespace(2);
        two.mapNamespace(2, c2, 1, 512);
        assertThat(dev.namespacesInUse()).isEqualTo(3);
    }

    @Test
    void shouldShowEachMappedNamespacesCountersThroughJmxUntilUnmapped() throws Exception
    {
        final FastpathDevice dev = new FastpathDevice();
        final Subsystem s = subsystem(1);
        final OffloadContext ctx = dev.createContext(s, OffloadContextAttributes.defaults(dev.capabilities(), 8192));
        final NamespaceMapping m = ctx.mapNamespace(1, ctx.addBackendController(new Ram(1 << 20, 32)), 1, 512);
        m.stats().read(4096, 1500, true);
        m.stats().write(8192, 3000, true);
        m.stats().error();
        final javax.management.MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        final javax.management.ObjectName name = OffloadContext.objectName(s.nqn(), 1);
        assertThat(server.getAttribute(name, "Reads")).isEqualTo(1L);
        assertThat(server.getAttribute(name, "BytesWritten")).isEqualTo(8192L);
        assertThat(server.getAttribute(name, "ZeroCopyReads")).isEqualTo(1L);
        assertThat(server.getAttribute(name, "Errors")).isEqualTo(1L);
        assertThat(server.getAttribute(name, "LatencyP99UpperBoundNanos")).isEqualTo(4096L);
        ctx.unmapNamespace(1);
        assertThat(server.isRegistered(name)).isFalse();
    }

    @Test
    void shouldShowTheContextAndItsLatestEventsThroughJmxUntilDestroyed() throws Exception
    {
        final FastpathDevice dev = new FastpathDevice();
        final Subsystem s = subsystem(1, 2);
        final OffloadContext ctx = dev.createContext(s, OffloadContextAttributes.defaults(dev.capabilities(), 8192));
        ctx.mapNamespace(2, ctx.addBackendController(new Ram(1 << 20, 32)), 1, 512);
        final javax.management.MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        final javax.management.ObjectName name = OffloadContext.contextObjectName(s.nqn());
        assertThat(server.getAttribute(name, "Device")).isEqualTo("fastpath");
        assertThat(server.getAttribute(name, "OffloadType")).isEqualTo("read_write_flush");
        assertThat((int[])server.getAttribute(name, "MappedNamespaces")).containsExactly(2);
        assertThat((String[])server.getAttribute(name, "BackendControllers")).hasSize(1);
        assertThat((String[])server.getAttribute(name, "RecentEvents")).isEmpty();
        for (int i = 0; i < OffloadContext.RECENT_EVENTS + 3; i++)
        {
            ctx.raise(new OffloadEvent(OffloadEvent.Type.BACKEND_ERROR, s.nqn(), 2, "ram", 0x02, "event " + i));
        }
        ctx.raise(new OffloadEvent(OffloadEvent.Type.BACKEND_TIMEOUT, s.nqn(), 2, "ram", 0x01, "late"));
        assertThat(server.getAttribute(name, "BackendErrorEvents")).isEqualTo((long)OffloadContext.RECENT_EVENTS + 3);
        assertThat(server.getAttribute(name, "BackendTimeoutEvents")).isEqualTo(1L);
        assertThat(server.getAttribute(name, "UnsupportedCommandEvents")).isEqualTo(0L);
        final String[] recent = (String[])server.getAttribute(name, "RecentEvents");
        // the ring keeps the latest 16, oldest first
        assertThat(recent).hasSize(OffloadContext.RECENT_EVENTS);
        assertThat(recent[0]).contains("BACKEND_ERROR nsid 2 opcode 0x2 (ram): event 4");
        assertThat(recent[recent.length - 1]).contains("BACKEND_TIMEOUT nsid 2 opcode 0x1 (ram): late");
        ctx.destroy();
        assertThat(server.isRegistered(name)).isFalse();
    }

    @Test
    void shouldPlaceLatenciesInPowerOfTwoBuckets()
    {
        final LatencyHistogram h = new LatencyHistogram();
        assertThat(h.percentileUpperBoundNanos(50)).isZero();
        for (int i = 0; i < 98; i++)
        {
            h.record(1000); // [512, 1024)
        }
        h.record(1 << 20);
        h.record(-5);
        assertThat(h.count(10)).isEqualTo(98);
        assertThat(h.count(0)).isEqualTo(1);
        assertThat(h.totalCount()).isEqualTo(100);
        assertThat(h.percentileUpperBoundNanos(50)).isEqualTo(1024);
        assertThat(h.percentileUpperBoundNanos(99)).isEqualTo(1024);
        assertThat(h.percentileUpperBoundNanos(100)).isEqualTo(1L << 21);
        assertThat(h.sumNanos()).as("exact, a negative value as 0").isEqualTo(98 * 1000L + (1 << 20));
        h.record(Long.MAX_VALUE);
        assertThat(h.count(LatencyHistogram.BUCKETS - 1)).isEqualTo(1);
    }

    @Test
    void shouldHandOutEachStagingChunkOnce()
    {
        final StagingPool p = new StagingPool(ByteBuffer.allocateDirect(4 * 4096), 4096);
        assertThat(p.size()).isEqualTo(4);
        final int a = p.claim(3);
        final int b = p.claim(3);
        final int c = p.claim(3);
        final int d = p.claim(3);
        assertThat(Set.of(a, b, c, d)).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(p.claim(0)).isEqualTo(-1);
        assertThat(p.chunk(a)).isNotSameAs(p.chunk(b));
        assertThat(p.chunk(a).capacity()).isEqualTo(4096);
        p.release(c);
        assertThat(p.claim(0)).isEqualTo(c);
        assertThat(p.inUse()).isEqualTo(4);
    }

    @Test
    void shouldRejectCapabilitiesWithAMinimumAboveItsMaximum()
    {
        assertThatThrownBy(() -> OffloadCapabilities.builder().nvmeQueueDepth(64, 32).build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queue depth 64..32");
        assertThat(OffloadCapabilities.builder().offloadTypes(OffloadType.READ, OffloadType.WRITE).build().types())
            .containsExactlyInAnyOrder(OffloadType.READ, OffloadType.WRITE);
        assertThat(OffloadType.parse("read_write_flush")).isEqualTo(OffloadType.READ_WRITE_FLUSH);
        assertThatThrownBy(() -> OffloadType.parse("zap")).hasMessageContaining("unknown offload type 'zap'");
    }

    /** A RAM backend controller with one namespace. */
    static final class Ram implements BackendController, BackendQueue
    {
        private final RamBackend ram;
        private final int depth;
        boolean closed;

        Ram(final long size, final int depth)
        {
            this.ram = new RamBackend(size);
            this.depth = depth;
        }

        @Override
        public void read(final int nsid, final long offset, final ByteBuffer dst, final int index, final int length)
        {
            ram.read(offset, dst, index, length);
        }

        @Override
        public void write(final int nsid, final long offset, final ByteBuffer src, final int index, final int length)
        {
            ram.write(offset, src, index, length);
        }

        @Override
        public void flush(final int nsid)
        {
        }

        @Override
        public String name()
        {
            return "ram";
        }

        @Override
        public int queueCount()
        {
            return 1;
        }

        @Override
        public BackendQueue queue(final int i)
        {
            return this;
        }

        @Override
        public int queueDepth()
        {
            return depth;
        }

        @Override
        public long namespaceSize(final int nsid)
        {
            return nsid == 1 ? ram.size() : -1;
        }

        @Override
        public int lbaDataSize(final int nsid)
        {
            return 0;
        }

        @Override
        public void close()
        {
            closed = true;
        }
    }
}
