package org.nvmeof4j.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.nvmeof4j.target.TargetTestSupport.NQN;

import java.io.IOException;
import java.nio.ByteBuffer;
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
    void shouldRejectLimitsOutOfRange()
    {
        assertThatThrownBy(() -> new ConnectionLimits(0, 1, 0, 0)).hasMessageContaining("per port");
        assertThatThrownBy(() -> new ConnectionLimits(1, 0, 0, 0)).hasMessageContaining("per address");
        assertThatThrownBy(() -> new ConnectionLimits(1, 1, -1, 0)).hasMessageContaining("ICReq timeout");
        assertThatThrownBy(() -> new ConnectionLimits(1, 1, 0, 3_600_001)).hasMessageContaining("Connect timeout");
    }
}
