package org.nvmeof4j.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nvmeof4j.target.TargetTestSupport.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nvmeof4j.protocol.fabrics.Nqn;
import org.nvmeof4j.target.backend.RamBackend;
import org.nvmeof4j.target.subsystem.Namespace;
import org.nvmeof4j.target.subsystem.Subsystem;

/** Command statuses, access control, keep-alive, asynchronous events, discovery, flow control, backends. */
class ControllerBehaviourTest
{
    static final String LOCKED = "nqn.2024-01.org.nvmeof4j:locked";
    static Target target;

    @BeforeAll
    static void start() throws Exception
    {
        target = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().ramNamespace(1, 16L << 20))
            .subsystem(s -> s.nqn(LOCKED).allowHost("nqn.2024-01.org.example:only-me").ramNamespace(1, 1L << 20))
            .build().start();
    }

    @AfterAll
    static void stop()
    {
        target.close();
    }

    private static RawHost[] io(final boolean hd, final boolean dd) throws Exception
    {
        final RawHost admin = new RawHost(target.boundPort());
        final RawHost io = new RawHost(target.boundPort());
        ioSetup(io, adminSetup(admin, hd, dd, 1), 1, hd, dd);
        return new RawHost[] {admin, io};
    }

    private static void closeAll(final RawHost[] hosts) throws Exception
    {
        for (final RawHost h : hosts)
        {
            h.close();
        }
    }

    private static ByteBuffer command(final RawHost h, final ByteBuffer sqe) throws Exception
    {
        h.send(h.capsule(sqe, null));
        return h.readPdu();
    }

    @Test
    void shouldReturnInvalidOpcodeNamespaceAndLbaOutOfRange() throws Exception
    {
        final RawHost[] c = io(false, false);
        try
        {
            final ByteBuffer r1 = command(c[1], RawHost.sqe(0x7E, 1, 1));
            assertThat(RawHost.sctSc(r1)).isEqualTo(0x001);
            assertThat(RawHost.status(r1) & 0x4000).as("DNR").isNotZero();
            final ByteBuffer r2 = command(c[1], RawHost.sglTransport(rw(0x02, 2, 0, 8), 4096).putInt(4, 9));
            assertThat(RawHost.sctSc(r2)).isEqualTo(0x00B);
            final ByteBuffer r3 = command(c[1], RawHost.sglTransport(rw(0x02, 3, (16 << 20) / 512 - 4, 8), 4096));
            assertThat(RawHost.sctSc(r3)).isEqualTo(0x080);
            final ByteBuffer r4 = command(c[1], RawHost.sglTransport(rw(0x02, 4, 0, 8), 2048));
            assertThat(RawHost.sctSc(r4)).as("SGL length != NLB").isEqualTo(0x00F);
            final ByteBuffer r5 = command(c[0], RawHost.sqe(0x01, 5, 0));
            assertThat(RawHost.sctSc(r5)).as("Create I/O SQ is not a fabrics admin command").isEqualTo(0x001);
            final ByteBuffer r6 = command(c[0], RawHost.sglTransport(RawHost.sqe(0x06, 6, 0), 4096).putInt(40, 0x7F));
            assertThat(RawHost.sctSc(r6)).as("unknown CNS").isEqualTo(0x002);
            assertThat(RawHost.status(command(c[1], rw(0x08, 7, 0, 8)))).as("write zeroes").isZero();
            final ByteBuffer prp = RawHost.sglTransport(rw(0x02, 8, 0, 8), 4096);
            prp.put(1, (byte)0x00);
            assertThat(RawHost.sctSc(command(c[1], prp))).as("PRP data pointer").isEqualTo(0x002);
            final ByteBuffer fused = RawHost.sglTransport(rw(0x02, 9, 0, 8), 4096);
            fused.put(1, (byte)0x41);
            assertThat(RawHost.sctSc(command(c[1], fused))).as("fused").isEqualTo(0x002);
        }
        finally
        {
            closeAll(c);
        }
    }

    @Test
    void shouldRejectADuplicateCidAndKeepTheFirstCommand() throws Exception
    {
        final RawHost[] c = io(false, false);
        try
        {
            c[1].send(c[1].capsule(RawHost.sglTransport(rw(0x01, 50, 0, 8), 4096), null));
            final ByteBuffer r2t = c[1].readPdu();
            assertThat(r2t.get(0)).isEqualTo((byte)0x09);
            final ByteBuffer conflict = command(c[1], RawHost.sglTransport(rw(0x02, 50, 0, 8), 4096));
            assertThat(RawHost.cqeCid(conflict)).isEqualTo(50);
            assertThat(RawHost.sctSc(conflict)).isEqualTo(0x003);
            c[1].send(c[1].h2cData(50, r2t.getShort(10) & 0xFFFF, 0, pattern(4096, 5), true));
            assertThat(RawHost.status(c[1].readPdu())).isZero();
        }
        finally
        {
            closeAll(c);
        }
    }

    @Test
    void shouldFailOneCommandWithDataTransferErrorOnBadDataDigest() throws Exception
    {
        final RawHost[] c = io(false, true);
        try
        {
            final byte[] before = read(c[1], 60, 100, 4096);
            c[1].send(c[1].capsule(RawHost.sglTransport(rw(0x01, 61, 100, 8), 4096), null));
            final ByteBuffer r2t = c[1].readPdu();
            final ByteBuffer h2c = c[1].h2cData(61, r2t.getShort(10) & 0xFFFF, 0, pattern(4096, 77), true);
            h2c.putInt(h2c.capacity() - 4, h2c.getInt(h2c.capacity() - 4) ^ 0x5A5A);
            c[1].send(h2c);
            final ByteBuffer resp = c[1].readPdu();
            assertThat(RawHost.sctSc(resp)).isEqualTo(0x004);
            assertThat(RawHost.status(resp) & 0x4000).as("no DNR: a retry may succeed").isZero();
            assertThat(read(c[1], 62, 100, 4096)).as("nothing committed").isEqualTo(before);
        }
        finally
        {
            closeAll(c);
        }
    }

    @Test
    void shouldRejectHostsNotOnTheListWith0x84() throws Exception
    {
        try (RawHost h = new RawHost(target.boundPort()))
        {
            h.initialize(false, false);
            final ByteBuffer r = h.connect(0, 0xFFFF, LOCKED, 31);
            assertThat(RawHost.sctSc(r)).isEqualTo(0x184);
            // and no access afterwards: the queue has no controller
            final ByteBuffer id = command(h, RawHost.sglTransport(RawHost.sqe(0x06, 9, 0), 4096).putInt(40, 1));
            assertThat(RawHost.sctSc(id)).isEqualTo(0x00C);
        }
        try (RawHost h = new RawHost(target.boundPort()))
        {
            h.initialize(false, false);
            final ByteBuffer r = h.connect(0, 0xFFFF, LOCKED, "nqn.2024-01.org.example:only-me", 31);
            assertThat(RawHost.status(r)).isZero();
        }
    }

    @Test
    void shouldRejectAnUnknownSubsystemWithInvalidParameterAtSubnqn() throws Exception
    {
        try (RawHost h = new RawHost(target.boundPort()))
        {
            h.initialize(false, false);
            final ByteBuffer r = h.connect(0, 0xFFFF, "nqn.2024-01.org.nvmeof4j:nope", 31);
            assertThat(RawHost.sctSc(r)).isEqualTo(0x182);
            assertThat(RawHost.dw0(r)).isEqualTo(256 | 1 << 16);
        }
    }

    @Test
    void shouldCompleteReadsWithC2hDataSuccessWhenSqFlowControlIsDisabled() throws Exception
    {
        try (RawHost admin = new RawHost(target.boundPort()); RawHost io = new RawHost(target.boundPort()))
        {
            final int cntlid = adminSetup(admin, false, false, 1);
            io.initialize(false, false);
            final ByteBuffer sqe = RawHost.connectSqe(2, 1, 63, 0);
            sqe.put(46, (byte)0x04);
            io.send(io.capsule(sqe, RawHost.connectData(cntlid, NQN, RawHost.HOSTNQN)));
            assertThat(RawHost.status(io.readPdu())).isZero();
            io.send(io.capsule(RawHost.sglTransport(rw(0x02, 70, 0, 8), 4096), null));
            final ByteBuffer data = io.readPdu();
            assertThat(data.get(0)).isEqualTo((byte)0x07);
            assertThat(data.get(1) & 0x0C).as("LAST_PDU | SUCCESS").isEqualTo(0x0C);
            // no CapsuleResp follows: the next PDU is the answer to the next command
            final ByteBuffer flush = command(io, RawHost.sqe(0x00, 71, 1));
            assertThat(flush.get(0)).isEqualTo((byte)0x05);
            assertThat(RawHost.cqeCid(flush)).isEqualTo(71);
        }
    }

    @Test
    void shouldTearDownTheControllerWhenKeepAliveExpires() throws Exception
    {
        try (RawHost admin = new RawHost(target.boundPort()))
        {
            admin.kato = 1000;
            adminSetup(admin, false, false, 1);
            final long t0 = System.nanoTime();
            assertThat(admin.closedByPeer()).isTrue();
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(100L, 4900L);
        }
    }

    @Test
    void shouldSendANamespaceAttributeNoticeWhenANamespaceIsAdded() throws Exception
    {
        try (RawHost admin = new RawHost(target.boundPort()))
        {
            adminSetup(admin, false, false, 1);
            final ByteBuffer aec = RawHost.sqe(0x09, 20, 0);
            aec.putInt(40, 0x0B).putInt(44, 0x100);
            assertThat(RawHost.status(command(admin, aec))).isZero();
            admin.send(admin.capsule(RawHost.sqe(0x0C, 21, 0), null));
            final Subsystem s = target.subsystem(NQN);
            s.addNamespace(new Namespace(2, new RamBackend(1 << 20), 4096, null, NQN));
            try
            {
                final ByteBuffer aen = admin.readPdu();
                assertThat(RawHost.cqeCid(aen)).isEqualTo(21);
                assertThat(RawHost.dw0(aen)).isEqualTo(0x040002);
                final ByteBuffer log = RawHost.sglTransport(RawHost.sqe(0x02, 22, 0), 4096);
                log.putInt(40, 0x04 | (1023 << 16));
                admin.send(admin.capsule(log, null));
                final ByteBuffer page = admin.readPdu();
                assertThat(page.getInt(RawHost.pdo(page))).isEqualTo(2);
                assertThat(RawHost.status(admin.readPdu())).isZero();
                final ByteBuffer list = RawHost.sglTransport(RawHost.sqe(0x06, 23, 0), 4096).putInt(40, 2);
                admin.send(admin.capsule(list, null));
                final ByteBuffer ids = admin.readPdu();
                assertThat(ids.getInt(RawHost.pdo(ids))).isEqualTo(1);
                assertThat(ids.getInt(RawHost.pdo(ids) + 4)).isEqualTo(2);
                assertThat(RawHost.status(admin.readPdu())).isZero();
                final ByteBuffer idns = RawHost.sglTransport(RawHost.sqe(0x06, 24, 2), 4096).putInt(40, 0);
                admin.send(admin.capsule(idns, null));
                final ByteBuffer ns = admin.readPdu();
                assertThat(ns.getLong(RawHost.pdo(ns))).as("NSZE").isEqualTo(256);
                assertThat(ns.get(RawHost.pdo(ns) + 130)).as("LBADS").isEqualTo((byte)12);
            }
            finally
            {
                s.removeNamespace(2);
            }
        }
    }

    @Test
    void shouldListChangedNamespacesInIncreasingOrder() throws Exception
    {
        try (RawHost admin = new RawHost(target.boundPort()))
        {
            adminSetup(admin, false, false, 1);
            final Subsystem s = target.subsystem(NQN);
            s.addNamespace(new Namespace(5, new RamBackend(1 << 20), 4096, null, NQN));
            s.addNamespace(new Namespace(3, new RamBackend(1 << 20), 4096, null, NQN));
            try
            {
                final ByteBuffer log = RawHost.sglTransport(RawHost.sqe(0x02, 30, 0), 4096);
                log.putInt(40, 0x04 | (1023 << 16));
                admin.send(admin.capsule(log, null));
                final ByteBuffer page = admin.readPdu();
                final int at = RawHost.pdo(page);
                assertThat(new int[] {page.getInt(at), page.getInt(at + 4), page.getInt(at + 8)})
                    .containsExactly(3, 5, 0);
                assertThat(RawHost.status(admin.readPdu())).isZero();
            }
            finally
            {
                s.removeNamespace(5);
                s.removeNamespace(3);
            }
        }
    }

    @Test
    void shouldServeTheDiscoveryLogInPieces() throws Exception
    {
        try (RawHost h = new RawHost(target.boundPort()))
        {
            h.initialize(false, false);
            assertThat(RawHost.status(h.connect(0, 0xFFFF, Nqn.DISCOVERY, 31))).isZero();
            final ByteBuffer hdr = RawHost.sglTransport(RawHost.sqe(0x02, 30, 0), 1024);
            hdr.putInt(40, 0x70 | (255 << 16));
            h.send(h.capsule(hdr, null));
            final ByteBuffer head = h.readPdu();
            final int pdo = RawHost.pdo(head);
            final long numrec = head.getLong(pdo + 8);
            assertThat(numrec).as("one NVM subsystem visible to this host + the discovery subsystem").isEqualTo(2);
            assertThat(RawHost.status(h.readPdu())).isZero();
            final ByteBuffer e = RawHost.sglTransport(RawHost.sqe(0x02, 31, 0), 2048);
            e.putInt(40, 0x70 | (511 << 16)).putInt(48, 1024);
            h.send(h.capsule(e, null));
            final ByteBuffer entries = h.readPdu();
            final int p = RawHost.pdo(entries);
            assertThat(entries.get(p)).as("TRTYPE tcp").isEqualTo((byte)3);
            assertThat(entries.get(p + 2)).as("SUBTYPE nvm").isEqualTo((byte)2);
            assertThat(ascii(entries, p + 32, 32)).isEqualTo(String.format("%-32s", target.boundPort()));
            assertThat(ascii(entries, p + 256, NQN.length())).isEqualTo(NQN);
            assertThat(ascii(entries, p + 512, 9)).isEqualTo("127.0.0.1");
            assertThat(entries.get(p + 1024 + 2)).as("SUBTYPE current discovery").isEqualTo((byte)3);
            assertThat(RawHost.status(h.readPdu())).isZero();
        }
    }

    private static String ascii(final ByteBuffer b, final int at, final int n)
    {
        final byte[] s = new byte[n];
        for (int i = 0; i < n; i++)
        {
            s[i] = b.get(at + i);
        }
        return new String(s, StandardCharsets.US_ASCII);
    }

    @Test
    void shouldDeallocateAndWriteZeroes() throws Exception
    {
        final RawHost[] c = io(false, false);
        try
        {
            final byte[] data = pattern(8192, 3);
            c[1].send(c[1].capsule(RawHost.sglInCapsule(rw(0x01, 80, 200, 16), 8192), data));
            assertThat(RawHost.status(c[1].readPdu())).isZero();
            final ByteBuffer range = RawHost.le(16);
            range.putInt(4, 8).putLong(8, 200);
            final ByteBuffer dsm = RawHost.sglInCapsule(RawHost.sqe(0x09, 81, 1), 16);
            dsm.putInt(40, 0).putInt(44, 0x4);
            c[1].send(c[1].capsule(dsm, range.array()));
            assertThat(RawHost.status(c[1].readPdu())).isZero();
            final byte[] after = read(c[1], 82, 200, 8192);
            assertThat(java.util.Arrays.copyOfRange(after, 0, 4096)).containsOnly(0);
            assertThat(java.util.Arrays.copyOfRange(after, 4096, 8192))
                .isEqualTo(java.util.Arrays.copyOfRange(data, 4096, 8192));
            assertThat(RawHost.status(command(c[1], rw(0x08, 83, 208, 8)))).isZero();
            assertThat(read(c[1], 84, 200, 8192)).containsOnly(0);
        }
        finally
        {
            closeAll(c);
        }
    }

    @Test
    void shouldCompare() throws Exception
    {
        final RawHost[] c = io(false, false);
        try
        {
            final byte[] data = pattern(32768, 21);
            assertThat(RawHost.status(writeR2t(c[1], 100, 512, data))).isZero();
            final ByteBuffer same = RawHost.sglInCapsule(rw(0x05, 101, 512, 8), 4096);
            c[1].send(c[1].capsule(same, java.util.Arrays.copyOf(data, 4096)));
            assertThat(RawHost.status(c[1].readPdu())).isZero();
            final byte[] other = data.clone();
            other[30000] ^= 1;
            c[1].send(c[1].capsule(RawHost.sglTransport(rw(0x05, 102, 512, 64), 32768), null));
            final ByteBuffer r2t = c[1].readPdu();
            c[1].send(c[1].h2cData(102, r2t.getShort(10) & 0xFFFF, 0, other, true));
            assertThat(RawHost.sctSc(c[1].readPdu())).isEqualTo(0x285);
        }
        finally
        {
            closeAll(c);
        }
    }

    @Test
    void shouldFailCommandsOnARemovedNamespace() throws Exception
    {
        final Subsystem s = target.subsystem(NQN);
        s.addNamespace(new Namespace(3, new RamBackend(1 << 20), 512, null, NQN));
        final RawHost[] c = io(false, false);
        try
        {
            c[1].send(c[1].capsule(RawHost.sglTransport(rw(0x02, 110, 0, 8), 4096).putInt(4, 3), null));
            assertThat(c[1].readPdu().get(0)).isEqualTo((byte)0x07);
            assertThat(RawHost.status(c[1].readPdu())).isZero();
            s.removeNamespace(3);
            final ByteBuffer r = command(c[1], RawHost.sglTransport(rw(0x02, 111, 0, 8), 4096).putInt(4, 3));
            assertThat(RawHost.sctSc(r)).isEqualTo(0x00B);
        }
        finally
        {
            s.removeNamespace(3);
            closeAll(c);
        }
    }

    @Test
    void shouldTearDownQueuesOnOtherPollersWithTheController() throws Exception
    {
        try (Target t = Target.builder().listen("127.0.0.1", 0).pollers(2)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().ramNamespace(1, 1L << 20)).build().start();
             RawHost admin = new RawHost(t.boundPort()); RawHost io1 = new RawHost(t.boundPort());
             RawHost io2 = new RawHost(t.boundPort()))
        {
            admin.kato = 2000;
            final int cntlid = adminSetup(admin, false, false, 2);
            ioSetup(io1, cntlid, 1, false, false);
            ioSetup(io2, cntlid, 2, false, false);
            assertThat(read(io2, 5, 0, 4096)).hasSize(4096);
            // nobody sends anything now: keep-alive expires, every queue of the association closes
            assertThat(io1.closedByPeer()).isTrue();
            assertThat(io2.closedByPeer()).isTrue();
            assertThat(admin.closedByPeer()).isTrue();
            assertThat(t.controllers()).isEmpty();
        }
    }

    @Test
    void shouldMakeFileWritesDurableOnFlush(@TempDir final Path dir) throws Exception
    {
        final Path img = dir.resolve("disk.img");
        try (Target t = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().fileNamespace(1, img, 4L << 20)).build().start();
             RawHost admin = new RawHost(t.boundPort()); RawHost io = new RawHost(t.boundPort()))
        {
            assertThat(Files.size(img)).isEqualTo(4L << 20);
            ioSetup(io, adminSetup(admin, false, false, 1), 1, false, false);
            final ByteBuffer id = RawHost.sglTransport(RawHost.sqe(0x06, 9, 0), 4096).putInt(40, 1);
            admin.send(admin.capsule(id, null));
            final ByteBuffer ctrl = admin.readPdu();
            assertThat(ctrl.get(RawHost.pdo(ctrl) + 525) & 1).as("VWC present for a file").isEqualTo(1);
            admin.readPdu();
            final byte[] data = pattern(65536, 11);
            assertThat(RawHost.status(writeR2t(io, 90, 1024, data))).isZero();
            assertThat(RawHost.status(command(io, RawHost.sqe(0x00, 91, 1)))).isZero();
            final byte[] onDisk = new byte[65536];
            try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(img.toFile(), "r"))
            {
                f.seek(1024 * 512);
                f.readFully(onDisk);
            }
            assertThat(onDisk).isEqualTo(data);
            assertThat(read(io, 92, 1024, 65536)).isEqualTo(data);
        }
    }
}
