package org.nvmeof4j.ddp;

import org.nvmeof4j.tcp.NvmeTcpConnection;

/**
 * The callbacks a device makes into the upper-layer protocol (the NVMe/TCP host transport), mirroring
 * {@code struct ulp_ddp_ulp_ops} (seed 003: {@code resync_request}, {@code ddp_teardown_done}). They are given to
 * the device with {@code skAdd} (seed 000: the ops are passed to {@code sk_add} rather than set by the ULP).
 *
 * <p>Sequence numbers are 32-bit relative TCP sequence numbers: the low 32 bits of the stream offset of a byte in
 * the connection's receive stream (what {@link org.nvmeof4j.tcp.Segment#streamOffset} and
 * {@link org.nvmeof4j.tcp.PduListener#onPduBoundary(long)} count), compared modulo 2^32.
 */
public interface UlpDdpUlpOps
{
    /** {@link #resyncRequest} flag: a request is pending (the kernel's {@code ULP_DDP_RESYNC_PENDING}). */
    int RESYNC_PENDING = 1;

    /**
     * The device lost track of the PDU framing and believes a PDU starts at {@code seq}; the ULP stores the request
     * ({@link ResyncState#request}) and, when its receive path reaches a PDU header at exactly that sequence,
     * confirms it with {@link UlpDdpDevice#resync}. May be called from the device's own context (any thread); a
     * newer request replaces an older one.
     *
     * @return true when the request was stored.
     */
    boolean resyncRequest(NvmeTcpConnection connection, int seq, int flags);

    /**
     * The device finished tearing down a buffer registration (asynchronous teardown): the request identified by
     * {@code ctx}, given to {@link UlpDdpDevice#teardown}, may now complete and its command ID be reused. Called
     * exactly once per {@code teardown}, possibly from within {@code teardown} itself.
     */
    void ddpTeardownDone(Object ctx);
}
