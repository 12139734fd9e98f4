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

    /**
     * The poller is about to block in its selector. A task whose work does not arrive through its channel (a ring
     * that another thread fills, as an offload engine's submission ring or completion ring) arms its wake-up here
     * and returns whether work is already waiting; then the poller does not sleep. Called on the poller thread after
     * it has announced that it sleeps, so a producer that publishes, then calls {@link Poller#wakeup}, is never
     * missed. Must not block; the default has nothing to arm.
     *
     * @return true if the task has work now.
     */
    default boolean prepareToSleep()
    {
        return false;
    }
}
