package org.nvmeof4j.protocol.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.nvmeof4j.protocol.admin.Golden.ascii;
import static org.nvmeof4j.protocol.admin.Golden.le;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.protocol.fabrics.ControllerRegisters;
import org.nvmeof4j.protocol.fabrics.NqnCheck;
import org.nvmeof4j.protocol.nvme.Hex;

class IdentifyControllerTest {

    static final String SUBNQN = "nqn.2024-01.org.nvmeof4j:sub1";

    /** An I/O controller as Linux nvmet fills it for a TCP port with in-capsule data, placed at the spec offsets. */
    static byte[] linuxLikeIoController() {
        final byte[] a = new byte[4096];
        le(a, 0, 0x1B36, 2);                               // VID
        le(a, 2, 0x1AF4, 2);                               // SSVID
        ascii(a, 4, 20, "8c2e0a1b9d4f5e61", ' ');          // SN
        ascii(a, 24, 40, "Linux", ' ');                    // MN
        ascii(a, 64, 8, "6.8.0", ' ');                     // FR
        a[72] = 6;                                         // RAB
        le(a, 73, 0x123456, 3);                            // IEEE OUI
        a[76] = 0x0B;                                      // CMIC: multi port, multi ctrl, ANA
        a[77] = 0;                                         // MDTS: no limit
        le(a, 78, 1, 2);                                   // CNTLID
        le(a, 80, 0x0001_0400, 4);                         // VER 1.4
        le(a, 92, 0x0000_0900, 4);                         // OAES: NS attribute + ANA change notices
        le(a, 96, 1, 4);                                   // CTRATT: 128-bit host id
        a[111] = 1;                                        // CNTRLTYPE: I/O
        a[258] = 3;                                        // ACL
        a[259] = 3;                                        // AERL
        a[260] = 3;                                        // FRMW
        a[261] = 0x06;                                     // LPA
        a[262] = 127;                                      // ELPE
        a[263] = 0;                                        // NPSS
        le(a, 320, 50, 2);                                 // KAS: 5 s
        a[512] = 0x66;                                     // SQES
        a[513] = 0x44;                                     // CQES
        le(a, 514, 127, 2);                                // MAXCMD
        le(a, 516, 1024, 4);                               // NN
        le(a, 520, 0x0C, 2);                               // ONCS: DSM + Write Zeroes
        a[525] = 1;                                        // VWC
        le(a, 536, (1 << 0) | (1 << 20), 4);               // SGLS
        le(a, 540, 1024, 4);                               // MNAN
        ascii(a, 768, 256, SUBNQN, '\0');                  // SUBNQN
        le(a, 1792, (64 + 16384) / 16, 4);                 // IOCCSZ
        le(a, 1796, 1, 4);                                 // IORCSZ
        le(a, 1800, 0, 2);                                 // ICDOFF
        a[1802] = 0;                                       // FCATT: dynamic
        a[1803] = 1;                                       // MSDBD
        le(a, 2048, 0x9C4, 2);                             // PSD0 MP 25 W
        le(a, 2052, 0x10, 4);                              // PSD0 ENLAT
        le(a, 2056, 0x4, 4);                               // PSD0 EXLAT
        return a;
    }

    static void fillLinuxLike(final IdentifyController id) {
        id.clear().vid(0x1B36).ssvid(0x1AF4).sn("8c2e0a1b9d4f5e61").mn("Linux").fr("6.8.0").rab(6).ieee(0x123456)
            .cmic(IdentifyController.CMIC_MULTI_PORT | IdentifyController.CMIC_MULTI_CONTROLLER
                | IdentifyController.CMIC_ANA)
            .mdts(0).cntlid(1).ver(ControllerRegisters.Vs.V1_4)
            .oaes(IdentifyController.OAES_NAMESPACE_ATTRIBUTE_NOTICES | IdentifyController.OAES_ANA_CHANGE_NOTICES)
            .ctratt(IdentifyController.CTRATT_HOST_ID_128_BIT).cntrltype(IdentifyController.CNTRLTYPE_IO)
            .acl(3).aerl(3).frmw(3)
            .lpa(IdentifyController.LPA_COMMANDS_EFFECTS | IdentifyController.LPA_EXTENDED_DATA)
            .elpe(127).npss(0).kas(50).sqes(0x66).cqes(0x44).maxcmd(127).nn(1024)
            .oncs(IdentifyController.ONCS_DATASET_MANAGEMENT | IdentifyController.ONCS_WRITE_ZEROES)
            .vwc(IdentifyController.VWC_PRESENT)
            .sgls(IdentifyController.SGLS_SUPPORTED | IdentifyController.SGLS_ADDRESS_AS_OFFSET).mnan(1024)
            .subnqn(SUBNQN).ioccsz((64 + 16384) / 16).iorcsz(1).icdoff(0).fcatt(0).msdbd(1)
            .powerState(0, 0x9C4, 0, 0x10, 0x4);
    }

    @Test
    void shouldEncodeIdentifyControllerLikeLinuxTarget() {
        final ByteBuffer buf = ByteBuffer.allocate(4096);
        Arrays.fill(buf.array(), (byte) 0xEE);
        fillLinuxLike(new IdentifyController().wrap(buf, 0));

        assertThat(buf.array()).isEqualTo(linuxLikeIoController());
    }

    @Test
    void shouldDecodeIdentifyControllerLikeLinuxHost() {
        final IdentifyController id = new IdentifyController().wrap(ByteBuffer.wrap(linuxLikeIoController()), 0);

        assertThat(id.vid()).isEqualTo(0x1B36);
        assertThat(id.ssvid()).isEqualTo(0x1AF4);
        assertThat(id.sn()).isEqualTo("8c2e0a1b9d4f5e61");
        assertThat(id.mn()).isEqualTo("Linux");
        assertThat(id.fr()).isEqualTo("6.8.0");
        assertThat(id.ieee()).isEqualTo(0x123456);
        assertThat(id.cntlid()).isEqualTo(1);
        assertThat(ControllerRegisters.Vs.toString(id.ver())).isEqualTo("1.4");
        assertThat(id.oaes() & IdentifyController.OAES_NAMESPACE_ATTRIBUTE_NOTICES).isNotZero();
        assertThat(id.cntrltype()).isEqualTo(IdentifyController.CNTRLTYPE_IO);
        assertThat(id.elpe()).isEqualTo(127);
        assertThat(id.kas()).isEqualTo(50);
        assertThat(id.sqes()).isEqualTo(0x66);
        assertThat(id.cqes()).isEqualTo(0x44);
        assertThat(id.maxcmd()).isEqualTo(127);
        assertThat(id.nn()).isEqualTo(1024);
        assertThat(id.oncs() & IdentifyController.ONCS_WRITE_ZEROES).isNotZero();
        assertThat(id.oncs() & IdentifyController.ONCS_COMPARE).isZero();
        assertThat(id.vwc()).isEqualTo(1);
        assertThat(id.sgls()).isEqualTo(0x0010_0001);
        assertThat(id.subnqn()).isEqualTo(SUBNQN);
        assertThat(id.checkSubnqn()).isEqualTo(NqnCheck.VALID);
        assertThat(id.ioccsz()).isEqualTo(1028);
        assertThat(id.maxInCapsuleDataBytes()).isEqualTo(16384);
        assertThat(id.iorcsz()).isEqualTo(1);
        assertThat(id.msdbd()).isEqualTo(1);
        assertThat(id.maxDataTransferBytes(4096)).isZero();
        assertThat(id.psdMaxPower(0)).isEqualTo(0x9C4);
        assertThat(id.psdEntryLatency(0)).isEqualTo(0x10);
        assertThat(id.psdExitLatency(0)).isEqualTo(0x4);
        assertThat(id.toString()).contains("Linux");
    }

    @Test
    void shouldReencodeExactly() {
        final byte[] golden = linuxLikeIoController();
        final IdentifyController in = new IdentifyController().wrap(ByteBuffer.wrap(golden), 0);
        final ByteBuffer out = ByteBuffer.allocateDirect(4096 + 64).order(ByteOrder.BIG_ENDIAN);
        new IdentifyController().wrap(out, 64).clear().vid(in.vid()).ssvid(in.ssvid()).sn(in.sn()).mn(in.mn())
            .fr(in.fr()).rab(in.rab()).ieee(in.ieee()).cmic(in.cmic()).mdts(in.mdts()).cntlid(in.cntlid())
            .ver(in.ver()).oaes(in.oaes()).ctratt(in.ctratt()).cntrltype(in.cntrltype()).acl(in.acl())
            .aerl(in.aerl()).frmw(in.frmw()).lpa(in.lpa()).elpe(in.elpe()).npss(in.npss()).kas(in.kas())
            .sqes(in.sqes()).cqes(in.cqes()).maxcmd(in.maxcmd()).nn(in.nn()).oncs(in.oncs()).vwc(in.vwc())
            .sgls(in.sgls()).mnan(in.mnan()).subnqn(in.subnqn()).ioccsz(in.ioccsz()).iorcsz(in.iorcsz())
            .icdoff(in.icdoff()).fcatt(in.fcatt()).msdbd(in.msdbd())
            .powerState(0, in.psdMaxPower(0), in.psdFlags(0), in.psdEntryLatency(0), in.psdExitLatency(0));
        assertThat(Hex.of(out, 64, 4096)).isEqualTo(Hex.of(golden));
    }

    @Test
    void shouldPlaceFieldsAtLinuxStructOffsets() {
        // offsetof(struct nvme_id_ctrl, ...) from include/linux/nvme.h
        assertThat(IdentifyController.CNTRLTYPE_OFFSET).isEqualTo(111);
        assertThat(IdentifyController.OACS_OFFSET).isEqualTo(256);
        assertThat(IdentifyController.KAS_OFFSET).isEqualTo(320);
        assertThat(IdentifyController.SQES_OFFSET).isEqualTo(512);
        assertThat(IdentifyController.SGLS_OFFSET).isEqualTo(536);
        assertThat(IdentifyController.SUBNQN_OFFSET).isEqualTo(768);
        assertThat(IdentifyController.IOCCSZ_OFFSET).isEqualTo(1792);
        assertThat(IdentifyController.MSDBD_OFFSET).isEqualTo(1803);
        assertThat(IdentifyController.psdOffset(1)).isEqualTo(2080);
    }

    @Test
    void shouldDescribeDiscoveryController() {
        final IdentifyController id = new IdentifyController().wrap(ByteBuffer.allocate(4096), 0).clear()
            .cntrltype(IdentifyController.CNTRLTYPE_DISCOVERY).subnqn("nqn.2014-08.org.nvmexpress.discovery")
            .oaes(IdentifyController.OAES_DISCOVERY_LOG_CHANGE);
        assertThat(id.buffer().get(111)).isEqualTo((byte) 2);
        assertThat(Hex.of(id.buffer(), 92, 4)).isEqualTo("00000080");
    }

    @Test
    void shouldRejectBadAsciiOnWriteAndMaskItOnRead() {
        final IdentifyController id = new IdentifyController().wrap(ByteBuffer.allocate(4096), 0);
        assertThatThrownBy(() -> id.sn("x".repeat(21))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> id.mn("caf\u00e9")).isInstanceOf(IllegalArgumentException.class);
        id.buffer().put(4, (byte) 0x01).put(5, (byte) 0xC3).put(6, (byte) 'A');
        assertThat(id.sn()).startsWith("??A");
    }

    @Test
    void shouldSaturateMdtsInsteadOfOverflowing() {
        // found by HostLogPageFuzzTest: MDTS 168 with an 8 MiB CAP.MPSMIN page decoded as Long.MIN_VALUE
        final IdentifyController id = new IdentifyController().wrap(ByteBuffer.allocate(4096), 0).mdts(168);
        assertThat(id.maxDataTransferBytes(8 << 20)).isEqualTo(1L << 62);
        assertThat(id.maxDataTransferBytes(1 << 27)).isEqualTo(1L << 62);
        assertThat(id.maxDataTransferBytes(4096)).as("the 2^40 cap as before").isEqualTo(4096L << 40);
        assertThat(id.mdts(5).maxDataTransferBytes(4096)).isEqualTo(4096L << 5);
        assertThat(id.maxDataTransferBytes(0)).isZero();
        assertThat(id.mdts(0).maxDataTransferBytes(1 << 27)).isZero();
    }

    @Property
    void shouldNeverThrowReadingArbitraryData(@ForAll @Size(4096) final byte[] bytes) {
        final IdentifyController id = new IdentifyController().wrap(ByteBuffer.wrap(bytes), 0);
        assertThatCode(() -> {
            id.sn();
            id.mn();
            id.fr();
            id.subnqn();
            id.checkSubnqn();
            id.toString();
            id.maxInCapsuleDataBytes();
            id.maxDataTransferBytes(4096);
        }).doesNotThrowAnyException();
    }

    @Property
    void shouldRoundTripNumericFields(@ForAll final short vid, @ForAll final int ieee, @ForAll final byte mdts,
                                      @ForAll final short cntlid, @ForAll final int ver, @ForAll final int oaes,
                                      @ForAll final short kas, @ForAll final int nn, @ForAll final int sgls,
                                      @ForAll final int ioccsz, @ForAll final short icdoff) {
        final ByteBuffer buf = ByteBuffer.allocate(4096);
        new IdentifyController().wrap(buf, 0).vid(vid).ieee(ieee).mdts(mdts).cntlid(cntlid).ver(ver).oaes(oaes)
            .kas(kas).nn(nn).sgls(sgls).ioccsz(ioccsz).icdoff(icdoff);
        final IdentifyController id = new IdentifyController().wrap(buf, 0);
        assertThat(id.vid()).isEqualTo(vid & 0xFFFF);
        assertThat(id.ieee()).isEqualTo(ieee & 0xFFFFFF);
        assertThat(id.mdts()).isEqualTo(mdts & 0xFF);
        assertThat(id.cntlid()).isEqualTo(cntlid & 0xFFFF);
        assertThat(id.ver()).isEqualTo(ver);
        assertThat(id.oaes()).isEqualTo(oaes);
        assertThat(id.kas()).isEqualTo(kas & 0xFFFF);
        assertThat(id.nn()).isEqualTo(nn);
        assertThat(id.sgls()).isEqualTo(sgls);
        assertThat(id.ioccsz()).isEqualTo(ioccsz);
        assertThat(id.icdoff()).isEqualTo(icdoff & 0xFFFF);
        assertThat(id.cntrltype()).isZero();
    }
}
