package org.nvmeof4j.protocol.admin;

/**
 * DW0 of an Asynchronous Event Request completion (NVMe Base 2.0, section 5.2.1, Figure "Asynchronous Event Request –
 * Completion Queue Entry Dword 0"): event type bits 2:0, asynchronous event information bits 15:8, log page identifier
 * bits 23:16 (the log page the host reads to clear the event).
 *
 * <p>A namespace attribute change, as Linux nvmet sends it, is {@code dw0(TYPE_NOTICE,
 * NOTICE_NAMESPACE_ATTRIBUTE_CHANGED, GetLogPage.LID_CHANGED_NAMESPACE_LIST)} = {@code 0x00040002}.
 */
public final class AsyncEvent {

    /** Event type 0: error status. */
    public static final int TYPE_ERROR = 0;
    /** Event type 1: SMART / health status. */
    public static final int TYPE_SMART = 1;
    /** Event type 2: notice. */
    public static final int TYPE_NOTICE = 2;
    /** Event type 3: immediate. */
    public static final int TYPE_IMMEDIATE = 3;
    /** Event type 6: I/O command specific status. */
    public static final int TYPE_IO_COMMAND_SPECIFIC = 6;
    /** Event type 7: vendor specific. */
    public static final int TYPE_VENDOR_SPECIFIC = 7;

    /** Notice 00h: namespace attribute changed (read the Changed Namespace List, LID 04h). */
    public static final int NOTICE_NAMESPACE_ATTRIBUTE_CHANGED = 0x00;
    /** Notice 01h: firmware activation starting. */
    public static final int NOTICE_FIRMWARE_ACTIVATION_STARTING = 0x01;
    /** Notice 02h: telemetry log changed. */
    public static final int NOTICE_TELEMETRY_LOG_CHANGED = 0x02;
    /** Notice 03h: asymmetric namespace access change. */
    public static final int NOTICE_ANA_CHANGE = 0x03;
    /** Notice F0h: discovery log page change (discovery controllers; read LID 70h). */
    public static final int NOTICE_DISCOVERY_LOG_CHANGE = 0xF0;

    /** DW0 announcing a namespace attribute change. */
    public static final int NAMESPACE_ATTRIBUTE_CHANGED =
        dw0(TYPE_NOTICE, NOTICE_NAMESPACE_ATTRIBUTE_CHANGED, GetLogPage.LID_CHANGED_NAMESPACE_LIST);
    /** DW0 announcing an asymmetric namespace access change (read the ANA log page, LID 0Ch). */
    public static final int ANA_CHANGE = dw0(TYPE_NOTICE, NOTICE_ANA_CHANGE, GetLogPage.LID_ANA);
    /** DW0 announcing a discovery log page change. */
    public static final int DISCOVERY_LOG_CHANGED =
        dw0(TYPE_NOTICE, NOTICE_DISCOVERY_LOG_CHANGE, GetLogPage.LID_DISCOVERY);

    private AsyncEvent() {
    }

    /** Builds DW0 from the event type, information and log page identifier. */
    public static int dw0(final int type, final int info, final int logPage) {
        return (type & 0x7) | ((info & 0xFF) << 8) | ((logPage & 0xFF) << 16);
    }

    /** Asynchronous event type, bits 2:0. */
    public static int type(final int dw0) {
        return dw0 & 0x7;
    }

    /** Asynchronous event information, bits 15:8. */
    public static int info(final int dw0) {
        return (dw0 >>> 8) & 0xFF;
    }

    /** Log page identifier, bits 23:16. */
    public static int logPage(final int dw0) {
        return (dw0 >>> 16) & 0xFF;
    }
}
