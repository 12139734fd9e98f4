package org.nvmeof4j.ddp;

import org.nvmeof4j.tcp.SegmentSource;

/**
 * The segment source a device installs on a connection at {@code skAdd}: it also names the device, so the
 * connection itself carries the binding (the analog of the ULP DDP context the kernel hangs off the socket), and
 * {@link UlpDdpRegistry#deviceOf} finds it in constant time without a map.
 */
public interface UlpDdpSegmentSource extends SegmentSource
{
    /** @return the device that owns this source. */
    UlpDdpDevice device();

    /** @return whether the offload context is live (false after {@code skDel}: the source only passes bytes on). */
    boolean isOffloaded();
}
