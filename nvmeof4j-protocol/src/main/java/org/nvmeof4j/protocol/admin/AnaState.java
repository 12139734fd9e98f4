package org.nvmeof4j.protocol.admin;

/**
 * Asymmetric Namespace Access states (NVMe Base 2.0, section 8.1.1 "Asymmetric Namespace Access Reporting"; the
 * ANA State field of an ANA Group Descriptor, Figure "ANA Group Descriptor format"), each with its wire code and the
 * name Linux nvmet writes to {@code ports/<n>/ana_groups/<grpid>/ana_state} (and nvmetcli saves).
 */
public enum AnaState {

    /** 01h: the namespaces of the group are reachable through this controller with the best performance. */
    OPTIMIZED(0x01, "optimized"),
    /** 02h: reachable, with lower performance than through an optimized path. */
    NON_OPTIMIZED(0x02, "non-optimized"),
    /** 03h: not reachable through this controller for now; commands fail with ANA Inaccessible. */
    INACCESSIBLE(0x03, "inaccessible"),
    /** 04h: not reachable through this controller, and it will not become reachable again. */
    PERSISTENT_LOSS(0x04, "persistent-loss"),
    /** 0Fh: the group is changing state (at most ANATT seconds); commands fail with ANA Transition. */
    CHANGE(0x0F, "change");

    private final int code;
    private final String configName;

    AnaState(final int code, final String configName) {
        this.code = code;
        this.configName = configName;
    }

    /** The wire value (ANA State field, bits 3:0). */
    public int code() {
        return code;
    }

    /** The nvmet configfs / nvmetcli name, e.g. {@code "non-optimized"}. */
    public String configName() {
        return configName;
    }

    /** Whether I/O commands may run: optimized or non-optimized. */
    public boolean accessible() {
        return this == OPTIMIZED || this == NON_OPTIMIZED;
    }

    /** The state with this wire code (bits 3:0), or null for a reserved value. */
    public static AnaState valueOf(final int code) {
        switch (code & 0x0F) {
            case 0x01:
                return OPTIMIZED;
            case 0x02:
                return NON_OPTIMIZED;
            case 0x03:
                return INACCESSIBLE;
            case 0x04:
                return PERSISTENT_LOSS;
            case 0x0F:
                return CHANGE;
            default:
                return null;
        }
    }

    /** The state with this nvmet name ({@link #configName()}), or null for an unknown name. */
    public static AnaState fromConfigName(final String name) {
        for (final AnaState s : values()) {
            if (s.configName.equals(name)) {
                return s;
            }
        }
        return null;
    }
}
