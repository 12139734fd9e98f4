package org.nvmeof4j.protocol.admin;

import java.nio.ByteBuffer;
import java.util.Objects;

import org.nvmeof4j.protocol.nvme.Flyweight;

/**
 * Flyweight over the 4096-byte Identify Namespace data structure for the NVM command set, CNS 00h (NVM Command Set
 * 1.0, section 4.1.5.1, Figure "Identify – I/O Command Set Specific Identify Namespace Data Structure for the NVM
 * Command Set"; NVMe Base 1.4, Figure 245). Offsets match Linux {@code struct nvme_id_ns}.
 *
 * <pre>
 *  offset  size  field                        offset  size  field
 *  ------  ----  -------------------------    ------  ----  ------------------------
 *     0     8    NSZE  (logical blocks)          34     2    NAWUN
 *     8     8    NCAP                            36     2    NAWUPF
 *    16     8    NUSE                            38     2    NACWU
 *    24     1    NSFEAT                          48    16    NVMCAP (u128 bytes)
 *    25     1    NLBAF (0's based)               92     4    ANAGRPID
 *    26     1    FLBAS (format 3:0, 6:5 hi)      99     1    NSATTR (bit 0 write protected)
 *    27     1    MC                             104    16    NGUID
 *    28     1    DPC                            120     8    EUI64
 *    29     1    DPS                            128  4x64    LBAF0..LBAF63:
 *    30     1    NMIC                                          +0 MS (u16 metadata bytes)
 *    31     1    RESCAP                                        +2 LBADS (2^n bytes)
 *    32     1    FPI                                           +3 RP (bits 1:0)
 *    33     1    DLFEAT
 * </pre>
 *
 * <p>NGUID and EUI64 are byte strings: they are copied to and from caller arrays without allocation.
 */
public final class IdentifyNamespace extends Flyweight {

    /** Size of the structure. */
    public static final int LENGTH = 4096;

    public static final int NSZE_OFFSET = 0;
    public static final int NCAP_OFFSET = 8;
    public static final int NUSE_OFFSET = 16;
    public static final int NSFEAT_OFFSET = 24;
    public static final int NLBAF_OFFSET = 25;
    public static final int FLBAS_OFFSET = 26;
    public static final int MC_OFFSET = 27;
    public static final int DPC_OFFSET = 28;
    public static final int DPS_OFFSET = 29;
    public static final int NMIC_OFFSET = 30;
    public static final int RESCAP_OFFSET = 31;
    public static final int FPI_OFFSET = 32;
    public static final int DLFEAT_OFFSET = 33;
    public static final int NAWUN_OFFSET = 34;
    public static final int NAWUPF_OFFSET = 36;
    public static final int NACWU_OFFSET = 38;
    public static final int NVMCAP_OFFSET = 48;
    public static final int ANAGRPID_OFFSET = 92;
    public static final int NSATTR_OFFSET = 99;
    public static final int NGUID_OFFSET = 104;
    public static final int NGUID_LENGTH = 16;
    public static final int EUI64_OFFSET = 120;
    public static final int EUI64_LENGTH = 8;
    public static final int LBAF_OFFSET = 128;
    public static final int LBAF_LENGTH = 4;
    /** Number of LBA format slots. */
    public static final int MAX_LBA_FORMATS = 64;

    /** NSFEAT bit 0: thin provisioning. */
    public static final int NSFEAT_THIN_PROVISIONING = 1;
    /** NSFEAT bit 1: NAWUN/NAWUPF/NACWU are namespace specific. */
    public static final int NSFEAT_NAMESPACE_ATOMICS = 1 << 1;
    /** NSFEAT bit 2: deallocated or unwritten logical block error support. */
    public static final int NSFEAT_DEALLOCATED_ERROR = 1 << 2;
    /** NSFEAT bit 4: NPWG/NPWA/NPDG/NPDA/NOWS are defined (optimal I/O). */
    public static final int NSFEAT_OPTIMAL_IO = 1 << 4;
    /** FLBAS bit 4: metadata transferred at the end of the data LBA (extended LBA). */
    public static final int FLBAS_EXTENDED_METADATA = 1 << 4;
    /** DLFEAT bits 2:0 = 001b: deallocated blocks read as all zeroes. */
    public static final int DLFEAT_READ_ZEROES = 0b001;
    /** DLFEAT bit 3: Write Zeroes supports the Deallocate bit. */
    public static final int DLFEAT_WRITE_ZEROES_DEALLOCATE = 1 << 3;
    /** NMIC bit 0: namespace may be attached to two or more controllers. */
    public static final int NMIC_SHARED = 1;

    /** Points this flyweight at the 4096 bytes at {@code offset} of {@code buffer}. */
    public IdentifyNamespace wrap(final ByteBuffer buffer, final int offset) {
        wrapBuffer(buffer, offset);
        return this;
    }

    @Override
    public int encodedLength() {
        return LENGTH;
    }

    /** Zeroes all 4096 bytes (what an inactive NSID returns). */
    public IdentifyNamespace clear() {
        zero();
        return this;
    }

    /** NSZE: namespace size in logical blocks. */
    public long nsze() {
        return i64(NSZE_OFFSET);
    }

    public IdentifyNamespace nsze(final long v) {
        i64(NSZE_OFFSET, v);
        return this;
    }

    /** NCAP: namespace capacity in logical blocks. */
    public long ncap() {
        return i64(NCAP_OFFSET);
    }

    public IdentifyNamespace ncap(final long v) {
        i64(NCAP_OFFSET, v);
        return this;
    }

    /** NUSE: namespace utilization in logical blocks. */
    public long nuse() {
        return i64(NUSE_OFFSET);
    }

    public IdentifyNamespace nuse(final long v) {
        i64(NUSE_OFFSET, v);
        return this;
    }

    /** NSFEAT: namespace features ({@code NSFEAT_*}). */
    public int nsfeat() {
        return u8(NSFEAT_OFFSET);
    }

    public IdentifyNamespace nsfeat(final int v) {
        u8(NSFEAT_OFFSET, v);
        return this;
    }

    /** NLBAF: number of LBA formats, 0's based. */
    public int nlbaf() {
        return u8(NLBAF_OFFSET);
    }

    public IdentifyNamespace nlbaf(final int v) {
        u8(NLBAF_OFFSET, v);
        return this;
    }

    /** FLBAS: formatted LBA size (format index bits 3:0 and 6:5, extended metadata bit 4). */
    public int flbas() {
        return u8(FLBAS_OFFSET);
    }

    public IdentifyNamespace flbas(final int v) {
        u8(FLBAS_OFFSET, v);
        return this;
    }

    /** The index of the LBA format in use: FLBAS bits 3:0, plus bits 6:5 as bits 5:4 (as Linux nvme_lbaf_index). */
    public int formattedLbaIndex() {
        final int f = u8(FLBAS_OFFSET);
        return (f & 0xF) | ((f & 0x60) >>> 1);
    }

    /** MC: metadata capabilities. */
    public int mc() {
        return u8(MC_OFFSET);
    }

    public IdentifyNamespace mc(final int v) {
        u8(MC_OFFSET, v);
        return this;
    }

    /** DPC: end-to-end data protection capabilities. */
    public int dpc() {
        return u8(DPC_OFFSET);
    }

    public IdentifyNamespace dpc(final int v) {
        u8(DPC_OFFSET, v);
        return this;
    }

    /** DPS: end-to-end data protection type settings. */
    public int dps() {
        return u8(DPS_OFFSET);
    }

    public IdentifyNamespace dps(final int v) {
        u8(DPS_OFFSET, v);
        return this;
    }

    /** NMIC: namespace multi-path I/O and sharing capabilities. */
    public int nmic() {
        return u8(NMIC_OFFSET);
    }

    public IdentifyNamespace nmic(final int v) {
        u8(NMIC_OFFSET, v);
        return this;
    }

    /** RESCAP: reservation capabilities. */
    public int rescap() {
        return u8(RESCAP_OFFSET);
    }

    public IdentifyNamespace rescap(final int v) {
        u8(RESCAP_OFFSET, v);
        return this;
    }

    /** DLFEAT: deallocate logical block features ({@code DLFEAT_*}). */
    public int dlfeat() {
        return u8(DLFEAT_OFFSET);
    }

    public IdentifyNamespace dlfeat(final int v) {
        u8(DLFEAT_OFFSET, v);
        return this;
    }

    /** NAWUN: namespace atomic write unit normal (0's based). */
    public int nawun() {
        return u16(NAWUN_OFFSET);
    }

    public IdentifyNamespace nawun(final int v) {
        u16(NAWUN_OFFSET, v);
        return this;
    }

    /** NAWUPF: namespace atomic write unit power fail (0's based). */
    public int nawupf() {
        return u16(NAWUPF_OFFSET);
    }

    public IdentifyNamespace nawupf(final int v) {
        u16(NAWUPF_OFFSET, v);
        return this;
    }

    /** NVMCAP: NVM capacity in bytes, low 64 bits of the u128. */
    public long nvmcap() {
        return i64(NVMCAP_OFFSET);
    }

    /** NVMCAP high 64 bits. */
    public long nvmcapHigh() {
        return i64(NVMCAP_OFFSET + 8);
    }

    /** Sets NVMCAP to the unsigned 64-bit {@code bytes} (high half zero). */
    public IdentifyNamespace nvmcap(final long bytes) {
        i64(NVMCAP_OFFSET, bytes);
        i64(NVMCAP_OFFSET + 8, 0);
        return this;
    }

    /** ANAGRPID: ANA group identifier. */
    public int anagrpid() {
        return i32(ANAGRPID_OFFSET);
    }

    public IdentifyNamespace anagrpid(final int v) {
        i32(ANAGRPID_OFFSET, v);
        return this;
    }

    /** NSATTR: namespace attributes (bit 0 write protected). */
    public int nsattr() {
        return u8(NSATTR_OFFSET);
    }

    public IdentifyNamespace nsattr(final int v) {
        u8(NSATTR_OFFSET, v);
        return this;
    }

    /** Copies NGUID into {@code dst[0..15]}. */
    public void copyNguidTo(final byte[] dst) {
        copyOut(NGUID_OFFSET, dst, NGUID_LENGTH);
    }

    /** Sets NGUID from {@code src[0..15]}. */
    public IdentifyNamespace nguid(final byte[] src) {
        copyIn(NGUID_OFFSET, src, NGUID_LENGTH);
        return this;
    }

    /** Copies EUI64 into {@code dst[0..7]}. */
    public void copyEui64To(final byte[] dst) {
        copyOut(EUI64_OFFSET, dst, EUI64_LENGTH);
    }

    /** Sets EUI64 from {@code src[0..7]}. */
    public IdentifyNamespace eui64(final byte[] src) {
        copyIn(EUI64_OFFSET, src, EUI64_LENGTH);
        return this;
    }

    /** Byte offset (from the structure start) of LBA format {@code n} (0..63). */
    public static int lbafOffset(final int n) {
        return LBAF_OFFSET + Objects.checkIndex(n, MAX_LBA_FORMATS) * LBAF_LENGTH;
    }

    /** MS of LBA format {@code n}: metadata bytes per logical block. */
    public int lbafMs(final int n) {
        return u16(lbafOffset(n));
    }

    /** LBADS of LBA format {@code n}: logical block size as 2^n bytes (9 = 512, 12 = 4096; 0 = not supported). */
    public int lbafLbads(final int n) {
        return u8(lbafOffset(n) + 2);
    }

    /** RP of LBA format {@code n}: relative performance, 0 best .. 3 degraded. */
    public int lbafRp(final int n) {
        return u8(lbafOffset(n) + 3) & 0x3;
    }

    /** Sets LBA format {@code n}. */
    public IdentifyNamespace lbaf(final int n, final int ms, final int lbads, final int rp) {
        final int at = lbafOffset(n);
        u16(at, ms);
        u8(at + 2, lbads);
        u8(at + 3, rp & 0x3);
        return this;
    }

    /** Logical block size in bytes of the format in use (0 if the format's LBADS is out of range). */
    public int logicalBlockSize() {
        final int lbads = lbafLbads(formattedLbaIndex());
        return lbads >= 9 && lbads < 31 ? 1 << lbads : 0;
    }

    private void copyOut(final int field, final byte[] dst, final int length) {
        Objects.checkFromIndexSize(0, length, dst.length);
        for (int i = 0; i < length; i++) {
            dst[i] = buffer.get(offset + field + i);
        }
    }

    private void copyIn(final int field, final byte[] src, final int length) {
        Objects.checkFromIndexSize(0, length, src.length);
        for (int i = 0; i < length; i++) {
            buffer.put(offset + field + i, src[i]);
        }
    }

    @Override
    public String toString() {
        if (buffer == null) {
            return "IdentifyNamespace{unwrapped}";
        }
        return "IdentifyNamespace{nsze=" + nsze() + ", ncap=" + ncap() + ", nuse=" + nuse() + ", lbaf="
            + formattedLbaIndex() + ", blockSize=" + logicalBlockSize() + "}";
    }
}
