package org.nvmeof4j.protocol.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.protocol.nvme.Hex;
import org.nvmeof4j.protocol.nvme.Opcodes;
import org.nvmeof4j.protocol.nvme.Sqe;

/** Identify, Get Log Page, Get/Set Features SQE fields and the AER completion encoding. */
class CommandsTest {

    private static Sqe sqe() {
        return new Sqe().wrap(ByteBuffer.allocate(64), 0);
    }

    @Test
    void shouldEncodeIdentifyController() {
        final Sqe sqe = Identify.prepare(sqe(), Identify.CNS_CONTROLLER, 0).cid(3);
        sqe.sglTransportDataBlock(Identify.DATA_LENGTH);
        assertThat(Hex.of(sqe.buffer(), 0, 8)).isEqualTo("06400300" + "00000000");
        assertThat(Hex.of(sqe.buffer(), 40, 8)).isEqualTo("01000000" + "00000000");
        assertThat(Identify.cns(sqe)).isEqualTo(1);
        assertThat(Identify.cntid(sqe.cdw10(0x0005_0002))).isEqualTo(5);
        assertThat(Identify.csi(sqe.cdw11(0x0200_0000))).isEqualTo(2);
    }

    @Test
    void shouldEncodeDiscoveryLogRead() {
        // first read of the 1024-byte header, LID 70h, offset 0, as nvme-cli starts a discovery
        final Sqe sqe = GetLogPage.prepare(sqe(), GetLogPage.LID_DISCOVERY, 0, 0, false, 1024, 0).cid(1);
        assertThat(Hex.of(sqe.buffer(), 0, 4)).isEqualTo("02000100");
        assertThat(Hex.of(sqe.buffer(), 40, 16)).isEqualTo("7000ff00" + "00000000" + "00000000" + "00000000");
        assertThat(GetLogPage.lid(sqe)).isEqualTo(0x70);
        assertThat(GetLogPage.numberOfBytes(sqe)).isEqualTo(1024);
        assertThat(GetLogPage.offset(sqe)).isZero();
    }

    @Test
    void shouldEncodeLargeLogReadWithOffsetAndRae() {
        final Sqe sqe = GetLogPage.prepare(sqe(), GetLogPage.LID_CHANGED_NAMESPACE_LIST, -1, 0, true, 1L << 20,
            0x1_0000_1000L);
        // NUMD = 262143 = 0x3FFFF: NUMDL 0xFFFF, NUMDU 0x3
        assertThat(Hex.of(sqe.buffer(), 40, 16)).isEqualTo("0480ffff" + "03000000" + "00100000" + "01000000");
        assertThat(GetLogPage.rae(sqe)).isTrue();
        assertThat(GetLogPage.numberOfDwords(sqe)).isEqualTo(1 << 18);
        assertThat(GetLogPage.offset(sqe)).isEqualTo(0x1_0000_1000L);
        assertThatThrownBy(() -> GetLogPage.prepare(sqe(), 1, 0, 0, false, 6, 0))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Property
    void shouldRoundTripGetLogPage(@ForAll @IntRange(max = 255) final int lid,
                                   @ForAll @IntRange(max = 127) final int lsp, @ForAll final boolean rae,
                                   @ForAll @LongRange(min = 1, max = 1L << 32) final long dwords,
                                   @ForAll final long offset) {
        final Sqe sqe = GetLogPage.prepare(sqe(), lid, 0, lsp, rae, dwords * 4, offset);
        assertThat(sqe.opcode()).isEqualTo(Opcodes.ADMIN_GET_LOG_PAGE);
        assertThat(GetLogPage.lid(sqe)).isEqualTo(lid);
        assertThat(GetLogPage.lsp(sqe)).isEqualTo(lsp);
        assertThat(GetLogPage.rae(sqe)).isEqualTo(rae);
        assertThat(GetLogPage.numberOfDwords(sqe)).isEqualTo(dwords);
        assertThat(GetLogPage.offset(sqe)).isEqualTo(offset);
    }

    @Test
    void shouldEncodeNumberOfQueuesLikeLinuxHost() {
        final int value = Features.numberOfQueues(8, 8);
        assertThat(value).isEqualTo(0x0007_0007);
        final Sqe sqe = Features.prepareSet(sqe(), Features.FID_NUMBER_OF_QUEUES, value);
        assertThat(Hex.of(sqe.buffer(), 0, 1)).isEqualTo("09");
        assertThat(Hex.of(sqe.buffer(), 40, 8)).isEqualTo("07000000" + "07000700");
        assertThat(Features.fid(sqe)).isEqualTo(7);
        assertThat(Features.submissionQueues(0x0003_0001)).isEqualTo(2);
        assertThat(Features.completionQueues(0x0003_0001)).isEqualTo(4);
        assertThatThrownBy(() -> Features.numberOfQueues(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldEncodeKeepAliveTimerAndGetFeatures() {
        final Sqe set = Features.prepareSet(sqe(), Features.FID_KEEP_ALIVE_TIMER, 5000);
        assertThat(Hex.of(set.buffer(), 40, 8)).isEqualTo("0f000000" + "88130000");
        final Sqe get = Features.prepareGet(sqe(), Features.FID_VOLATILE_WRITE_CACHE,
            Features.SEL_SUPPORTED_CAPABILITIES);
        assertThat(get.opcode()).isEqualTo(0x0A);
        assertThat(Features.fid(get)).isEqualTo(6);
        assertThat(Features.sel(get)).isEqualTo(3);
        assertThat(Features.save(get.cdw10(get.cdw10() | Features.CDW10_SV))).isTrue();
    }

    @Test
    void shouldEncodeAsyncEventLikeLinuxTarget() {
        // nvmet_add_async_event(ctrl, NVME_AER_NOTICE, NVME_AER_NOTICE_NS_CHANGED, NVME_LOG_CHANGED_NS)
        assertThat(AsyncEvent.NAMESPACE_ATTRIBUTE_CHANGED).isEqualTo(0x0004_0002);
        assertThat(AsyncEvent.DISCOVERY_LOG_CHANGED).isEqualTo(0x0070_F002);
        assertThat(AsyncEvent.type(0x0004_0002)).isEqualTo(AsyncEvent.TYPE_NOTICE);
        assertThat(AsyncEvent.info(0x0070_F002)).isEqualTo(AsyncEvent.NOTICE_DISCOVERY_LOG_CHANGE);
        assertThat(AsyncEvent.logPage(0x0004_0002)).isEqualTo(GetLogPage.LID_CHANGED_NAMESPACE_LIST);
    }
}
