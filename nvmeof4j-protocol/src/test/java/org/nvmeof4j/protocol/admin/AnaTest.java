package org.nvmeof4j.protocol.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.nvmeof4j.protocol.admin.Golden.le;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;
import org.nvmeof4j.protocol.nvme.NvmeStatus;

/** ANA structures: the log page 0Ch, the Identify fields, the states, the notice and the path status codes. */
class AnaTest {

    @Test
    void shouldWriteTheAnaLogPageByteForByte() {
        // golden: CHGCNT 7, two groups; group 1 optimized with NSIDs 1 and 3, group 2 inaccessible with none
        final byte[] want = new byte[16 + 32 + 8 + 32];
        le(want, 0, 7, 8);
        le(want, 8, 2, 2);
        le(want, 16, 1, 4);
        le(want, 20, 2, 4);
        le(want, 24, 7, 8);
        want[32] = 0x01;
        le(want, 48, 1, 4);
        le(want, 52, 3, 4);
        le(want, 56, 2, 4);
        le(want, 60, 0, 4);
        le(want, 64, 5, 8);
        want[72] = 0x03;

        final ByteBuffer b = ByteBuffer.allocate(want.length);
        AnaLogPage.writeHeader(b, 0, 7, 2);
        int at = AnaLogPage.writeDescriptor(b, 16, 1, 7, AnaState.OPTIMIZED, new int[] {1, 3}, 2);
        at = AnaLogPage.writeDescriptor(b, at, 2, 5, AnaState.INACCESSIBLE, new int[0], 0);
        assertThat(at).isEqualTo(want.length).isEqualTo((int) AnaLogPage.pageLength(2, 2));
        assertThat(b.array()).isEqualTo(want);

        assertThat(AnaLogPage.chgcnt(b, 0)).isEqualTo(7);
        assertThat(AnaLogPage.ngrps(b, 0)).isEqualTo(2);
        assertThat(AnaLogPage.anagrpid(b, 16)).isEqualTo(1);
        assertThat(AnaLogPage.nnsids(b, 16)).isEqualTo(2);
        assertThat(AnaLogPage.nsid(b, 16, 1)).isEqualTo(3);
        assertThat(AnaLogPage.stateCode(b, 56)).isEqualTo(AnaState.INACCESSIBLE.code());
        assertThat(AnaLogPage.descriptorChgcnt(b, 56)).isEqualTo(5);
    }

    @Test
    void shouldRefuseADescriptorThatDoesNotFit() {
        final ByteBuffer b = ByteBuffer.allocate(40);
        assertThatThrownBy(() -> AnaLogPage.writeDescriptor(b, 0, 1, 0, AnaState.OPTIMIZED, new int[] {1, 2, 3}, 3))
            .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void shouldPlaceTheIdentifyControllerAnaFieldsWhereLinuxReadsThem() {
        // struct nvme_id_ctrl: anatt @342 (u8), anacap @343 (u8), anagrpmax @344 (le32), nanagrpid @348 (le32)
        final ByteBuffer b = ByteBuffer.allocate(IdentifyController.LENGTH);
        new IdentifyController().wrap(b, 0).anatt(10).anacap(0x1F).anagrpmax(128).nanagrpid(0x01020304L)
            .cmic(IdentifyController.CMIC_MULTI_CONTROLLER | IdentifyController.CMIC_ANA);
        assertThat(b.get(342)).isEqualTo((byte) 10);
        assertThat(b.get(343)).isEqualTo((byte) 0x1F);
        assertThat(b.getInt(344)).isEqualTo(Integer.reverseBytes(128));
        assertThat(b.get(348)).isEqualTo((byte) 4);
        assertThat(b.get(351)).isEqualTo((byte) 1);
        assertThat(b.get(76)).isEqualTo((byte) 0x0A); // CMIC @76: bit 1 multi-controller, bit 3 ANA
        final IdentifyController id = new IdentifyController().wrap(b, 0);
        assertThat(id.anatt()).isEqualTo(10);
        assertThat(id.anacap()).isEqualTo(IdentifyController.ANACAP_OPTIMIZED | IdentifyController.ANACAP_NON_OPTIMIZED
            | IdentifyController.ANACAP_INACCESSIBLE | IdentifyController.ANACAP_PERSISTENT_LOSS
            | IdentifyController.ANACAP_CHANGE);
        assertThat(id.nanagrpid()).isEqualTo(0x01020304L);
    }

    @Test
    void shouldPlaceAnagrpidInIdentifyNamespace() {
        final ByteBuffer b = ByteBuffer.allocate(4096);
        new IdentifyNamespace().wrap(b, 0).anagrpid(5);
        assertThat(b.get(92)).isEqualTo((byte) 5);
    }

    @Test
    void shouldMapStatesToCodesAndNvmetNames() {
        assertThat(AnaState.valueOf(0x01)).isEqualTo(AnaState.OPTIMIZED);
        assertThat(AnaState.valueOf(0x0F)).isEqualTo(AnaState.CHANGE);
        assertThat(AnaState.valueOf(0x05)).isNull();
        assertThat(AnaState.valueOf(0x00)).isNull();
        assertThat(AnaState.fromConfigName("persistent-loss")).isEqualTo(AnaState.PERSISTENT_LOSS);
        assertThat(AnaState.fromConfigName("bogus")).isNull();
        assertThat(AnaState.NON_OPTIMIZED.accessible()).isTrue();
        assertThat(AnaState.CHANGE.accessible()).isFalse();
    }

    @Test
    void shouldEncodeTheAnaChangeNoticeAsLinuxExpects() {
        // type 2 (notice), info 03h (ANA change), log page 0Ch in bits 23:16
        assertThat(AsyncEvent.ANA_CHANGE).isEqualTo(0x000C0302);
    }

    @Test
    void shouldUseThePathRelatedStatusCodes() {
        // SCT 3h: 01h persistent loss, 02h inaccessible, 03h transition (Linux NVME_SC_ANA_*: 0x301..0x303)
        assertThat(NvmeStatus.ASYMMETRIC_ACCESS_PERSISTENT_LOSS.status() & 0x7FF).isEqualTo(0x301);
        assertThat(NvmeStatus.ASYMMETRIC_ACCESS_INACCESSIBLE.status() & 0x7FF).isEqualTo(0x302);
        assertThat(NvmeStatus.ASYMMETRIC_ACCESS_TRANSITION.status() & 0x7FF).isEqualTo(0x303);
    }
}
