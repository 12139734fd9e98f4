package org.nvmeof4j.protocol.admin;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.UUID;

import org.nvmeof4j.protocol.nvme.LittleEndian;

/**
 * The Namespace Identification Descriptor list, Identify CNS 03h (NVMe Base 2.0, section 5.17.2.3, Figures
 * "Namespace Identification Descriptor" and "Namespace Identifier Type"): a 4096-byte list of descriptors, each a
 * 4-byte header (NIDT byte 0, NIDL byte 1, 2 reserved bytes) followed by NIDL bytes of identifier, ended by a
 * descriptor with NIDT 0 or the end of the list.
 *
 * <pre>
 *  +--------+--------+-----------------+------------------------------+
 *  |  NIDT  |  NIDL  |    reserved     |   NID (NIDL bytes)  ...      |  then the next descriptor
 *  +--------+--------+-----------------+------------------------------+
 *   NIDT 1 EUI64 (8) · 2 NGUID (16) · 3 UUID (16) · 4 CSI (1)
 * </pre>
 *
 * <p>{@link Writer} builds a list (target side); {@link Reader} walks one (host side) without allocating and without
 * throwing on malformed input.
 */
public final class NamespaceIdDescriptors {

    /** Size of the list. */
    public static final int LIST_LENGTH = 4096;
    /** Size of a descriptor header. */
    public static final int HEADER_LENGTH = 4;

    /** NIDT: IEEE Extended Unique Identifier, 8 bytes. */
    public static final int NIDT_EUI64 = 1;
    /** NIDT: Namespace Globally Unique Identifier, 16 bytes. */
    public static final int NIDT_NGUID = 2;
    /** NIDT: Namespace UUID, 16 bytes. */
    public static final int NIDT_UUID = 3;
    /** NIDT: Command Set Identifier, 1 byte. */
    public static final int NIDT_CSI = 4;

    /** CSI: NVM command set. */
    public static final int CSI_NVM = 0x00;
    /** CSI: Zoned Namespace command set. */
    public static final int CSI_ZNS = 0x02;

    private NamespaceIdDescriptors() {
    }

    /** NIDL the spec requires for {@code nidt}, or -1 for a type it does not define. */
    public static int expectedLength(final int nidt) {
        switch (nidt) {
            case NIDT_EUI64: return 8;
            case NIDT_NGUID: return 16;
            case NIDT_UUID: return 16;
            case NIDT_CSI: return 1;
            default: return -1;
        }
    }

    /** Appends descriptors to a list; {@link #wrap} zeroes the list so it is always terminated. */
    public static final class Writer {
        private ByteBuffer buffer;
        private int offset;
        private int position;

        /** Starts a new, zeroed 4096-byte list at {@code offset} of {@code buffer}. */
        public Writer wrap(final ByteBuffer buffer, final int offset) {
            Objects.checkFromIndexSize(offset, LIST_LENGTH, buffer.limit());
            this.buffer = buffer;
            this.offset = offset;
            this.position = 0;
            LittleEndian.fill(buffer, offset, LIST_LENGTH, 0);
            return this;
        }

        /** Bytes used so far. */
        public int position() {
            return position;
        }

        /**
         * Appends a descriptor of type {@code nidt} with the first {@code nidl} bytes of {@code nid}.
         *
         * @throws IllegalArgumentException if {@code nidl} is not the length the type requires
         * @throws IllegalStateException    if the descriptor would not fit in the list with room for a terminator
         */
        public Writer descriptor(final int nidt, final byte[] nid, final int nidl) {
            if (nidt == 0 || expectedLength(nidt) != nidl) {
                throw new IllegalArgumentException("NIDT " + nidt + " with NIDL " + nidl);
            }
            Objects.checkFromIndexSize(0, nidl, nid.length);
            final int at = reserve(nidt, nidl);
            for (int i = 0; i < nidl; i++) {
                buffer.put(at + HEADER_LENGTH + i, nid[i]);
            }
            return this;
        }

        /** Appends an EUI64 descriptor from {@code eui64[0..7]}. */
        public Writer eui64(final byte[] eui64) {
            return descriptor(NIDT_EUI64, eui64, 8);
        }

        /** Appends an NGUID descriptor from {@code nguid[0..15]}. */
        public Writer nguid(final byte[] nguid) {
            return descriptor(NIDT_NGUID, nguid, 16);
        }

        /** Appends a UUID descriptor, RFC 4122 byte order. */
        public Writer uuid(final UUID uuid) {
            final int at = reserve(NIDT_UUID, 16);
            LittleEndian.putI64(buffer, at + HEADER_LENGTH, Long.reverseBytes(uuid.getMostSignificantBits()));
            LittleEndian.putI64(buffer, at + HEADER_LENGTH + 8, Long.reverseBytes(uuid.getLeastSignificantBits()));
            return this;
        }

        /** Appends a CSI descriptor. */
        public Writer csi(final int csi) {
            final int at = reserve(NIDT_CSI, 1);
            buffer.put(at + HEADER_LENGTH, (byte) csi);
            return this;
        }

        private int reserve(final int nidt, final int nidl) {
            final int size = HEADER_LENGTH + nidl;
            if (position + size > LIST_LENGTH) {
                throw new IllegalStateException("namespace identification descriptor list full");
            }
            final int at = offset + position;
            buffer.put(at, (byte) nidt);
            buffer.put(at + 1, (byte) nidl);
            buffer.put(at + 2, (byte) 0);
            buffer.put(at + 3, (byte) 0);
            position += size;
            return at;
        }
    }

    /**
     * Walks a descriptor list. {@link #next()} advances to the next descriptor and returns {@code false} at the
     * terminator, at the end of the list, or at a malformed descriptor (then {@link #malformed()} is true): NIDL 0, or
     * a descriptor running past the end. Descriptors of unknown type or with a NIDL the type does not allow are
     * returned; check {@link #lengthValid()} before using them (Linux skips them with a warning).
     */
    public static final class Reader {
        private ByteBuffer buffer;
        private int offset;
        private int length;
        private int position;
        private int current;
        private boolean malformed;

        /** Starts reading the first {@code length} bytes (at most 4096) of a list at {@code offset}. */
        public Reader wrap(final ByteBuffer buffer, final int offset, final int length) {
            Objects.checkFromIndexSize(offset, length, buffer.limit());
            this.buffer = buffer;
            this.offset = offset;
            this.length = Math.min(length, LIST_LENGTH);
            this.position = 0;
            this.current = -1;
            this.malformed = false;
            return this;
        }

        /** Advances to the next descriptor; see the class comment. */
        public boolean next() {
            if (current >= 0) {
                position = current + HEADER_LENGTH + nidl();
                current = -1;
            }
            if (malformed || position + HEADER_LENGTH > length) {
                return false;
            }
            final int nidt = buffer.get(offset + position) & 0xFF;
            if (nidt == 0) {
                return false;
            }
            final int nidl = buffer.get(offset + position + 1) & 0xFF;
            if (nidl == 0 || position + HEADER_LENGTH + nidl > length) {
                malformed = true;
                return false;
            }
            current = position;
            return true;
        }

        /** Whether the walk stopped at a malformed descriptor. */
        public boolean malformed() {
            return malformed;
        }

        /** NIDT of the current descriptor. */
        public int nidt() {
            return buffer.get(offset + current) & 0xFF;
        }

        /** NIDL of the current descriptor. */
        public int nidl() {
            return buffer.get(offset + current + 1) & 0xFF;
        }

        /** Whether NIDL is the length the spec requires for NIDT (false for unknown types). */
        public boolean lengthValid() {
            return expectedLength(nidt()) == nidl();
        }

        /** Absolute index in the buffer of the current descriptor's identifier bytes. */
        public int nidIndex() {
            return offset + current + HEADER_LENGTH;
        }

        /** Copies the current identifier (NIDL bytes) into {@code dst}; returns NIDL. */
        public int copyNid(final byte[] dst) {
            final int nidl = nidl();
            Objects.checkFromIndexSize(0, nidl, dst.length);
            for (int i = 0; i < nidl; i++) {
                dst[i] = buffer.get(nidIndex() + i);
            }
            return nidl;
        }

        /** The current identifier as a UUID (for NIDT 3 with NIDL 16; allocates). */
        public UUID uuid() {
            return new UUID(Long.reverseBytes(LittleEndian.getI64(buffer, nidIndex())),
                Long.reverseBytes(LittleEndian.getI64(buffer, nidIndex() + 8)));
        }

        /** The first identifier byte (the CSI for NIDT 4). */
        public int nidByte() {
            return buffer.get(nidIndex()) & 0xFF;
        }
    }
}
