package org.nvmeof4j.tcp;

/**
 * One unit of work a {@link Poller} drives: typically one NVMe/TCP queue (connection). Run to completion: the
 * poller thread owns the task, so the task needs no locks for its own state.
 */
public interface PollerTask
{
    /**
     * One duty cycle: read what arrived, handle it, write what is pending, check timers.
     *
     * @return a work count, 0 when there was nothing to do.
     */
    int doWork() throws Exception;

    /** The task threw from {@link #doWork}: it should close itself; the poller drops it. */
    void onError(Throwable error);

    /** @return false once the task has finished and should be removed. */
    boolean isActive();

    /**
     * The poller registered the task's channel and hands over the key, so the task can ask to be woken when its
     * socket becomes writable ({@code OP_WRITE}) while a send is blocked on a full socket buffer. Called on the
     * poller thread; the default ignores it.
     */
    default void selectionKey(final java.nio.channels.SelectionKey key)
    {
    }
}
