package org.nvmeof4j.host;

import java.nio.ByteBuffer;
import org.nvmeof4j.protocol.nvme.Cqe;
import org.nvmeof4j.protocol.nvme.NvmeStatus;

/**
 * An NVMe I/O queue (one NVMe/TCP connection) owned by one thread: the fastest path, in the manner of SPDK's
 * {@code spdk_nvme_ns_cmd_read} + {@code spdk_nvme_qpair_process_completions}. Submit, then {@link #poll} on the
 * same thread; nothing is allocated, locked or copied per I/O: request slots and command IDs are preallocated, the
 * caller's buffers are the data buffers (sent with gather writes, received straight into them).
 *
 * <p><b>Buffers.</b> Data moves between {@code buffer.position()} and {@code position() + blocks × block size};
 * position and limit are left as they were. The buffer must not be touched until the request completes. Heap and
 * direct buffers both work; direct buffers save the JDK's temporary copy on the socket.
 *
 * <p><b>Splitting.</b> Transfers above the controller's MDTS (and the 65536-block NLB limit) are split into several
 * commands and complete once, with the first failing status. Writes up to the in-capsule size (IOCCSZ) go inside the
 * command capsule, larger ones on R2T with H2CData PDUs of at most MAXH2CDATA bytes.
 *
 * <p><b>Errors.</b> A lost connection, a TermReq or a command timeout makes the controller reconnect (every
 * {@code reconnect_delay} until {@code ctrl_loss_tmo}); requests in flight are resent on the new connection and
 * complete normally; once the controller is lost they complete with {@link #STATUS_CONTROLLER_LOST}. Submissions
 * made while reconnecting wait in the queue.
 */
public interface IoQueue extends AutoCloseable
{
    /** Returned by submit methods when every request slot is in use: poll, then retry. */
    int QUEUE_FULL = -1;

    /**
     * Completion status of requests failed because the controller was lost (ctrl_loss_tmo expired or the controller
     * was deleted): Host Pathing Error with Do Not Retry.
     */
    int STATUS_CONTROLLER_LOST = NvmeStatus.HOST_PATHING_ERROR.status() | Cqe.STATUS_DNR;

    /** Status of a command whose C2HData failed its data digest: Data Transfer Error (NVMe/TCP 3.3.2.2). */
    int STATUS_DATA_TRANSFER_ERROR = NvmeStatus.DATA_TRANSFER_ERROR.status();

    /** @return the queue ID (1..). */
    int qid();

    /** @return how many requests may be outstanding at once (queue_size − 1). */
    int depth();

    /** @return requests submitted and not yet completed. */
    int outstanding();

    /**
     * Read {@code blocks} logical blocks from {@code lba} into {@code dst}.
     *
     * @return a request slot (≥ 0), or {@link #QUEUE_FULL}.
     * @throws IllegalArgumentException for an unknown namespace or a buffer shorter than the transfer.
     */
    int submitRead(int nsid, long lba, int blocks, ByteBuffer dst, long userTag);

    /** Write {@code blocks} logical blocks at {@code lba} from {@code src}; see {@link #submitRead}. */
    int submitWrite(int nsid, long lba, int blocks, ByteBuffer src, long userTag);

    /** Flush (NVM Command Set 3.2.4). */
    int submitFlush(int nsid, long userTag);

    /** Write Zeroes (NVM Command Set 3.2.8); split at 65536 blocks. */
    int submitWriteZeroes(int nsid, long lba, long blocks, long userTag);

    /** Dataset Management with the Attribute Deallocate for one range (NVM Command Set 3.2.3). */
    int submitDeallocate(int nsid, long lba, int blocks, long userTag);

    /**
     * Do one duty cycle: send what was submitted, read what arrived, complete requests through {@code handler}, check
     * timers. Never blocks.
     *
     * @return the number of requests completed.
     */
    int poll(CompletionHandler handler);

    /**
     * While inside {@link CompletionHandler#onComplete}: the completion's DW0 (low 32 bits) and DW1 (high 32 bits).
     */
    long completionResult();

    /**
     * Block the owning thread until the queue's connection has bytes to read or {@code maxNanos} pass (millisecond
     * granularity, at least 1 ms): the last step of a polling loop's idle strategy, so that a thread waiting for
     * completions gives its core to others (the target, on a shared machine) instead of spinning. Use it with
     * {@code org.nvmeof4j.tcp.IdleStrategy}: {@code if (q.poll(h) == 0) idle.idle(0, q::await)} (bind the method
     * reference once). Submissions made before the call must have been sent by a {@link #poll} first.
     */
    void await(long maxNanos);

    /** @return the logical block size of {@code nsid} in bytes, or -1 if the namespace is unknown. */
    int blockSize(int nsid);

    /** Close the connection; requests still outstanding are not completed. */
    @Override
    void close();
}
