package org.nvmeof4j.host.spi;

import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;

/**
 * The wire side of one NVMe queue (admin or I/O) on one transport connection: it moves commands and their data and
 * reports completions to its {@link QueueOwner}. It knows command slots, not requests: splitting, retries after a
 * reconnect, timeouts' consequences and keep-alive belong to the owner. NVMe/TCP's is
 * {@link org.nvmeof4j.host.tcp.TcpConnection}.
 *
 * <p><b>Threads.</b> Owned by one thread at a time: every method runs on it, except {@link #abort}, which any
 * thread may call. Nothing on {@link #sendCommand} / {@link #poll} may allocate or lock.
 */
public interface TransportQueue
{
    /** Data direction: none. */
    byte DIR_NONE = 0;
    /** Data direction: host to controller (a write). */
    byte DIR_H2C = 1;
    /** Data direction: controller to host (a read). */
    byte DIR_C2H = 2;

    /** @return the queue ID (0 for the admin queue). */
    int qid();

    /** @return command slots (the queue size). */
    int queueSize();

    /** Attach the request layer that owns this queue from now on; it receives every callback. */
    void attach(QueueOwner owner);

    /** ICDOFF from Identify Controller: where in-capsule data starts, in 16-byte units. */
    void icdoff(int icdoff);

    /** @return whether the transport handshake is done and commands may be sent. */
    boolean isReady();

    /** @return whether the connection is closed (for good: a reconnect brings a new queue). */
    boolean isClosed();

    /** @return why it closed, or null while open. */
    String closeReason();

    /** @return command slots free for {@link #sendCommand}. */
    int freeCommandSlots();

    /**
     * Queue a command for sending (it leaves at the next {@link #poll}, or at once if the transport chooses). The
     * 64-byte SQE is copied from {@code template}; the transport fills in its CID and data pointer.
     *
     * @param request   the owner's request, reported back in {@link QueueOwner#onCommandComplete}.
     * @param dir       {@link #DIR_NONE}, {@link #DIR_H2C} or {@link #DIR_C2H}.
     * @param buf       the data buffer (null without data); the transport reads or writes {@code length} bytes
     *                  from {@code index} until the command completes, never after.
     * @param inCapsule send the data inside the command capsule (host to controller only).
     * @param nowNanos  the owner's clock, for {@link #expiredCommand}.
     * @return the command ID used.
     */
    int sendCommand(int request, ByteBuffer template, int templateIndex, byte dir, ByteBuffer buf, int index,
        int length, boolean inCapsule, long nowNanos);

    /**
     * One duty cycle: send what is queued, receive what arrived, complete commands and run the owner's
     * {@link QueueOwner#onDuty}. Never blocks and never throws: a failure closes the queue.
     *
     * @return a work count (0: nothing happened).
     */
    int poll();

    /** @return the CID of a command (other than an Asynchronous Event Request) older than the timeout, or -1. */
    int expiredCommand(long nowNanos, long timeoutNanos);

    /** Close on the owning thread; the owner hears {@link QueueOwner#onConnectionClosed} once. */
    void close(String reason, Throwable cause);

    /** Close from any thread: the owning thread notices at its next {@link #poll}. */
    void abort();

    /**
     * Block the owning thread until the queue has something to receive or {@code maxNanos} pass (at least about a
     * millisecond): the last step of an idle strategy.
     */
    void await(long maxNanos);

    /**
     * The owning poller thread is about to block in its selector (on {@link #selectableChannel}): a transport whose
     * completions do not arrive on that channel by themselves (an offload device that posts them to a ring) arms
     * its wake-up here, so the channel becomes readable when the next completion is posted. Owning thread; must
     * not block.
     *
     * @return true if completions are already waiting (the poller then runs another cycle instead of sleeping).
     */
    default boolean armWakeup()
    {
        return false;
    }

    /**
     * @return the channel a poller thread can wait on for this queue's input (registered for reads), or null if
     *         the transport wakes its owner otherwise.
     */
    SelectableChannel selectableChannel();
}
