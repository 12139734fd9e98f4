package org.nvmeof4j.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.nvmeof4j.target.TargetTestSupport.NQN;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The bounds that protect the target from peers that hold connections without using them. */
class ConnectionLimitsTest
{
    /** EOF or reset within the socket's 5 s read timeout; a timeout (the target kept it open) is false. */
    private static boolean closedByTarget(final RawHost h)
    {
        try
        {
            return h.ch.socket().getInputStream().read() < 0;
        }
        catch (final java.net.SocketTimeoutException e)
        {
            return false;
        }
        catch (final IOException e)
        {
            return true;
        }
    }

    private static Target target(final ConnectionLimits limits) throws IOException
    {
        return Target.builder().listen("127.0.0.1", 0).connectionLimits(limits)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().ramNamespace(1, 1L << 20))
            .build().start();
    }

    @Test
    void shouldDropAPeerThatSendsNoIcReq() throws Exception
    {
        try (Target t = target(new ConnectionLimits(16, 16, 300, 0)); RawHost silent = new RawHost(t.boundPort()))
        {
            // the read times out after 5 s if the target never closes the connection
            assertThat(closedByTarget(silent)).isTrue();
            assertThat(t.limitCounters().icReqTimeouts()).isEqualTo(1);
            assertThat(t.limitCounters().connectTimeouts()).isZero();
        }
    }

    @Test
    void shouldDropAPeerThatSendsNoConnectAfterIcReq() throws Exception
    {
        try (Target t = target(new ConnectionLimits(16, 16, 0, 300)); RawHost slow = new RawHost(t.boundPort()))
        {
            slow.initialize(false, false);
            assertThat(closedByTarget(slow)).isTrue();
            assertThat(t.limitCounters().connectTimeouts()).isEqualTo(1);
            assertThat(t.limitCounters().icReqTimeouts()).isZero();
        }
    }

    @Test
    void shouldKeepAConnectedQueuePastBothTimeouts() throws Exception
    {
        try (Target t = target(new ConnectionLimits(16, 16, 200, 200)); RawHost h = new RawHost(t.boundPort()))
        {
            TargetTestSupport.adminSetup(h, false, false, 1);
            Thread.sleep(700);
            final ByteBuffer csts = h.propertyGet(9, 0x1C, false);
            assertThat(RawHost.status(csts)).isZero();
            assertThat(RawHost.dw0(csts) & 1).as("CSTS.RDY").isEqualTo(1);
            assertThat(t.limitCounters().icReqTimeouts() + t.limitCounters().connectTimeouts()).isZero();
        }
    }

    @Test
    void shouldRefuseConnectionsOverThePerAddressLimitAndAdmitAgainWhenOneCloses() throws Exception
    {
        try (Target t = target(new ConnectionLimits(16, 2, 0, 0)))
        {
            try (RawHost a = new RawHost(t.boundPort()); RawHost b = new RawHost(t.boundPort()))
            {
                a.initialize(false, false);
                b.initialize(false, false);
                try (RawHost c = new RawHost(t.boundPort()))
                {
                    assertThat(closedByTarget(c)).as("third connection from 127.0.0.1").isTrue();
                }
                assertThat(t.limitCounters().refusedPerAddress()).isEqualTo(1);
            }
            // both closed: the count goes back down once the target has seen the closes
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (true)
            {
                try (RawHost d = new RawHost(t.boundPort()))
                {
                    final ByteBuffer icResp = d.initialize(false, false);
                    assertThat(icResp.get(0)).as("ICResp").isEqualTo((byte)0x01);
                    break;
                }
                catch (final IOException e)
                {
                    if (System.nanoTime() > deadline)
                    {
                        throw e;
                    }
                    Thread.sleep(20);
                }
            }
        }
    }

    @Test
    void shouldRefuseConnectionsOverThePerPortLimit() throws Exception
    {
        try (Target t = target(new ConnectionLimits(1, 16, 0, 0)); RawHost a = new RawHost(t.boundPort()))
        {
            a.initialize(false, false);
            try (RawHost b = new RawHost(t.boundPort()))
            {
                assertThat(closedByTarget(b)).isTrue();
            }
            assertThat(t.limitCounters().refusedPerPort()).isEqualTo(1);
            // the admitted connection still works
            assertThat(RawHost.status(a.connect(0, 0xFFFF, NQN, 31))).isZero();
        }
    }

    @Test
    void shouldServeAnHonestHostBesideManySilentConnectionsAndStillDropThem() throws Exception
    {
        // more connections than the poller drives directly: it runs the ready ones, and sweeps all for the deadlines
        final int silentCount = 40;
        final java.util.List<RawHost> silent = new java.util.ArrayList<>();
        try (Target t = target(new ConnectionLimits(4096, 4096, 1500, 0)))
        {
            try
            {
                for (int i = 0; i < silentCount; i++)
                {
                    silent.add(new RawHost(t.boundPort()));
                }
                try (RawHost h = new RawHost(t.boundPort()))
                {
                    TargetTestSupport.adminSetup(h, false, false, 1);
                    for (int cid = 10; cid < 210; cid++)
                    {
                        final ByteBuffer cc = h.propertyGet(cid, 0x14, false);
                        assertThat(RawHost.cqeCid(cc)).isEqualTo(cid);
                        assertThat(RawHost.status(cc)).isZero();
                    }
                }
                for (final RawHost s : silent)
                {
                    assertThat(closedByTarget(s)).isTrue();
                }
                assertThat(t.limitCounters().icReqTimeouts()).isEqualTo(silentCount);
            }
            finally
            {
                for (final RawHost s : silent)
                {
                    s.close();
                }
            }
        }
    }

    @Test
    void shouldRefuseAConnectOverThePerHostLimitWhileAnotherHostConnects() throws Exception
    {
        final ConnectionLimits limits = new ConnectionLimits(16, 16, 0, 0).withMaxConnectionsPerHost(2);
        try (Target t = target(limits); RawHost a = new RawHost(t.boundPort()); RawHost b = new RawHost(t.boundPort());
            RawHost over = new RawHost(t.boundPort()); RawHost other = new RawHost(t.boundPort()))
        {
            TargetTestSupport.adminSetup(a, false, false, 1);
            TargetTestSupport.adminSetup(b, false, false, 1);
            over.initialize(false, false);
            final ByteBuffer refused = over.connect(0, 0xFFFF, NQN, 31);
            assertThat(RawHost.status(refused) & 0x7FF).as("Connect Controller Busy").isEqualTo(0x181);
            assertThat(t.limitCounters().refusedPerHost()).isEqualTo(1);
            assertThat(t.connectionsOfHost(RawHost.HOSTNQN)).isEqualTo(2);
            // another host NQN from the same address is not affected
            other.initialize(false, false);
            final ByteBuffer ok = other.connect(0, 0xFFFF, NQN,
                "nqn.2014-08.org.nvmexpress:uuid:99999999-2222-3333-4444-555555555555", 31);
            assertThat(RawHost.status(ok)).isZero();
            // the connected queues still work
            assertThat(RawHost.status(a.propertyGet(20, 0x1C, false))).isZero();
            // when one of the host's queues closes, the host may connect again
            b.close();
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (t.connectionsOfHost(RawHost.HOSTNQN) != 1 && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            assertThat(RawHost.status(over.connect(0, 0xFFFF, NQN, 31))).isZero();
            assertThat(t.limitCounters().refusedPerHost()).isEqualTo(1);
        }
    }

    @Test
    void shouldHoldAWriteBackUntilStagingFreesAndServeItAfter(@org.junit.jupiter.api.io.TempDir final Path dir)
        throws Exception
    {
        // 2 x MAXH2CDATA (8 KiB) = 16 KiB of staging: one 16 KiB write at a time
        final ConnectionLimits limits = new ConnectionLimits(16, 16, 0, 0).withStagingPerConnection(2);
        try (Target t = Target.builder().listen("127.0.0.1", 0).connectionLimits(limits).maxH2cData(8192)
                .maxTransferSize(16384)
                .subsystem(s -> s.nqn(NQN).allowAnyHost().fileNamespace(1, dir.resolve("ns1"), 1L << 20))
                .build().start();
            RawHost admin = new RawHost(t.boundPort()); RawHost io = new RawHost(t.boundPort()))
        {
            final int cntlid = TargetTestSupport.adminSetup(admin, false, false, 1);
            TargetTestSupport.ioSetup(io, cntlid, 1, false, false);
            final byte[] first = TargetTestSupport.pattern(16384, 1);
            final byte[] second = TargetTestSupport.pattern(16384, 2);
            io.send(io.capsule(RawHost.sglTransport(TargetTestSupport.rw(0x01, 1, 0, 32), 16384), null));
            final ByteBuffer r2t1 = io.readPdu();
            assertThat(r2t1.get(0)).as("R2T of the first write").isEqualTo((byte)0x09);
            io.send(io.capsule(RawHost.sglTransport(TargetTestSupport.rw(0x01, 2, 64, 32), 16384), null));
            io.send(io.capsule(TargetTestSupport.rw(0x00, 3, 0, 1), null)); // Flush: needs no staging
            // the commands run in order: an R2T for the second write would come before the Flush's completion
            final ByteBuffer flush = io.readPdu();
            assertThat(flush.get(0)).as("CapsuleResp, not an R2T").isEqualTo((byte)0x05);
            assertThat(RawHost.cqeCid(flush)).isEqualTo(3);
            assertThat(t.limitCounters().stagingWaits()).isEqualTo(1);
            sendData(io, 1, r2t1.getShort(10) & 0xFFFF, first);
            final ByteBuffer done1 = io.readPdu();
            assertThat(RawHost.cqeCid(done1)).isEqualTo(1);
            assertThat(RawHost.status(done1)).isZero();
            final ByteBuffer r2t2 = io.readPdu();
            assertThat(r2t2.get(0)).as("R2T of the second write, once the first freed its staging")
                .isEqualTo((byte)0x09);
            assertThat(r2t2.getShort(8) & 0xFFFF).as("CCCID").isEqualTo(2);
            sendData(io, 2, r2t2.getShort(10) & 0xFFFF, second);
            final ByteBuffer done2 = io.readPdu();
            assertThat(RawHost.cqeCid(done2)).isEqualTo(2);
            assertThat(RawHost.status(done2)).isZero();
            assertThat(TargetTestSupport.read(io, 4, 0, 16384)).isEqualTo(first);
            assertThat(TargetTestSupport.read(io, 5, 64, 16384)).isEqualTo(second);
            assertThat(t.limitCounters().stagingWaits()).isEqualTo(1);
        }
    }

    @Test
    void shouldRefuseAStagingBudgetThatCannotHoldTheLargestCommand()
    {
        assertThatThrownBy(() -> Target.builder().connectionLimits(ConnectionLimits.DEFAULT.withStagingPerConnection(1))
            .maxH2cData(8192).maxTransferSize(16384).build()).hasMessageContaining("staging per connection");
    }

    private static void sendData(final RawHost h, final int cid, final int ttag, final byte[] data) throws IOException
    {
        for (int off = 0; off < data.length; off += (int)h.maxh2cdata)
        {
            final int n = (int)Math.min(h.maxh2cdata, data.length - off);
            h.send(h.h2cData(cid, ttag, off, java.util.Arrays.copyOfRange(data, off, off + n), off + n == data.length));
        }
    }

    @Test
    void shouldRejectLimitsOutOfRange()
    {
        assertThatThrownBy(() -> new ConnectionLimits(0, 1, 0, 0)).hasMessageContaining("per port");
        assertThatThrownBy(() -> new ConnectionLimits(1, 0, 0, 0)).hasMessageContaining("per address");
        assertThatThrownBy(() -> new ConnectionLimits(1, 1, -1, 0)).hasMessageContaining("ICReq timeout");
        assertThatThrownBy(() -> new ConnectionLimits(1, 1, 0, 3_600_001)).hasMessageContaining("Connect timeout");
        assertThatThrownBy(() -> ConnectionLimits.DEFAULT.withMaxConnectionsPerHost(0)).hasMessageContaining("per host");
        assertThatThrownBy(() -> ConnectionLimits.DEFAULT.withStagingPerConnection(0)).hasMessageContaining("staging");
    }
}
