package org.nvmeof4j.host.tcp;

import java.nio.ByteBuffer;

/**
 * The seam where a receive offload (ULP DDP, module {@code ddp}) plugs into a host I/O queue. The queue calls it at
 * the two points the Linux offload series hooks in {@code nvme-tcp}: before a read command is sent
 * ({@link #setup}, the device learns the CID and the destination buffer) and when the command's response arrives
 * ({@link #teardown}, the device releases the buffer, possibly asynchronously). To also take over the receive side,
 * the factory replaces the connection's {@link org.nvmeof4j.tcp.SegmentSource} with
 * {@code connection.segmentSource(...)}.
 *
 * <p>All calls come on the thread that owns the connection; so must {@link TcpConnection#completeDeferred(int)}.
 * Only I/O queues are offloaded; the factory runs again on every reconnect (a caps change takes effect then). A
 * device that goes away closes the socket ({@code connection.channel().close()}, from any thread): the controller's
 * error recovery reconnects. Negotiated values for the device's {@code skAdd}: {@link TcpConnection#qid()},
 * {@link TcpConnection#queueSize()}, {@link TcpConnection#cpda()}, {@link TcpConnection#hdgst()},
 * {@link TcpConnection#ddgst()}, {@link TcpConnection#receiver()} (stream offsets, for resync).
 */
public interface ReadOffload
{
    /** Creates the offload of one I/O queue connection; called after the ICReq/ICResp exchange and Connect. */
    @FunctionalInterface
    interface Factory
    {
        /**
         * @return the offload for this connection, or null to run it in software (a setup failure falls back
         *         silently).
         */
        ReadOffload create(TcpConnection connection);

        /**
         * Called on the admin queue once it is connected: the largest transfer the offload can map (the ULP DDP
         * {@code limits}: max segments × 4 KiB), which caps the controller's MDTS for every I/O queue. 0: no cap.
         */
        default long maxTransferBytes(final TcpConnection adminConnection)
        {
            return 0;
        }
    }

    /**
     * A read command is about to be queued for sending: register its destination ({@code length} bytes from
     * {@code index} of {@code dst}) under {@code cid}.
     *
     * @return true if the device took it: {@link #teardown} will be called for this command.
     */
    boolean setup(TcpConnection connection, int cid, ByteBuffer dst, int index, int length);

    /**
     * The response of an offloaded command arrived (CapsuleResp, or a C2HData with SUCCESS).
     *
     * @return false to complete the command now; true to defer it until the device confirms with
     *         {@link TcpConnection#completeDeferred(int)} (asynchronous teardown, the ULP's
     *         {@code ddpTeardownDone}).
     */
    boolean teardown(TcpConnection connection, int cid);

    /**
     * Whether the device registers any 16-bit command ID (the ULP DDP limit {@code fullCcidRange}). When it does not,
     * the connection uses plain slot numbers (below the queue size) as CIDs, without the generation bits it
     * otherwise adds, as the Linux offload series turns the CID generation off for such devices.
     */
    default boolean fullCommandIdRange()
    {
        return true;
    }

    /**
     * The receive path reached a PDU header at this stream offset (where the ULP DDP resync handshake confirms a
     * device's pending request). Called for every PDU: keep it cheap.
     */
    default void onPduBoundary(final TcpConnection connection, final long streamOffset)
    {
    }

    /** The connection closed: release everything registered for it (the device's {@code skDel}). */
    default void close(final TcpConnection connection)
    {
    }
}
