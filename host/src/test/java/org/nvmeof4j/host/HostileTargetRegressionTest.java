package org.nvmeof4j.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Cases {@link HostileTargetTest} found, each pinned with the one mutation that showed it. */
@Timeout(30)
class HostileTargetRegressionTest
{
    private static ScriptedTarget target;

    @BeforeAll
    static void start() throws Exception
    {
        target = new ScriptedTarget();
    }

    @AfterAll
    static void stop() throws Exception
    {
        target.close();
    }

    private static ConnectOptions options()
    {
        return target.options().nrIoQueues(1).queueSize(16).ioTimeout(Duration.ofMillis(500))
            .adminTimeout(Duration.ofMillis(500)).connectTimeout(Duration.ofSeconds(1))
            .reconnectDelay(Duration.ofMillis(20)).ctrlLossTmo(Duration.ZERO);
    }

    private static ScriptedTarget.Plan plan(final int conn, final int pdu, final String kind)
    {
        final ScriptedTarget.Plan p = new ScriptedTarget.Plan(conn, pdu, 1, kind);
        target.fillDisk(1);
        target.plan(p);
        return p;
    }

    private static void assertReadWorks(final NvmeController c)
    {
        final ByteBuffer dst = ByteBuffer.allocate(4096);
        c.readBlocking(1, 0, 8, dst);
        assertThat(dst.array()).isEqualTo(java.util.Arrays.copyOf(target.disk, 4096));
    }

    /**
     * The I/O queue's Connect response arrives with a second copy right behind it, in one read: the setup command
     * succeeds and the connection ends in the same poll. Was: connect returned a LIVE controller whose async queue
     * had died registering the closed socket, so every I/O failed with "controller ... is closed".
     */
    @Test
    void shouldNotHandOutAConnectionThatBrokeDuringSetup()
    {
        plan(1, 1, "duplicate");
        final NvmeController c;
        try
        {
            c = NvmeController.connect(options());
        }
        catch (final NvmeTransportException e)
        {
            assertThat(e).hasMessageContaining("lost during setup");
            return;
        }
        try (c)
        {
            assertReadWorks(c);
        }
    }

}
