package org.nvmeof4j.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nvmeof4j.target.TargetTestSupport.ramTarget;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * What a closed connection leaves behind in direct memory, which the JVM gives back only when a GC finds the
 * buffers: the target's connections read into their poller's one receive buffer, so a peer that sends a burst and
 * is dropped leaves only the few KiB of its own headers and send ring, not a receive buffer grown to 256 KiB.
 */
class ConnectionMemoryTest
{
    private static final int CONNECTIONS = 200;

    private static long directBytesUsed()
    {
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if (pool.getName().equals("direct"))
            {
                return pool.getMemoryUsed();
            }
        }
        throw new IllegalStateException("no direct buffer pool");
    }

    /** ICReq, then an unknown PDU type with 16 KiB behind it in one write: the target reads a full buffer, fails it. */
    private static void burstAndDrop(final Target target) throws Exception
    {
        try (RawHost h = new RawHost(target.boundPort()))
        {
            h.initialize(false, false);
            final ByteBuffer burst = RawHost.le(24 + 16 * 1024);
            burst.put(0, (byte)0x08).put(2, (byte)24).putInt(4, 24);
            h.send(burst);
            FatalErrorTest.expectTermReq(h, 0x01, 0, burst.slice(0, 24));
        }
    }

    @Test
    void shouldLeaveNoReceiveBufferBehindAClosedConnection() throws Exception
    {
        try (Target target = ramTarget())
        {
            burstAndDrop(target); // the poller's receive buffer and the client's temporary buffers, once
            final long before = directBytesUsed();
            for (int i = 0; i < CONNECTIONS; i++)
            {
                burstAndDrop(target);
            }
            final long perConnection = (directBytesUsed() - before) / CONNECTIONS;
            // a receive buffer of its own grew to 256 KiB here; what is left is the PDU header buffers and the send
            // ring, a few KiB
            assertThat(perConnection).as("direct bytes left per closed connection").isLessThan(16 * 1024);
        }
    }
}
