package org.nvmeof4j.protocol.fabrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.protocol.nvme.Hex;
import org.nvmeof4j.protocol.nvme.Opcodes;
import org.nvmeof4j.protocol.nvme.Sqe;

class FabricsCommandTest {

    /**
     * Admin-queue Connect as the Linux TCP host sends it: flags 0x40 (SGL, NVME_CMD_SGL_METABUF), 1024 bytes of
     * in-capsule data at offset 0, QID 0, SQSIZE 31 (NVME_AQ_DEPTH - 1), KATO 5000 ms.
     */
    static final String LINUX_ADMIN_CONNECT = ""
        + "7f 40 0a 00 | 01 00 00 00 | 00000000 00000000"
        + "00000000 00000000"
        + "00000000 00000000 | 00 04 00 00 | 00 00 00 01"
        + "00 00 | 00 00 | 1f 00 | 00 | 00 | 88 13 00 00 | 00000000"
        + "00000000 00000000";

    @Test
    void shouldEncodeConnectCommandLikeLinux() {
        final ByteBuffer buf = ByteBuffer.allocate(64);
        final FabricsCommand cmd = new FabricsCommand().wrap(buf, 0).init(Opcodes.FCTYPE_CONNECT).cid(10)
            .recfmt(FabricsCommand.RECFMT_0).qid(0).submissionQueueSize(32).kato(5000);
        new Sqe().wrap(buf, 0).sglInCapsule(0, ConnectData.LENGTH);

        assertThat(Hex.of(buf, 0, 64)).isEqualTo(Hex.norm(LINUX_ADMIN_CONNECT));
        assertThat(cmd.toString()).contains("Connect");
    }

    @Test
    void shouldDecodeConnectCommandLikeLinux() {
        final ByteBuffer buf = ByteBuffer.wrap(Hex.bytes(LINUX_ADMIN_CONNECT));
        final Sqe sqe = new Sqe().wrap(buf, 0);
        final FabricsCommand cmd = new FabricsCommand().wrap(sqe);

        assertThat(FabricsCommand.isFabrics(sqe)).isTrue();
        assertThat(cmd.opcode()).isEqualTo(0x7F);
        assertThat(cmd.fctype()).isEqualTo(Opcodes.FCTYPE_CONNECT);
        assertThat(cmd.cid()).isEqualTo(10);
        assertThat(cmd.recfmt()).isZero();
        assertThat(cmd.qid()).isZero();
        assertThat(cmd.sqsize()).isEqualTo(31);
        assertThat(cmd.submissionQueueSize()).isEqualTo(32);
        assertThat(cmd.disableSqFlowControl()).isFalse();
        assertThat(cmd.kato()).isEqualTo(5000);
        assertThat(sqe.sglIdentifier()).isEqualTo(Sqe.SGL_DATA_BLOCK_OFFSET);
        assertThat(sqe.sglLength()).isEqualTo(1024);
    }

    @Test
    void shouldEncodeIoQueueConnectWithSqFlowControlDisabled() {
        final ByteBuffer buf = ByteBuffer.allocate(64);
        final FabricsCommand cmd = new FabricsCommand().wrap(buf, 0).init(Opcodes.FCTYPE_CONNECT)
            .qid(3).sqsize(127).disableSqFlowControl(true);

        assertThat(Hex.of(buf, 40, 12)).isEqualTo("0000" + "0300" + "7f00" + "04" + "00" + "00000000");
        assertThat(cmd.cattr()).isEqualTo(FabricsCommand.CATTR_DISABLE_SQ_FLOW_CONTROL);
        cmd.disableSqFlowControl(false);
        assertThat(cmd.cattr()).isZero();
        assertThatThrownBy(() -> cmd.submissionQueueSize(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldEncodePropertyGetOfCap() {
        final ByteBuffer buf = ByteBuffer.allocate(64);
        new FabricsCommand().wrap(buf, 0).init(Opcodes.FCTYPE_PROPERTY_GET).cid(1).propertySize(8)
            .ofst(ControllerRegisters.CAP);

        assertThat(Hex.of(buf, 0, 64)).isEqualTo(Hex.norm(""
            + "7f 00 01 00 | 04 000000 | 00000000 00000000"
            + "00000000 00000000"
            + "00000000 00000000 00000000 00000000"
            + "01 000000 | 00000000 | 00000000 00000000"
            + "00000000 00000000"));
    }

    @Test
    void shouldEncodePropertySetOfCcLikeLinux() {
        final ByteBuffer buf = ByteBuffer.allocate(64);
        final int cc = ControllerRegisters.Cc.of(true, ControllerRegisters.Cc.CSS_NVM, 0,
            ControllerRegisters.Cc.AMS_ROUND_ROBIN, ControllerRegisters.Cc.SHN_NONE, 6, 4);
        final FabricsCommand cmd = new FabricsCommand().wrap(buf, 0).init(Opcodes.FCTYPE_PROPERTY_SET).cid(2)
            .propertySize(4).ofst(ControllerRegisters.CC).value(cc);

        assertThat(cc).isEqualTo(0x0046_0001);
        assertThat(Hex.of(buf, 40, 24)).isEqualTo("00000000" + "14000000" + "0100460000000000" + "0000000000000000");
        assertThat(cmd.propertySize()).isEqualTo(4);
        assertThat(cmd.value()).isEqualTo(0x0046_0001L);
    }

    @Test
    void shouldReportReservedPropertySize() {
        final FabricsCommand cmd = new FabricsCommand().wrap(ByteBuffer.allocate(64), 0).attrib(0x5);
        assertThat(cmd.propertySize()).isEqualTo(-1);
        assertThatThrownBy(() -> cmd.propertySize(2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldEncodeAuthenticationSend() {
        final ByteBuffer buf = ByteBuffer.allocate(64);
        new FabricsCommand().wrap(buf, 0).init(Opcodes.FCTYPE_AUTHENTICATION_SEND)
            .secp(FabricsCommand.SECP_NVME_AUTH).spsp0(0x01).spsp1(0x01).transferLength(0x30);
        assertThat(Hex.of(buf, 40, 8)).isEqualTo("000101e9" + "30000000");
    }

    @Test
    void shouldEncodeConnectResponseDw0() {
        assertThat(ConnectResponse.success(0x0001, false, false)).isEqualTo(0x1);
        final int dw0 = ConnectResponse.success(0xABCD, true, true);
        assertThat(ConnectResponse.cntlid(dw0)).isEqualTo(0xABCD);
        assertThat(ConnectResponse.authenticationRequired(dw0)).isTrue();
        assertThat(ConnectResponse.secureChannelConcatenationRequired(dw0)).isTrue();

        // as Linux IPO_IATTR_CONNECT_DATA(subsysnqn) and IPO_IATTR_CONNECT_SQE(qid)
        assertThat(ConnectResponse.invalidParameter(true, ConnectData.SUBNQN_OFFSET)).isEqualTo(0x10100);
        assertThat(ConnectResponse.invalidParameter(false, FabricsCommand.QID_OFFSET)).isEqualTo(42);
        assertThat(ConnectResponse.invalidParameterInConnectData(0x10100)).isTrue();
        assertThat(ConnectResponse.invalidParameterOffset(0x10100)).isEqualTo(256);
    }

    @Property
    void shouldRoundTripConnectFields(@ForAll final int cid, @ForAll final int qid,
                                      @ForAll @IntRange(min = 1, max = 65536) final int entries,
                                      @ForAll final boolean noFlowControl, @ForAll final int kato,
                                      @ForAll final boolean direct) {
        final ByteBuffer buf = (direct ? ByteBuffer.allocateDirect(80) : ByteBuffer.allocate(80))
            .order(ByteOrder.BIG_ENDIAN);
        new FabricsCommand().wrap(buf, 16).init(Opcodes.FCTYPE_CONNECT).cid(cid).qid(qid)
            .submissionQueueSize(entries).disableSqFlowControl(noFlowControl).kato(kato & 0xFFFF_FFFFL);

        final FabricsCommand read = new FabricsCommand().wrap(buf, 16);
        assertThat(read.opcode()).isEqualTo(Opcodes.FABRICS);
        assertThat(read.fctype()).isEqualTo(Opcodes.FCTYPE_CONNECT);
        assertThat(read.cid()).isEqualTo(cid & 0xFFFF);
        assertThat(read.qid()).isEqualTo(qid & 0xFFFF);
        assertThat(read.submissionQueueSize()).isEqualTo(entries);
        assertThat(read.disableSqFlowControl()).isEqualTo(noFlowControl);
        assertThat(read.kato()).isEqualTo(kato & 0xFFFF_FFFFL);
    }

    @Property
    void shouldRoundTripPropertyFields(@ForAll final boolean eight, @ForAll final int ofst, @ForAll final long value) {
        final ByteBuffer buf = ByteBuffer.allocate(64);
        new FabricsCommand().wrap(buf, 0).init(Opcodes.FCTYPE_PROPERTY_SET).propertySize(eight ? 8 : 4)
            .ofst(ofst & 0xFFFF_FFFFL).value(value);

        final FabricsCommand read = new FabricsCommand().wrap(buf, 0);
        assertThat(read.propertySize()).isEqualTo(eight ? 8 : 4);
        assertThat(read.ofst()).isEqualTo(ofst & 0xFFFF_FFFFL);
        assertThat(read.value()).isEqualTo(value);
    }
}
