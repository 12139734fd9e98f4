package org.nvmeof4j.target;

import java.util.UUID;
import java.util.function.Supplier;
import org.nvmeof4j.target.backend.Backend;

/**
 * One namespace a {@link Target.SubsystemSpec} declares; its backend is opened only when the subsystem or the
 * namespace is built, so that a failed build can close what it opened.
 */
final class NamespaceSpec
{
    final int nsid;
    final int blockSize;
    final UUID uuid;
    final Supplier<Backend> backend;
    final int anaGrpId;

    NamespaceSpec(final int nsid, final int blockSize, final UUID uuid, final int anaGrpId,
        final Supplier<Backend> backend)
    {
        this.anaGrpId = anaGrpId;
        this.nsid = nsid;
        this.blockSize = blockSize;
        this.uuid = uuid;
        this.backend = backend;
    }
}
