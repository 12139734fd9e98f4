package org.nvmeof4j.ddp;

/**
 * What the ULP tells the device about an NVMe/TCP I/O queue when it asks to offload it ({@code skAdd}); mirrors
 * {@code struct nvme_tcp_ddp_config} (seed 003) as the host fills it after the ICReq/ICResp handshake and Connect
 * (seed 000, {@code nvme_tcp_offload_socket}).
 *
 * <p>The device follows the PDU framing of the connection with these values: header and data digests
 * ({@link #dgst()} bits) decide the header and data sizes around the PDU data, and {@link #cpda()} the alignment of
 * PDU data.
 *
 * @param pfv       PDU format version from ICResp (only {@link #PFV_1_0} is defined; a device fails others).
 * @param cpda      controller PDU data alignment, 0's based dwords (0..31).
 * @param dgst      digests negotiated: {@link #HDR_DIGEST_ENABLE} | {@link #DATA_DIGEST_ENABLE}.
 * @param queueSize I/O queue entries (SQSIZE + 1).
 * @param queueId   queue id (≥ 1: only I/O queues are offloaded).
 * @param ioCpu     the CPU (or poller index) that runs the queue, -1 when unknown.
 */
public record UlpDdpConfig(int pfv, int cpda, int dgst, int queueSize, int queueId, int ioCpu)
{
    /** NVMe/TCP PDU format version 1.0, the value 0 on the wire. */
    public static final int PFV_1_0 = 0;
    /** {@link #dgst()} bit: header digests negotiated (ICReq/ICResp DGST bit 0). */
    public static final int HDR_DIGEST_ENABLE = 1;
    /** {@link #dgst()} bit: data digests negotiated (ICReq/ICResp DGST bit 1). */
    public static final int DATA_DIGEST_ENABLE = 2;

    public UlpDdpConfig
    {
        if (cpda < 0 || cpda > 31 || queueSize < 1 || queueSize > 65536 || (dgst & ~3) != 0)
        {
            throw new IllegalArgumentException("bad ULP DDP config: cpda=" + cpda + " queueSize=" + queueSize +
                " dgst=" + dgst);
        }
    }

    /** Convenience factory from the negotiated flags. */
    public static UlpDdpConfig of(
        final int cpda, final boolean hdgst, final boolean ddgst, final int queueSize, final int queueId,
        final int ioCpu)
    {
        return new UlpDdpConfig(PFV_1_0, cpda, (hdgst ? HDR_DIGEST_ENABLE : 0) | (ddgst ? DATA_DIGEST_ENABLE : 0),
            queueSize, queueId, ioCpu);
    }

    /** @return whether header digests follow PDU headers. */
    public boolean hdgst()
    {
        return (dgst & HDR_DIGEST_ENABLE) != 0;
    }

    /** @return whether data digests follow PDU data. */
    public boolean ddgst()
    {
        return (dgst & DATA_DIGEST_ENABLE) != 0;
    }
}
