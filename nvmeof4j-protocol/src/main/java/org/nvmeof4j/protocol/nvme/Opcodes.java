package org.nvmeof4j.protocol.nvme;

/**
 * Command opcodes and Fabrics command types.
 *
 * <p>Admin opcodes: NVMe Base 2.0, section 5, Figure "Opcodes for Admin Commands". NVM I/O opcodes: NVM Command Set
 * 1.0, section 3, Figure "Opcodes for NVM Commands" (NVMe Base 1.4, section 6). Fabrics (opcode 0x7F) and its FCTYPE
 * values: NVMe over Fabrics 1.1, section 3, Figure "Fabrics Command Type". Opcode bits 1:0 (and FCTYPE bits 1:0) give
 * the {@link DataTransferDirection}.
 */
public final class Opcodes {

    /** Admin: Delete I/O Submission Queue. */
    public static final int ADMIN_DELETE_IO_SQ = 0x00;
    /** Admin: Create I/O Submission Queue. */
    public static final int ADMIN_CREATE_IO_SQ = 0x01;
    /** Admin: Get Log Page. */
    public static final int ADMIN_GET_LOG_PAGE = 0x02;
    /** Admin: Delete I/O Completion Queue. */
    public static final int ADMIN_DELETE_IO_CQ = 0x04;
    /** Admin: Create I/O Completion Queue. */
    public static final int ADMIN_CREATE_IO_CQ = 0x05;
    /** Admin: Identify. */
    public static final int ADMIN_IDENTIFY = 0x06;
    /** Admin: Abort. */
    public static final int ADMIN_ABORT = 0x08;
    /** Admin: Set Features. */
    public static final int ADMIN_SET_FEATURES = 0x09;
    /** Admin: Get Features. */
    public static final int ADMIN_GET_FEATURES = 0x0A;
    /** Admin: Asynchronous Event Request. */
    public static final int ADMIN_ASYNC_EVENT_REQUEST = 0x0C;
    /** Admin: Namespace Management. */
    public static final int ADMIN_NAMESPACE_MANAGEMENT = 0x0D;
    /** Admin: Keep Alive. */
    public static final int ADMIN_KEEP_ALIVE = 0x18;
    /** Fabrics command (admin and I/O queues); the command is selected by FCTYPE at SQE byte 4. */
    public static final int FABRICS = 0x7F;

    /** NVM: Flush. */
    public static final int IO_FLUSH = 0x00;
    /** NVM: Write. */
    public static final int IO_WRITE = 0x01;
    /** NVM: Read. */
    public static final int IO_READ = 0x02;
    /** NVM: Write Uncorrectable. */
    public static final int IO_WRITE_UNCORRECTABLE = 0x04;
    /** NVM: Compare. */
    public static final int IO_COMPARE = 0x05;
    /** NVM: Write Zeroes. */
    public static final int IO_WRITE_ZEROES = 0x08;
    /** NVM: Dataset Management. */
    public static final int IO_DATASET_MANAGEMENT = 0x09;
    /** NVM: Verify. */
    public static final int IO_VERIFY = 0x0C;

    /** FCTYPE: Property Set. */
    public static final int FCTYPE_PROPERTY_SET = 0x00;
    /** FCTYPE: Connect. */
    public static final int FCTYPE_CONNECT = 0x01;
    /** FCTYPE: Property Get. */
    public static final int FCTYPE_PROPERTY_GET = 0x04;
    /** FCTYPE: Authentication Send. */
    public static final int FCTYPE_AUTHENTICATION_SEND = 0x05;
    /** FCTYPE: Authentication Receive. */
    public static final int FCTYPE_AUTHENTICATION_RECEIVE = 0x06;
    /** FCTYPE: Disconnect (NVMe over Fabrics 1.1). */
    public static final int FCTYPE_DISCONNECT = 0x08;

    /** Byte offset of FCTYPE in the SQE of a Fabrics command. */
    public static final int FCTYPE_OFFSET = 4;

    private Opcodes() {
    }

    /** Direction of data transfer encoded in bits 1:0 of an opcode or FCTYPE. */
    public static DataTransferDirection direction(final int opcodeOrFctype) {
        return DataTransferDirection.valueOf(opcodeOrFctype);
    }

    /**
     * Direction of data transfer of the command in {@code sqe}: from FCTYPE for a Fabrics command (as Linux
     * {@code nvme_is_write} does), from the opcode otherwise.
     */
    public static DataTransferDirection direction(final Sqe sqe) {
        final int opcode = sqe.opcode();
        return DataTransferDirection.valueOf(opcode == FABRICS ? fctype(sqe) : opcode);
    }

    /** FCTYPE of a Fabrics command (SQE byte 4). */
    public static int fctype(final Sqe sqe) {
        return sqe.buffer().get(sqe.offset() + FCTYPE_OFFSET) & 0xFF;
    }

    /** A short name of an admin opcode for logs, e.g. "Identify"; "Admin 0x.." when not known. */
    public static String adminName(final int opcode) {
        switch (opcode) {
            case ADMIN_DELETE_IO_SQ: return "Delete I/O SQ";
            case ADMIN_CREATE_IO_SQ: return "Create I/O SQ";
            case ADMIN_GET_LOG_PAGE: return "Get Log Page";
            case ADMIN_DELETE_IO_CQ: return "Delete I/O CQ";
            case ADMIN_CREATE_IO_CQ: return "Create I/O CQ";
            case ADMIN_IDENTIFY: return "Identify";
            case ADMIN_ABORT: return "Abort";
            case ADMIN_SET_FEATURES: return "Set Features";
            case ADMIN_GET_FEATURES: return "Get Features";
            case ADMIN_ASYNC_EVENT_REQUEST: return "Asynchronous Event Request";
            case ADMIN_NAMESPACE_MANAGEMENT: return "Namespace Management";
            case ADMIN_KEEP_ALIVE: return "Keep Alive";
            case FABRICS: return "Fabrics";
            default: return "Admin 0x" + hex2(opcode);
        }
    }

    /** A short name of an NVM I/O opcode for logs, e.g. "Read"; "I/O 0x.." when not known. */
    public static String ioName(final int opcode) {
        switch (opcode) {
            case IO_FLUSH: return "Flush";
            case IO_WRITE: return "Write";
            case IO_READ: return "Read";
            case IO_WRITE_UNCORRECTABLE: return "Write Uncorrectable";
            case IO_COMPARE: return "Compare";
            case IO_WRITE_ZEROES: return "Write Zeroes";
            case IO_DATASET_MANAGEMENT: return "Dataset Management";
            case IO_VERIFY: return "Verify";
            case FABRICS: return "Fabrics";
            default: return "I/O 0x" + hex2(opcode);
        }
    }

    /** A short name of a Fabrics command type for logs, e.g. "Connect"; "Fabrics 0x.." when not known. */
    public static String fabricsName(final int fctype) {
        switch (fctype) {
            case FCTYPE_PROPERTY_SET: return "Property Set";
            case FCTYPE_CONNECT: return "Connect";
            case FCTYPE_PROPERTY_GET: return "Property Get";
            case FCTYPE_AUTHENTICATION_SEND: return "Authentication Send";
            case FCTYPE_AUTHENTICATION_RECEIVE: return "Authentication Receive";
            case FCTYPE_DISCONNECT: return "Disconnect";
            default: return "Fabrics 0x" + hex2(fctype);
        }
    }

    static String hex2(final int v) {
        final String s = Integer.toHexString(v & 0xFF).toUpperCase(java.util.Locale.ROOT);
        return s.length() == 1 ? "0" + s : s;
    }
}
