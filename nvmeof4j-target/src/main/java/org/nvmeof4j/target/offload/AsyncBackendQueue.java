package org.nvmeof4j.target.offload;

/**
 * A backend submission queue polled on one poller thread, beside the front-end connections of that poller: the
 * device submits and returns at once, and the completion comes later, in a duty cycle of the same thread, through
 * {@link BackendIo#complete}. The front-end poller never waits for the backend (the blocking {@link BackendQueue}
 * holds it for a round trip per command).
 *
 * <p>Rules every implementation keeps: it never has more commands outstanding at the backend than the backend
 * queue holds (the rest wait in submission order); every submitted command completes exactly once, with an error
 * outcome when the backend fails, disappears or times out, never silently; after the completion nothing touches the
 * command's buffer.
 */
public interface AsyncBackendQueue
{
    /**
     * Submit a {@link BackendIo#prepare prepared} command. Poller thread only; never blocks for the backend and never
     * throws: a command that cannot be sent (no such namespace, a bad length, the queue gone) completes with an error
     * outcome, possibly before this method returns.
     */
    void submit(BackendIo io);

    /** @return commands submitted and not completed (sent and waiting). */
    int outstanding();
}
