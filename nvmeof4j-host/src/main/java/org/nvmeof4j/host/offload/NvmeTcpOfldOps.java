package org.nvmeof4j.host.offload;

import java.nio.channels.SelectableChannel;
import org.nvmeof4j.host.ConnectOptions;

/**
 * What an NVMe/TCP offload driver does for the {@code tcp_offload} ULP: seed 002's {@code struct nvme_tcp_ofld_ops}
 * in Java case. The device runs TCP and the NVMe/TCP queue protocol itself (ICReq/ICResp, capsules, R2T/H2CData,
 * C2HData placement, digests); the ULP keeps the controller level and works with the driver at the I/O level only:
 * it passes a request down ({@link #sendReq}) and gets its completion back ({@link NvmeTcpOfldReq#done}).
 *
 * <p>The driver's own state is typed: {@code C} per controller, returned by {@link #setupCtrl}, and {@code Q} per
 * queue, returned by {@link #createQueue}. The ULP hands them back on every call and never looks inside (this is the
 * seed review's "typed objects instead of private_data"). The ULP keeps no routing fields: which device reaches a
 * target is the answer of {@link #claimDev}, nothing else.
 *
 * <p><b>Threads.</b> "Connecting thread" is the thread that connects or reconnects the controller (the
 * application's, or the controller's recovery thread); "owner thread" is the one thread that owns the queue at the
 * time (an application thread polling an {@code IoQueue}, or a poller thread of the async API; ownership moves
 * between threads only with a happens-before edge the ULP provides). The I/O-path calls ({@link #mapSg},
 * {@link #sendReq}, {@link #commitRqs}, {@link #pollQueue}) must not block, lock or allocate.
 *
 * @param <C> the driver's per-controller state.
 * @param <Q> the driver's per-queue state.
 */
public interface NvmeTcpOfldOps<C, Q>
{
    /**
     * Does {@code dev} reach the target of {@code options} ({@code traddr}, {@code trsvcid}): the route lookup to the
     * paired net device of seed 002. Any thread; must not block beyond a local lookup; must not throw.
     *
     * @return true if the device can carry this controller's queues.
     */
    boolean claimDev(NvmeTcpOfldDev dev, ConnectOptions options);

    /**
     * A controller starts using the device: allocate what the device keeps per controller. Connecting thread; may
     * block (device commands).
     *
     * @throws org.nvmeof4j.host.NvmeTransportException if the device cannot take another controller; nothing is
     *         left allocated then.
     */
    C setupCtrl(NvmeTcpOfldCtrl ctrl);

    /** The controller is gone: free what {@link #setupCtrl} allocated. Its queues are destroyed. Any thread; may block. */
    void releaseCtrl(C ctrl);

    /**
     * Create queue {@code qid} in the device: the TCP connection to the target and the ICReq/ICResp exchange happen
     * inside (the device picks the digests asked for in {@code ctrl.options()} and honours MAXH2CDATA and CPDA from
     * the ICResp). Connecting thread; blocks at most until {@code deadlineNanos} of the controller's clock. The queue
     * is ready for {@link #sendReq} when this returns.
     *
     * @param queue     the ULP's queue: its requests ({@link NvmeTcpOfldQueue#req}), its error report
     *                  ({@link NvmeTcpOfldQueue#reportQueueErr}).
     * @param queueSize command slots (the Fabrics Connect's SQSIZE + 1); {@code queue} has that many requests.
     * @throws org.nvmeof4j.host.NvmeTransportException when the target cannot be reached or breaks the protocol;
     *         nothing is left open then.
     */
    Q createQueue(C ctrl, NvmeTcpOfldQueue queue, int qid, int queueSize, long deadlineNanos);

    /**
     * Stop the queue: blocking, owner thread. After it returns no request of the queue completes any more and the
     * device neither reads nor writes any request's data buffer again. Completions the device posted before it
     * stopped may still be reaped by one last {@link #pollQueue}. Must return (bounded) even if the device is hung or
     * its engine died. Must not throw.
     */
    void drainQueue(Q queue);

    /** Free the queue's device resources (after {@link #drainQueue}). Owner thread; must not throw. */
    void destroyQueue(Q queue);

    /**
     * Reap completions: call {@link NvmeTcpOfldReq#done} for each request the device finished, on this thread, from
     * inside this call. Owner thread; never blocks, locks or allocates.
     *
     * @return the number of requests completed.
     */
    int pollQueue(Q queue);

    /**
     * One-time setup of a request slot (seed 002's {@code init_req}), for each of the queue's requests, right after
     * {@link #createQueue}. Connecting thread.
     */
    void initReq(Q queue, NvmeTcpOfldReq req);

    /**
     * Map the request's data buffer for the device (seed 002's {@code map_sg}): owner thread, before
     * {@link #sendReq}; never blocks or allocates.
     *
     * @return the number of device segments used (0 without data), or a negative value when the buffer cannot be
     *         mapped (the ULP then treats the queue as failed and re-drives the request elsewhere).
     */
    int mapSg(Q queue, NvmeTcpOfldReq req);

    /**
     * Hand a request to the device (seed 002's {@code send_req}). Owner thread; never blocks, locks or allocates. The
     * device may hold it until {@link #commitRqs}.
     *
     * @return 0, or a negative value when the device refused it (the queue is then treated as failed).
     */
    int sendReq(Q queue, NvmeTcpOfldReq req);

    /**
     * End of a batch of {@link #sendReq} calls (seed 002's {@code commit_rqs}, blk-mq's doorbell): the device must
     * start on everything sent so far. Owner thread; never blocks.
     */
    void commitRqs(Q queue);

    /**
     * The owner has nothing to do and waits for a completion (the Java stand-in for an interrupt): block at most
     * {@code maxNanos}, returning early when a completion or a queue error is posted. Owner thread.
     */
    void awaitQueue(Q queue, long maxNanos);

    /**
     * @return a channel that becomes readable when a completion is posted after {@link #armQueue} armed it
     *         (the queue's interrupt, for a poller thread's selector), or null: then the owner polls without sleeping
     *         on it.
     */
    SelectableChannel queueChannel(Q queue);

    /**
     * The owner is about to sleep on {@link #queueChannel}: arm the interrupt. Owner thread; never blocks.
     *
     * @return true if completions are already waiting.
     */
    boolean armQueue(Q queue);
}
