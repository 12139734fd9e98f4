package org.nvmeof4j.host.spi;

/**
 * The transport side of one controller (Linux's {@code nvme_ctrl_ops} of a fabrics transport, seed 002's
 * per-controller state): it opens the queues' connections and releases what it holds when the controller goes.
 * One instance serves every association of the controller: after a connection loss the controller asks it for new
 * queues again.
 *
 * <p>Called by the controller from its connecting thread (the application's, or the recovery thread); never from
 * an I/O thread.
 */
public interface TransportController extends AutoCloseable
{
    /**
     * Open the connection of queue {@code qid} and run the transport's own handshake (NVMe/TCP: TCP connect, then
     * ICReq/ICResp). Blocking, at most until {@code deadlineNanos} of the controller's clock. The queue is not owned
     * by anyone yet: the caller {@link TransportQueue#attach attaches} it and sends the Fabrics Connect.
     *
     * @param qid       0 for the admin queue.
     * @param queueSize command slots the queue must hold (the Connect's SQSIZE + 1).
     * @throws org.nvmeof4j.host.NvmeTransportException when the controller cannot be reached or breaks the
     *         transport's protocol; nothing is left open then.
     */
    TransportQueue connectQueue(int qid, int queueSize, long deadlineNanos);

    /**
     * The Fabrics Connect of I/O queue {@code queue} succeeded: start what the transport runs per queue from now on
     * (NVMe/TCP: the receive offload, as Linux's {@code nvme_tcp_start_queue}). A failure must fall back silently.
     * Runs before the queue carries any I/O, on the connecting thread.
     */
    default void startQueue(final TransportQueue queue)
    {
    }

    /**
     * Called once the admin queue is connected: the largest transfer the transport can move in one command
     * ({@code max_hw_sectors}, or an offload's limits), which caps the controller's MDTS for every I/O queue.
     *
     * @return bytes, or 0 for no limit.
     */
    default long maxTransferBytes(final TransportQueue adminQueue)
    {
        return 0;
    }

    /** @return where the controller is, for messages ({@code 127.0.0.1:4420}); Linux's {@code get_address}. */
    String address();

    /** The controller is gone: release what the transport holds for it (seed 002's {@code release_ctrl}). */
    @Override
    default void close()
    {
    }
}
