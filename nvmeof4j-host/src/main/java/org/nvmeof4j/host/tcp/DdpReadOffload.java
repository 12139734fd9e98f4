package org.nvmeof4j.host.tcp;

import java.nio.ByteBuffer;
import org.nvmeof4j.ddp.ResyncState;
import org.nvmeof4j.ddp.UlpDdpConfig;
import org.nvmeof4j.ddp.UlpDdpDevice;
import org.nvmeof4j.ddp.UlpDdpDeviceListener;
import org.nvmeof4j.ddp.UlpDdpIo;
import org.nvmeof4j.ddp.UlpDdpLimits;
import org.nvmeof4j.ddp.UlpDdpRegistry;
import org.nvmeof4j.ddp.UlpDdpUlpOps;
import org.nvmeof4j.tcp.NvmeTcpConnection;

/**
 * The NVMe/TCP host side of ULP DDP (module {@code ddp}), plugged into an I/O queue through {@link ReadOffload}:
 * the Java counterpart of the offload paths the Linux series adds to {@code nvme-tcp} (seed 000/001:
 * {@code nvme_tcp_offload_socket}, {@code nvme_tcp_setup_ddp}, {@code nvme_tcp_teardown_ddp},
 * {@code nvme_tcp_ddp_teardown_done}, {@code nvme_tcp_resync_request} / {@code _response}, the netdev event
 * handler).
 *
 * <ul>
 *   <li>{@link #factory}: on each I/O queue after Connect, finds the device (by name, or for the socket through
 *       {@link UlpDdpRegistry#deviceFor}), checks its limits, and calls {@code skAdd} through the registry (which
 *       holds the device reference). Any failure leaves the queue in software. On the admin queue the factory's
 *       {@link Factory#maxTransferBytes} returns the device's limit so the controller caps MDTS.</li>
 *   <li>Per read at or above {@code ioThreshold} and within the limits: {@code setup} before the command is sent;
 *       {@code teardown} when the response arrives; the command completes on {@code ddpTeardownDone}, which may come
 *       from inside {@code teardown} (synchronous devices) or later.</li>
 *   <li>At each PDU boundary, {@link ResyncState} confirms a pending resync request.</li>
 *   <li>When the device goes down, new reads run in software and the queue's connection is closed on its own
 *       thread at the next PDU it receives (the usual connection-loss path), so the controller reconnects;
 *       reconnected queues find the device down and stay in software.</li>
 * </ul>
 * Caps changes apply to queues connected afterwards. One instance per I/O queue connection; all calls except
 * {@link #onDeviceDown} and {@link #resyncRequest} come on the connection's thread.
 */
public final class DdpReadOffload implements ReadOffload, UlpDdpUlpOps, UlpDdpDeviceListener
{
    private final UlpDdpRegistry registry;
    private final UlpDdpDevice device;
    private final TcpConnection connection;
    private final UlpDdpLimits limits;
    private final UlpDdpIo[] ios;
    private final ResyncState resync = new ResyncState();
    private volatile boolean deviceDown;
    private UlpDdpIo inTeardown;
    private boolean doneInTeardown;
    private long offloadedReads;
    private long softwareReads;

    private DdpReadOffload(
        final UlpDdpRegistry registry, final UlpDdpDevice device, final TcpConnection connection,
        final UlpDdpLimits limits, final int cids)
    {
        this.registry = registry;
        this.device = device;
        this.connection = connection;
        this.limits = limits;
        this.ios = new UlpDdpIo[cids];
        for (int i = 0; i < cids; i++)
        {
            ios[i] = new UlpDdpIo(1);
        }
    }

    /**
     * A factory for {@link org.nvmeof4j.host.ConnectOptions#readOffload}.
     *
     * @param registry   where devices are found.
     * @param deviceName the device to use, or null to look it up for each socket ({@code get_netdev_for_sock}).
     */
    public static Factory factory(final UlpDdpRegistry registry, final String deviceName)
    {
        return new Factory()
        {
            @Override
            public ReadOffload create(final TcpConnection connection)
            {
                return DdpReadOffload.create(registry, find(registry, deviceName, connection), connection);
            }

            @Override
            public long maxTransferBytes(final TcpConnection adminConnection)
            {
                final UlpDdpLimits l = registry.queryLimits(find(registry, deviceName, adminConnection), false);
                return l == null || l.maxDdpSglLen() == 0 ? 0 : l.maxTransferBytes();
            }
        };
    }

    private static UlpDdpDevice find(final UlpDdpRegistry registry, final String name, final TcpConnection c)
    {
        return name != null ? registry.byName(name) : registry.deviceFor(c);
    }

    /** Offload one I/O queue connection; null when it stays in software. */
    static DdpReadOffload create(final UlpDdpRegistry registry, final UlpDdpDevice device, final TcpConnection c)
    {
        if (device == null || c.qid() == 0)
        {
            return null;
        }
        final UlpDdpLimits limits = registry.queryLimits(device, false);
        if (limits == null)
        {
            return null;
        }
        final int cids = c.queueSize();
        final DdpReadOffload offload = new DdpReadOffload(registry, device, c, limits, cids);
        final UlpDdpConfig config = UlpDdpConfig.of(c.cpda(), c.hdgst(), c.ddgst(), cids, c.qid(), -1);
        if (!registry.skAdd(device, c, config, offload))
        {
            return null; // counted by the device in rx_nvme_tcp_sk_add_fail
        }
        device.addListener(offload);
        return offload;
    }

    public UlpDdpDevice device()
    {
        return device;
    }

    /** @return reads registered with the device. */
    public long offloadedReads()
    {
        return offloadedReads;
    }

    /** @return reads received in software (below the threshold, outside the limits, or setup failed). */
    public long softwareReads()
    {
        return softwareReads;
    }

    @Override
    public boolean setup(
        final TcpConnection c, final int cid, final ByteBuffer dst, final int index, final int length)
    {
        if (deviceDown)
        {
            softwareReads++;
            return false; // the connection is closed at the next PDU boundary, outside the submission path
        }
        final int slot = cid & TcpConnection.CID_SLOT_MASK;
        if (!limits.accepts(length, 1) || slot >= ios.length)
        {
            softwareReads++;
            return false;
        }
        final UlpDdpIo io = ios[slot].reset(cid).add(dst, index, length);
        if (device.setup(c, io))
        {
            offloadedReads++;
            return true;
        }
        softwareReads++;
        return false;
    }

    @Override
    public boolean fullCommandIdRange()
    {
        return limits.fullCcidRange();
    }

    @Override
    public boolean teardown(final TcpConnection c, final int cid)
    {
        final UlpDdpIo io = ios[cid & TcpConnection.CID_SLOT_MASK];
        inTeardown = io;
        doneInTeardown = false;
        try
        {
            device.teardown(c, io, io);
        }
        finally
        {
            inTeardown = null;
        }
        return !doneInTeardown; // defer completion unless the device already finished
    }

    @Override
    public void ddpTeardownDone(final Object ctx)
    {
        if (ctx == inTeardown)
        {
            doneInTeardown = true;
            return;
        }
        connection.completeDeferred(((UlpDdpIo)ctx).commandId());
    }

    @Override
    public boolean resyncRequest(final NvmeTcpConnection c, final int seq, final int flags)
    {
        return resync.request(seq, flags);
    }

    @Override
    public void onPduBoundary(final TcpConnection c, final long streamOffset)
    {
        if (deviceDown)
        {
            onDown();
            return;
        }
        resync.onPduBoundary(streamOffset, device, c);
    }

    @Override
    public void onDeviceDown(final UlpDdpDevice d)
    {
        deviceDown = true;
    }

    private void onDown()
    {
        if (!connection.isClosed())
        {
            connection.close("ULP DDP device " + device.name() + " went down", null);
        }
    }

    @Override
    public void close(final TcpConnection c)
    {
        device.removeListener(this);
        registry.skDel(c);
    }
}
