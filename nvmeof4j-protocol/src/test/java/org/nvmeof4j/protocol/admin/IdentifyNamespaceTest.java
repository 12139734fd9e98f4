package org.nvmeof4j.protocol.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nvmeof4j.protocol.admin.Golden.le;
import static org.nvmeof4j.protocol.admin.Golden.raw;

import java.nio.ByteBuffer;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.protocol.nvme.Hex;

class IdentifyNamespaceTest {

    static final byte[] NGUID = Hex.bytes("0123456789abcdef fedcba9876543210");
    static final byte[] EUI64 = Hex.bytes("0011223344556677");

    /** A 1 GiB namespace with 512- and 4096-byte formats, 4096 in use. */
    static byte[] golden() {
        final byte[] a = new byte[4096];
        le(a, 0, 262_144, 8);          // NSZE in 4 KiB blocks
        le(a, 8, 262_144, 8);          // NCAP
        le(a, 16, 1000, 8);            // NUSE
        a[24] = 0x04;                  // NSFEAT: deallocated error
        a[25] = 1;                     // NLBAF: 2 formats
        a[26] = 1;                     // FLBAS: format 1
        a[33] = 0x09;                  // DLFEAT: read zeroes + Write Zeroes deallocate
        le(a, 48, 1L << 30, 8);        // NVMCAP
        raw(a, 104, NGUID);
        raw(a, 120, EUI64);
        le(a, 128, 0, 2);              // LBAF0 MS
        a[130] = 9;                    // LBAF0 LBADS 512
        a[131] = 2;                    // LBAF0 RP good
        a[134] = 12;                   // LBAF1 LBADS 4096
        return a;
    }

    @Test
    void shouldEncodeIdentifyNamespace() {
        final ByteBuffer buf = ByteBuffer.allocate(4096);
        new IdentifyNamespace().wrap(buf, 0).clear().nsze(262_144).ncap(262_144).nuse(1000)
            .nsfeat(IdentifyNamespace.NSFEAT_DEALLOCATED_ERROR).nlbaf(1).flbas(1)
            .dlfeat(IdentifyNamespace.DLFEAT_READ_ZEROES | IdentifyNamespace.DLFEAT_WRITE_ZEROES_DEALLOCATE)
            .nvmcap(1L << 30).nguid(NGUID).eui64(EUI64).lbaf(0, 0, 9, 2).lbaf(1, 0, 12, 0);

        assertThat(buf.array()).isEqualTo(golden());
    }

    @Test
    void shouldDecodeIdentifyNamespace() {
        final IdentifyNamespace ns = new IdentifyNamespace().wrap(ByteBuffer.wrap(golden()), 0);

        assertThat(ns.nsze()).isEqualTo(262_144);
        assertThat(ns.ncap()).isEqualTo(262_144);
        assertThat(ns.nuse()).isEqualTo(1000);
        assertThat(ns.nlbaf()).isEqualTo(1);
        assertThat(ns.formattedLbaIndex()).isEqualTo(1);
        assertThat(ns.logicalBlockSize()).isEqualTo(4096);
        assertThat(ns.lbafLbads(0)).isEqualTo(9);
        assertThat(ns.lbafRp(0)).isEqualTo(2);
        assertThat(ns.nvmcap()).isEqualTo(1L << 30);
        assertThat(ns.nvmcapHigh()).isZero();
        final byte[] nguid = new byte[16];
        ns.copyNguidTo(nguid);
        assertThat(nguid).isEqualTo(NGUID);
        final byte[] eui = new byte[8];
        ns.copyEui64To(eui);
        assertThat(eui).isEqualTo(EUI64);
        assertThat(ns.toString()).contains("blockSize=4096");
    }

    @Test
    void shouldUseUpperFormatIndexBits() {
        final IdentifyNamespace ns = new IdentifyNamespace().wrap(ByteBuffer.allocate(4096), 0).flbas(0x21);
        assertThat(ns.formattedLbaIndex()).isEqualTo(0x11);
        ns.flbas(0x1F);
        assertThat(ns.formattedLbaIndex()).as("bit 4 is the metadata flag").isEqualTo(0xF);
    }

    @Test
    void shouldReportZeroBlockSizeForBadLbads() {
        final IdentifyNamespace ns = new IdentifyNamespace().wrap(ByteBuffer.allocate(4096), 0).lbaf(0, 0, 40, 0);
        assertThat(ns.logicalBlockSize()).isZero();
    }

    @Property
    void shouldRoundTripSizesAndFormats(@ForAll final long nsze, @ForAll final long ncap, @ForAll final long nuse,
                                        @ForAll @IntRange(max = 63) final int n, @ForAll final short ms,
                                        @ForAll final byte lbads, @ForAll @IntRange(max = 3) final int rp,
                                        @ForAll @Size(16) final byte[] nguid) {
        final ByteBuffer buf = ByteBuffer.allocateDirect(4096);
        new IdentifyNamespace().wrap(buf, 0).nsze(nsze).ncap(ncap).nuse(nuse).lbaf(n, ms, lbads, rp).nguid(nguid);
        final IdentifyNamespace ns = new IdentifyNamespace().wrap(buf, 0);
        assertThat(ns.nsze()).isEqualTo(nsze);
        assertThat(ns.ncap()).isEqualTo(ncap);
        assertThat(ns.nuse()).isEqualTo(nuse);
        assertThat(ns.lbafMs(n)).isEqualTo(ms & 0xFFFF);
        assertThat(ns.lbafLbads(n)).isEqualTo(lbads & 0xFF);
        assertThat(ns.lbafRp(n)).isEqualTo(rp);
        final byte[] out = new byte[16];
        ns.copyNguidTo(out);
        assertThat(out).isEqualTo(nguid);
    }
}
