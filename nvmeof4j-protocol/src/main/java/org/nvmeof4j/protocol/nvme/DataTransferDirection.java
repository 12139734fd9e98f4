package org.nvmeof4j.protocol.nvme;

/**
 * Data transfer direction encoded in bits 1:0 of an opcode (NVMe Base 2.0, section 5 "Opcodes for Admin Commands",
 * Figure "Opcodes"), and in bits 1:0 of a Fabrics command type (NVMe over Fabrics 1.1, section 3.1).
 */
public enum DataTransferDirection {
    /** 00b: no data transfer. */
    NONE(0b00),
    /** 01b: host to controller (a write: Write, Set Features, Connect, ...). */
    HOST_TO_CONTROLLER(0b01),
    /** 10b: controller to host (a read: Read, Identify, Get Log Page, ...). */
    CONTROLLER_TO_HOST(0b10),
    /** 11b: bidirectional. */
    BIDIRECTIONAL(0b11);

    private static final DataTransferDirection[] BY_CODE = values();

    private final int code;

    DataTransferDirection(final int code) {
        this.code = code;
    }

    /** The 2-bit wire code. */
    public int code() {
        return code;
    }

    /** The direction encoded in bits 1:0 of {@code opcodeOrFctype}. */
    public static DataTransferDirection valueOf(final int opcodeOrFctype) {
        return BY_CODE[opcodeOrFctype & 0x3];
    }
}
