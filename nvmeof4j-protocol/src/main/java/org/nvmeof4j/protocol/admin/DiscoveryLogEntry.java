package org.nvmeof4j.protocol.admin;

import java.nio.ByteBuffer;

import org.nvmeof4j.protocol.fabrics.Nqn;
import org.nvmeof4j.protocol.fabrics.NqnCheck;
import org.nvmeof4j.protocol.nvme.FixedStrings;
import org.nvmeof4j.protocol.nvme.Flyweight;

/**
 * Flyweight over one 1024-byte Discovery log page entry (NVMe over Fabrics 1.1, section 5.3, Figure "Discovery Log
 * Page Entry"; NVMe/TCP 1.0, section 3.7 for TRTYPE 3 and the TSAS; Linux {@code struct nvmf_disc_rsp_page_entry}).
 *
 * <pre>
 *    0  u8   TRTYPE   transport type (3 TCP)
 *    1  u8   ADRFAM   address family (1 IPv4, 2 IPv6)
 *    2  u8   SUBTYPE  subsystem type (1 referral, 2 NVM, 3 current discovery)
 *    3  u8   TREQ     bits 1:0 secure channel, bit 2 SQ flow control disable supported
 *    4  u16  PORTID
 *    6  u16  CNTLID   (0xFFFF dynamic)
 *    8  u16  ASQSZ    admin max SQ size
 *   10  u16  EFLAGS   bit 0 duplicate returned information, bit 1 explicit persistent connection
 *   32  32B  TRSVCID  transport service id (TCP port), ASCII, space padded
 *  256 256B  SUBNQN   NUL-terminated UTF-8
 *  512 256B  TRADDR   transport address, ASCII, space padded
 *  768 256B  TSAS     TCP: byte 768 SECTYPE (0 none, 1 TLS 1.2, 2 TLS 1.3)
 * </pre>
 *
 * <p>The writers space-pad TRSVCID and TRADDR as SPDK does; Linux nvmet NUL-pads them, so the readers stop at the
 * first NUL and also drop trailing spaces. Readers never throw on peer data.
 */
public final class DiscoveryLogEntry extends Flyweight {

    /** Size of an entry. */
    public static final int LENGTH = 1024;

    public static final int TRTYPE_OFFSET = 0;
    public static final int ADRFAM_OFFSET = 1;
    public static final int SUBTYPE_OFFSET = 2;
    public static final int TREQ_OFFSET = 3;
    public static final int PORTID_OFFSET = 4;
    public static final int CNTLID_OFFSET = 6;
    public static final int ASQSZ_OFFSET = 8;
    public static final int EFLAGS_OFFSET = 10;
    public static final int TRSVCID_OFFSET = 32;
    public static final int TRSVCID_LENGTH = 32;
    public static final int SUBNQN_OFFSET = 256;
    public static final int TRADDR_OFFSET = 512;
    public static final int TRADDR_LENGTH = 256;
    public static final int TSAS_OFFSET = 768;
    public static final int TSAS_LENGTH = 256;
    /** TCP TSAS: SECTYPE byte. */
    public static final int SECTYPE_OFFSET = 768;

    /** TRTYPE: RDMA. */
    public static final int TRTYPE_RDMA = 1;
    /** TRTYPE: Fibre Channel. */
    public static final int TRTYPE_FC = 2;
    /** TRTYPE: TCP. */
    public static final int TRTYPE_TCP = 3;
    /** TRTYPE: intra-host (loop). */
    public static final int TRTYPE_LOOP = 254;

    /** ADRFAM: IPv4. */
    public static final int ADRFAM_IPV4 = 1;
    /** ADRFAM: IPv6. */
    public static final int ADRFAM_IPV6 = 2;
    /** ADRFAM: InfiniBand. */
    public static final int ADRFAM_IB = 3;
    /** ADRFAM: Fibre Channel. */
    public static final int ADRFAM_FC = 4;

    /** SUBTYPE: referral to another discovery subsystem. */
    public static final int SUBTYPE_REFERRAL = 1;
    /** SUBTYPE: NVM subsystem. */
    public static final int SUBTYPE_NVME = 2;
    /** SUBTYPE: the current discovery subsystem. */
    public static final int SUBTYPE_CURRENT_DISCOVERY = 3;

    /** TREQ bits 1:0: secure channel requirement not specified. */
    public static final int TREQ_SECURE_CHANNEL_NOT_SPECIFIED = 0;
    /** TREQ bits 1:0: secure channel required. */
    public static final int TREQ_SECURE_CHANNEL_REQUIRED = 1;
    /** TREQ bits 1:0: secure channel not required. */
    public static final int TREQ_SECURE_CHANNEL_NOT_REQUIRED = 2;
    /** TREQ bit 2: the port supports disabling SQ flow control. */
    public static final int TREQ_DISABLE_SQ_FLOW_CONTROL = 1 << 2;

    /** EFLAGS bit 0: duplicate returned information. */
    public static final int EFLAGS_DUPRETINFO = 1;
    /** EFLAGS bit 1: explicit persistent connection support for discovery. */
    public static final int EFLAGS_EPCSD = 1 << 1;

    /** SECTYPE: no security. */
    public static final int SECTYPE_NONE = 0;
    /** SECTYPE: TLS 1.2. */
    public static final int SECTYPE_TLS12 = 1;
    /** SECTYPE: TLS 1.3. */
    public static final int SECTYPE_TLS13 = 2;

    /** Points this flyweight at the 1024 bytes at {@code offset} of {@code buffer}. */
    public DiscoveryLogEntry wrap(final ByteBuffer buffer, final int offset) {
        wrapBuffer(buffer, offset);
        return this;
    }

    /** Points this flyweight at entry {@code i} of a log page starting at {@code pageOffset}. */
    public DiscoveryLogEntry wrapEntry(final ByteBuffer buffer, final int pageOffset, final int i) {
        return wrap(buffer, Math.toIntExact(pageOffset + DiscoveryLogPage.entryOffset(i)));
    }

    @Override
    public int encodedLength() {
        return LENGTH;
    }

    /** Zeroes the entry. */
    public DiscoveryLogEntry clear() {
        zero();
        return this;
    }

    /** TRTYPE. */
    public int trtype() {
        return u8(TRTYPE_OFFSET);
    }

    public DiscoveryLogEntry trtype(final int v) {
        u8(TRTYPE_OFFSET, v);
        return this;
    }

    /** ADRFAM. */
    public int adrfam() {
        return u8(ADRFAM_OFFSET);
    }

    public DiscoveryLogEntry adrfam(final int v) {
        u8(ADRFAM_OFFSET, v);
        return this;
    }

    /** SUBTYPE. */
    public int subtype() {
        return u8(SUBTYPE_OFFSET);
    }

    public DiscoveryLogEntry subtype(final int v) {
        u8(SUBTYPE_OFFSET, v);
        return this;
    }

    /** TREQ. */
    public int treq() {
        return u8(TREQ_OFFSET);
    }

    public DiscoveryLogEntry treq(final int v) {
        u8(TREQ_OFFSET, v);
        return this;
    }

    /** Secure channel requirement, TREQ bits 1:0. */
    public int secureChannel() {
        return u8(TREQ_OFFSET) & 0x3;
    }

    /** PORTID. */
    public int portid() {
        return u16(PORTID_OFFSET);
    }

    public DiscoveryLogEntry portid(final int v) {
        u16(PORTID_OFFSET, v);
        return this;
    }

    /** CNTLID. */
    public int cntlid() {
        return u16(CNTLID_OFFSET);
    }

    public DiscoveryLogEntry cntlid(final int v) {
        u16(CNTLID_OFFSET, v);
        return this;
    }

    /** ASQSZ: admin max SQ size. */
    public int asqsz() {
        return u16(ASQSZ_OFFSET);
    }

    public DiscoveryLogEntry asqsz(final int v) {
        u16(ASQSZ_OFFSET, v);
        return this;
    }

    /** EFLAGS. */
    public int eflags() {
        return u16(EFLAGS_OFFSET);
    }

    public DiscoveryLogEntry eflags(final int v) {
        u16(EFLAGS_OFFSET, v);
        return this;
    }

    /** TRSVCID, e.g. "4420" (allocates). */
    public String trsvcid() {
        return FixedStrings.readAscii(buffer, offset + TRSVCID_OFFSET, TRSVCID_LENGTH);
    }

    /** Sets TRSVCID, space padded (at most 32 printable ASCII characters). */
    public DiscoveryLogEntry trsvcid(final CharSequence v) {
        FixedStrings.writeSpacePadded(buffer, offset + TRSVCID_OFFSET, TRSVCID_LENGTH, v);
        return this;
    }

    /** SUBNQN, decoded leniently (allocates). */
    public String subnqn() {
        return Nqn.read(buffer, offset + SUBNQN_OFFSET, Nqn.FIELD_LENGTH);
    }

    /** Sets SUBNQN, NUL padded; throws IllegalArgumentException for an invalid NQN. */
    public DiscoveryLogEntry subnqn(final String nqn) {
        Nqn.write(buffer, offset + SUBNQN_OFFSET, Nqn.FIELD_LENGTH, nqn);
        return this;
    }

    /** Validates SUBNQN without allocating or throwing. */
    public NqnCheck checkSubnqn() {
        return Nqn.check(buffer, offset + SUBNQN_OFFSET, Nqn.FIELD_LENGTH);
    }

    /** TRADDR, e.g. "192.168.1.10" (allocates). */
    public String traddr() {
        return FixedStrings.readAscii(buffer, offset + TRADDR_OFFSET, TRADDR_LENGTH);
    }

    /** Sets TRADDR, space padded (at most 256 printable ASCII characters). */
    public DiscoveryLogEntry traddr(final CharSequence v) {
        FixedStrings.writeSpacePadded(buffer, offset + TRADDR_OFFSET, TRADDR_LENGTH, v);
        return this;
    }

    /** SECTYPE of a TCP entry (TSAS byte 0). */
    public int sectype() {
        return u8(SECTYPE_OFFSET);
    }

    public DiscoveryLogEntry sectype(final int v) {
        u8(SECTYPE_OFFSET, v);
        return this;
    }

    @Override
    public String toString() {
        if (buffer == null) {
            return "DiscoveryLogEntry{unwrapped}";
        }
        return "DiscoveryLogEntry{trtype=" + trtype() + ", adrfam=" + adrfam() + ", subtype=" + subtype() + ", traddr="
            + traddr() + ", trsvcid=" + trsvcid() + ", subnqn=" + subnqn() + "}";
    }
}
