package org.nvmeof4j.protocol.fabrics;

/**
 * Controller properties reached with Property Get/Set over Fabrics, and their fields (NVMe Base 2.0, section 3.1.4
 * "Controller Properties"; NVMe Base 1.4, section 3.1; NVMe over Fabrics 1.1, section 3.4, Figure "Property
 * Definition"). Offsets as Linux {@code NVME_REG_*}.
 *
 * <p>Field helpers are static functions over the register value ({@code long} for the 8-byte CAP, {@code int}
 * otherwise) in nested classes per register: {@link Cap}, {@link Vs}, {@link Cc}, {@link Csts}. No allocation.
 */
public final class ControllerRegisters {

    /** CAP: Controller Capabilities, 8 bytes. */
    public static final int CAP = 0x00;
    /** VS: Version, 4 bytes. */
    public static final int VS = 0x08;
    /** CC: Controller Configuration, 4 bytes. */
    public static final int CC = 0x14;
    /** CSTS: Controller Status, 4 bytes. */
    public static final int CSTS = 0x1C;
    /** NSSR: NVM Subsystem Reset, 4 bytes. */
    public static final int NSSR = 0x20;
    /** The NSSR value that starts a subsystem reset: "NVMe" in ASCII. */
    public static final int NSSR_RESET_VALUE = 0x4E564D65;

    private ControllerRegisters() {
    }

    /** Size in bytes of the property at {@code offset}: 8 for CAP, 4 for VS/CC/CSTS/NSSR, 0 for anything else. */
    public static int size(final long offset) {
        if (offset == CAP) {
            return 8;
        }
        if (offset == VS || offset == CC || offset == CSTS || offset == NSSR) {
            return 4;
        }
        return 0;
    }

    /** A short name of the property at {@code offset} for logs. */
    public static String name(final long offset) {
        if (offset == CAP) {
            return "CAP";
        } else if (offset == VS) {
            return "VS";
        } else if (offset == CC) {
            return "CC";
        } else if (offset == CSTS) {
            return "CSTS";
        } else if (offset == NSSR) {
            return "NSSR";
        }
        return "property 0x" + Long.toHexString(offset);
    }

    /**
     * CAP fields (NVMe Base 2.0, Figure "Offset 0h: CAP – Controller Capabilities"): MQES 15:0 (0's based), CQR 16,
     * AMS 18:17, TO 31:24 (500 ms units), DSTRD 35:32, NSSRS 36, CSS 44:37, BPS 45, MPSMIN 51:48, MPSMAX 55:52.
     */
    public static final class Cap {
        /** CSS bit 0 (CAP bit 37): the NVM command set is supported. */
        public static final int CSS_NVM = 1;
        /** CSS bit 6 (CAP bit 43): one or more I/O command sets (CC.CSS = 110b) are supported. */
        public static final int CSS_IO_COMMAND_SETS = 1 << 6;
        /** CSS bit 7 (CAP bit 44): only the admin command set is supported. */
        public static final int CSS_NO_IO = 1 << 7;
        /** AMS bit 0: weighted round robin with urgent priority class. */
        public static final int AMS_WEIGHTED_ROUND_ROBIN = 1;
        /** AMS bit 1: vendor specific. */
        public static final int AMS_VENDOR_SPECIFIC = 2;

        private Cap() {
        }

        /**
         * Builds CAP from its fields (raw encodings: {@code mqes} 0's based, {@code to} in 500 ms units, {@code mpsmin}
         * and {@code mpsmax} as 2^(12 + n)).
         */
        public static long of(final int mqes, final boolean cqr, final int ams, final int to, final int dstrd,
                              final int css, final int mpsmin, final int mpsmax) {
            return (mqes & 0xFFFFL)
                | (cqr ? 1L << 16 : 0)
                | ((ams & 0x3L) << 17)
                | ((to & 0xFFL) << 24)
                | ((dstrd & 0xFL) << 32)
                | ((css & 0xFFL) << 37)
                | ((mpsmin & 0xFL) << 48)
                | ((mpsmax & 0xFL) << 52);
        }

        /** MQES: maximum queue entries supported, 0's based. */
        public static int mqes(final long cap) {
            return (int) (cap & 0xFFFF);
        }

        /** Maximum queue entries supported, MQES + 1. */
        public static int maxQueueEntries(final long cap) {
            return mqes(cap) + 1;
        }

        /** CQR: contiguous queues required. */
        public static boolean cqr(final long cap) {
            return (cap & (1L << 16)) != 0;
        }

        /** AMS: arbitration mechanisms supported (bits 18:17). */
        public static int ams(final long cap) {
            return (int) ((cap >>> 17) & 0x3);
        }

        /** TO: worst-case time to ready after CC.EN changes, in 500 ms units. */
        public static int to(final long cap) {
            return (int) ((cap >>> 24) & 0xFF);
        }

        /** TO in milliseconds. */
        public static long timeoutMillis(final long cap) {
            return to(cap) * 500L;
        }

        /** DSTRD: doorbell stride, 2^(2 + DSTRD) bytes. */
        public static int dstrd(final long cap) {
            return (int) ((cap >>> 32) & 0xF);
        }

        /** NSSRS: NVM subsystem reset supported. */
        public static boolean nssrs(final long cap) {
            return (cap & (1L << 36)) != 0;
        }

        /** CSS: command sets supported (bits 44:37). */
        public static int css(final long cap) {
            return (int) ((cap >>> 37) & 0xFF);
        }

        /** Whether CSS says the NVM command set is supported. */
        public static boolean cssNvm(final long cap) {
            return (css(cap) & CSS_NVM) != 0;
        }

        /** MPSMIN: minimum memory page size, 2^(12 + MPSMIN) bytes. */
        public static int mpsmin(final long cap) {
            return (int) ((cap >>> 48) & 0xF);
        }

        /** MPSMAX: maximum memory page size, 2^(12 + MPSMAX) bytes. */
        public static int mpsmax(final long cap) {
            return (int) ((cap >>> 52) & 0xF);
        }
    }

    /** VS fields (NVMe Base 2.0, Figure "Offset 8h: VS – Version"): MJR 31:16, MNR 15:8, TER 7:0. */
    public static final class Vs {
        /** NVMe 1.2. */
        public static final int V1_2 = of(1, 2, 0);
        /** NVMe 1.3. */
        public static final int V1_3 = of(1, 3, 0);
        /** NVMe 1.4. */
        public static final int V1_4 = of(1, 4, 0);
        /** NVMe 2.0. */
        public static final int V2_0 = of(2, 0, 0);

        private Vs() {
        }

        /** Builds VS (as Linux {@code NVME_VS(major, minor, tertiary)}). */
        public static int of(final int major, final int minor, final int tertiary) {
            return ((major & 0xFFFF) << 16) | ((minor & 0xFF) << 8) | (tertiary & 0xFF);
        }

        /** MJR: major version. */
        public static int major(final int vs) {
            return vs >>> 16;
        }

        /** MNR: minor version. */
        public static int minor(final int vs) {
            return (vs >>> 8) & 0xFF;
        }

        /** TER: tertiary version. */
        public static int tertiary(final int vs) {
            return vs & 0xFF;
        }

        /** "major.minor" or "major.minor.tertiary" when TER is not 0. */
        public static String toString(final int vs) {
            return major(vs) + "." + minor(vs) + (tertiary(vs) != 0 ? "." + tertiary(vs) : "");
        }
    }

    /**
     * CC fields (NVMe Base 2.0, Figure "Offset 14h: CC – Controller Configuration"): EN 0, CSS 6:4, MPS 10:7, AMS
     * 13:11, SHN 15:14, IOSQES 19:16, IOCQES 23:20, CRIME 24.
     */
    public static final class Cc {
        /** CSS: NVM command set. */
        public static final int CSS_NVM = 0b000;
        /** CSS: all supported I/O command sets. */
        public static final int CSS_ALL_IO_COMMAND_SETS = 0b110;
        /** CSS: admin command set only. */
        public static final int CSS_ADMIN_ONLY = 0b111;
        /** AMS: round robin. */
        public static final int AMS_ROUND_ROBIN = 0b000;
        /** SHN: no notification. */
        public static final int SHN_NONE = 0b00;
        /** SHN: normal shutdown notification. */
        public static final int SHN_NORMAL = 0b01;
        /** SHN: abrupt shutdown notification. */
        public static final int SHN_ABRUPT = 0b10;

        private Cc() {
        }

        /** Builds CC from its fields (raw encodings; {@code mps} as 2^(12 + n), entry sizes as 2^n bytes). */
        public static int of(final boolean en, final int css, final int mps, final int ams, final int shn,
                             final int iosqes, final int iocqes) {
            return (en ? 1 : 0)
                | ((css & 0x7) << 4)
                | ((mps & 0xF) << 7)
                | ((ams & 0x7) << 11)
                | ((shn & 0x3) << 14)
                | ((iosqes & 0xF) << 16)
                | ((iocqes & 0xF) << 20);
        }

        /** EN: enable. */
        public static boolean en(final int cc) {
            return (cc & 1) != 0;
        }

        /** CC with EN set or cleared. */
        public static int en(final int cc, final boolean en) {
            return en ? cc | 1 : cc & ~1;
        }

        /** CSS: I/O command set selected. */
        public static int css(final int cc) {
            return (cc >>> 4) & 0x7;
        }

        /** MPS: memory page size, 2^(12 + MPS) bytes. */
        public static int mps(final int cc) {
            return (cc >>> 7) & 0xF;
        }

        /** AMS: arbitration mechanism selected. */
        public static int ams(final int cc) {
            return (cc >>> 11) & 0x7;
        }

        /** SHN: shutdown notification. */
        public static int shn(final int cc) {
            return (cc >>> 14) & 0x3;
        }

        /** IOSQES: I/O submission queue entry size, 2^n bytes (6 for 64 bytes). */
        public static int iosqes(final int cc) {
            return (cc >>> 16) & 0xF;
        }

        /** IOCQES: I/O completion queue entry size, 2^n bytes (4 for 16 bytes). */
        public static int iocqes(final int cc) {
            return (cc >>> 20) & 0xF;
        }
    }

    /**
     * CSTS fields (NVMe Base 2.0, Figure "Offset 1Ch: CSTS – Controller Status"): RDY 0, CFS 1, SHST 3:2, NSSRO 4,
     * PP 5.
     */
    public static final class Csts {
        /** SHST: normal operation. */
        public static final int SHST_NORMAL = 0b00;
        /** SHST: shutdown processing occurring. */
        public static final int SHST_OCCURRING = 0b01;
        /** SHST: shutdown processing complete. */
        public static final int SHST_COMPLETE = 0b10;

        private Csts() {
        }

        /** Builds CSTS from RDY, CFS and SHST. */
        public static int of(final boolean rdy, final boolean cfs, final int shst) {
            return (rdy ? 1 : 0) | (cfs ? 2 : 0) | ((shst & 0x3) << 2);
        }

        /** RDY: ready. */
        public static boolean rdy(final int csts) {
            return (csts & 1) != 0;
        }

        /** CFS: controller fatal status. */
        public static boolean cfs(final int csts) {
            return (csts & 2) != 0;
        }

        /** SHST: shutdown status. */
        public static int shst(final int csts) {
            return (csts >>> 2) & 0x3;
        }

        /** NSSRO: NVM subsystem reset occurred. */
        public static boolean nssro(final int csts) {
            return (csts & (1 << 4)) != 0;
        }

        /** PP: processing paused. */
        public static boolean pp(final int csts) {
            return (csts & (1 << 5)) != 0;
        }
    }
}
