package org.nvmeof4j.protocol.nvme;

/**
 * The completion statuses the stack produces or has to understand, each with its SCT, SC and spec name.
 *
 * <p><b>Encoding.</b> {@link #status()} is {@code (sct << 8) | sc}: the status field of a CQE shifted right by one
 * (dropping the phase tag) with CRD, More and DNR masked off; Linux uses the same value ({@code NVME_SC_*}, e.g.
 * {@code NVME_SC_CONNECT_INVALID_PARAM = 0x182}). DNR, More and CRD are flags of one completion, not of the status,
 * and stay separate (see {@link Cqe#STATUS_DNR}). {@link #of(int)} and {@link #describe(int)} accept either form,
 * i.e. any 15-bit value from {@link Cqe#status()}.
 *
 * <p><b>Sources.</b> Generic (SCT 0): NVMe Base 2.0, section 4.2.3.2, Figure "Generic Command Status Values" (and
 * 0x80..0x84 "Generic Command Status Values, NVM Command Set"). Command specific (SCT 1): Figure "Command Specific
 * Status Values"; 0x80..0x82 for NVM I/O commands from the NVM Command Set 1.0, section 3.3.1; 0x80..0x84, 0x90, 0x91
 * for Fabrics commands from NVMe over Fabrics 1.1, section 3.3.1 / NVMe Base 2.0 Figure "Status Code - Command
 * Specific Status Values" (Connect, Get Log Page of the discovery log, authentication). Media (SCT 2): Figure "Media
 * and Data Integrity Errors Values". Path (SCT 3): Figure "Path Related Status Values". Every code was checked against
 * Linux {@code include/linux/nvme.h}.
 *
 * <p><b>Ambiguity.</b> Command-specific codes 0x80..0xBF depend on the command set: 0x182 is "Connect Invalid
 * Parameters" for a Fabrics command and "Attempted Write to Read Only Range" for an NVM command. {@link #of(int)}
 * resolves such codes to the Fabrics meaning; {@link #of(int, int)} chooses by opcode.
 */
public enum NvmeStatus {
    // ---- SCT 0: Generic Command Status
    /** 00h Successful Completion. */
    SUCCESS(0, 0x00, "Successful completion"),
    /** 01h Invalid Command Opcode. */
    INVALID_OPCODE(0, 0x01, "Invalid command opcode"),
    /** 02h Invalid Field in Command. */
    INVALID_FIELD(0, 0x02, "Invalid field in command"),
    /** 03h Command ID Conflict. */
    COMMAND_ID_CONFLICT(0, 0x03, "Command ID conflict"),
    /** 04h Data Transfer Error (also a data digest error over NVMe/TCP). */
    DATA_TRANSFER_ERROR(0, 0x04, "Data transfer error"),
    /** 05h Commands Aborted due to Power Loss Notification. */
    ABORTED_POWER_LOSS(0, 0x05, "Commands aborted due to power loss notification"),
    /** 06h Internal Error. */
    INTERNAL_ERROR(0, 0x06, "Internal error"),
    /** 07h Command Abort Requested. */
    ABORT_REQUESTED(0, 0x07, "Command abort requested"),
    /** 08h Command Aborted due to SQ Deletion. */
    ABORTED_SQ_DELETION(0, 0x08, "Command aborted due to SQ deletion"),
    /** 09h Command Aborted due to Failed Fused Command. */
    ABORTED_FAILED_FUSED(0, 0x09, "Command aborted due to failed fused command"),
    /** 0Ah Command Aborted due to Missing Fused Command. */
    ABORTED_MISSING_FUSED(0, 0x0A, "Command aborted due to missing fused command"),
    /** 0Bh Invalid Namespace or Format. */
    INVALID_NAMESPACE_OR_FORMAT(0, 0x0B, "Invalid namespace or format"),
    /** 0Ch Command Sequence Error. */
    COMMAND_SEQUENCE_ERROR(0, 0x0C, "Command sequence error"),
    /** 0Dh Invalid SGL Segment Descriptor. */
    INVALID_SGL_SEGMENT_DESCRIPTOR(0, 0x0D, "Invalid SGL segment descriptor"),
    /** 0Eh Invalid Number of SGL Descriptors. */
    INVALID_NUMBER_OF_SGL_DESCRIPTORS(0, 0x0E, "Invalid number of SGL descriptors"),
    /** 0Fh Data SGL Length Invalid. */
    DATA_SGL_LENGTH_INVALID(0, 0x0F, "Data SGL length invalid"),
    /** 10h Metadata SGL Length Invalid. */
    METADATA_SGL_LENGTH_INVALID(0, 0x10, "Metadata SGL length invalid"),
    /** 11h SGL Descriptor Type Invalid. */
    SGL_DESCRIPTOR_TYPE_INVALID(0, 0x11, "SGL descriptor type invalid"),
    /** 12h Invalid Use of Controller Memory Buffer. */
    INVALID_USE_OF_CMB(0, 0x12, "Invalid use of controller memory buffer"),
    /** 13h PRP Offset Invalid. */
    PRP_OFFSET_INVALID(0, 0x13, "PRP offset invalid"),
    /** 14h Atomic Write Unit Exceeded. */
    ATOMIC_WRITE_UNIT_EXCEEDED(0, 0x14, "Atomic write unit exceeded"),
    /** 15h Operation Denied. */
    OPERATION_DENIED(0, 0x15, "Operation denied"),
    /** 16h SGL Offset Invalid. */
    SGL_OFFSET_INVALID(0, 0x16, "SGL offset invalid"),
    /** 18h Host Identifier Inconsistent Format. */
    HOST_IDENTIFIER_INCONSISTENT_FORMAT(0, 0x18, "Host identifier inconsistent format"),
    /** 19h Keep Alive Timer Expired. */
    KEEP_ALIVE_TIMER_EXPIRED(0, 0x19, "Keep alive timer expired"),
    /** 1Ah Keep Alive Timeout Invalid. */
    KEEP_ALIVE_TIMEOUT_INVALID(0, 0x1A, "Keep alive timeout invalid"),
    /** 1Bh Command Aborted due to Preempt and Abort. */
    ABORTED_PREEMPT_AND_ABORT(0, 0x1B, "Command aborted due to preempt and abort"),
    /** 1Ch Sanitize Failed. */
    SANITIZE_FAILED(0, 0x1C, "Sanitize failed"),
    /** 1Dh Sanitize In Progress. */
    SANITIZE_IN_PROGRESS(0, 0x1D, "Sanitize in progress"),
    /** 1Eh SGL Data Block Granularity Invalid. */
    SGL_DATA_BLOCK_GRANULARITY_INVALID(0, 0x1E, "SGL data block granularity invalid"),
    /** 1Fh Command Not Supported for Queue in CMB. */
    COMMAND_NOT_SUPPORTED_FOR_QUEUE_IN_CMB(0, 0x1F, "Command not supported for queue in CMB"),
    /** 20h Namespace is Write Protected. */
    NAMESPACE_WRITE_PROTECTED(0, 0x20, "Namespace is write protected"),
    /** 21h Command Interrupted. */
    COMMAND_INTERRUPTED(0, 0x21, "Command interrupted"),
    /** 22h Transient Transport Error. */
    TRANSIENT_TRANSPORT_ERROR(0, 0x22, "Transient transport error"),
    /** 24h Admin Command Media Not Ready. */
    ADMIN_COMMAND_MEDIA_NOT_READY(0, 0x24, "Admin command media not ready"),
    /** 2Ch Invalid I/O Command Set. */
    INVALID_IO_COMMAND_SET(0, 0x2C, "Invalid I/O command set"),
    /** 80h LBA Out of Range. */
    LBA_OUT_OF_RANGE(0, 0x80, "LBA out of range"),
    /** 81h Capacity Exceeded. */
    CAPACITY_EXCEEDED(0, 0x81, "Capacity exceeded"),
    /** 82h Namespace Not Ready. */
    NAMESPACE_NOT_READY(0, 0x82, "Namespace not ready"),
    /** 83h Reservation Conflict. */
    RESERVATION_CONFLICT(0, 0x83, "Reservation conflict"),
    /** 84h Format In Progress. */
    FORMAT_IN_PROGRESS(0, 0x84, "Format in progress"),

    // ---- SCT 1: Command Specific Status
    /** 00h Completion Queue Invalid (Create I/O SQ). */
    COMPLETION_QUEUE_INVALID(1, 0x00, "Completion queue invalid"),
    /** 01h Invalid Queue Identifier (Create/Delete queue). */
    INVALID_QUEUE_IDENTIFIER(1, 0x01, "Invalid queue identifier"),
    /** 02h Invalid Queue Size. */
    INVALID_QUEUE_SIZE(1, 0x02, "Invalid queue size"),
    /** 03h Abort Command Limit Exceeded. */
    ABORT_COMMAND_LIMIT_EXCEEDED(1, 0x03, "Abort command limit exceeded"),
    /** 05h Asynchronous Event Request Limit Exceeded. */
    ASYNC_EVENT_REQUEST_LIMIT_EXCEEDED(1, 0x05, "Asynchronous event request limit exceeded"),
    /** 06h Invalid Firmware Slot. */
    INVALID_FIRMWARE_SLOT(1, 0x06, "Invalid firmware slot"),
    /** 07h Invalid Firmware Image. */
    INVALID_FIRMWARE_IMAGE(1, 0x07, "Invalid firmware image"),
    /** 08h Invalid Interrupt Vector. */
    INVALID_INTERRUPT_VECTOR(1, 0x08, "Invalid interrupt vector"),
    /** 09h Invalid Log Page. */
    INVALID_LOG_PAGE(1, 0x09, "Invalid log page"),
    /** 0Ah Invalid Format. */
    INVALID_FORMAT(1, 0x0A, "Invalid format"),
    /** 0Ch Invalid Queue Deletion. */
    INVALID_QUEUE_DELETION(1, 0x0C, "Invalid queue deletion"),
    /** 0Dh Feature Identifier Not Saveable. */
    FEATURE_NOT_SAVEABLE(1, 0x0D, "Feature identifier not saveable"),
    /** 0Eh Feature Not Changeable. */
    FEATURE_NOT_CHANGEABLE(1, 0x0E, "Feature not changeable"),
    /** 0Fh Feature Not Namespace Specific. */
    FEATURE_NOT_NAMESPACE_SPECIFIC(1, 0x0F, "Feature not namespace specific"),
    /** 18h Namespace Already Attached. */
    NAMESPACE_ALREADY_ATTACHED(1, 0x18, "Namespace already attached"),
    /** 19h Namespace Is Private. */
    NAMESPACE_IS_PRIVATE(1, 0x19, "Namespace is private"),
    /** 1Ah Namespace Not Attached. */
    NAMESPACE_NOT_ATTACHED(1, 0x1A, "Namespace not attached"),
    /** 1Fh Controller Identifier Invalid. */
    CONTROLLER_IDENTIFIER_INVALID(1, 0x1F, "Controller identifier invalid"),
    /** 80h Connect Incompatible Format (Fabrics). */
    CONNECT_INCOMPATIBLE_FORMAT(1, 0x80, "Connect incompatible format", Scope.FABRICS),
    /** 81h Connect Controller Busy (Fabrics). */
    CONTROLLER_BUSY(1, 0x81, "Connect controller busy", Scope.FABRICS),
    /** 82h Connect Invalid Parameters (Fabrics); DW0 holds IATTR/IPO. */
    CONNECT_INVALID_PARAMETERS(1, 0x82, "Connect invalid parameters", Scope.FABRICS),
    /** 83h Connect Restart Discovery (Fabrics). */
    CONNECT_RESTART_DISCOVERY(1, 0x83, "Connect restart discovery", Scope.FABRICS),
    /** 84h Connect Invalid Host (Fabrics). */
    CONNECT_INVALID_HOST(1, 0x84, "Connect invalid host", Scope.FABRICS),
    /** 90h Discovery Restart (Get Log Page of the discovery log). */
    LOG_RESTART_DISCOVERY(1, 0x90, "Discovery restart", Scope.FABRICS),
    /** 91h Authentication Required. */
    AUTH_REQUIRED(1, 0x91, "Authentication required", Scope.FABRICS),
    /** 80h Conflicting Attributes (NVM command set: Dataset Management, Read, Write). */
    CONFLICTING_ATTRIBUTES(1, 0x80, "Conflicting attributes", Scope.NVM),
    /** 81h Invalid Protection Information (NVM command set). */
    INVALID_PROTECTION_INFORMATION(1, 0x81, "Invalid protection information", Scope.NVM),
    /** 82h Attempted Write to Read Only Range (NVM command set). */
    ATTEMPTED_WRITE_TO_READ_ONLY_RANGE(1, 0x82, "Attempted write to read only range", Scope.NVM),

    // ---- SCT 2: Media and Data Integrity Errors
    /** 80h Write Fault. */
    WRITE_FAULT(2, 0x80, "Write fault"),
    /** 81h Unrecovered Read Error. */
    UNRECOVERED_READ_ERROR(2, 0x81, "Unrecovered read error"),
    /** 82h End-to-end Guard Check Error. */
    END_TO_END_GUARD_CHECK_ERROR(2, 0x82, "End-to-end guard check error"),
    /** 83h End-to-end Application Tag Check Error. */
    END_TO_END_APPLICATION_TAG_CHECK_ERROR(2, 0x83, "End-to-end application tag check error"),
    /** 84h End-to-end Reference Tag Check Error. */
    END_TO_END_REFERENCE_TAG_CHECK_ERROR(2, 0x84, "End-to-end reference tag check error"),
    /** 85h Compare Failure. */
    COMPARE_FAILURE(2, 0x85, "Compare failure"),
    /** 86h Access Denied. */
    ACCESS_DENIED(2, 0x86, "Access denied"),
    /** 87h Deallocated or Unwritten Logical Block. */
    DEALLOCATED_OR_UNWRITTEN_LOGICAL_BLOCK(2, 0x87, "Deallocated or unwritten logical block"),

    // ---- SCT 3: Path Related Status
    /** 00h Internal Path Error. */
    INTERNAL_PATH_ERROR(3, 0x00, "Internal path error"),
    /** 01h Asymmetric Access Persistent Loss. */
    ASYMMETRIC_ACCESS_PERSISTENT_LOSS(3, 0x01, "Asymmetric access persistent loss"),
    /** 02h Asymmetric Access Inaccessible. */
    ASYMMETRIC_ACCESS_INACCESSIBLE(3, 0x02, "Asymmetric access inaccessible"),
    /** 03h Asymmetric Access Transition. */
    ASYMMETRIC_ACCESS_TRANSITION(3, 0x03, "Asymmetric access transition"),
    /** 60h Controller Pathing Error. */
    CONTROLLER_PATHING_ERROR(3, 0x60, "Controller pathing error"),
    /** 70h Host Pathing Error. */
    HOST_PATHING_ERROR(3, 0x70, "Host pathing error"),
    /** 71h Command Aborted By Host. */
    COMMAND_ABORTED_BY_HOST(3, 0x71, "Command aborted by host");

    /** Mask of SCT and SC in a status value. */
    public static final int SCT_SC_MASK = 0x7FF;

    /** Which commands a command-specific code belongs to when the same SC means different things. */
    private enum Scope { ANY, FABRICS, NVM }

    private static final NvmeStatus[] FABRICS_OR_ANY = new NvmeStatus[SCT_SC_MASK + 1];
    private static final NvmeStatus[] NVM_OR_ANY = new NvmeStatus[SCT_SC_MASK + 1];

    static {
        for (final NvmeStatus s : values()) {
            if (s.scope != Scope.NVM) {
                FABRICS_OR_ANY[s.status] = s;
            }
        }
        System.arraycopy(FABRICS_OR_ANY, 0, NVM_OR_ANY, 0, NVM_OR_ANY.length);
        for (final NvmeStatus s : values()) {
            if (s.scope == Scope.NVM) {
                NVM_OR_ANY[s.status] = s;
            }
        }
    }

    private final int sct;
    private final int sc;
    private final int status;
    private final String title;
    private final Scope scope;

    NvmeStatus(final int sct, final int sc, final String title) {
        this(sct, sc, title, Scope.ANY);
    }

    NvmeStatus(final int sct, final int sc, final String title, final Scope scope) {
        this.sct = sct;
        this.sc = sc;
        this.status = (sct << 8) | sc;
        this.title = title;
        this.scope = scope;
    }

    /** SCT: status code type (0..7). */
    public int sct() {
        return sct;
    }

    /** SC: status code (0..255). */
    public int sc() {
        return sc;
    }

    /** {@code (sct << 8) | sc}; see the class comment. */
    public int status() {
        return status;
    }

    /** Human readable name, e.g. "LBA out of range". */
    public String title() {
        return title;
    }

    /** The status code type as an enum. */
    public StatusCodeType statusCodeType() {
        return StatusCodeType.valueOf(sct);
    }

    /**
     * The constant for {@code status} (SCT and SC; CRD, More and DNR are ignored), preferring the Fabrics meaning of
     * ambiguous command-specific codes; {@code null} if the code is not one of these constants.
     */
    public static NvmeStatus of(final int status) {
        return FABRICS_OR_ANY[status & SCT_SC_MASK];
    }

    /**
     * The constant for {@code status} of a command with {@code opcode}: command-specific codes 0x80.. take their
     * Fabrics meaning for opcode 0x7F and their NVM command set meaning otherwise; {@code null} if not known.
     */
    public static NvmeStatus of(final int status, final int opcode) {
        return (opcode == Opcodes.FABRICS ? FABRICS_OR_ANY : NVM_OR_ANY)[status & SCT_SC_MASK];
    }

    /** SCT and SC of {@code status}, {@code (sct << 8) | sc}, from any 15-bit status value. */
    public static int sctSc(final int status) {
        return status & SCT_SC_MASK;
    }

    /** Builds {@code (sct << 8) | sc}. */
    public static int status(final int sct, final int sc) {
        return ((sct & 0x7) << 8) | (sc & 0xFF);
    }

    /**
     * Names any 15-bit status value: e.g. {@code "LBA out of range (0x80)"}, {@code "Connect invalid parameters
     * (0x182)"}, {@code "Generic Command Status 0x99 (unknown)"}; the number in brackets is {@code (sct << 8) | sc}
     * in hex. DNR, More and a non-zero CRD are appended as {@code " [DNR]"}, {@code " [More]"}, {@code " [CRD n]"}.
     * Never throws. Ambiguous command-specific codes take their Fabrics meaning, see {@link #describe(int, int)}.
     */
    public static String describe(final int status) {
        return describe(status, of(status));
    }

    /**
     * Like {@link #describe(int)}, resolving command-specific codes by {@code opcode} as {@link #of(int, int)}
     * does.
     */
    public static String describe(final int status, final int opcode) {
        return describe(status, of(status, opcode));
    }

    private static String describe(final int status, final NvmeStatus known) {
        final int sctSc = status & SCT_SC_MASK;
        final StringBuilder sb = new StringBuilder(64);
        if (known != null) {
            sb.append(known.title).append(" (0x").append(Integer.toHexString(sctSc)).append(')');
        } else {
            sb.append(StatusCodeType.valueOf(sctSc >>> 8).title()).append(" 0x").append(Opcodes.hex2(sctSc))
                .append(" (unknown)");
        }
        if ((status & Cqe.STATUS_DNR) != 0) {
            sb.append(" [DNR]");
        }
        if ((status & Cqe.STATUS_MORE) != 0) {
            sb.append(" [More]");
        }
        final int crd = (status >>> Cqe.STATUS_CRD_SHIFT) & 0x3;
        if (crd != 0) {
            sb.append(" [CRD ").append(crd).append(']');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return name() + "(" + describe(status, this) + ")";
    }
}
