package org.nvmeof4j.protocol.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.nvmeof4j.protocol.admin.Golden.ascii;
import static org.nvmeof4j.protocol.admin.Golden.le;

import java.nio.ByteBuffer;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.protocol.fabrics.Nqn;
import org.nvmeof4j.protocol.fabrics.NqnCheck;
import org.nvmeof4j.protocol.nvme.Hex;
import org.nvmeof4j.protocol.nvme.NvmeStatus;

class LogPagesTest {

    static final String SUBNQN = "nqn.2024-01.org.nvmeof4j:sub1";

    /** A discovery log with an NVM subsystem entry and the current discovery subsystem entry. */
    static byte[] discoveryLog() {
        final byte[] a = new byte[3 * 1024];
        le(a, 0, 42, 8);                             // GENCTR
        le(a, 8, 2, 8);                              // NUMREC
        le(a, 16, 0, 2);                             // RECFMT
        int e = 1024;
        a[e] = 3;                                    // TRTYPE TCP
        a[e + 1] = 1;                                // ADRFAM IPv4
        a[e + 2] = 2;                                // SUBTYPE NVM
        a[e + 3] = 0x02 | 0x04;                      // TREQ not required, SQ flow control disable
        le(a, e + 4, 1, 2);                          // PORTID
        le(a, e + 6, 0xFFFF, 2);                     // CNTLID
        le(a, e + 8, 32, 2);                         // ASQSZ
        ascii(a, e + 32, 32, "4420", ' ');           // TRSVCID
        ascii(a, e + 256, 256, SUBNQN, '\0');        // SUBNQN
        ascii(a, e + 512, 256, "192.168.1.10", ' '); // TRADDR
        a[e + 768] = 0;                              // SECTYPE none
        e = 2048;
        a[e] = 3;
        a[e + 1] = 1;
        a[e + 2] = 3;                                // SUBTYPE current discovery
        a[e + 3] = 0x02;
        le(a, e + 4, 1, 2);
        le(a, e + 6, 0xFFFF, 2);
        le(a, e + 8, 32, 2);
        le(a, e + 10, 0x3, 2);                       // EFLAGS DUPRETINFO | EPCSD
        ascii(a, e + 32, 32, "8009", ' ');
        ascii(a, e + 256, 256, Nqn.DISCOVERY, '\0');
        ascii(a, e + 512, 256, "192.168.1.10", ' ');
        return a;
    }

    @Test
    void shouldEncodeDiscoveryLogWithTwoEntries() {
        final ByteBuffer buf = ByteBuffer.allocate(3 * 1024);
        new DiscoveryLogPage().wrap(buf, 0).clear().genctr(42).numrec(2).recfmt(0);
        final DiscoveryLogEntry e = new DiscoveryLogEntry();
        e.wrapEntry(buf, 0, 0).clear().trtype(DiscoveryLogEntry.TRTYPE_TCP).adrfam(DiscoveryLogEntry.ADRFAM_IPV4)
            .subtype(DiscoveryLogEntry.SUBTYPE_NVME)
            .treq(DiscoveryLogEntry.TREQ_SECURE_CHANNEL_NOT_REQUIRED | DiscoveryLogEntry.TREQ_DISABLE_SQ_FLOW_CONTROL)
            .portid(1).cntlid(0xFFFF).asqsz(32).eflags(0).trsvcid("4420").subnqn(SUBNQN).traddr("192.168.1.10")
            .sectype(DiscoveryLogEntry.SECTYPE_NONE);
        e.wrapEntry(buf, 0, 1).clear().trtype(DiscoveryLogEntry.TRTYPE_TCP).adrfam(DiscoveryLogEntry.ADRFAM_IPV4)
            .subtype(DiscoveryLogEntry.SUBTYPE_CURRENT_DISCOVERY)
            .treq(DiscoveryLogEntry.TREQ_SECURE_CHANNEL_NOT_REQUIRED).portid(1).cntlid(0xFFFF).asqsz(32)
            .eflags(DiscoveryLogEntry.EFLAGS_DUPRETINFO | DiscoveryLogEntry.EFLAGS_EPCSD).trsvcid("8009")
            .subnqn(Nqn.DISCOVERY).traddr("192.168.1.10");

        assertThat(buf.array()).isEqualTo(discoveryLog());
    }

    @Test
    void shouldDecodeDiscoveryLogWithTwoEntries() {
        final ByteBuffer buf = ByteBuffer.wrap(discoveryLog());
        final DiscoveryLogPage page = new DiscoveryLogPage().wrap(buf, 0);
        assertThat(page.genctr()).isEqualTo(42);
        assertThat(page.numrec()).isEqualTo(2);
        assertThat(DiscoveryLogPage.pageLength(page.numrec())).isEqualTo(3072);

        final DiscoveryLogEntry e = new DiscoveryLogEntry().wrapEntry(buf, 0, 0);
        assertThat(e.trtype()).isEqualTo(3);
        assertThat(e.adrfam()).isEqualTo(1);
        assertThat(e.subtype()).isEqualTo(2);
        assertThat(e.secureChannel()).isEqualTo(DiscoveryLogEntry.TREQ_SECURE_CHANNEL_NOT_REQUIRED);
        assertThat(e.treq() & DiscoveryLogEntry.TREQ_DISABLE_SQ_FLOW_CONTROL).isNotZero();
        assertThat(e.portid()).isEqualTo(1);
        assertThat(e.cntlid()).isEqualTo(0xFFFF);
        assertThat(e.asqsz()).isEqualTo(32);
        assertThat(e.trsvcid()).isEqualTo("4420");
        assertThat(e.subnqn()).isEqualTo(SUBNQN);
        assertThat(e.checkSubnqn()).isEqualTo(NqnCheck.VALID);
        assertThat(e.traddr()).isEqualTo("192.168.1.10");
        assertThat(e.sectype()).isZero();

        e.wrapEntry(buf, 0, 1);
        assertThat(e.subtype()).isEqualTo(DiscoveryLogEntry.SUBTYPE_CURRENT_DISCOVERY);
        assertThat(e.eflags()).isEqualTo(3);
        assertThat(e.trsvcid()).isEqualTo("8009");
        assertThat(e.subnqn()).isEqualTo(Nqn.DISCOVERY);
        assertThat(e.toString()).contains("8009");
    }

    @Test
    void shouldReadNulPaddedAddressesLikeLinuxTargetWritesThem() {
        final byte[] a = new byte[1024];
        ascii(a, 32, 32, "4420", '\0');
        ascii(a, 512, 256, "fe80::1", '\0');
        final DiscoveryLogEntry e = new DiscoveryLogEntry().wrap(ByteBuffer.wrap(a), 0);
        assertThat(e.trsvcid()).isEqualTo("4420");
        assertThat(e.traddr()).isEqualTo("fe80::1");
    }

    @Test
    void shouldReencodeDiscoveryEntryExactly() {
        final byte[] golden = discoveryLog();
        final DiscoveryLogEntry in = new DiscoveryLogEntry().wrapEntry(ByteBuffer.wrap(golden), 0, 0);
        final ByteBuffer out = ByteBuffer.allocateDirect(1024);
        new DiscoveryLogEntry().wrap(out, 0).clear().trtype(in.trtype()).adrfam(in.adrfam()).subtype(in.subtype())
            .treq(in.treq()).portid(in.portid()).cntlid(in.cntlid()).asqsz(in.asqsz()).eflags(in.eflags())
            .trsvcid(in.trsvcid()).subnqn(in.subnqn()).traddr(in.traddr()).sectype(in.sectype());
        assertThat(Hex.of(out, 0, 1024)).isEqualTo(Hex.of(golden).substring(2048, 4096));
    }

    @Property
    void shouldNeverThrowReadingArbitraryDiscoveryEntries(@ForAll @Size(1024) final byte[] bytes) {
        final DiscoveryLogEntry e = new DiscoveryLogEntry().wrap(ByteBuffer.wrap(bytes), 0);
        assertThatCode(() -> {
            e.trsvcid();
            e.traddr();
            e.subnqn();
            e.checkSubnqn();
            e.toString();
        }).doesNotThrowAnyException();
    }

    @Test
    void shouldEncodeErrorInformationEntry() {
        final ByteBuffer buf = ByteBuffer.allocate(64);
        new ErrorInformationEntry().wrap(buf, 0).clear().errorCount(7).sqid(1).cid(0x22)
            .status(NvmeStatus.LBA_OUT_OF_RANGE.status() | 0x4000)
            .parameterErrorLocation(ErrorInformationEntry.parameterErrorLocation(40, 0)).lba(0x1000).nsid(1)
            .trtype(3);

        final byte[] a = new byte[64];
        le(a, 0, 7, 8);
        le(a, 8, 1, 2);
        le(a, 10, 0x22, 2);
        le(a, 12, 0x4080 << 1, 2);
        le(a, 14, 40, 2);
        le(a, 16, 0x1000, 8);
        le(a, 24, 1, 4);
        a[29] = 3;
        assertThat(buf.array()).isEqualTo(a);
        final ErrorInformationEntry e = new ErrorInformationEntry().wrap(ByteBuffer.wrap(a), 0);
        assertThat(e.status()).isEqualTo(0x4080);
        assertThat(NvmeStatus.describe(e.status())).isEqualTo("LBA out of range (0x80) [DNR]");
        assertThat(e.errorCount()).isEqualTo(7);
        assertThat(e.parameterErrorLocation()).isEqualTo(40);
    }

    @Test
    void shouldEncodeSmartHealthLog() {
        final ByteBuffer buf = ByteBuffer.allocate(512);
        new SmartHealthLog().wrap(buf, 0).clear().criticalWarning(0)
            .compositeTemperature(SmartHealthLog.ZERO_CELSIUS_KELVIN + 35).availableSpare(100)
            .availableSpareThreshold(10).percentageUsed(1).dataUnitsRead(SmartHealthLog.dataUnits(1_024_000))
            .dataUnitsWritten(0x1_0000_0000L).hostReadCommands(12345).hostWriteCommands(678).powerCycles(3)
            .powerOnHours(24).unsafeShutdowns(1).mediaErrors(0).errorLogEntries(2).temperatureSensor(1, 300);

        final byte[] a = new byte[512];
        le(a, 1, 308, 2);
        a[3] = 100;
        a[4] = 10;
        a[5] = 1;
        le(a, 32, 2, 8);
        le(a, 48, 0x1_0000_0000L, 8);
        le(a, 64, 12345, 8);
        le(a, 80, 678, 8);
        le(a, 112, 3, 8);
        le(a, 128, 24, 8);
        le(a, 144, 1, 8);
        le(a, 176, 2, 8);
        le(a, 200, 300, 2);
        assertThat(buf.array()).isEqualTo(a);

        final SmartHealthLog log = new SmartHealthLog().wrap(ByteBuffer.wrap(a), 0);
        assertThat(log.compositeTemperature()).isEqualTo(308);
        assertThat(log.dataUnitsWritten()).isEqualTo(0x1_0000_0000L);
        assertThat(log.counterHigh(SmartHealthLog.DATA_UNITS_WRITTEN_OFFSET)).isZero();
        assertThat(log.powerOnHours()).isEqualTo(24);
        assertThat(log.temperatureSensor(1)).isEqualTo(300);
        assertThat(log.temperatureSensor(8)).isZero();
        assertThatThrownBy(() -> log.counter(33)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRoundDataUnitsUp() {
        assertThat(SmartHealthLog.dataUnits(0)).isZero();
        assertThat(SmartHealthLog.dataUnits(1)).isEqualTo(1);
        assertThat(SmartHealthLog.dataUnits(512_000)).isEqualTo(1);
        assertThat(SmartHealthLog.dataUnits(512_001)).isEqualTo(2);
        assertThat(SmartHealthLog.dataUnits(-1L)).isEqualTo(36_028_797_018_964L);
    }
}
