package org.nvmeof4j.target.subsystem;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.nvmeof4j.target.backend.Backend;

/**
 * One namespace of a subsystem (NVMe Base 1.4, 6.1): an NSID, a logical block size, and the backend holding the
 * blocks. Its identifiers (NGUID, UUID, EUI-64) are derived from the subsystem NQN and NSID unless given, so they are
 * stable across restarts as Linux multipathing expects.
 */
public final class Namespace
{
    /** Largest ANA group ID (ANAGRPMAX; the target's {@code AnaGroups.MAX_GROUPS}). */
    public static final int MAX_ANA_GROUP = 128;

    private final int nsid;
    private final Backend backend;
    private final int blockShift;
    private final long blocks;
    private final UUID uuid;
    /** ANAGRPID (NVMe Base 2.0, 8.1.1): the ANA group whose per-port state applies to this namespace. */
    private volatile int anaGrpId;
    private final NamespaceCounters counters = new NamespaceCounters();

    /**
     * @param nsid      1..0xFFFFFFFE.
     * @param backend   the storage; its size is rounded down to whole blocks.
     * @param blockSize logical block size: 512 or 4096 (any power of two from 512 to 64 KiB).
     * @param uuid      the namespace UUID, or null to derive one from {@code subsystemNqn} and {@code nsid}.
     */
    public Namespace(final int nsid, final Backend backend, final int blockSize, final UUID uuid,
        final String subsystemNqn)
    {
        this(nsid, backend, blockSize, uuid, subsystemNqn, 1);
    }

    /**
     * @param anaGrpId the ANA group, 1..128 (nvmet's {@code namespaces/<nsid>/ana_grpid}, default 1).
     */
    public Namespace(final int nsid, final Backend backend, final int blockSize, final UUID uuid,
        final String subsystemNqn, final int anaGrpId)
    {
        if (anaGrpId < 1 || anaGrpId > MAX_ANA_GROUP)
        {
            throw new IllegalArgumentException("ANA group ID must be 1.." + MAX_ANA_GROUP + ": " + anaGrpId);
        }
        this.anaGrpId = anaGrpId;
        if (nsid == 0 || nsid == -1)
        {
            throw new IllegalArgumentException("invalid NSID " + Integer.toUnsignedString(nsid));
        }
        if (Integer.bitCount(blockSize) != 1 || blockSize < 512 || blockSize > 65536)
        {
            throw new IllegalArgumentException("block size must be a power of two from 512 to 65536: " + blockSize);
        }
        this.nsid = nsid;
        this.backend = backend;
        this.blockShift = Integer.numberOfTrailingZeros(blockSize);
        this.blocks = backend.size() >>> blockShift;
        if (blocks == 0)
        {
            throw new IllegalArgumentException("namespace " + nsid + " is smaller than one block");
        }
        this.uuid = uuid != null ? uuid :
            UUID.nameUUIDFromBytes((subsystemNqn + "/ns/" + nsid).getBytes(StandardCharsets.UTF_8));
    }

    public int nsid()
    {
        return nsid;
    }

    public Backend backend()
    {
        return backend;
    }

    /** @return log2 of the logical block size (LBADS). */
    public int blockShift()
    {
        return blockShift;
    }

    public int blockSize()
    {
        return 1 << blockShift;
    }

    /** @return capacity in logical blocks (NSZE). */
    public long blocks()
    {
        return blocks;
    }

    public UUID uuid()
    {
        return uuid;
    }

    /** @return the ANA group ID (ANAGRPID). Lock-free; read on the I/O path. */
    public int anaGrpId()
    {
        return anaGrpId;
    }

    /** Move to another ANA group; {@link Subsystem#namespaceAnaGroup} does it and tells the controllers. */
    void anaGrpId(final int grpid)
    {
        anaGrpId = grpid;
    }

    /** @return this namespace's I/O counters (every queue, every controller). */
    public NamespaceCounters counters()
    {
        return counters;
    }

    @Override
    public String toString()
    {
        return "namespace " + nsid + " (" + backend.describe() + ", " + blockSize() + "-byte blocks)";
    }
}
