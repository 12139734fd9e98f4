package org.nvmeof4j.protocol.nvme;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class CqeTest {

    @Test
    void shouldEncodeConnectResponseLikeLinux() {
        final ByteBuffer buf = ByteBuffer.allocate(16);
        new Cqe().wrap(buf, 0).dw0(0x0001).sqhd(1).sqid(0).cid(0x1234).status(0);

        assertThat(Hex.of(buf, 0, 16)).isEqualTo("01000000" + "00000000" + "0100" + "0000" + "3412" + "0000");
    }

    @Test
    void shouldEncodeStatusFieldAbovePhaseBit() {
        final ByteBuffer buf = ByteBuffer.allocate(16);
        final Cqe cqe = new Cqe().wrap(buf, 0).cid(7).status(NvmeStatus.CONNECT_INVALID_PARAMETERS, true);

        // status 0x182 | DNR (0x4000) = 0x4182, shifted by one above P = 0x8304
        assertThat(Hex.of(buf, 14, 2)).isEqualTo("0483");
        assertThat(cqe.statusField()).isEqualTo(0x8304);
        assertThat(cqe.status()).isEqualTo(0x4182);
        assertThat(cqe.nvmeStatus()).isEqualTo(0x182);
        assertThat(cqe.statusCode()).isEqualTo(0x82);
        assertThat(cqe.statusCodeType()).isEqualTo(1);
        assertThat(cqe.dnr()).isTrue();
        assertThat(cqe.more()).isFalse();
        assertThat(cqe.crd()).isZero();
        assertThat(cqe.phase()).isFalse();
        assertThat(cqe.isSuccess()).isFalse();
    }

    @Test
    void shouldDecodeEveryStatusBit() {
        // P=1, SC=0x80, SCT=2, CRD=3, M=1, DNR=1
        final int field = 1 | (0x80 << 1) | (2 << 9) | (3 << 12) | (1 << 14) | (1 << 15);
        final ByteBuffer buf = ByteBuffer.allocate(16);
        final Cqe cqe = new Cqe().wrap(buf, 0).statusField(field);

        assertThat(cqe.phase()).isTrue();
        assertThat(cqe.statusCode()).isEqualTo(0x80);
        assertThat(cqe.statusCodeType()).isEqualTo(2);
        assertThat(cqe.crd()).isEqualTo(3);
        assertThat(cqe.more()).isTrue();
        assertThat(cqe.dnr()).isTrue();
        assertThat(NvmeStatus.of(cqe.status())).isEqualTo(NvmeStatus.WRITE_FAULT);

        cqe.status(0);
        assertThat(cqe.phase()).as("status setter keeps the phase").isTrue();
        assertThat(cqe.isSuccess()).isTrue();
    }

    @Test
    void shouldCarryEightBytePropertyGetValue() {
        final ByteBuffer buf = ByteBuffer.allocate(16);
        final Cqe cqe = new Cqe().wrap(buf, 0).result64(0x0000_0020_0F01_03FFL);
        assertThat(Hex.of(buf, 0, 8)).isEqualTo("ff03010f20000000");
        assertThat(cqe.dw0()).isEqualTo(0x0F01_03FF);
        assertThat(cqe.dw1()).isEqualTo(0x20);
    }

    @Property
    void shouldRoundTripEveryField(@ForAll final int dw0, @ForAll final int dw1, @ForAll final int sqhd,
                                   @ForAll final int sqid, @ForAll final int cid,
                                   @ForAll @IntRange(min = 0, max = 0x7FFF) final int status,
                                   @ForAll final boolean phase, @ForAll final boolean direct,
                                   @ForAll @IntRange(min = 0, max = 48) final int at) {
        final ByteBuffer buf = (direct ? ByteBuffer.allocateDirect(64) : ByteBuffer.allocate(64))
            .order(ByteOrder.BIG_ENDIAN);
        new Cqe().wrap(buf, at).dw0(dw0).dw1(dw1).sqhd(sqhd).sqid(sqid).cid(cid).phase(phase).status(status);

        final Cqe read = new Cqe().wrap(buf, at);
        assertThat(read.dw0()).isEqualTo(dw0);
        assertThat(read.dw1()).isEqualTo(dw1);
        assertThat(read.sqhd()).isEqualTo(sqhd & 0xFFFF);
        assertThat(read.sqid()).isEqualTo(sqid & 0xFFFF);
        assertThat(read.cid()).isEqualTo(cid & 0xFFFF);
        assertThat(read.status()).isEqualTo(status);
        assertThat(read.phase()).isEqualTo(phase);
        assertThat(read.statusField()).isEqualTo((status << 1) | (phase ? 1 : 0));
        assertThat(read.nvmeStatus()).isEqualTo(status & 0x7FF);
        assertThat(read.dnr()).isEqualTo((status & 0x4000) != 0);
        assertThat(buf.position()).isZero();
        assertThat(buf.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
    }
}
