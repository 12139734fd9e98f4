package org.nvmeof4j.host.spi;

/**
 * What a {@link TransportQueue} calls back: the request layer that owns it
 * ({@link org.nvmeof4j.host.queue.HostQueue}). Every call comes on the queue's owning thread, from inside
 * {@link TransportQueue#poll} (or a {@link TransportQueue#close} on that thread).
 */
public interface QueueOwner
{
    /**
     * One command ended.
     *
     * @param request the {@code request} passed to {@link TransportQueue#sendCommand}.
     * @param status  the 15-bit NVMe status (0: success), after the transport's own overrides (a data digest
     *                error is a Data Transfer Error).
     * @param result  the completion's DW0 (low 32 bits) and DW1 (high 32 bits).
     */
    void onCommandComplete(int request, int status, long result);

    /**
     * The owner's part of a duty cycle, between receiving and sending: issue queued requests, keep-alive, timers.
     *
     * @return a work count.
     */
    int onDuty(TransportQueue queue);

    /**
     * The connection is gone (peer closed, TermReq, protocol error, timeout, abort). Called once. Commands that
     * were in flight never complete through {@link #onCommandComplete} after this.
     */
    void onConnectionClosed(TransportQueue queue, String reason, Throwable cause);
}
