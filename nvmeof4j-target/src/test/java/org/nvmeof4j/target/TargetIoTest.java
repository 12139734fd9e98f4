package org.nvmeof4j.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nvmeof4j.target.TargetTestSupport.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TargetIoTest
{
    static Target target;

    @BeforeAll
    static void start() throws Exception
    {
        target = ramTarget();
    }

    @AfterAll
    static void stop()
    {
        target.close();
    }

    @Test
    void shouldAnswerIcReqWithCpdaZeroAndEchoedDigests() throws Exception
    {
        try (RawHost h = new RawHost(target.boundPort()))
        {
            final ByteBuffer r = h.initialize(true, false);
            assertThat(r.get(0)).isEqualTo((byte)0x01);
            assertThat(r.get(2) & 0xFF).isEqualTo(128);
            assertThat(r.getInt(4)).isEqualTo(128);
            assertThat(r.getShort(8)).isZero();
            assertThat(r.get(10)).isZero();
            assertThat(r.get(11)).isEqualTo((byte)1);
            assertThat(r.getInt(12)).isEqualTo(target.maxH2cData());
        }
    }

    @Test
    void shouldIdentifyController() throws Exception
    {
        try (RawHost h = new RawHost(target.boundPort()))
        {
            final int cntlid = adminSetup(h, false, false, 1);
            final ByteBuffer s = RawHost.sglTransport(RawHost.sqe(0x06, 9, 0), 4096);
            s.putInt(40, 1);
            h.send(h.capsule(s, null));
            final ByteBuffer data = h.readPdu();
            assertThat(data.get(0)).isEqualTo((byte)0x07);
            assertThat(data.getInt(16)).isEqualTo(4096);
            final int pdo = RawHost.pdo(data);
            final byte[] nqn = new byte[NQN.length()];
            for (int i = 0; i < nqn.length; i++)
            {
                nqn[i] = data.get(pdo + 768 + i);
            }
            assertThat(new String(nqn, StandardCharsets.US_ASCII)).isEqualTo(NQN);
            assertThat(data.getShort(pdo + 78) & 0xFFFF).isEqualTo(cntlid);
            assertThat(data.getInt(pdo + 1792)).isEqualTo((8192 + 64) / 16);
            assertThat(data.get(pdo + 111)).isEqualTo((byte)1);
            final ByteBuffer resp = h.readPdu();
            assertThat(resp.get(0)).isEqualTo((byte)0x05);
            assertThat(RawHost.status(resp)).isZero();
            assertThat(RawHost.cqeCid(resp)).isEqualTo(9);
        }
    }

    @ParameterizedTest
    @CsvSource({"false,false", "true,false", "false,true", "true,true"})
    void shouldWriteAndReadBack(final boolean hd, final boolean dd) throws Exception
    {
        try (RawHost admin = new RawHost(target.boundPort()); RawHost io = new RawHost(target.boundPort()))
        {
            final int cntlid = adminSetup(admin, hd, dd, 1);
            ioSetup(io, cntlid, 1, hd, dd);
            // in-capsule write of 4 KiB
            final byte[] small = pattern(4096, 7);
            io.send(io.capsule(RawHost.sglInCapsule(rw(0x01, 10, 8, 8), 4096), small));
            assertThat(RawHost.status(io.readPdu())).isZero();
            assertThat(read(io, 11, 8, 4096)).isEqualTo(small);
            // R2T write of 1 MiB (several H2CData PDUs)
            final byte[] big = pattern(1 << 20, 3);
            assertThat(RawHost.status(writeR2t(io, 12, 2048, big))).isZero();
            assertThat(read(io, 13, 2048, 1 << 20)).isEqualTo(big);
        }
    }

    @Test
    void shouldCountIoPerNamespaceAndPerQueue() throws Exception
    {
        final org.nvmeof4j.target.subsystem.NamespaceCounters ns = target.subsystem(NQN).namespace(1).counters();
        final long reads0 = ns.reads();
        final long writes0 = ns.writes();
        final long bytesRead0 = ns.bytesRead();
        final long bytesWritten0 = ns.bytesWritten();
        final long errors0 = ns.errors();
        try (RawHost admin = new RawHost(target.boundPort()); RawHost io = new RawHost(target.boundPort()))
        {
            final int cntlid = adminSetup(admin, false, false, 1);
            ioSetup(io, cntlid, 1, false, false);
            io.send(io.capsule(RawHost.sglInCapsule(rw(0x01, 20, 64, 8), 4096), pattern(4096, 1)));
            assertThat(RawHost.status(io.readPdu())).isZero();
            read(io, 21, 64, 4096);
            read(io, 22, 64, 2048);
            // a read past the end: an error for the namespace, no read counted
            io.send(io.capsule(RawHost.sglTransport(rw(0x02, 23, (16L << 20) / 512 + 1000, 1), 512), null));
            assertThat(RawHost.status(io.readPdu())).isNotZero();
            final org.nvmeof4j.target.queue.TargetQueue q = target.controllers().stream()
                .filter(c -> c.cntlid() == cntlid).findFirst().orElseThrow().ioQueues().get(0);
            // the poller counts a read once its data is queued: the host may see the data a moment earlier
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while ((q.readsCompleted() < 2 || ns.errors() < errors0 + 1) && System.nanoTime() < deadline)
            {
                Thread.sleep(1);
            }
            assertThat(q.qid()).isEqualTo(1);
            assertThat(q.readsCompleted()).isEqualTo(2);
            assertThat(q.writesCompleted()).isEqualTo(1);
            assertThat(q.bytesRead()).isEqualTo(4096 + 2048);
            assertThat(q.bytesWritten()).isEqualTo(4096);
            // other tests share the target, but not this test's namespace counters while it runs (same class, serial)
            assertThat(ns.reads() - reads0).isEqualTo(2);
            assertThat(ns.writes() - writes0).isEqualTo(1);
            assertThat(ns.bytesRead() - bytesRead0).isEqualTo(6144);
            assertThat(ns.bytesWritten() - bytesWritten0).isEqualTo(4096);
            assertThat(ns.errors() - errors0).isEqualTo(1);
        }
    }
}
