package org.nvmeof4j.protocol.fabrics;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.protocol.fabrics.ControllerRegisters.Cap;
import org.nvmeof4j.protocol.fabrics.ControllerRegisters.Cc;
import org.nvmeof4j.protocol.fabrics.ControllerRegisters.Csts;
import org.nvmeof4j.protocol.fabrics.ControllerRegisters.Vs;

class ControllerRegistersTest {

    @Test
    void shouldUseSpecPropertyOffsets() {
        assertThat(ControllerRegisters.CAP).isEqualTo(0x00);
        assertThat(ControllerRegisters.VS).isEqualTo(0x08);
        assertThat(ControllerRegisters.CC).isEqualTo(0x14);
        assertThat(ControllerRegisters.CSTS).isEqualTo(0x1C);
        assertThat(ControllerRegisters.NSSR).isEqualTo(0x20);
        assertThat(ControllerRegisters.size(0)).isEqualTo(8);
        assertThat(ControllerRegisters.size(0x14)).isEqualTo(4);
        assertThat(ControllerRegisters.size(0x24)).isZero();
        assertThat(ControllerRegisters.name(0x1C)).isEqualTo("CSTS");
    }

    @Test
    void shouldEncodeCapLikeLinuxTarget() {
        // nvmet: CSS NVM (bit 37), TO 15 (7.5 s), MQES 1023
        final long cap = Cap.of(1023, false, 0, 15, 0, Cap.CSS_NVM, 0, 0);
        assertThat(cap).isEqualTo(0x0000_0020_0F00_03FFL);
        assertThat(Cap.maxQueueEntries(cap)).isEqualTo(1024);
        assertThat(Cap.timeoutMillis(cap)).isEqualTo(7500);
        assertThat(Cap.cssNvm(cap)).isTrue();
        assertThat(Cap.cqr(cap)).isFalse();
    }

    @Test
    void shouldDecodeEveryCapField() {
        final long cap = Cap.of(0xFFFF, true, 3, 0xFF, 0xF, 0xC1, 0x3, 0xA);
        assertThat(Cap.mqes(cap)).isEqualTo(0xFFFF);
        assertThat(Cap.cqr(cap)).isTrue();
        assertThat(Cap.ams(cap)).isEqualTo(3);
        assertThat(Cap.to(cap)).isEqualTo(0xFF);
        assertThat(Cap.dstrd(cap)).isEqualTo(0xF);
        assertThat(Cap.css(cap)).isEqualTo(0xC1);
        assertThat(Cap.mpsmin(cap)).isEqualTo(3);
        assertThat(Cap.mpsmax(cap)).isEqualTo(0xA);
        assertThat(Cap.nssrs(cap)).isFalse();
        assertThat(Cap.nssrs(cap | (1L << 36))).isTrue();
    }

    @Test
    void shouldEncodeVersions() {
        assertThat(Vs.V1_3).isEqualTo(0x0001_0300);
        assertThat(Vs.V1_4).isEqualTo(0x0001_0400);
        assertThat(Vs.V2_0).isEqualTo(0x0002_0000);
        assertThat(Vs.major(Vs.V1_4)).isEqualTo(1);
        assertThat(Vs.minor(Vs.V1_4)).isEqualTo(4);
        assertThat(Vs.toString(Vs.of(1, 4, 1))).isEqualTo("1.4.1");
        assertThat(Vs.toString(Vs.V1_3)).isEqualTo("1.3");
    }

    @Test
    void shouldDecodeCcLikeLinuxHostWritesIt() {
        final int cc = 0x0046_0001; // EN, CSS NVM, MPS 0 (4 KiB), AMS RR, SHN none, IOSQES 6, IOCQES 4
        assertThat(Cc.en(cc)).isTrue();
        assertThat(Cc.css(cc)).isEqualTo(Cc.CSS_NVM);
        assertThat(Cc.mps(cc)).isZero();
        assertThat(Cc.ams(cc)).isZero();
        assertThat(Cc.shn(cc)).isEqualTo(Cc.SHN_NONE);
        assertThat(Cc.iosqes(cc)).isEqualTo(6);
        assertThat(Cc.iocqes(cc)).isEqualTo(4);
        assertThat(Cc.shn(cc | (Cc.SHN_NORMAL << 14))).isEqualTo(Cc.SHN_NORMAL);
        assertThat(Cc.en(cc, false)).isEqualTo(0x0046_0000);
    }

    @Test
    void shouldEncodeCsts() {
        assertThat(Csts.of(true, false, Csts.SHST_NORMAL)).isEqualTo(0x1);
        assertThat(Csts.of(false, false, Csts.SHST_COMPLETE)).isEqualTo(0x8);
        assertThat(Csts.shst(0x8)).isEqualTo(Csts.SHST_COMPLETE);
        assertThat(Csts.cfs(0x2)).isTrue();
        assertThat(Csts.rdy(0x2)).isFalse();
        assertThat(Csts.nssro(0x10)).isTrue();
        assertThat(Csts.pp(0x20)).isTrue();
    }

    @Property
    void shouldRoundTripCc(@ForAll final boolean en, @ForAll @IntRange(max = 7) final int css,
                           @ForAll @IntRange(max = 15) final int mps, @ForAll @IntRange(max = 7) final int ams,
                           @ForAll @IntRange(max = 3) final int shn, @ForAll @IntRange(max = 15) final int sqes,
                           @ForAll @IntRange(max = 15) final int cqes) {
        final int cc = Cc.of(en, css, mps, ams, shn, sqes, cqes);
        assertThat(Cc.en(cc)).isEqualTo(en);
        assertThat(Cc.css(cc)).isEqualTo(css);
        assertThat(Cc.mps(cc)).isEqualTo(mps);
        assertThat(Cc.ams(cc)).isEqualTo(ams);
        assertThat(Cc.shn(cc)).isEqualTo(shn);
        assertThat(Cc.iosqes(cc)).isEqualTo(sqes);
        assertThat(Cc.iocqes(cc)).isEqualTo(cqes);
    }

    @Property
    void shouldRoundTripCap(@ForAll @IntRange(max = 0xFFFF) final int mqes, @ForAll final boolean cqr,
                            @ForAll @IntRange(max = 3) final int ams, @ForAll @IntRange(max = 255) final int to,
                            @ForAll @IntRange(max = 15) final int dstrd, @ForAll @IntRange(max = 255) final int css,
                            @ForAll @IntRange(max = 15) final int mpsmin,
                            @ForAll @IntRange(max = 15) final int mpsmax) {
        final long cap = Cap.of(mqes, cqr, ams, to, dstrd, css, mpsmin, mpsmax);
        assertThat(Cap.mqes(cap)).isEqualTo(mqes);
        assertThat(Cap.cqr(cap)).isEqualTo(cqr);
        assertThat(Cap.ams(cap)).isEqualTo(ams);
        assertThat(Cap.to(cap)).isEqualTo(to);
        assertThat(Cap.dstrd(cap)).isEqualTo(dstrd);
        assertThat(Cap.css(cap)).isEqualTo(css);
        assertThat(Cap.mpsmin(cap)).isEqualTo(mpsmin);
        assertThat(Cap.mpsmax(cap)).isEqualTo(mpsmax);
    }
}
