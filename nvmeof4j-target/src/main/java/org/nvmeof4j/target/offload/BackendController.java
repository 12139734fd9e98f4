package org.nvmeof4j.target.offload;

/**
 * One backend NVMe controller (the RFC's {@code ibv_nvme_ctrl}): the storage an offload context's mapped namespaces
 * live on, with one or more submission queues that the device round-robins over (the RFC review's answer to "one
 * queue per controller is a bottleneck"). A local file is a controller with one namespace; a remote NVMe/TCP
 * controller is another kind.
 *
 * <p>Thread safety: {@link #queue(int)} objects are used by several poller threads at once (each call is
 * independent); implementations must allow that.
 */
public interface BackendController extends AutoCloseable
{
    /** @return a short name for events, JMX and logs (a path, or traddr:trsvcid/subnqn). */
    String name();

    /** @return the number of submission queues, at least 1. */
    int queueCount();

    /** @return submission queue {@code i}, {@code 0 <= i < queueCount()}. */
    BackendQueue queue(int i);

    /**
     * An asynchronous submission queue for {@code poller}'s thread (the caller's): polled in that poller's duty
     * cycle, so a backend command never blocks the front-end connections it serves. Poller thread only; the same
     * poller gets the same queue.
     *
     * @return the queue, or null when the controller has only the blocking {@link #queue(int)} (a file, whose
     *         reads come from the page cache; the default) or has no asynchronous queue left for this poller.
     */
    default AsyncBackendQueue asyncQueue(final org.nvmeof4j.tcp.Poller poller)
    {
        return null;
    }

    /** @return entries per submission queue (checked against the device's min/max queue depth). */
    int queueDepth();

    /** @return the size in bytes of backend namespace {@code nsid}, or -1 when the controller has no such namespace. */
    long namespaceSize(int nsid);

    /** @return the LBA data size of backend namespace {@code nsid} in bytes, or 0 when any size fits (a file). */
    int lbaDataSize(int nsid);

    /** Release the controller; the offload context calls it when destroyed. Blocking. */
    @Override
    void close();
}
