package org.nvmeof4j.protocol.admin;

import java.nio.ByteBuffer;

import org.nvmeof4j.protocol.nvme.Flyweight;

/**
 * Flyweight over one 64-byte entry of the Error Information log page, LID 01h (NVMe Base 2.0, section 5.16.1.2,
 * Figure "Get Log Page – Error Information Log Entry"; Linux {@code struct nvme_error_slot}).
 *
 * <pre>
 *   0  u64  Error Count (unique, increasing; 0 = empty entry)
 *   8  u16  SQID                    10  u16  CID
 *  12  u16  Status Field (bit 0 phase tag, bits 15:1 the status as Cqe#status())
 *  14  u16  Parameter Error Location (bits 7:0 byte, bits 10:8 bit in the command)
 *  16  u64  LBA                     24  u32  Namespace
 *  28  u8   Vendor Specific Information Available
 *  29  u8   Transport Type          32  u64  Command Specific Information
 *  40  u16  Transport Type Specific Information       42..63 reserved
 * </pre>
 */
public final class ErrorInformationEntry extends Flyweight {

    /** Size of an entry. */
    public static final int LENGTH = 64;

    public static final int ERROR_COUNT_OFFSET = 0;
    public static final int SQID_OFFSET = 8;
    public static final int CID_OFFSET = 10;
    public static final int STATUS_FIELD_OFFSET = 12;
    public static final int PARAMETER_ERROR_LOCATION_OFFSET = 14;
    public static final int LBA_OFFSET = 16;
    public static final int NSID_OFFSET = 24;
    public static final int VENDOR_SPECIFIC_OFFSET = 28;
    public static final int TRTYPE_OFFSET = 29;
    public static final int COMMAND_SPECIFIC_OFFSET = 32;
    public static final int TRANSPORT_SPECIFIC_OFFSET = 40;

    /** Parameter error location of "not specific to a field". */
    public static final int PARAMETER_ERROR_LOCATION_NONE = 0xFFFF;

    /** Points this flyweight at the 64 bytes at {@code offset} of {@code buffer}. */
    public ErrorInformationEntry wrap(final ByteBuffer buffer, final int offset) {
        wrapBuffer(buffer, offset);
        return this;
    }

    @Override
    public int encodedLength() {
        return LENGTH;
    }

    /** Zeroes the entry. */
    public ErrorInformationEntry clear() {
        zero();
        return this;
    }

    /** Error Count. */
    public long errorCount() {
        return i64(ERROR_COUNT_OFFSET);
    }

    public ErrorInformationEntry errorCount(final long v) {
        i64(ERROR_COUNT_OFFSET, v);
        return this;
    }

    /** Submission Queue ID of the failed command (0xFFFF if not specific). */
    public int sqid() {
        return u16(SQID_OFFSET);
    }

    public ErrorInformationEntry sqid(final int v) {
        u16(SQID_OFFSET, v);
        return this;
    }

    /** Command ID of the failed command (0xFFFF if not specific). */
    public int cid() {
        return u16(CID_OFFSET);
    }

    public ErrorInformationEntry cid(final int v) {
        u16(CID_OFFSET, v);
        return this;
    }

    /** Status Field as stored (phase tag in bit 0). */
    public int statusField() {
        return u16(STATUS_FIELD_OFFSET);
    }

    public ErrorInformationEntry statusField(final int v) {
        u16(STATUS_FIELD_OFFSET, v);
        return this;
    }

    /** The 15-bit status, as {@code Cqe.status()}. */
    public int status() {
        return u16(STATUS_FIELD_OFFSET) >>> 1;
    }

    /** Sets the 15-bit status (phase tag 0). */
    public ErrorInformationEntry status(final int status) {
        u16(STATUS_FIELD_OFFSET, (status & 0x7FFF) << 1);
        return this;
    }

    /** Parameter Error Location. */
    public int parameterErrorLocation() {
        return u16(PARAMETER_ERROR_LOCATION_OFFSET);
    }

    public ErrorInformationEntry parameterErrorLocation(final int v) {
        u16(PARAMETER_ERROR_LOCATION_OFFSET, v);
        return this;
    }

    /** Parameter error location of byte {@code byteOffset}, bit {@code bit} of the command. */
    public static int parameterErrorLocation(final int byteOffset, final int bit) {
        return (byteOffset & 0xFF) | ((bit & 0x7) << 8);
    }

    /** LBA of the first failed block. */
    public long lba() {
        return i64(LBA_OFFSET);
    }

    public ErrorInformationEntry lba(final long v) {
        i64(LBA_OFFSET, v);
        return this;
    }

    /** Namespace of the failure. */
    public int nsid() {
        return i32(NSID_OFFSET);
    }

    public ErrorInformationEntry nsid(final int v) {
        i32(NSID_OFFSET, v);
        return this;
    }

    /** Transport Type (TRTYPE, 3 for TCP). */
    public int trtype() {
        return u8(TRTYPE_OFFSET);
    }

    public ErrorInformationEntry trtype(final int v) {
        u8(TRTYPE_OFFSET, v);
        return this;
    }

    /** Command Specific Information. */
    public long commandSpecificInformation() {
        return i64(COMMAND_SPECIFIC_OFFSET);
    }

    public ErrorInformationEntry commandSpecificInformation(final long v) {
        i64(COMMAND_SPECIFIC_OFFSET, v);
        return this;
    }

    /** Transport Type Specific Information. */
    public int transportSpecificInformation() {
        return u16(TRANSPORT_SPECIFIC_OFFSET);
    }

    public ErrorInformationEntry transportSpecificInformation(final int v) {
        u16(TRANSPORT_SPECIFIC_OFFSET, v);
        return this;
    }
}
