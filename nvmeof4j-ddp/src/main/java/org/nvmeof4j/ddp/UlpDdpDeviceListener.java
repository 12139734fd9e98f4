package org.nvmeof4j.ddp;

/**
 * Device events, the analog of the netdev notifier that nvme-tcp registers for offloaded queues (seed 001, "NVMe-TCP
 * handling of netdev events: stop the offload if netdev is going down").
 *
 * <p>On {@link #onDeviceDown} a transport tears down the offload of every queue bound to that device
 * ({@link UlpDdpRegistry#skDel}) and lets the controller reconnect; the reconnected queues look the device up again
 * and run in software while it stays down.
 */
@FunctionalInterface
public interface UlpDdpDeviceListener
{
    /** The device is going down: stop using it. Called on the thread that took the device down. */
    void onDeviceDown(UlpDdpDevice device);

    /** The device is up again (the default ignores it). */
    default void onDeviceUp(final UlpDdpDevice device)
    {
    }
}
