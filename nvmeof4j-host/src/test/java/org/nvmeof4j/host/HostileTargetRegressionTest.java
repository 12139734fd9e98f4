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

    /** Waits until the host closed the mutated connection; returns the H2CTermReqs it sent there ({FES, FEI}). */
    private static java.util.List<long[]> termReqsAfter(final ScriptedTarget.Plan p) throws InterruptedException
    {
        assertThat(p.fired()).as("the plan fired").isTrue();
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (!p.mutated.eof && System.nanoTime() < deadline)
        {
            Thread.sleep(2);
        }
        assertThat(p.mutated.eof).as("the host closed the connection").isTrue();
        return p.mutated.termReqs;
    }

    private static ByteBuffer writeAndCheck(final NvmeController c, final int lba, final int blocks)
    {
        final byte[] d = new byte[blocks * ScriptedTarget.BLOCK];
        new java.util.Random(lba).nextBytes(d);
        c.writeBlocking(1, lba, blocks, ByteBuffer.wrap(d));
        assertThat(java.util.Arrays.copyOfRange(target.disk, lba * ScriptedTarget.BLOCK,
            (lba + blocks) * ScriptedTarget.BLOCK)).isEqualTo(d);
        return ByteBuffer.wrap(d);
    }

    /**
     * The first R2T of a write comes twice. Was: the host answered both, sending the same data again (the target
     * saw H2CData no R2T asked for; a target repeating R2Ts could make the host queue H2CData without bound).
     * Now: TermReq FES 0x04 (data transfer out of range), and the write succeeds once the controller reconnects.
     */
    @Test
    void shouldTerminateOnAnR2tForDataAlreadyAskedFor() throws Exception
    {
        // I/O queue PDUs: ICResp, Connect response, then the write's first R2T
        final ScriptedTarget.Plan p = plan(1, 2, "duplicate");
        try (NvmeController c = NvmeController.connect(options()))
        {
            writeAndCheck(c, 300, 16);
            final java.util.List<long[]> termReqs = termReqsAfter(p);
            assertThat(termReqs).hasSize(1);
            assertThat(termReqs.get(0)).containsExactly(0x04L, 0L);
            assertThat(target.hostErrors).isEmpty();
        }
    }

    /** An R2T for a write whose data went in the capsule: the same answer. */
    @Test
    void shouldTerminateOnAnR2tForInCapsuleData() throws Exception
    {
        // the in-capsule write's CapsuleResp (PDU 2) is preceded by an R2T for its CID
        final ScriptedTarget.Plan p = plan(1, 2, "r2tForCapsule");
        try (NvmeController c = NvmeController.connect(options()))
        {
            writeAndCheck(c, 300, 4);
            final java.util.List<long[]> termReqs = termReqsAfter(p);
            assertThat(termReqs).hasSize(1);
            assertThat(termReqs.get(0)).containsExactly(0x04L, 0L);
        }
    }

    /**
     * A read's C2HData never comes, its CapsuleResp (success) does. Was: the read completed successfully with
     * whatever the buffer held before. Now: TermReq FES 0x02 (PDU sequence error); the read is retried on the new
     * connection and returns the target's data.
     */
    @Test
    void shouldTerminateOnASuccessBeforeTheReadData() throws Exception
    {
        target.wholeDataPdus = true;
        try
        {
            // I/O queue PDUs: ICResp, Connect response, then the read's only C2HData
            final ScriptedTarget.Plan p = plan(1, 2, "drop");
            try (NvmeController c = NvmeController.connect(options()))
            {
                assertReadWorks(c);
                final java.util.List<long[]> termReqs = termReqsAfter(p);
                assertThat(termReqs).hasSize(1);
                assertThat(termReqs.get(0)).containsExactly(0x02L, 0L);
            }
        }
        finally
        {
            target.wholeDataPdus = false;
        }
    }

    /**
     * A write's R2T never comes, its CapsuleResp (success) does. Was: the write was acknowledged though the target
     * never asked for its data. Now: TermReq FES 0x02, and the write is retried and lands.
     */
    @Test
    void shouldTerminateOnASuccessBeforeTheWriteDataWasAskedFor() throws Exception
    {
        final ScriptedTarget.Plan p = plan(1, 2, "respInsteadOfR2t");
        try (NvmeController c = NvmeController.connect(options()))
        {
            writeAndCheck(c, 320, 16);
            final java.util.List<long[]> termReqs = termReqsAfter(p);
            assertThat(termReqs).hasSize(1);
            assertThat(termReqs.get(0)).containsExactly(0x02L, 0L);
        }
    }
}
