package org.nvmeof4j.ddp.soft;

import org.nvmeof4j.ddp.UlpDdpCaps;
import org.nvmeof4j.ddp.UlpDdpConfig;
import org.nvmeof4j.ddp.UlpDdpLimits;
import org.nvmeof4j.ddp.UlpDdpUlpOps;
import org.nvmeof4j.ddp.spi.AbstractUlpDdpDevice;
import org.nvmeof4j.ddp.spi.UlpDdpContext;
import org.nvmeof4j.tcp.NvmeTcpConnection;

/**
 * The production software ULP DDP device: it removes the user-space copy of C2HData payload by reading it from the
 * socket straight into the registered read buffers, and verifies the data digest over the placed bytes while they
 * are still in cache (the software counterpart of the NIC offload of seeds 001 and 003).
 *
 * <p>Each offloaded connection gets a {@link SoftDdpContext} as its segment source; see there for how the stream is
 * followed. Capabilities: {@code nvme_tcp} and {@code nvme_tcp_ddgst_rx}, both active by default.
 */
public final class SoftDdpDevice extends AbstractUlpDdpDevice
{
    /** Default per-connection receive buffer, as large as the plain reader's so small PDUs cost no extra reads. */
    public static final int DEFAULT_BUFFER = 256 * 1024;
    /**
     * Default size from which a PDU's payload is read with its own scattering read, and the next read ahead is kept
     * short so that the following large payload is not pulled into the receive buffer.
     */
    public static final int DEFAULT_DIRECT_THRESHOLD = 32 * 1024;
    /** Read-ahead after a large payload: enough for the digest, a CapsuleResp and the next PDU header. */
    public static final int DEFAULT_SHORT_READ = 1024;
    /**
     * Default limits: 256 SG entries (1 MiB transfers), reads from 32 KiB (below that, saving one memcpy does not
     * pay for the extra bookkeeping: measured with {@code nvmeof4j ddp bench}), no TLS, any command ID.
     */
    public static final UlpDdpLimits DEFAULT_LIMITS = new UlpDdpLimits(256, 32 * 1024, false, true);

    private final int bufferSize;
    private final int directThreshold;
    private final int shortRead;

    /** A device with the defaults. */
    public SoftDdpDevice(final String name)
    {
        this(name, DEFAULT_LIMITS, DEFAULT_BUFFER, DEFAULT_DIRECT_THRESHOLD, DEFAULT_SHORT_READ);
    }

    /**
     * @param name            device name.
     * @param limits          limits reported to ULPs.
     * @param bufferSize      per-connection receive buffer.
     * @param directThreshold payload size from which reads ahead are kept to {@code shortRead} bytes.
     * @param shortRead       read-ahead size after a large payload (≥ 64).
     */
    public SoftDdpDevice(
        final String name, final UlpDdpLimits limits, final int bufferSize, final int directThreshold,
        final int shortRead)
    {
        super(name, new UlpDdpCaps(caps(), caps()), limits);
        if (bufferSize < 512 || shortRead < 64 || shortRead > bufferSize)
        {
            throw new IllegalArgumentException("bufferSize " + bufferSize + ", shortRead " + shortRead);
        }
        this.bufferSize = bufferSize;
        this.directThreshold = directThreshold;
        this.shortRead = shortRead;
    }

    private static long caps()
    {
        return UlpDdpCaps.bit(UlpDdpCaps.NVME_TCP) | UlpDdpCaps.bit(UlpDdpCaps.NVME_TCP_DDGST_RX);
    }

    @Override
    protected UlpDdpContext createContext(
        final NvmeTcpConnection connection, final UlpDdpConfig config, final UlpDdpUlpOps ops, final UlpDdpCaps caps,
        final UlpDdpLimits limits)
    {
        return new SoftDdpContext(this, connection, config, ops, caps, limits, bufferSize, directThreshold,
            shortRead);
    }
}
