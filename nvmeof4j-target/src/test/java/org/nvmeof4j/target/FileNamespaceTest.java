package org.nvmeof4j.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nvmeof4j.target.TargetTestSupport.*;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File namespaces over the wire: the volatile write cache a host is told of (VWC, Get Features 06h) with and
 * without write-through, Flush and FUA in both modes, and Dataset Management Deallocate (zeroes, DLFEAT 001b, the
 * statuses of bad ranges, no range applied when one is bad).
 */
class FileNamespaceTest
{
    private static final int VWC_OFFSET = 525;
    private static final int DLFEAT_OFFSET = 33;

    @TempDir
    Path dir;

    private static ByteBuffer command(final RawHost h, final ByteBuffer sqe, final byte[] data) throws Exception
    {
        h.send(h.capsule(sqe, data));
        return h.readPdu();
    }

    /** An admin command that returns 4 KiB: the data, then its CapsuleResp (status 0 asserted). */
    private static byte[] identify(final RawHost admin, final int cid, final int nsid, final int cns) throws Exception
    {
        admin.send(admin.capsule(RawHost.sglTransport(RawHost.sqe(0x06, cid, nsid), 4096).putInt(40, cns), null));
        final ByteBuffer data = admin.readPdu();
        assertThat(data.get(0)).isEqualTo((byte)0x07);
        final byte[] out = new byte[data.getInt(16)];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = data.get(RawHost.pdo(data) + i);
        }
        assertThat(RawHost.status(admin.readPdu())).isZero();
        return out;
    }

    private static int getFeatureVwc(final RawHost admin, final int cid) throws Exception
    {
        final ByteBuffer r = command(admin, RawHost.sqe(0x0A, cid, 0).putInt(40, 0x06), null);
        assertThat(RawHost.status(r)).isZero();
        return RawHost.dw0(r);
    }

    private static byte[] fileBytes(final Path img, final long offset, final int n) throws Exception
    {
        final byte[] b = new byte[n];
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "r"))
        {
            f.seek(offset);
            f.readFully(b);
        }
        return b;
    }

    @Test
    void shouldReportNoVolatileWriteCacheForAWriteThroughFileAndStillServeFlushAndFua() throws Exception
    {
        final Path img = dir.resolve("wt.img");
        try (Target t = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().fileNamespace(1, img, 4L << 20, null, true)).build().start();
             RawHost admin = new RawHost(t.boundPort()); RawHost io = new RawHost(t.boundPort()))
        {
            ioSetup(io, adminSetup(admin, false, false, 1), 1, false, false);
            assertThat(identify(admin, 9, 0, 1)[VWC_OFFSET]).as("VWC").isZero();
            assertThat(getFeatureVwc(admin, 10)).isZero();

            final byte[] data = pattern(65536, 21);
            assertThat(RawHost.status(writeR2t(io, 90, 2048, data))).isZero();
            // acknowledged: already in the file (O_DSYNC), without a Flush
            assertThat(fileBytes(img, 2048 * 512, 65536)).isEqualTo(data);

            final byte[] fua = pattern(8192, 22);
            final ByteBuffer w = RawHost.sglInCapsule(rw(0x01, 91, 64, 16), 8192);
            w.putInt(48, 15 | 1 << 30);
            assertThat(RawHost.status(command(io, w, fua))).as("FUA write").isZero();
            assertThat(fileBytes(img, 64 * 512, 8192)).isEqualTo(fua);

            assertThat(RawHost.status(command(io, RawHost.sqe(0x00, 92, 1), null))).as("Flush nsid 1").isZero();
            assertThat(RawHost.status(command(io, RawHost.sqe(0x00, 93, -1), null))).as("Flush all").isZero();
            assertThat(RawHost.sctSc(command(io, RawHost.sqe(0x00, 94, 5), null))).as("Flush nsid 5")
                .isEqualTo(0x0B);
            assertThat(read(io, 95, 2048, 65536)).isEqualTo(data);
        }
    }

    @Test
    void shouldReportAVolatileWriteCacheWhenAnyNamespaceOfTheSubsystemHasOne() throws Exception
    {
        try (Target t = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().fileNamespace(1, dir.resolve("a.img"), 1L << 20, null, true)
                .fileNamespace(2, dir.resolve("b.img"), 1L << 20)).build().start();
             RawHost admin = new RawHost(t.boundPort()))
        {
            adminSetup(admin, false, false, 1);
            assertThat(identify(admin, 9, 0, 1)[VWC_OFFSET] & 0x07).as("present, Flush all supported").isEqualTo(0x07);
            assertThat(getFeatureVwc(admin, 10)).isEqualTo(1);
        }
        try (Target t = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().fileNamespace(1, dir.resolve("a.img"), 1L << 20, null, true)
                .ramNamespace(2, 1L << 20)).build().start();
             RawHost admin = new RawHost(t.boundPort()))
        {
            adminSetup(admin, false, false, 1);
            assertThat(identify(admin, 9, 0, 1)[VWC_OFFSET]).as("write-through file and RAM: no cache").isZero();
        }
    }

    @Test
    void shouldDeallocateFileBlocksToZeroesAndSaySoInDlfeat() throws Exception
    {
        final Path img = dir.resolve("d.img");
        try (Target t = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().fileNamespace(1, img, 4L << 20)).build().start();
             RawHost admin = new RawHost(t.boundPort()); RawHost io = new RawHost(t.boundPort()))
        {
            ioSetup(io, adminSetup(admin, false, false, 1), 1, false, false);
            assertThat(identify(admin, 9, 1, 0)[DLFEAT_OFFSET]).as("DLFEAT").isEqualTo((byte)0x09);

            final byte[] data = pattern(65536, 3);
            assertThat(RawHost.status(writeR2t(io, 80, 200, data))).isZero();
            // two ranges in one command: blocks 208..215 and 300..307 (the second one's tail lies past the data)
            final ByteBuffer ranges = RawHost.le(32);
            ranges.putInt(4, 8).putLong(8, 208).putInt(20, 8).putLong(24, 300);
            final ByteBuffer dsm = RawHost.sglInCapsule(RawHost.sqe(0x09, 81, 1), 32);
            dsm.putInt(40, 1).putInt(44, 0x4);
            assertThat(RawHost.status(command(io, dsm, ranges.array()))).isZero();
            final byte[] after = read(io, 82, 200, 65536);
            final int a = (208 - 200) * 512;
            final int b = (216 - 200) * 512;
            assertThat(Arrays.copyOfRange(after, 0, a)).isEqualTo(Arrays.copyOfRange(data, 0, a));
            assertThat(Arrays.copyOfRange(after, a, b)).containsOnly(0);
            assertThat(Arrays.copyOfRange(after, b, 100 * 512)).isEqualTo(Arrays.copyOfRange(data, b, 100 * 512));
            assertThat(Arrays.copyOfRange(after, 100 * 512, 108 * 512)).containsOnly(0);
            assertThat(Arrays.copyOfRange(after, 108 * 512, 65536))
                .isEqualTo(Arrays.copyOfRange(data, 108 * 512, 65536));
            assertThat(fileBytes(img, 208 * 512, 4096)).containsOnly(0);

            // Write Zeroes with DEAC (cdw12 bit 25) goes the same way
            final ByteBuffer wz = rw(0x08, 83, 240, 8);
            wz.putInt(48, 7 | 1 << 25);
            assertThat(RawHost.status(command(io, wz, null))).isZero();
            assertThat(read(io, 84, 240, 4096)).containsOnly(0);
            // without the attribute (only the integral-read hint) nothing changes
            final ByteBuffer hint = RawHost.le(16);
            hint.putInt(4, 8).putLong(8, 200);
            final ByteBuffer idr = RawHost.sglInCapsule(RawHost.sqe(0x09, 85, 1), 16);
            idr.putInt(40, 0).putInt(44, 0x1);
            assertThat(RawHost.status(command(io, idr, hint.array()))).isZero();
            assertThat(read(io, 86, 200, 4096)).isEqualTo(Arrays.copyOfRange(data, 0, 4096));
        }
    }

    @Test
    void shouldRejectBadDeallocateRangesWithoutApplyingAny() throws Exception
    {
        final Path img = dir.resolve("r.img");
        final long blocks = (4L << 20) / 512;
        try (Target t = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().fileNamespace(1, img, 4L << 20)).build().start();
             RawHost admin = new RawHost(t.boundPort()); RawHost io = new RawHost(t.boundPort()))
        {
            ioSetup(io, adminSetup(admin, false, false, 1), 1, false, false);
            final byte[] data = pattern(8192, 9);
            assertThat(RawHost.status(command(io, RawHost.sglInCapsule(rw(0x01, 70, 0, 16), 8192), data))).isZero();
            final long[][] bad = {
                {blocks - 4, 8},                      // runs past the last block
                {blocks, 1},                          // starts past it
                {Long.MAX_VALUE - 2, 16},             // SLBA + NLB overflows
                {-8, 8},                              // SLBA with the top bit set
                {0, 0xFFFFFFFFL},                     // NLB far beyond the namespace
            };
            int cid = 100;
            for (final long[] r : bad)
            {
                // a good first range (blocks 0..7) and the bad second: the command fails and zeroes nothing
                final ByteBuffer ranges = RawHost.le(32);
                ranges.putInt(4, 8).putLong(8, 0).putInt(20, (int)r[1]).putLong(24, r[0]);
                final ByteBuffer dsm = RawHost.sglInCapsule(RawHost.sqe(0x09, cid++, 1), 32);
                dsm.putInt(40, 1).putInt(44, 0x4);
                final ByteBuffer resp = command(io, dsm, ranges.array());
                assertThat(RawHost.sctSc(resp)).as("range slba=%d nlb=%d", r[0], r[1]).isEqualTo(0x80);
                assertThat(read(io, cid++, 0, 8192)).isEqualTo(data);
            }
            // NR says two ranges, the data holds one
            final ByteBuffer one = RawHost.le(16);
            one.putInt(4, 8).putLong(8, 0);
            final ByteBuffer shortDsm = RawHost.sglInCapsule(RawHost.sqe(0x09, cid++, 1), 16);
            shortDsm.putInt(40, 1).putInt(44, 0x4);
            assertThat(RawHost.sctSc(command(io, shortDsm, one.array()))).isEqualTo(0x0F);
            // an NSID with no namespace
            final ByteBuffer other = RawHost.sglInCapsule(RawHost.sqe(0x09, cid++, 7), 16);
            other.putInt(40, 0).putInt(44, 0x4);
            assertThat(RawHost.sctSc(command(io, other, one.array()))).isEqualTo(0x0B);
            // Write Zeroes and Read whose SLBA + NLB wraps past 2^63 (was accepted, and reached the file at a
            // wild offset)
            assertThat(RawHost.sctSc(command(io, rw(0x08, cid++, Long.MAX_VALUE - 2, 8), null))).isEqualTo(0x80);
            io.send(io.capsule(RawHost.sglTransport(rw(0x02, cid++, Long.MAX_VALUE - 2, 8), 4096), null));
            assertThat(RawHost.sctSc(io.readPdu())).isEqualTo(0x80);
            assertThat(java.nio.file.Files.size(img)).isEqualTo(4L << 20);
            assertThat(read(io, cid, 0, 8192)).isEqualTo(data);
        }
    }
}
