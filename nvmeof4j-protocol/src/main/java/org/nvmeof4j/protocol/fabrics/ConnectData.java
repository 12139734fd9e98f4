package org.nvmeof4j.protocol.fabrics;

import java.nio.ByteBuffer;
import java.util.UUID;

import org.nvmeof4j.protocol.nvme.Flyweight;

/**
 * Flyweight over the 1024-byte Connect command data, sent in-capsule with Connect (NVMe over Fabrics 1.1, section
 * 3.3, Figure "Connect Command – Data"; Linux {@code struct nvmf_connect_data}).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  HOSTID (16 bytes, a UUID)                    |    0
 *  +-------------------------------+-------------------------------+
 *  |            CNTLID             |    reserved (238 bytes)       |   16
 *  +-------------------------------+-------------------------------+
 *  |        SUBNQN (256 bytes, NUL-terminated UTF-8)               |  256
 *  +---------------------------------------------------------------+
 *  |        HOSTNQN (256 bytes, NUL-terminated UTF-8)              |  512
 *  +---------------------------------------------------------------+
 *  |                    reserved (256 bytes)                       |  768
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>HOSTID is stored in RFC 4122 byte order (most significant byte first), as Linux copies its {@code uuid_t}.
 * CNTLID is {@link #CNTLID_DYNAMIC} for the admin queue of a dynamic controller and the CNTLID returned by the admin
 * queue's Connect for I/O queues. NQN fields are read and checked with {@link Nqn}: {@link #subnqn()} and {@link
 * #hostnqn()} never throw on malformed peer data; call {@link #checkSubnqn()} / {@link #checkHostnqn()} to validate.
 */
public final class ConnectData extends Flyweight {

    /** Size of the Connect data. */
    public static final int LENGTH = 1024;

    /** Byte offset of HOSTID. */
    public static final int HOSTID_OFFSET = 0;
    /** Length of HOSTID. */
    public static final int HOSTID_LENGTH = 16;
    /** Byte offset of CNTLID. */
    public static final int CNTLID_OFFSET = 16;
    /** Byte offset of SUBNQN. */
    public static final int SUBNQN_OFFSET = 256;
    /** Byte offset of HOSTNQN. */
    public static final int HOSTNQN_OFFSET = 512;

    /** CNTLID asking for any available controller (dynamic controller model). */
    public static final int CNTLID_DYNAMIC = 0xFFFF;
    /** CNTLID asking a static controller model for any controller. */
    public static final int CNTLID_STATIC_ANY = 0xFFFE;

    /** Points this flyweight at the 1024 bytes at {@code offset} of {@code buffer}. */
    public ConnectData wrap(final ByteBuffer buffer, final int offset) {
        wrapBuffer(buffer, offset);
        return this;
    }

    @Override
    public int encodedLength() {
        return LENGTH;
    }

    /** Zeroes all 1024 bytes. */
    public ConnectData clear() {
        zero();
        return this;
    }

    /** The most significant 8 bytes of HOSTID, as {@link UUID#getMostSignificantBits()}. No allocation. */
    public long hostIdMostSignificantBits() {
        return Long.reverseBytes(i64(HOSTID_OFFSET));
    }

    /** The least significant 8 bytes of HOSTID, as {@link UUID#getLeastSignificantBits()}. No allocation. */
    public long hostIdLeastSignificantBits() {
        return Long.reverseBytes(i64(HOSTID_OFFSET + 8));
    }

    /** HOSTID as a UUID (allocates). */
    public UUID hostId() {
        return new UUID(hostIdMostSignificantBits(), hostIdLeastSignificantBits());
    }

    /** Sets HOSTID from its two halves (RFC 4122 byte order on the wire). */
    public ConnectData hostId(final long mostSignificantBits, final long leastSignificantBits) {
        i64(HOSTID_OFFSET, Long.reverseBytes(mostSignificantBits));
        i64(HOSTID_OFFSET + 8, Long.reverseBytes(leastSignificantBits));
        return this;
    }

    /** Sets HOSTID. */
    public ConnectData hostId(final UUID hostId) {
        return hostId(hostId.getMostSignificantBits(), hostId.getLeastSignificantBits());
    }

    /** CNTLID (u16). */
    public int cntlid() {
        return u16(CNTLID_OFFSET);
    }

    /** Sets CNTLID. */
    public ConnectData cntlid(final int cntlid) {
        u16(CNTLID_OFFSET, cntlid);
        return this;
    }

    /** SUBNQN, decoded leniently (see {@link Nqn#read}); allocates. */
    public String subnqn() {
        return Nqn.read(buffer, offset + SUBNQN_OFFSET, Nqn.FIELD_LENGTH);
    }

    /**
     * Sets SUBNQN, NUL-padding the field.
     *
     * @throws IllegalArgumentException if {@code nqn} is not a valid NQN
     */
    public ConnectData subnqn(final String nqn) {
        Nqn.write(buffer, offset + SUBNQN_OFFSET, Nqn.FIELD_LENGTH, nqn);
        return this;
    }

    /** Validates SUBNQN without allocating or throwing. */
    public NqnCheck checkSubnqn() {
        return Nqn.check(buffer, offset + SUBNQN_OFFSET, Nqn.FIELD_LENGTH);
    }

    /** Whether SUBNQN is exactly {@code utf8} (binary comparison, no allocation). */
    public boolean subnqnMatches(final byte[] utf8) {
        return Nqn.matches(buffer, offset + SUBNQN_OFFSET, Nqn.FIELD_LENGTH, utf8);
    }

    /** HOSTNQN, decoded leniently (see {@link Nqn#read}); allocates. */
    public String hostnqn() {
        return Nqn.read(buffer, offset + HOSTNQN_OFFSET, Nqn.FIELD_LENGTH);
    }

    /**
     * Sets HOSTNQN, NUL-padding the field.
     *
     * @throws IllegalArgumentException if {@code nqn} is not a valid NQN
     */
    public ConnectData hostnqn(final String nqn) {
        Nqn.write(buffer, offset + HOSTNQN_OFFSET, Nqn.FIELD_LENGTH, nqn);
        return this;
    }

    /** Validates HOSTNQN without allocating or throwing. */
    public NqnCheck checkHostnqn() {
        return Nqn.check(buffer, offset + HOSTNQN_OFFSET, Nqn.FIELD_LENGTH);
    }

    /** Whether HOSTNQN is exactly {@code utf8} (binary comparison, no allocation). */
    public boolean hostnqnMatches(final byte[] utf8) {
        return Nqn.matches(buffer, offset + HOSTNQN_OFFSET, Nqn.FIELD_LENGTH, utf8);
    }

    @Override
    public String toString() {
        if (buffer == null) {
            return "ConnectData{unwrapped}";
        }
        return "ConnectData{hostid=" + hostId() + ", cntlid=0x" + Integer.toHexString(cntlid()) + ", subnqn=" + subnqn()
            + ", hostnqn=" + hostnqn() + "}";
    }
}
