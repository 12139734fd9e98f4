package org.nvmeof4j.protocol.admin;

import org.nvmeof4j.protocol.nvme.Opcodes;
import org.nvmeof4j.protocol.nvme.Sqe;

/**
 * Get Features / Set Features (opcodes 0Ah / 09h; NVMe Base 2.0, sections 5.15 and 5.27): feature identifiers, SQE
 * fields and the encodings of the features a fabrics controller implements.
 *
 * <pre>
 *  CDW10: Set Features: SV 31 | FID 7:0     Get Features: SEL 10:8 | FID 7:0
 *  CDW11: feature specific value (Set) / feature specific parameter; CQE DW0 returns the (Get) value
 * </pre>
 */
public final class Features {

    /** FID 01h: Arbitration. */
    public static final int FID_ARBITRATION = 0x01;
    /** FID 02h: Power Management. */
    public static final int FID_POWER_MANAGEMENT = 0x02;
    /** FID 04h: Temperature Threshold. */
    public static final int FID_TEMPERATURE_THRESHOLD = 0x04;
    /** FID 05h: Error Recovery. */
    public static final int FID_ERROR_RECOVERY = 0x05;
    /** FID 06h: Volatile Write Cache (DW11 bit 0 WCE). */
    public static final int FID_VOLATILE_WRITE_CACHE = 0x06;
    /** FID 07h: Number of Queues (DW11 NCQR 31:16, NSQR 15:0, both 0's based; DW0 of the CQE the same). */
    public static final int FID_NUMBER_OF_QUEUES = 0x07;
    /** FID 08h: Interrupt Coalescing. */
    public static final int FID_INTERRUPT_COALESCING = 0x08;
    /** FID 09h: Interrupt Vector Configuration. */
    public static final int FID_INTERRUPT_VECTOR_CONFIGURATION = 0x09;
    /** FID 0Ah: Write Atomicity Normal. */
    public static final int FID_WRITE_ATOMICITY_NORMAL = 0x0A;
    /** FID 0Bh: Asynchronous Event Configuration (DW11 bits as OAES). */
    public static final int FID_ASYNC_EVENT_CONFIGURATION = 0x0B;
    /** FID 0Eh: Timestamp. */
    public static final int FID_TIMESTAMP = 0x0E;
    /** FID 0Fh: Keep Alive Timer (DW11 KATO in milliseconds). */
    public static final int FID_KEEP_ALIVE_TIMER = 0x0F;
    /** FID 16h: Host Behavior Support. */
    public static final int FID_HOST_BEHAVIOR = 0x16;
    /** FID 81h: Host Identifier. */
    public static final int FID_HOST_IDENTIFIER = 0x81;

    /** Get Features SEL: current value. */
    public static final int SEL_CURRENT = 0b000;
    /** Get Features SEL: default value. */
    public static final int SEL_DEFAULT = 0b001;
    /** Get Features SEL: saved value. */
    public static final int SEL_SAVED = 0b010;
    /** Get Features SEL: supported capabilities. */
    public static final int SEL_SUPPORTED_CAPABILITIES = 0b011;

    /** Set Features CDW10 bit 31: Save. */
    public static final int CDW10_SV = 1 << 31;

    /** Asynchronous Event Configuration: SMART / health critical warnings bits 7:0. */
    public static final int AEC_SMART_CRITICAL_WARNINGS = 0xFF;
    /** Asynchronous Event Configuration bit 8: Namespace Attribute Notices. */
    public static final int AEC_NAMESPACE_ATTRIBUTE_NOTICES = 1 << 8;
    /** Asynchronous Event Configuration bit 9: Firmware Activation Notices. */
    public static final int AEC_FIRMWARE_ACTIVATION_NOTICES = 1 << 9;
    /** Asynchronous Event Configuration bit 11: ANA Change Notices. */
    public static final int AEC_ANA_CHANGE_NOTICES = 1 << 11;
    /** Asynchronous Event Configuration bit 31: Discovery Log Page Change Notices. */
    public static final int AEC_DISCOVERY_LOG_CHANGE_NOTICES = 1 << 31;

    /** Volatile Write Cache DW11 bit 0: Volatile Write Cache Enable. */
    public static final int VWC_WCE = 1;

    private Features() {
    }

    /** FID from CDW10 bits 7:0. */
    public static int fid(final Sqe sqe) {
        return sqe.cdw10() & 0xFF;
    }

    /** SEL of Get Features, CDW10 bits 10:8. */
    public static int sel(final Sqe sqe) {
        return (sqe.cdw10() >>> 8) & 0x7;
    }

    /** SV of Set Features, CDW10 bit 31. */
    public static boolean save(final Sqe sqe) {
        return (sqe.cdw10() & CDW10_SV) != 0;
    }

    /** Fills {@code sqe} (cleared first) as Set Features {@code fid} with DW11 {@code value}. */
    public static Sqe prepareSet(final Sqe sqe, final int fid, final int value) {
        return sqe.opcode(Opcodes.ADMIN_SET_FEATURES).cdw10(fid & 0xFF).cdw11(value);
    }

    /** Fills {@code sqe} (cleared first) as Get Features {@code fid} with {@code sel}. */
    public static Sqe prepareGet(final Sqe sqe, final int fid, final int sel) {
        return sqe.opcode(Opcodes.ADMIN_GET_FEATURES).cdw10(((sel & 0x7) << 8) | (fid & 0xFF));
    }

    /**
     * Number of Queues value (DW11 of Set Features, and DW0 of the completion): NCQR/NCQA in bits 31:16 and
     * NSQR/NSQA in bits 15:0, both 0's based, from queue counts of 1..65535.
     *
     * @throws IllegalArgumentException if a count is outside 1..65535 (65535 0's based is reserved)
     */
    public static int numberOfQueues(final int submissionQueues, final int completionQueues) {
        if (submissionQueues < 1 || submissionQueues > 65535 || completionQueues < 1 || completionQueues > 65535) {
            throw new IllegalArgumentException("queue counts not in 1..65535: " + submissionQueues + "/"
                + completionQueues);
        }
        return ((completionQueues - 1) << 16) | (submissionQueues - 1);
    }

    /** Number of I/O submission queues (NSQR/NSQA + 1) from a Number of Queues value. */
    public static int submissionQueues(final int value) {
        return (value & 0xFFFF) + 1;
    }

    /** Number of I/O completion queues (NCQR/NCQA + 1) from a Number of Queues value. */
    public static int completionQueues(final int value) {
        return (value >>> 16) + 1;
    }
}
