package org.nvmeof4j.target.offload;

/**
 * One front-end namespace mapped to a backend controller's namespace (the RFC's {@code ibv_map_nvmf_nsid}).
 * Immutable; its {@link #stats()} count what the device served for it.
 *
 * @param feNsid      the fabric-facing NSID, unique within the offload context.
 * @param controller  the backend controller.
 * @param backendNsid the namespace on that controller.
 * @param lbaDataSize bytes per LBA (data + metadata) the namespace is formatted with.
 * @param stats       the namespace's counters.
 */
public record NamespaceMapping(int feNsid, BackendController controller, int backendNsid, int lbaDataSize,
    OffloadNamespaceStats stats)
{
    @Override
    public String toString()
    {
        return "nsid " + feNsid + " -> " + controller.name() + " nsid " + backendNsid + " (" + lbaDataSize + " B)";
    }
}
