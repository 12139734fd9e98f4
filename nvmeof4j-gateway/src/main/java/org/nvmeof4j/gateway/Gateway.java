package org.nvmeof4j.gateway;

import org.nvmeof4j.target.offload.NamespaceMapping;
import org.nvmeof4j.target.offload.OffloadContext;
import org.nvmeof4j.target.offload.OffloadException;
import org.nvmeof4j.target.subsystem.Namespace;
import org.nvmeof4j.target.subsystem.Subsystem;

/**
 * Wiring for an NVMe-oF gateway: a front-end namespace that is a backend controller's namespace, served by the
 * target offload ({@code fastpath}) for Read/Write/Flush and by the software target (through the same backend) for
 * the rest.
 */
public final class Gateway
{
    private Gateway()
    {
    }

    /**
     * Add front-end namespace {@code feNsid} to the offload context's subsystem, backed by {@code backendNsid} of
     * {@code backend}, attach the backend controller to the context (unless it is attached already) and map the
     * namespace. Any thread; blocks for the Identify data only (already read at connect).
     *
     * @throws OffloadException as {@link OffloadContext#mapNamespace} and
     *                          {@link OffloadContext#addBackendController}; the namespace is removed again then.
     */
    public static NamespaceMapping passthru(final OffloadContext ctx, final int feNsid,
        final NvmeTcpBackendController backend, final int backendNsid) throws OffloadException
    {
        final Subsystem s = ctx.subsystem();
        final PassthruBackend front = (PassthruBackend)backend.frontBackend(backendNsid);
        final Namespace ns = new Namespace(feNsid, front, front.blockSize(), null, s.nqn());
        s.addNamespace(ns);
        try
        {
            if (!ctx.backendControllers().contains(backend))
            {
                ctx.addBackendController(backend);
            }
            return ctx.mapNamespace(feNsid, backend, backendNsid, front.blockSize());
        }
        catch (final OffloadException | RuntimeException e)
        {
            s.removeNamespace(feNsid);
            throw e;
        }
    }
}
