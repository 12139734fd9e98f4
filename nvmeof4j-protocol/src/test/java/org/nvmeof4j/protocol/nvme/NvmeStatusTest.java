package org.nvmeof4j.protocol.nvme;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class NvmeStatusTest {

    @Test
    void shouldCarrySpecCodes() {
        // values cross-checked with Linux include/linux/nvme.h NVME_SC_*
        assertThat(NvmeStatus.SUCCESS.status()).isEqualTo(0x000);
        assertThat(NvmeStatus.INVALID_OPCODE.status()).isEqualTo(0x001);
        assertThat(NvmeStatus.INVALID_FIELD.status()).isEqualTo(0x002);
        assertThat(NvmeStatus.COMMAND_ID_CONFLICT.status()).isEqualTo(0x003);
        assertThat(NvmeStatus.DATA_TRANSFER_ERROR.status()).isEqualTo(0x004);
        assertThat(NvmeStatus.ABORTED_POWER_LOSS.status()).isEqualTo(0x005);
        assertThat(NvmeStatus.INTERNAL_ERROR.status()).isEqualTo(0x006);
        assertThat(NvmeStatus.ABORT_REQUESTED.status()).isEqualTo(0x007);
        assertThat(NvmeStatus.ABORTED_SQ_DELETION.status()).isEqualTo(0x008);
        assertThat(NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.status()).isEqualTo(0x00B);
        assertThat(NvmeStatus.COMMAND_SEQUENCE_ERROR.status()).isEqualTo(0x00C);
        assertThat(NvmeStatus.INVALID_SGL_SEGMENT_DESCRIPTOR.status()).isEqualTo(0x00D);
        assertThat(NvmeStatus.DATA_SGL_LENGTH_INVALID.status()).isEqualTo(0x00F);
        assertThat(NvmeStatus.SGL_DESCRIPTOR_TYPE_INVALID.status()).isEqualTo(0x011);
        assertThat(NvmeStatus.INVALID_USE_OF_CMB.status()).isEqualTo(0x012);
        assertThat(NvmeStatus.KEEP_ALIVE_TIMER_EXPIRED.status()).isEqualTo(0x019);
        assertThat(NvmeStatus.KEEP_ALIVE_TIMEOUT_INVALID.status()).isEqualTo(0x01A);
        assertThat(NvmeStatus.TRANSIENT_TRANSPORT_ERROR.status()).isEqualTo(0x022);
        assertThat(NvmeStatus.LBA_OUT_OF_RANGE.status()).isEqualTo(0x080);
        assertThat(NvmeStatus.CAPACITY_EXCEEDED.status()).isEqualTo(0x081);
        assertThat(NvmeStatus.NAMESPACE_NOT_READY.status()).isEqualTo(0x082);
        assertThat(NvmeStatus.INVALID_QUEUE_IDENTIFIER.status()).isEqualTo(0x101);
        assertThat(NvmeStatus.INVALID_QUEUE_SIZE.status()).isEqualTo(0x102);
        assertThat(NvmeStatus.ASYNC_EVENT_REQUEST_LIMIT_EXCEEDED.status()).isEqualTo(0x105);
        assertThat(NvmeStatus.INVALID_LOG_PAGE.status()).isEqualTo(0x109);
        assertThat(NvmeStatus.FEATURE_NOT_SAVEABLE.status()).isEqualTo(0x10D);
        assertThat(NvmeStatus.FEATURE_NOT_CHANGEABLE.status()).isEqualTo(0x10E);
        assertThat(NvmeStatus.CONNECT_INCOMPATIBLE_FORMAT.status()).isEqualTo(0x180);
        assertThat(NvmeStatus.CONTROLLER_BUSY.status()).isEqualTo(0x181);
        assertThat(NvmeStatus.CONNECT_INVALID_PARAMETERS.status()).isEqualTo(0x182);
        assertThat(NvmeStatus.CONNECT_RESTART_DISCOVERY.status()).isEqualTo(0x183);
        assertThat(NvmeStatus.CONNECT_INVALID_HOST.status()).isEqualTo(0x184);
        assertThat(NvmeStatus.LOG_RESTART_DISCOVERY.status()).isEqualTo(0x190);
        assertThat(NvmeStatus.AUTH_REQUIRED.status()).isEqualTo(0x191);
        assertThat(NvmeStatus.ATTEMPTED_WRITE_TO_READ_ONLY_RANGE.status()).isEqualTo(0x182);
        assertThat(NvmeStatus.WRITE_FAULT.status()).isEqualTo(0x280);
        assertThat(NvmeStatus.UNRECOVERED_READ_ERROR.status()).isEqualTo(0x281);
        assertThat(NvmeStatus.COMPARE_FAILURE.status()).isEqualTo(0x285);
        assertThat(NvmeStatus.ACCESS_DENIED.status()).isEqualTo(0x286);
        assertThat(NvmeStatus.DEALLOCATED_OR_UNWRITTEN_LOGICAL_BLOCK.status()).isEqualTo(0x287);
        assertThat(NvmeStatus.INTERNAL_PATH_ERROR.status()).isEqualTo(0x300);
        assertThat(NvmeStatus.ASYMMETRIC_ACCESS_TRANSITION.status()).isEqualTo(0x303);
        assertThat(NvmeStatus.HOST_PATHING_ERROR.status()).isEqualTo(0x370);
        assertThat(NvmeStatus.COMMAND_ABORTED_BY_HOST.status()).isEqualTo(0x371);
    }

    @Test
    void shouldHaveNoDuplicateCodesWithinAScope() {
        final Set<Integer> fabricsView = new HashSet<>();
        for (final NvmeStatus s : NvmeStatus.values()) {
            if (NvmeStatus.of(s.status()) == s) {
                assertThat(fabricsView.add(s.status())).as(s.name()).isTrue();
            } else {
                assertThat(NvmeStatus.of(s.status(), Opcodes.IO_WRITE)).as(s.name()).isEqualTo(s);
            }
            assertThat(s.sct()).isEqualTo(s.status() >>> 8);
            assertThat(s.sc()).isEqualTo(s.status() & 0xFF);
        }
    }

    @Test
    void shouldDescribeKnownStatuses() {
        assertThat(NvmeStatus.describe(0x080)).isEqualTo("LBA out of range (0x80)");
        assertThat(NvmeStatus.describe(0)).isEqualTo("Successful completion (0x0)");
        assertThat(NvmeStatus.describe(0x182)).isEqualTo("Connect invalid parameters (0x182)");
        assertThat(NvmeStatus.describe(0x4182)).isEqualTo("Connect invalid parameters (0x182) [DNR]");
        assertThat(NvmeStatus.describe(0x4182, Opcodes.IO_WRITE))
            .isEqualTo("Attempted write to read only range (0x182) [DNR]");
        assertThat(NvmeStatus.describe(0x2000 | 0x1800 | 0x285)).isEqualTo("Compare failure (0x285) [More] [CRD 3]");
    }

    @Test
    void shouldDescribeUnknownStatuses() {
        assertThat(NvmeStatus.describe(0x099)).isEqualTo("Generic Command Status 0x99 (unknown)");
        assertThat(NvmeStatus.describe(0x1C0)).isEqualTo("Command Specific Status 0xC0 (unknown)");
        assertThat(NvmeStatus.describe(0x2FF)).isEqualTo("Media and Data Integrity Error 0xFF (unknown)");
        assertThat(NvmeStatus.describe(0x7AB | 0x4000)).isEqualTo("Vendor Specific Status 0xAB (unknown) [DNR]");
        assertThat(NvmeStatus.describe(0x401)).isEqualTo("Reserved Status Code Type 4h 0x01 (unknown)");
        assertThat(NvmeStatus.of(0x099)).isNull();
    }

    @Property
    void shouldDescribeAnyValueWithoutThrowing(@ForAll final int status) {
        assertThat(NvmeStatus.describe(status)).isNotBlank();
        assertThat(NvmeStatus.describe(status, Opcodes.FABRICS)).isNotBlank();
    }

    @Property
    void shouldIgnoreFlagsWhenLookingUp(@ForAll @IntRange(min = 0, max = 0x7FF) final int sctSc,
                                        @ForAll @IntRange(min = 0, max = 0xF) final int flags) {
        assertThat(NvmeStatus.of(sctSc | (flags << 11))).isEqualTo(NvmeStatus.of(sctSc));
    }

    @Test
    void shouldCarryStatusInException() {
        final NvmeStatusException e = new NvmeStatusException(NvmeStatus.INVALID_FIELD, true);
        assertThat(e.status()).isEqualTo(0x4002);
        assertThat(e.sctSc()).isEqualTo(0x002);
        assertThat(e.dnr()).isTrue();
        assertThat(e.nvmeStatus()).isEqualTo(NvmeStatus.INVALID_FIELD);
        assertThat(e).hasMessage("Invalid field in command (0x2) [DNR]");
        assertThat(new NvmeStatusException("Identify CNS 0x42", 0x002))
            .hasMessage("Identify CNS 0x42: Invalid field in command (0x2)");
        assertThat(new NvmeStatusException(0x1FE).nvmeStatus()).isNull();
    }
}
