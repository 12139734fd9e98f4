package org.nvmeof4j.protocol.nvme;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Absolute little-endian access to a {@link ByteBuffer}, whatever its {@link ByteBuffer#order() order}.
 *
 * <p>NVMe data structures are little-endian (NVMe Base 2.0, section 1.5 "Conventions"). Every accessor here is
 * absolute: it never moves the buffer's position or limit and never changes its byte order, so one buffer can be
 * shared by a flyweight and by code that reads it relatively. The byte-buffer view {@link VarHandle}s work for heap
 * and direct buffers alike, need no alignment for plain get/set, check the index against the buffer's limit, and do
 * not allocate.
 */
public final class LittleEndian {

    private static final VarHandle SHORT =
        MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT =
        MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG =
        MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private LittleEndian() {
    }

    /** Reads an unsigned byte. */
    public static int getU8(final ByteBuffer buffer, final int index) {
        return buffer.get(index) & 0xFF;
    }

    /** Writes the low 8 bits of {@code value}. */
    public static void putU8(final ByteBuffer buffer, final int index, final int value) {
        buffer.put(index, (byte) value);
    }

    /** Reads an unsigned 16-bit little-endian value. */
    public static int getU16(final ByteBuffer buffer, final int index) {
        return ((short) SHORT.get(buffer, index)) & 0xFFFF;
    }

    /** Writes the low 16 bits of {@code value} little-endian. */
    public static void putU16(final ByteBuffer buffer, final int index, final int value) {
        SHORT.set(buffer, index, (short) value);
    }

    /** Reads a 32-bit little-endian value as a signed int (the bit pattern of a u32). */
    public static int getI32(final ByteBuffer buffer, final int index) {
        return (int) INT.get(buffer, index);
    }

    /** Reads an unsigned 32-bit little-endian value. */
    public static long getU32(final ByteBuffer buffer, final int index) {
        return ((int) INT.get(buffer, index)) & 0xFFFF_FFFFL;
    }

    /** Writes a 32-bit value little-endian. */
    public static void putI32(final ByteBuffer buffer, final int index, final int value) {
        INT.set(buffer, index, value);
    }

    /** Writes the low 32 bits of {@code value} little-endian. */
    public static void putU32(final ByteBuffer buffer, final int index, final long value) {
        INT.set(buffer, index, (int) value);
    }

    /** Reads a 64-bit little-endian value (the bit pattern of a u64). */
    public static long getI64(final ByteBuffer buffer, final int index) {
        return (long) LONG.get(buffer, index);
    }

    /** Writes a 64-bit value little-endian. */
    public static void putI64(final ByteBuffer buffer, final int index, final long value) {
        LONG.set(buffer, index, value);
    }

    private static final byte[] ZEROES = new byte[4096];

    /**
     * Fills {@code length} bytes from {@code index} with {@code value}, without a temporary array; zeroes are bulk
     * copies from a shared zero block (a log page a host asks a megabyte of is mostly zeroes).
     */
    public static void fill(final ByteBuffer buffer, final int index, final int length, final int value) {
        final byte b = (byte) value;
        int i = index;
        final int end = index + length;
        if (b == 0) {
            while (i < end) {
                final int n = Math.min(end - i, ZEROES.length);
                buffer.put(i, ZEROES, 0, n);
                i += n;
            }
            return;
        }
        for (; i < end; i++) {
            buffer.put(i, b);
        }
    }
}
