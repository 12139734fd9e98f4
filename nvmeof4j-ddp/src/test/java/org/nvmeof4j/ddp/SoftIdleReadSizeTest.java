package org.nvmeof4j.ddp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nvmeof4j.ddp.soft.SoftDdpDevice;

/**
 * After a large placed read, `soft` reads ahead only a little (so the next large payload can go straight to its
 * buffer). Once nothing is registered it must read whole buffers again: small unregistered reads after a large
 * one must not cost a receive call per kilobyte.
 */
class SoftIdleReadSizeTest
{
    @Test
    void shouldReadWholeBuffersAgainOnceNothingIsRegistered() throws Exception
    {
        final int n = 101;
        final int[] sizes = new int[n];
        final boolean[] registered = new boolean[n];
        sizes[0] = 128 * 1024; // placed, and leaves the device in its short-read mode
        registered[0] = true;
        for (int i = 1; i < n; i++)
        {
            sizes[i] = 4096; // below the threshold: never registered
        }
        final C2hStream s = new C2hStream(sizes, registered);
        final TestUlp ulp = new TestUlp(s, new SoftDdpDevice("idle-reads"), 1);
        assertThat(ulp.offload()).isTrue();
        // the large read and its CapsuleResp arrive alone, then the 100 small ones (about 410 KiB) at once
        final MemoryChannel ch = MemoryChannel.inTwoParts(s.bytes, 24 + sizes[0] + 24);
        ulp.receiveAll(ch);
        assertThat(ulp.verify()).isNull();
        assertThat(ulp.rx.dataBytesPlaced()).isEqualTo(sizes[0]);
        // 256 KiB reads take the 410 KiB in two; 1 KiB reads (the bug) took about 400 calls
        assertThat(ch.reads()).as("receive calls").isLessThan(30);
    }
}
