package org.nvmeof4j.protocol.nvme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SqeTest {

    /** A Linux nvme-tcp style Read: cid 5, nsid 1, 8 blocks at LBA 0x1234, transport SGL data block of 4096 bytes. */
    static final String LINUX_READ = ""
        + "02 40 05 00 | 01 00 00 00 | 00 00 00 00 | 00 00 00 00"
        + "00 00 00 00   00 00 00 00"
        + "00 00 00 00   00 00 00 00 | 00 10 00 00 | 00 00 00 5a"
        + "34 12 00 00   00 00 00 00 | 07 00 00 40 | 00 00 00 00"
        + "00 00 00 00 | 00 00 00 00";

    @Test
    void shouldEncodeReadLikeLinux() {
        final ByteBuffer buf = ByteBuffer.allocate(64);
        new Sqe().wrap(buf, 0)
            .opcode(Opcodes.IO_READ).cid(5).nsid(1)
            .sglTransportDataBlock(4096)
            .startingLba(0x1234).numberOfLogicalBlocks(8).fua(true);

        assertThat(Hex.of(buf, 0, 64)).isEqualTo(Hex.norm(LINUX_READ));
    }

    @Test
    void shouldDecodeReadLikeLinux() {
        final Sqe sqe = new Sqe().wrap(ByteBuffer.wrap(Hex.bytes(LINUX_READ)), 0);

        assertThat(sqe.opcode()).isEqualTo(Opcodes.IO_READ);
        assertThat(sqe.psdt()).isEqualTo(Sqe.PSDT_SGL_MPTR_CONTIGUOUS);
        assertThat(sqe.fuse()).isEqualTo(Sqe.FUSE_NORMAL);
        assertThat(sqe.cid()).isEqualTo(5);
        assertThat(sqe.nsid()).isEqualTo(1);
        assertThat(sqe.sglIdentifier()).isEqualTo(Sqe.SGL_TRANSPORT_DATA_BLOCK);
        assertThat(sqe.sglType()).isEqualTo(Sqe.SGL_TYPE_TRANSPORT_DATA_BLOCK);
        assertThat(sqe.sglSubtype()).isEqualTo(Sqe.SGL_SUBTYPE_TRANSPORT_A);
        assertThat(sqe.sglAddress()).isZero();
        assertThat(sqe.sglLength()).isEqualTo(4096);
        assertThat(sqe.startingLba()).isEqualTo(0x1234);
        assertThat(sqe.numberOfLogicalBlocks()).isEqualTo(8);
        assertThat(sqe.fua()).isTrue();
        assertThat(sqe.limitedRetry()).isFalse();
        assertThat(Opcodes.direction(sqe)).isEqualTo(DataTransferDirection.CONTROLLER_TO_HOST);
    }

    @Test
    void shouldEncodeInCapsuleWriteSgl() {
        final ByteBuffer buf = ByteBuffer.allocate(64);
        new Sqe().wrap(buf, 0).opcode(Opcodes.IO_WRITE).cid(0xBEEF).nsid(2).sglInCapsule(0, 512)
            .startingLba(0x0102030405060708L).numberOfLogicalBlocks(1);

        assertThat(Hex.of(buf, 0, 64)).isEqualTo(Hex.norm(""
            + "01 40 ef be | 02 00 00 00 | 00000000 00000000"
            + "0000000000000000"
            + "0000000000000000 | 00 02 00 00 | 00 00 00 01"
            + "08 07 06 05 04 03 02 01 | 00 00 00 00 | 00000000"
            + "00000000 00000000"));
    }

    @Test
    void shouldHideZeroBasedNumberOfLogicalBlocks() {
        final Sqe sqe = new Sqe().wrap(ByteBuffer.allocate(64), 0).cdw12(0xC000_0000);
        sqe.numberOfLogicalBlocks(65536);
        assertThat(sqe.cdw12()).isEqualTo(0xC000_FFFF);
        assertThat(sqe.numberOfLogicalBlocks()).isEqualTo(65536);
        sqe.numberOfLogicalBlocks(1);
        assertThat(sqe.cdw12() & 0xFFFF).isZero();
        assertThatThrownBy(() -> sqe.numberOfLogicalBlocks(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sqe.numberOfLogicalBlocks(65537)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldKeepFuseAndPsdtIndependent() {
        final Sqe sqe = new Sqe().wrap(ByteBuffer.allocate(64), 0);
        sqe.fuse(Sqe.FUSE_SECOND).psdt(Sqe.PSDT_SGL_MPTR_SGL);
        assertThat(sqe.flags()).isEqualTo(0x82);
        sqe.fuse(Sqe.FUSE_NORMAL);
        assertThat(sqe.flags()).isEqualTo(0x80);
    }

    @Test
    void shouldRejectWrapBeyondLimit() {
        final ByteBuffer buf = ByteBuffer.allocate(100);
        assertThatThrownBy(() -> new Sqe().wrap(buf, 40)).isInstanceOf(IndexOutOfBoundsException.class);
        buf.limit(63);
        assertThatThrownBy(() -> new Sqe().wrap(buf, 0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Property
    void shouldRoundTripEveryField(@ForAll final int opcode, @ForAll final int cid, @ForAll final int nsid,
                                   @ForAll final long mptr, @ForAll final long addr, @ForAll final int len,
                                   @ForAll final int id, @ForAll final long slba,
                                   @ForAll @IntRange(min = 1, max = 65536) final int nlb, @ForAll final boolean fua,
                                   @ForAll final boolean direct, @ForAll @IntRange(min = 0, max = 64) final int at) {
        final ByteBuffer buf = (direct ? ByteBuffer.allocateDirect(200) : ByteBuffer.allocate(200))
            .order(ByteOrder.BIG_ENDIAN);
        buf.position(3).limit(190);
        final Sqe sqe = new Sqe().wrap(buf, at)
            .opcode(opcode).cid(cid).nsid(nsid).mptr(mptr).sglAddress(addr).sglLength(len & 0xFFFF_FFFFL)
            .sglIdentifier(id).startingLba(slba).numberOfLogicalBlocks(nlb).fua(fua);

        final Sqe read = new Sqe().wrap(buf, at);
        assertThat(read.opcode()).isEqualTo(opcode & 0xFF);
        assertThat(read.cid()).isEqualTo(cid & 0xFFFF);
        assertThat(read.nsid()).isEqualTo(nsid);
        assertThat(read.mptr()).isEqualTo(mptr);
        assertThat(read.sglAddress()).isEqualTo(addr);
        assertThat(read.sglLength()).isEqualTo(len & 0xFFFF_FFFFL);
        assertThat(read.sglIdentifier()).isEqualTo(id & 0xFF);
        assertThat(read.startingLba()).isEqualTo(slba);
        assertThat(read.numberOfLogicalBlocks()).isEqualTo(nlb);
        assertThat(read.fua()).isEqualTo(fua);
        assertThat(read.cdw10()).isEqualTo((int) slba);
        assertThat(read.cdw11()).isEqualTo((int) (slba >>> 32));
        assertThat(sqe.buffer().position()).isEqualTo(3);
        assertThat(sqe.buffer().limit()).isEqualTo(190);
        assertThat(sqe.buffer().order()).isEqualTo(ByteOrder.BIG_ENDIAN);
        // little-endian on the wire whatever the buffer's order
        assertThat(buf.get(at + Sqe.CID_OFFSET)).isEqualTo((byte) cid);
    }

    @Property
    void shouldAddressEveryDwordByIndex(@ForAll @IntRange(min = 0, max = 15) final int n, @ForAll final int v) {
        final Sqe sqe = new Sqe().wrap(ByteBuffer.allocate(64), 0).cdw(n, v);
        assertThat(sqe.cdw(n)).isEqualTo(v);
        if (n == 10) {
            assertThat(sqe.cdw10()).isEqualTo(v);
        }
        if (n == 15) {
            assertThat(sqe.cdw15()).isEqualTo(v);
        }
    }

    @Test
    void shouldDeriveDirectionFromOpcodeBits() {
        assertThat(Opcodes.direction(Opcodes.IO_FLUSH)).isEqualTo(DataTransferDirection.NONE);
        assertThat(Opcodes.direction(Opcodes.IO_WRITE)).isEqualTo(DataTransferDirection.HOST_TO_CONTROLLER);
        assertThat(Opcodes.direction(Opcodes.IO_READ)).isEqualTo(DataTransferDirection.CONTROLLER_TO_HOST);
        assertThat(Opcodes.direction(Opcodes.IO_COMPARE)).isEqualTo(DataTransferDirection.HOST_TO_CONTROLLER);
        assertThat(Opcodes.direction(Opcodes.ADMIN_IDENTIFY)).isEqualTo(DataTransferDirection.CONTROLLER_TO_HOST);
        assertThat(Opcodes.direction(Opcodes.ADMIN_SET_FEATURES)).isEqualTo(DataTransferDirection.HOST_TO_CONTROLLER);
        assertThat(Opcodes.direction(Opcodes.FABRICS)).isEqualTo(DataTransferDirection.BIDIRECTIONAL);

        final Sqe connect = new Sqe().wrap(ByteBuffer.allocate(64), 0).opcode(Opcodes.FABRICS);
        connect.buffer().put(Opcodes.FCTYPE_OFFSET, (byte) Opcodes.FCTYPE_CONNECT);
        assertThat(Opcodes.direction(connect)).isEqualTo(DataTransferDirection.HOST_TO_CONTROLLER);
        connect.buffer().put(Opcodes.FCTYPE_OFFSET, (byte) Opcodes.FCTYPE_PROPERTY_GET);
        assertThat(Opcodes.direction(connect)).isEqualTo(DataTransferDirection.NONE);
        connect.buffer().put(Opcodes.FCTYPE_OFFSET, (byte) Opcodes.FCTYPE_AUTHENTICATION_RECEIVE);
        assertThat(Opcodes.direction(connect)).isEqualTo(DataTransferDirection.CONTROLLER_TO_HOST);
    }

    @Test
    void shouldNameOpcodes() {
        assertThat(Opcodes.adminName(0x06)).isEqualTo("Identify");
        assertThat(Opcodes.adminName(0xC1)).isEqualTo("Admin 0xC1");
        assertThat(Opcodes.ioName(0x02)).isEqualTo("Read");
        assertThat(Opcodes.fabricsName(0x01)).isEqualTo("Connect");
        assertThat(Opcodes.fabricsName(0x7)).isEqualTo("Fabrics 0x07");
    }
}
