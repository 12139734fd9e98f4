package org.nvmeof4j.protocol.admin;

import java.nio.ByteBuffer;

import org.nvmeof4j.protocol.fabrics.Nqn;
import org.nvmeof4j.protocol.fabrics.NqnCheck;
import org.nvmeof4j.protocol.nvme.FixedStrings;
import org.nvmeof4j.protocol.nvme.Flyweight;

/**
 * Flyweight over the 4096-byte Identify Controller data structure, CNS 01h (NVMe Base 2.0, section 5.17.2.1, Figure
 * "Identify – Identify Controller Data Structure, I/O Command Set Independent"; NVMe Base 1.4, Figure 247), with the
 * fields the Linux host reads. Offsets match Linux {@code struct nvme_id_ctrl}.
 *
 * <pre>
 *  offset  size  field                      offset  size  field
 *  ------  ----  -----------------------    ------  ----  -----------------------
 *     0     2    VID                          512     1    SQES (max 7:4, required 3:0)
 *     2     2    SSVID                        513     1    CQES
 *     4    20    SN   (ASCII, space padded)   514     2    MAXCMD
 *    24    40    MN   (ASCII, space padded)   516     4    NN
 *    64     8    FR   (ASCII, space padded)   520     2    ONCS
 *    72     1    RAB                          522     2    FUSES
 *    73     3    IEEE OUI                     524     1    FNA
 *    76     1    CMIC                         525     1    VWC
 *    77     1    MDTS (2^n min pages, 0 none) 526     2    AWUN
 *    78     2    CNTLID                       528     2    AWUPF
 *    80     4    VER                          530     1    NVSCC
 *    84     4    RTD3R                        531     1    NWPC
 *    88     4    RTD3E                        532     2    ACWU
 *    92     4    OAES                         536     4    SGLS
 *    96     4    CTRATT                       540     4    MNAN
 *   111     1    CNTRLTYPE                    768   256    SUBNQN (NUL-terminated UTF-8)
 *   112    16    FGUID                       1792     4    IOCCSZ (16-byte units)   \
 *   256     2    OACS                        1796     4    IORCSZ (16-byte units)    | Fabrics
 *   258     1    ACL (0's based)             1800     2    ICDOFF (16-byte units)    | (NVMe-oF 1.1,
 *   259     1    AERL (0's based)            1802     1    FCATT                     |  section 4.1)
 *   260     1    FRMW                        1803     1    MSDBD                     |
 *   261     1    LPA                         1804     2    OFCS                      /
 *   262     1    ELPE (0's based)            2048  32x32   PSD0..PSD31 power state descriptors
 *   263     1    NPSS (0's based)            3072  1024    vendor specific
 *   320     2    KAS (100 ms units)
 *   342     1    ANATT (seconds)
 *   343     1    ANACAP
 *   344     4    ANAGRPMAX
 *   348     4    NANAGRPID
 * </pre>
 *
 * <p>Each field has a reader {@code x()} and a writer {@code x(v)} returning {@code this}; the writers of the
 * space-padded ASCII fields and of SUBNQN validate their argument and throw {@link IllegalArgumentException}, the
 * readers never throw on peer data.
 */
public final class IdentifyController extends Flyweight {

    /** Size of the structure. */
    public static final int LENGTH = 4096;

    public static final int VID_OFFSET = 0;
    public static final int SSVID_OFFSET = 2;
    public static final int SN_OFFSET = 4;
    public static final int SN_LENGTH = 20;
    public static final int MN_OFFSET = 24;
    public static final int MN_LENGTH = 40;
    public static final int FR_OFFSET = 64;
    public static final int FR_LENGTH = 8;
    public static final int RAB_OFFSET = 72;
    public static final int IEEE_OFFSET = 73;
    public static final int CMIC_OFFSET = 76;
    public static final int MDTS_OFFSET = 77;
    public static final int CNTLID_OFFSET = 78;
    public static final int VER_OFFSET = 80;
    public static final int RTD3R_OFFSET = 84;
    public static final int RTD3E_OFFSET = 88;
    public static final int OAES_OFFSET = 92;
    public static final int CTRATT_OFFSET = 96;
    public static final int CNTRLTYPE_OFFSET = 111;
    public static final int FGUID_OFFSET = 112;
    public static final int OACS_OFFSET = 256;
    public static final int ACL_OFFSET = 258;
    public static final int AERL_OFFSET = 259;
    public static final int FRMW_OFFSET = 260;
    public static final int LPA_OFFSET = 261;
    public static final int ELPE_OFFSET = 262;
    public static final int NPSS_OFFSET = 263;
    public static final int KAS_OFFSET = 320;
    public static final int ANATT_OFFSET = 342;
    public static final int ANACAP_OFFSET = 343;
    public static final int ANAGRPMAX_OFFSET = 344;
    public static final int NANAGRPID_OFFSET = 348;
    public static final int SQES_OFFSET = 512;
    public static final int CQES_OFFSET = 513;
    public static final int MAXCMD_OFFSET = 514;
    public static final int NN_OFFSET = 516;
    public static final int ONCS_OFFSET = 520;
    public static final int FUSES_OFFSET = 522;
    public static final int FNA_OFFSET = 524;
    public static final int VWC_OFFSET = 525;
    public static final int AWUN_OFFSET = 526;
    public static final int AWUPF_OFFSET = 528;
    public static final int NVSCC_OFFSET = 530;
    public static final int NWPC_OFFSET = 531;
    public static final int ACWU_OFFSET = 532;
    public static final int SGLS_OFFSET = 536;
    public static final int MNAN_OFFSET = 540;
    public static final int SUBNQN_OFFSET = 768;
    public static final int IOCCSZ_OFFSET = 1792;
    public static final int IORCSZ_OFFSET = 1796;
    public static final int ICDOFF_OFFSET = 1800;
    public static final int FCATT_OFFSET = 1802;
    public static final int MSDBD_OFFSET = 1803;
    public static final int OFCS_OFFSET = 1804;
    public static final int PSD_OFFSET = 2048;
    public static final int PSD_LENGTH = 32;

    /** Power state descriptor: MP, maximum power in centiwatts (or 0.0001 W with MXPS), u16 at +0. */
    public static final int PSD_MP = 0;
    /** Power state descriptor: flags byte at +3 (MXPS bit 0, NOPS bit 1). */
    public static final int PSD_FLAGS = 3;
    /** Power state descriptor: ENLAT, entry latency in microseconds, u32 at +4. */
    public static final int PSD_ENLAT = 4;
    /** Power state descriptor: EXLAT, exit latency in microseconds, u32 at +8. */
    public static final int PSD_EXLAT = 8;
    /** Power state descriptor: RRT relative read throughput at +12 (RRL +13, RWT +14, RWL +15). */
    public static final int PSD_RRT = 12;

    /** CNTRLTYPE: I/O controller. */
    public static final int CNTRLTYPE_IO = 1;
    /** CNTRLTYPE: discovery controller. */
    public static final int CNTRLTYPE_DISCOVERY = 2;
    /** CNTRLTYPE: administrative controller. */
    public static final int CNTRLTYPE_ADMIN = 3;

    /** CMIC bit 0: more than one port. */
    public static final int CMIC_MULTI_PORT = 1;
    /** CMIC bit 1: more than one controller in the subsystem. */
    public static final int CMIC_MULTI_CONTROLLER = 1 << 1;
    /** CMIC bit 3: ANA reporting. */
    public static final int CMIC_ANA = 1 << 3;

    /** ANACAP bit 0: reports the ANA Optimized state. */
    public static final int ANACAP_OPTIMIZED = 1;
    /** ANACAP bit 1: reports the ANA Non-Optimized state. */
    public static final int ANACAP_NON_OPTIMIZED = 1 << 1;
    /** ANACAP bit 2: reports the ANA Inaccessible state. */
    public static final int ANACAP_INACCESSIBLE = 1 << 2;
    /** ANACAP bit 3: reports the ANA Persistent Loss state. */
    public static final int ANACAP_PERSISTENT_LOSS = 1 << 3;
    /** ANACAP bit 4: reports the ANA Change state. */
    public static final int ANACAP_CHANGE = 1 << 4;
    /** ANACAP bit 6: ANAGRPID of a namespace does not change while it is attached. */
    public static final int ANACAP_GRPID_STATIC = 1 << 6;
    /** ANACAP bit 7: a non-zero ANAGRPID is accepted by Namespace Management. */
    public static final int ANACAP_NON_ZERO_GRPID_IN_NS_MGMT = 1 << 7;

    /** OAES bit 8: Namespace Attribute Notices are supported. */
    public static final int OAES_NAMESPACE_ATTRIBUTE_NOTICES = 1 << 8;
    /** OAES bit 9: Firmware Activation Notices. */
    public static final int OAES_FIRMWARE_ACTIVATION_NOTICES = 1 << 9;
    /** OAES bit 11: Asymmetric Namespace Access Change Notices. */
    public static final int OAES_ANA_CHANGE_NOTICES = 1 << 11;
    /** OAES bit 31: Discovery Log Page Change Notification (discovery controllers). */
    public static final int OAES_DISCOVERY_LOG_CHANGE = 1 << 31;

    /** CTRATT bit 0: 128-bit host identifier. */
    public static final int CTRATT_HOST_ID_128_BIT = 1;
    /** CTRATT bit 6: Traffic Based Keep Alive. */
    public static final int CTRATT_TBKAS = 1 << 6;

    /** LPA bit 0: SMART log page per namespace. */
    public static final int LPA_SMART_PER_NAMESPACE = 1;
    /** LPA bit 1: Commands Supported and Effects log page. */
    public static final int LPA_COMMANDS_EFFECTS = 1 << 1;
    /** LPA bit 2: extended data (NUMDU, LPOL/LPOU) for Get Log Page (Linux nvmet sets it). */
    public static final int LPA_EXTENDED_DATA = 1 << 2;

    /** ONCS bit 0: Compare. */
    public static final int ONCS_COMPARE = 1;
    /** ONCS bit 1: Write Uncorrectable. */
    public static final int ONCS_WRITE_UNCORRECTABLE = 1 << 1;
    /** ONCS bit 2: Dataset Management. */
    public static final int ONCS_DATASET_MANAGEMENT = 1 << 2;
    /** ONCS bit 3: Write Zeroes. */
    public static final int ONCS_WRITE_ZEROES = 1 << 3;
    /** ONCS bit 4: Save field in Set/Get Features. */
    public static final int ONCS_SAVE_FEATURES = 1 << 4;
    /** ONCS bit 5: Reservations. */
    public static final int ONCS_RESERVATIONS = 1 << 5;
    /** ONCS bit 6: Timestamp. */
    public static final int ONCS_TIMESTAMP = 1 << 6;
    /** ONCS bit 7: Verify. */
    public static final int ONCS_VERIFY = 1 << 7;

    /** FUSES bit 0: Compare and Write fused operation. */
    public static final int FUSES_COMPARE_AND_WRITE = 1;
    /** VWC bit 0: a volatile write cache is present. */
    public static final int VWC_PRESENT = 1;

    /** SGLS bits 1:0 = 01b: SGLs supported, no alignment or granularity requirement. */
    public static final int SGLS_SUPPORTED = 1;
    /** SGLS bits 1:0 = 10b: SGLs supported, dword alignment and granularity. */
    public static final int SGLS_SUPPORTED_DWORD_ALIGNED = 2;
    /** SGLS bit 2: Keyed SGL Data Block descriptor (RDMA; Linux nvmet sets it only for keyed-SGL transports). */
    public static final int SGLS_KEYED_DATA_BLOCK = 1 << 2;
    /** SGLS bit 16: SGL Bit Bucket descriptor. */
    public static final int SGLS_BIT_BUCKET = 1 << 16;
    /** SGLS bit 20: the Address field may be an offset (in-capsule data; Linux nvmet sets it with inline data). */
    public static final int SGLS_ADDRESS_AS_OFFSET = 1 << 20;
    /** SGLS bit 21: Transport SGL Data Block descriptor. */
    public static final int SGLS_TRANSPORT_DATA_BLOCK = 1 << 21;

    /** FCATT bit 0: static controller model (0 = dynamic). */
    public static final int FCATT_STATIC_CONTROLLER_MODEL = 1;

    /** Points this flyweight at the 4096 bytes at {@code offset} of {@code buffer}. */
    public IdentifyController wrap(final ByteBuffer buffer, final int offset) {
        wrapBuffer(buffer, offset);
        return this;
    }

    @Override
    public int encodedLength() {
        return LENGTH;
    }

    /** Zeroes all 4096 bytes. */
    public IdentifyController clear() {
        zero();
        return this;
    }

    /** VID: PCI vendor ID. */
    public int vid() {
        return u16(VID_OFFSET);
    }

    public IdentifyController vid(final int v) {
        u16(VID_OFFSET, v);
        return this;
    }

    /** SSVID: PCI subsystem vendor ID. */
    public int ssvid() {
        return u16(SSVID_OFFSET);
    }

    public IdentifyController ssvid(final int v) {
        u16(SSVID_OFFSET, v);
        return this;
    }

    /** SN: serial number, trailing spaces removed (allocates). */
    public String sn() {
        return FixedStrings.readAscii(buffer, offset + SN_OFFSET, SN_LENGTH);
    }

    /** Sets SN, space padded; throws IllegalArgumentException if longer than 20 or not printable ASCII. */
    public IdentifyController sn(final CharSequence v) {
        FixedStrings.writeSpacePadded(buffer, offset + SN_OFFSET, SN_LENGTH, v);
        return this;
    }

    /** MN: model number, trailing spaces removed (allocates). */
    public String mn() {
        return FixedStrings.readAscii(buffer, offset + MN_OFFSET, MN_LENGTH);
    }

    /** Sets MN, space padded (at most 40 printable ASCII characters). */
    public IdentifyController mn(final CharSequence v) {
        FixedStrings.writeSpacePadded(buffer, offset + MN_OFFSET, MN_LENGTH, v);
        return this;
    }

    /** FR: firmware revision, trailing spaces removed (allocates). */
    public String fr() {
        return FixedStrings.readAscii(buffer, offset + FR_OFFSET, FR_LENGTH);
    }

    /** Sets FR, space padded (at most 8 printable ASCII characters). */
    public IdentifyController fr(final CharSequence v) {
        FixedStrings.writeSpacePadded(buffer, offset + FR_OFFSET, FR_LENGTH, v);
        return this;
    }

    /** RAB: recommended arbitration burst (2^n). */
    public int rab() {
        return u8(RAB_OFFSET);
    }

    public IdentifyController rab(final int v) {
        u8(RAB_OFFSET, v);
        return this;
    }

    /** IEEE: OUI identifier, 24 bits stored little-endian. */
    public int ieee() {
        return u8(IEEE_OFFSET) | (u8(IEEE_OFFSET + 1) << 8) | (u8(IEEE_OFFSET + 2) << 16);
    }

    public IdentifyController ieee(final int oui) {
        u8(IEEE_OFFSET, oui);
        u8(IEEE_OFFSET + 1, oui >>> 8);
        u8(IEEE_OFFSET + 2, oui >>> 16);
        return this;
    }

    /** CMIC: controller multi-path I/O and namespace sharing capabilities. */
    public int cmic() {
        return u8(CMIC_OFFSET);
    }

    public IdentifyController cmic(final int v) {
        u8(CMIC_OFFSET, v);
        return this;
    }

    /** MDTS: maximum data transfer size as 2^n units of CAP.MPSMIN; 0 means no limit. */
    public int mdts() {
        return u8(MDTS_OFFSET);
    }

    public IdentifyController mdts(final int v) {
        u8(MDTS_OFFSET, v);
        return this;
    }

    /**
     * Maximum data transfer size in bytes for a minimum page size of {@code minPageSize} bytes (CAP.MPSMIN: 4096 to
     * 2^27), 0 if unlimited. A size beyond 2^62 bytes (MDTS up to 255 with a large page) saturates there rather than
     * wrapping to a negative or zero size; a page size that is not positive gives 0.
     */
    public long maxDataTransferBytes(final int minPageSize) {
        final int mdts = mdts();
        if (mdts == 0 || minPageSize <= 0) {
            return 0;
        }
        final int room = Long.numberOfLeadingZeros(minPageSize) - 1; // shifts that keep the sign bit clear
        return (long) minPageSize << Math.min(mdts, Math.min(40, room));
    }

    /** CNTLID: controller ID. */
    public int cntlid() {
        return u16(CNTLID_OFFSET);
    }

    public IdentifyController cntlid(final int v) {
        u16(CNTLID_OFFSET, v);
        return this;
    }

    /** VER: version, encoded as the VS property (see {@code ControllerRegisters.Vs}). */
    public int ver() {
        return i32(VER_OFFSET);
    }

    public IdentifyController ver(final int v) {
        i32(VER_OFFSET, v);
        return this;
    }

    /** RTD3R: RTD3 resume latency in microseconds. */
    public int rtd3r() {
        return i32(RTD3R_OFFSET);
    }

    public IdentifyController rtd3r(final int v) {
        i32(RTD3R_OFFSET, v);
        return this;
    }

    /** RTD3E: RTD3 entry latency in microseconds. */
    public int rtd3e() {
        return i32(RTD3E_OFFSET);
    }

    public IdentifyController rtd3e(final int v) {
        i32(RTD3E_OFFSET, v);
        return this;
    }

    /** OAES: optional asynchronous events supported ({@code OAES_*}). */
    public int oaes() {
        return i32(OAES_OFFSET);
    }

    public IdentifyController oaes(final int v) {
        i32(OAES_OFFSET, v);
        return this;
    }

    /** CTRATT: controller attributes ({@code CTRATT_*}). */
    public int ctratt() {
        return i32(CTRATT_OFFSET);
    }

    public IdentifyController ctratt(final int v) {
        i32(CTRATT_OFFSET, v);
        return this;
    }

    /** CNTRLTYPE: controller type ({@code CNTRLTYPE_*}; 0 for controllers before NVMe 1.4). */
    public int cntrltype() {
        return u8(CNTRLTYPE_OFFSET);
    }

    public IdentifyController cntrltype(final int v) {
        u8(CNTRLTYPE_OFFSET, v);
        return this;
    }

    /** OACS: optional admin command support. */
    public int oacs() {
        return u16(OACS_OFFSET);
    }

    public IdentifyController oacs(final int v) {
        u16(OACS_OFFSET, v);
        return this;
    }

    /** ACL: abort command limit (0's based). */
    public int acl() {
        return u8(ACL_OFFSET);
    }

    public IdentifyController acl(final int v) {
        u8(ACL_OFFSET, v);
        return this;
    }

    /** AERL: asynchronous event request limit (0's based). */
    public int aerl() {
        return u8(AERL_OFFSET);
    }

    public IdentifyController aerl(final int v) {
        u8(AERL_OFFSET, v);
        return this;
    }

    /** FRMW: firmware updates. */
    public int frmw() {
        return u8(FRMW_OFFSET);
    }

    public IdentifyController frmw(final int v) {
        u8(FRMW_OFFSET, v);
        return this;
    }

    /** LPA: log page attributes ({@code LPA_*}). */
    public int lpa() {
        return u8(LPA_OFFSET);
    }

    public IdentifyController lpa(final int v) {
        u8(LPA_OFFSET, v);
        return this;
    }

    /** ELPE: error log page entries (0's based). */
    public int elpe() {
        return u8(ELPE_OFFSET);
    }

    public IdentifyController elpe(final int v) {
        u8(ELPE_OFFSET, v);
        return this;
    }

    /** NPSS: number of power states supported (0's based). */
    public int npss() {
        return u8(NPSS_OFFSET);
    }

    public IdentifyController npss(final int v) {
        u8(NPSS_OFFSET, v);
        return this;
    }

    /** KAS: keep alive granularity in 100 ms units; 0 if Keep Alive is not supported. */
    public int kas() {
        return u16(KAS_OFFSET);
    }

    public IdentifyController kas(final int v) {
        u16(KAS_OFFSET, v);
        return this;
    }

    /** ANATT: ANA transition time, the most seconds a group stays in the change state. */
    public int anatt() {
        return u8(ANATT_OFFSET);
    }

    public IdentifyController anatt(final int v) {
        u8(ANATT_OFFSET, v);
        return this;
    }

    /** ANACAP: ANA capabilities ({@code ANACAP_*}). */
    public int anacap() {
        return u8(ANACAP_OFFSET);
    }

    public IdentifyController anacap(final int v) {
        u8(ANACAP_OFFSET, v);
        return this;
    }

    /** ANAGRPMAX: the largest ANA group identifier. */
    public long anagrpmax() {
        return u32(ANAGRPMAX_OFFSET);
    }

    public IdentifyController anagrpmax(final long v) {
        u32(ANAGRPMAX_OFFSET, v);
        return this;
    }

    /** NANAGRPID: how many ANA group identifiers the controller supports (sizes the ANA log page). */
    public long nanagrpid() {
        return u32(NANAGRPID_OFFSET);
    }

    public IdentifyController nanagrpid(final long v) {
        u32(NANAGRPID_OFFSET, v);
        return this;
    }

    /** SQES: maximum (bits 7:4) and required (bits 3:0) SQ entry size, 2^n bytes; 0x66 for 64-byte entries. */
    public int sqes() {
        return u8(SQES_OFFSET);
    }

    public IdentifyController sqes(final int v) {
        u8(SQES_OFFSET, v);
        return this;
    }

    /** CQES: maximum (bits 7:4) and required (bits 3:0) CQ entry size, 2^n bytes; 0x44 for 16-byte entries. */
    public int cqes() {
        return u8(CQES_OFFSET);
    }

    public IdentifyController cqes(final int v) {
        u8(CQES_OFFSET, v);
        return this;
    }

    /** MAXCMD: maximum outstanding commands per queue (Fabrics). */
    public int maxcmd() {
        return u16(MAXCMD_OFFSET);
    }

    public IdentifyController maxcmd(final int v) {
        u16(MAXCMD_OFFSET, v);
        return this;
    }

    /** NN: number of namespaces (the largest valid NSID). */
    public int nn() {
        return i32(NN_OFFSET);
    }

    public IdentifyController nn(final int v) {
        i32(NN_OFFSET, v);
        return this;
    }

    /** ONCS: optional NVM command support ({@code ONCS_*}). */
    public int oncs() {
        return u16(ONCS_OFFSET);
    }

    public IdentifyController oncs(final int v) {
        u16(ONCS_OFFSET, v);
        return this;
    }

    /** FUSES: fused operation support. */
    public int fuses() {
        return u16(FUSES_OFFSET);
    }

    public IdentifyController fuses(final int v) {
        u16(FUSES_OFFSET, v);
        return this;
    }

    /** FNA: format NVM attributes. */
    public int fna() {
        return u8(FNA_OFFSET);
    }

    public IdentifyController fna(final int v) {
        u8(FNA_OFFSET, v);
        return this;
    }

    /** VWC: volatile write cache ({@link #VWC_PRESENT}). */
    public int vwc() {
        return u8(VWC_OFFSET);
    }

    public IdentifyController vwc(final int v) {
        u8(VWC_OFFSET, v);
        return this;
    }

    /** AWUN: atomic write unit normal (0's based, logical blocks). */
    public int awun() {
        return u16(AWUN_OFFSET);
    }

    public IdentifyController awun(final int v) {
        u16(AWUN_OFFSET, v);
        return this;
    }

    /** AWUPF: atomic write unit power fail (0's based, logical blocks). */
    public int awupf() {
        return u16(AWUPF_OFFSET);
    }

    public IdentifyController awupf(final int v) {
        u16(AWUPF_OFFSET, v);
        return this;
    }

    /** NVSCC: NVM vendor specific command configuration. */
    public int nvscc() {
        return u8(NVSCC_OFFSET);
    }

    public IdentifyController nvscc(final int v) {
        u8(NVSCC_OFFSET, v);
        return this;
    }

    /** ACWU: atomic compare and write unit (0's based). */
    public int acwu() {
        return u16(ACWU_OFFSET);
    }

    public IdentifyController acwu(final int v) {
        u16(ACWU_OFFSET, v);
        return this;
    }

    /** SGLS: SGL support ({@code SGLS_*}). */
    public int sgls() {
        return i32(SGLS_OFFSET);
    }

    public IdentifyController sgls(final int v) {
        i32(SGLS_OFFSET, v);
        return this;
    }

    /** MNAN: maximum number of allowed namespaces. */
    public int mnan() {
        return i32(MNAN_OFFSET);
    }

    public IdentifyController mnan(final int v) {
        i32(MNAN_OFFSET, v);
        return this;
    }

    /** SUBNQN, decoded leniently (allocates); validate with {@link #checkSubnqn()}. */
    public String subnqn() {
        return Nqn.read(buffer, offset + SUBNQN_OFFSET, Nqn.FIELD_LENGTH);
    }

    /** Sets SUBNQN, NUL padded; throws IllegalArgumentException for an invalid NQN. */
    public IdentifyController subnqn(final String nqn) {
        Nqn.write(buffer, offset + SUBNQN_OFFSET, Nqn.FIELD_LENGTH, nqn);
        return this;
    }

    /** Validates SUBNQN without allocating or throwing. */
    public NqnCheck checkSubnqn() {
        return Nqn.check(buffer, offset + SUBNQN_OFFSET, Nqn.FIELD_LENGTH);
    }

    /** IOCCSZ: I/O queue command capsule supported size in 16-byte units (SQE plus in-capsule data). */
    public int ioccsz() {
        return i32(IOCCSZ_OFFSET);
    }

    public IdentifyController ioccsz(final int v) {
        i32(IOCCSZ_OFFSET, v);
        return this;
    }

    /** Largest in-capsule data on I/O queues in bytes: IOCCSZ * 16 - 64 (0 if IOCCSZ is 4 or less). */
    public long maxInCapsuleDataBytes() {
        return Math.max(0, (i32(IOCCSZ_OFFSET) & 0xFFFF_FFFFL) * 16 - 64);
    }

    /** IORCSZ: I/O queue response capsule supported size in 16-byte units. */
    public int iorcsz() {
        return i32(IORCSZ_OFFSET);
    }

    public IdentifyController iorcsz(final int v) {
        i32(IORCSZ_OFFSET, v);
        return this;
    }

    /** ICDOFF: in-capsule data offset in 16-byte units. */
    public int icdoff() {
        return u16(ICDOFF_OFFSET);
    }

    public IdentifyController icdoff(final int v) {
        u16(ICDOFF_OFFSET, v);
        return this;
    }

    /** FCATT: fabrics controller attributes ({@link #FCATT_STATIC_CONTROLLER_MODEL}). */
    public int fcatt() {
        return u8(FCATT_OFFSET);
    }

    public IdentifyController fcatt(final int v) {
        u8(FCATT_OFFSET, v);
        return this;
    }

    /** MSDBD: maximum SGL data block descriptors per command; 0 means no limit. */
    public int msdbd() {
        return u8(MSDBD_OFFSET);
    }

    public IdentifyController msdbd(final int v) {
        u8(MSDBD_OFFSET, v);
        return this;
    }

    /** OFCS: optional fabrics commands supported (bit 0 Disconnect). */
    public int ofcs() {
        return u16(OFCS_OFFSET);
    }

    public IdentifyController ofcs(final int v) {
        u16(OFCS_OFFSET, v);
        return this;
    }

    /** Byte offset (from the structure start) of power state descriptor {@code n} (0..31). */
    public static int psdOffset(final int n) {
        return PSD_OFFSET + java.util.Objects.checkIndex(n, 32) * PSD_LENGTH;
    }

    /** MP of power state {@code n}: maximum power in centiwatts (0.0001 W units if MXPS is set). */
    public int psdMaxPower(final int n) {
        return u16(psdOffset(n) + PSD_MP);
    }

    /** Flags of power state {@code n}: MXPS bit 0, NOPS (non-operational) bit 1. */
    public int psdFlags(final int n) {
        return u8(psdOffset(n) + PSD_FLAGS);
    }

    /** ENLAT of power state {@code n}, microseconds. */
    public int psdEntryLatency(final int n) {
        return i32(psdOffset(n) + PSD_ENLAT);
    }

    /** EXLAT of power state {@code n}, microseconds. */
    public int psdExitLatency(final int n) {
        return i32(psdOffset(n) + PSD_EXLAT);
    }

    /**
     * Sets power state descriptor {@code n}: MP (centiwatts), flags, ENLAT and EXLAT; the relative read/write
     * throughput and latency ranks (RRT, RRL, RWT, RWL; 0 is best) are set to {@code n}, i.e. states ranked in index
     * order.
     */
    public IdentifyController powerState(final int n, final int maxPowerCentiwatts, final int flags,
                                         final int entryLatencyMicros, final int exitLatencyMicros) {
        final int at = psdOffset(n);
        u16(at + PSD_MP, maxPowerCentiwatts);
        u8(at + PSD_FLAGS, flags);
        i32(at + PSD_ENLAT, entryLatencyMicros);
        i32(at + PSD_EXLAT, exitLatencyMicros);
        u8(at + PSD_RRT, n);
        u8(at + PSD_RRT + 1, n);
        u8(at + PSD_RRT + 2, n);
        u8(at + PSD_RRT + 3, n);
        return this;
    }

    @Override
    public String toString() {
        if (buffer == null) {
            return "IdentifyController{unwrapped}";
        }
        return "IdentifyController{mn=" + mn() + ", sn=" + sn() + ", fr=" + fr() + ", cntlid=" + cntlid()
            + ", cntrltype=" + cntrltype() + ", subnqn=" + subnqn() + "}";
    }
}
