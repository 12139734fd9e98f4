package org.nvmeof4j.ddp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import javax.management.Attribute;
import javax.management.MBeanServer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.ddp.model.ModelDdpDevice;
import org.nvmeof4j.ddp.model.WireConfig;
import org.nvmeof4j.ddp.soft.SoftDdpDevice;
import org.nvmeof4j.ddp.spi.CidTable;
import org.nvmeof4j.tcp.NvmeTcpConnection;
import org.nvmeof4j.tcp.SocketSegmentSource;

class UlpDdpApiTest
{
    /** Records resync confirmations. */
    static final class RecordingDevice extends org.nvmeof4j.ddp.spi.AbstractUlpDdpDevice
    {
        final List<Integer> confirmed = new ArrayList<>();

        RecordingDevice()
        {
            super("rec", new UlpDdpCaps(1, 1), SoftDdpDevice.DEFAULT_LIMITS);
        }

        @Override
        protected org.nvmeof4j.ddp.spi.UlpDdpContext createContext(
            final NvmeTcpConnection c, final UlpDdpConfig config, final UlpDdpUlpOps ops, final UlpDdpCaps caps,
            final UlpDdpLimits limits)
        {
            return null;
        }

        @Override
        public void resync(final NvmeTcpConnection connection, final int seq)
        {
            confirmed.add(seq);
        }
    }

    @Test
    void shouldConfirmAPendingResyncOnlyAtThatPduStart() throws Exception
    {
        final RecordingDevice dev = new RecordingDevice();
        final TestConnection c = new TestConnection();
        final ResyncState r = new ResyncState();
        assertThat(r.onPduBoundary(100, dev, c)).isFalse();
        r.request(500, UlpDdpUlpOps.RESYNC_PENDING);
        assertThat(r.isPending()).isTrue();
        assertThat(r.onPduBoundary(300, dev, c)).as("before the requested sequence").isFalse();
        assertThat(r.onPduBoundary(500, dev, c)).isTrue();
        assertThat(dev.confirmed).containsExactly(500);
        assertThat(r.isPending()).isFalse();
        assertThat(r.onPduBoundary(500, dev, c)).as("answered once").isFalse();
    }

    @Test
    void shouldLetANewerRequestWin() throws Exception
    {
        final RecordingDevice dev = new RecordingDevice();
        final TestConnection c = new TestConnection();
        final ResyncState r = new ResyncState();
        r.request(500, UlpDdpUlpOps.RESYNC_PENDING);
        r.request(900, UlpDdpUlpOps.RESYNC_PENDING); // the device found a later candidate
        assertThat(r.onPduBoundary(500, dev, c)).isFalse();
        assertThat(r.onPduBoundary(900, dev, c)).isTrue();
        assertThat(dev.confirmed).containsExactly(900);
        // a PDU past a stale request does not confirm it: the device must ask again
        r.request(1000, UlpDdpUlpOps.RESYNC_PENDING);
        assertThat(r.onPduBoundary(1200, dev, c)).isFalse();
        assertThat(r.isPending()).isTrue();
    }

    @Test
    void shouldCompareSequencesModulo32Bits() throws Exception
    {
        final RecordingDevice dev = new RecordingDevice();
        final TestConnection c = new TestConnection();
        final ResyncState r = new ResyncState();
        final long base = (1L << 32) - 10; // stream offset just below 4 GiB: relative seq wraps after it
        r.request((int)(base + 20), UlpDdpUlpOps.RESYNC_PENDING);
        assertThat(r.onPduBoundary(base, dev, c)).isFalse();
        assertThat(r.onPduBoundary(base + 20, dev, c)).isTrue();
        assertThat(dev.confirmed).containsExactly((int)(base + 20));
    }

    @Property(tries = 200)
    void cidTableBehavesLikeAMap(@ForAll final long seed)
    {
        final SplittableRandom r = new SplittableRandom(seed);
        final int size = 1 + r.nextInt(128);
        final CidTable t = new CidTable(size);
        final Map<Integer, UlpDdpIo> ref = new HashMap<>();
        for (int i = 0; i < 2000; i++)
        {
            final int cid = r.nextInt(r.nextBoolean() ? 65536 : 300);
            if (r.nextBoolean())
            {
                final UlpDdpIo io = new UlpDdpIo(1).reset(cid);
                final boolean ok = t.put(cid, io);
                assertThat(ok).isEqualTo(!ref.containsKey(cid) && ref.size() < size);
                if (ok)
                {
                    ref.put(cid, io);
                }
            }
            else
            {
                assertThat(t.remove(cid)).isSameAs(ref.remove(cid));
            }
            assertThat(t.get(cid)).isSameAs(ref.get(cid));
            assertThat(t.size()).isEqualTo(ref.size());
        }
        for (final Map.Entry<Integer, UlpDdpIo> e : ref.entrySet())
        {
            assertThat(t.get(e.getKey())).isSameAs(e.getValue());
        }
    }

    @Test
    void shouldParseAndPrintCaps()
    {
        final long both = UlpDdpCaps.bit(UlpDdpCaps.NVME_TCP) | UlpDdpCaps.bit(UlpDdpCaps.NVME_TCP_DDGST_RX);
        assertThat(UlpDdpCaps.parse("nvme_tcp,nvme_tcp_ddgst_rx")).isEqualTo(both);
        assertThat(UlpDdpCaps.names(both)).isEqualTo("nvme_tcp,nvme_tcp_ddgst_rx");
        assertThat(UlpDdpCaps.parse("none")).isZero();
        assertThatThrownBy(() -> UlpDdpCaps.parse("nvme_tcp,bogus")).isInstanceOf(IllegalArgumentException.class);
        final SoftDdpDevice d = new SoftDdpDevice("caps");
        assertThatThrownBy(() -> d.setCaps(UlpDdpCaps.bit(UlpDdpCaps.NVME_TCP_DDGST_TX)))
            .isInstanceOf(IllegalArgumentException.class);
        d.setCaps(0);
        assertThat(d.limits()).as("limits fail when NVME_TCP is off").isNull();
    }

    @Test
    void shouldCountSkAddFailuresAndLeaveTheConnectionInSoftware() throws Exception
    {
        final SoftDdpDevice d = new SoftDdpDevice("fail");
        final TestConnection c = new TestConnection();
        assertThat(d.skAdd(c, UlpDdpConfig.of(0, false, false, 32, 0, -1), null)).as("admin queue").isFalse();
        assertThat(d.skAdd(c, new UlpDdpConfig(1, 0, 0, 32, 1, -1), null)).as("unknown PFV").isFalse();
        assertThat(c.segmentSource()).isInstanceOf(SocketSegmentSource.class);
        d.down();
        assertThat(d.skAdd(c, UlpDdpConfig.of(0, false, false, 32, 1, -1), null)).as("device down").isFalse();
        assertThat(d.getStats().skAddFail()).isEqualTo(3);
        assertThat(d.getStats().skAdd()).isZero();
        d.up();
        assertThat(d.skAdd(c, UlpDdpConfig.of(0, false, false, 32, 1, -1), null)).isTrue();
        assertThat(UlpDdpRegistry.deviceOf(c)).isSameAs(d);
        assertThat(d.skAdd(c, UlpDdpConfig.of(0, false, false, 32, 1, -1), null)).as("twice").isFalse();
        final UlpDdpIo io = new UlpDdpIo(1).reset(7).add(java.nio.ByteBuffer.allocateDirect(4096), 0, 4096);
        assertThat(d.setup(c, io)).isTrue();
        assertThat(d.setup(c, io)).as("CID already mapped").isFalse();
        assertThat(d.getStats().setupFail()).isEqualTo(1);
        d.skDel(c);
        assertThat(UlpDdpRegistry.deviceOf(c)).isNull();
        assertThat(d.setup(c, io)).isFalse();
    }

    @Test
    void shouldFindDevicesByAddressInterfaceOrDefaultAndHoldReferences() throws Exception
    {
        final UlpDdpRegistry reg = new UlpDdpRegistry(false);
        final SoftDdpDevice a = new SoftDdpDevice("a");
        final ModelDdpDevice b = new ModelDdpDevice("b", WireConfig.CLEAN);
        reg.register(a);
        reg.register(b);
        assertThatThrownBy(() -> reg.register(new SoftDdpDevice("a"))).isInstanceOf(IllegalArgumentException.class);
        final InetAddress lo = InetAddress.getLoopbackAddress();
        assertThat(reg.deviceFor(lo)).isNull();
        reg.setDefault(b);
        assertThat(reg.deviceFor(lo)).isSameAs(b);
        reg.bindInterface("lo", a);
        assertThat(reg.deviceFor(lo)).isSameAs(a);
        reg.bindAddress(lo, b);
        assertThat(reg.deviceFor(lo)).isSameAs(b);
        final TestConnection c = new TestConnection();
        assertThat(reg.deviceFor(c)).as("unbound socket: the default").isSameAs(b);
        assertThat(reg.skAdd(a, c, UlpDdpConfig.of(0, true, true, 64, 3, 0), null)).isTrue();
        assertThat(reg.references(a)).isEqualTo(1);
        final List<String> down = new ArrayList<>();
        reg.addListener(dev -> down.add(dev.name()));
        a.down();
        assertThat(down).containsExactly("a");
        assertThat(reg.queryLimits(a, false)).isNull();
        reg.skDel(c);
        assertThat(reg.references(a)).isZero();
        assertThat(a.getStats().skDel()).isEqualTo(1);
        reg.unregister(a);
        assertThat(reg.byName("a")).isNull();
        assertThat(reg.deviceFor(lo)).isSameAs(b);
    }

    @Test
    void shouldExposeStatsAndCapsThroughJmx() throws Exception
    {
        final UlpDdpRegistry reg = new UlpDdpRegistry(true);
        final SoftDdpDevice d = new SoftDdpDevice("jmx-test");
        reg.register(d);
        final MBeanServer s = ManagementFactory.getPlatformMBeanServer();
        final var name = UlpDdpMBean.objectName("jmx-test");
        for (final String stat : UlpDdpStats.NAMES)
        {
            assertThat(s.getAttribute(name, stat)).isEqualTo(0L);
        }
        assertThat(s.getAttribute(name, "caps_active")).isEqualTo("nvme_tcp,nvme_tcp_ddgst_rx");
        s.setAttribute(name, new Attribute("caps_active", "nvme_tcp"));
        assertThat(d.getCaps().isActive(UlpDdpCaps.NVME_TCP_DDGST_RX)).isFalse();
        reg.unregister(d);
        assertThat(s.isRegistered(name)).isFalse();
    }
}
