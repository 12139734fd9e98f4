package org.nvmeof4j.protocol.nvme;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Base of the fixed-size NVMe structure flyweights: a window of {@link #encodedLength()} bytes at an offset of a
 * {@link ByteBuffer}.
 *
 * <p>A flyweight is allocated once and re-pointed with {@code wrap(buffer, offset)}. Field accessors are absolute and
 * little-endian (see {@link LittleEndian}); they never change the buffer's position, limit or byte order and never
 * allocate (the few accessors that return a {@link String} or {@link java.util.UUID} say so). {@code wrap} checks that
 * the whole structure lies below the buffer's limit, so later field accesses cannot fail on bounds.
 */
public abstract class Flyweight {

    /** The wrapped buffer, or {@code null} before the first {@code wrap}. */
    protected ByteBuffer buffer;
    /** Absolute index of byte 0 of the structure in {@link #buffer}. */
    protected int offset;

    /** The number of bytes this structure occupies. */
    public abstract int encodedLength();

    /**
     * Points this flyweight at {@code buffer} from {@code offset}.
     *
     * @throws IndexOutOfBoundsException if the structure does not fit below the buffer's limit
     */
    protected final void wrapBuffer(final ByteBuffer buffer, final int offset) {
        Objects.requireNonNull(buffer, "buffer");
        Objects.checkFromIndexSize(offset, encodedLength(), buffer.limit());
        this.buffer = buffer;
        this.offset = offset;
    }

    /** The wrapped buffer. */
    public final ByteBuffer buffer() {
        return buffer;
    }

    /** Absolute index of byte 0 of the structure in {@link #buffer()}. */
    public final int offset() {
        return offset;
    }

    /** Zeroes the whole structure. */
    protected final void zero() {
        LittleEndian.fill(buffer, offset, encodedLength(), 0);
    }

    /** Unsigned byte at {@code field} (relative to the structure start). */
    protected final int u8(final int field) {
        return buffer.get(offset + field) & 0xFF;
    }

    /** Writes a byte at {@code field}. */
    protected final void u8(final int field, final int value) {
        buffer.put(offset + field, (byte) value);
    }

    /** Unsigned 16-bit value at {@code field}. */
    protected final int u16(final int field) {
        return LittleEndian.getU16(buffer, offset + field);
    }

    /** Writes a 16-bit value at {@code field}. */
    protected final void u16(final int field, final int value) {
        LittleEndian.putU16(buffer, offset + field, value);
    }

    /** 32-bit value at {@code field} as an int bit pattern. */
    protected final int i32(final int field) {
        return LittleEndian.getI32(buffer, offset + field);
    }

    /** Writes a 32-bit value at {@code field}. */
    protected final void i32(final int field, final int value) {
        LittleEndian.putI32(buffer, offset + field, value);
    }

    /** Unsigned 32-bit value at {@code field}. */
    protected final long u32(final int field) {
        return LittleEndian.getU32(buffer, offset + field);
    }

    /** Writes the low 32 bits of {@code value} at {@code field}. */
    protected final void u32(final int field, final long value) {
        LittleEndian.putU32(buffer, offset + field, value);
    }

    /** 64-bit value at {@code field}. */
    protected final long i64(final int field) {
        return LittleEndian.getI64(buffer, offset + field);
    }

    /** Writes a 64-bit value at {@code field}. */
    protected final void i64(final int field, final long value) {
        LittleEndian.putI64(buffer, offset + field, value);
    }
}
