package org.nvmeof4j.ddp;

import org.nvmeof4j.tcp.NvmeTcpConnection;

/**
 * A device that offloads the receive side of NVMe/TCP connections: direct placement of C2HData payload into
 * registered read buffers (copy offload) and data-digest verification (CRC offload). Mirrors the kernel's
 * {@code struct ulp_ddp_dev_ops} (seed 003) with the names kept in Java case: {@code limits}, {@code sk_add},
 * {@code sk_del}, {@code setup}, {@code teardown}, {@code resync}, {@code set_caps}, {@code get_caps},
 * {@code get_stats}.
 *
 * <h2>How a ULP uses it</h2>
 * <ol>
 *   <li>Find the device for the connection with {@link UlpDdpRegistry#deviceFor} (the analog of
 *       {@code get_netdev_for_sock}); on the admin queue read {@link #limits()} and cap the controller.</li>
 *   <li>On each I/O queue, after ICReq/ICResp and Connect: {@link UlpDdpRegistry#skAdd} (which calls
 *       {@link #skAdd} and holds the device reference). The device takes over the connection's receive side by
 *       installing its own {@link org.nvmeof4j.tcp.SegmentSource}. A {@code false} return leaves the queue in
 *       software.</li>
 *   <li>Per read at or above {@link UlpDdpLimits#ioThreshold()}: {@link #setup} before the command is sent;
 *       {@link #teardown} when its response arrives; complete the request on
 *       {@link UlpDdpUlpOps#ddpTeardownDone}.</li>
 *   <li>At each PDU boundary: {@link ResyncState#onPduBoundary}, which calls {@link #resync} when it confirms a
 *       pending {@link UlpDdpUlpOps#resyncRequest}.</li>
 *   <li>When the queue stops: {@link UlpDdpRegistry#skDel}.</li>
 * </ol>
 *
 * <h2>Threads</h2>
 * {@code setup}, {@code teardown}, {@code resync} and the receive path of a connection run on the thread that owns
 * the connection; control operations ({@code skAdd}, {@code skDel}, caps, stats) are thread-safe.
 */
public interface UlpDdpDevice
{
    /** @return the device's name (as registered, e.g. "soft0"). */
    String name();

    /** @return the capability bits ({@code get_caps}). */
    UlpDdpCaps getCaps();

    /**
     * Enable capabilities ({@code set_caps}); bits outside {@link UlpDdpCaps#hw()} are refused. Connections already
     * offloaded keep what they had; the change applies to the next {@code skAdd} (next connect).
     *
     * @return the caps now in force.
     * @throws IllegalArgumentException when {@code active} has unsupported bits.
     */
    UlpDdpCaps setCaps(long active);

    /**
     * The device's runtime limits ({@code limits}). As asked in seed 000 review, the query fails (null) when the
     * NVMe/TCP offload is not active or the device is down, so the ULP needs no separate caps check.
     *
     * @return the limits, or null when the device cannot offload NVMe/TCP now.
     */
    UlpDdpLimits limits();

    /**
     * Offload an I/O queue's connection ({@code sk_add}). On success the device has installed its segment source on
     * the connection. Counted in {@code rx_nvme_tcp_sk_add} or {@code rx_nvme_tcp_sk_add_fail}.
     *
     * @return true on success; false leaves the connection untouched (software receive).
     */
    boolean skAdd(NvmeTcpConnection connection, UlpDdpConfig config, UlpDdpUlpOps ulpOps);

    /**
     * Release the connection's offload context ({@code sk_del}). Registrations still set up are torn down (their
     * {@code ddpTeardownDone} is called). The installed segment source keeps delivering the stream unmodified.
     */
    void skDel(NvmeTcpConnection connection);

    /**
     * Map a read's buffers to its command ID ({@code setup}) before the command is sent. Counted in
     * {@code rx_nvme_tcp_setup} / {@code rx_nvme_tcp_setup_fail}.
     *
     * @return false when the device cannot place this I/O (the ULP then receives it in software).
     */
    boolean setup(NvmeTcpConnection connection, UlpDdpIo io);

    /**
     * Unmap a read's buffers ({@code teardown}) once its response arrived. Completion is asynchronous: the device
     * calls {@link UlpDdpUlpOps#ddpTeardownDone}{@code (ctx)} when the command ID may be reused (possibly before
     * this method returns). Counted in {@code rx_nvme_tcp_teardown}.
     */
    void teardown(NvmeTcpConnection connection, UlpDdpIo io, Object ctx);

    /**
     * Confirm a resync request ({@code resync}): the ULP saw a PDU header at relative sequence {@code seq}, the value
     * the device passed to {@link UlpDdpUlpOps#resyncRequest}.
     */
    void resync(NvmeTcpConnection connection, int seq);

    /** @return a snapshot of the statistics ({@code get_stats}). */
    UlpDdpStats getStats();

    /** @return whether the device is up (a device going down tears its offloads down). */
    boolean isUp();

    /** Be told when the device goes down (the analog of {@code NETDEV_GOING_DOWN}). */
    void addListener(UlpDdpDeviceListener listener);

    void removeListener(UlpDdpDeviceListener listener);
}
