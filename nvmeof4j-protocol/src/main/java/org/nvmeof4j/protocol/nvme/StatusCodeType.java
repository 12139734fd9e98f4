package org.nvmeof4j.protocol.nvme;

/** SCT: Status Code Type of a completion (NVMe Base 2.0, section 4.2.3.1, Figure "Status Code Type Values"). */
public enum StatusCodeType {
    /** 0h: Generic Command Status. */
    GENERIC(0x0, "Generic Command Status"),
    /** 1h: Command Specific Status. */
    COMMAND_SPECIFIC(0x1, "Command Specific Status"),
    /** 2h: Media and Data Integrity Errors. */
    MEDIA_AND_DATA_INTEGRITY(0x2, "Media and Data Integrity Error"),
    /** 3h: Path Related Status. */
    PATH_RELATED(0x3, "Path Related Status"),
    /** 4h..6h: reserved. */
    RESERVED_4(0x4, "Reserved Status Code Type 4h"),
    /** 5h: reserved. */
    RESERVED_5(0x5, "Reserved Status Code Type 5h"),
    /** 6h: reserved. */
    RESERVED_6(0x6, "Reserved Status Code Type 6h"),
    /** 7h: Vendor Specific. */
    VENDOR_SPECIFIC(0x7, "Vendor Specific Status");

    private static final StatusCodeType[] BY_CODE = values();

    private final int code;
    private final String title;

    StatusCodeType(final int code, final String title) {
        this.code = code;
        this.title = title;
    }

    /** The 3-bit wire code. */
    public int code() {
        return code;
    }

    /** Human readable name, e.g. "Generic Command Status". */
    public String title() {
        return title;
    }

    /** The type for SCT {@code code} (bits 2:0 are used). */
    public static StatusCodeType valueOf(final int code) {
        return BY_CODE[code & 0x7];
    }
}
