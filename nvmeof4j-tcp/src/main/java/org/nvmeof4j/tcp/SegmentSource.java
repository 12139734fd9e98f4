package org.nvmeof4j.tcp;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;

/**
 * Produces the segments of one connection's receive stream and feeds them to its {@link PduReceiver}.
 *
 * <p>The plain {@link SocketSegmentSource} reads into a receive buffer; a DDP device (module {@code ddp}) reads the
 * socket itself and hands up segments whose payload it already placed. The receive path above is the same for
 * both: only the segment producer changes.
 */
public interface SegmentSource
{
    /**
     * Read what the channel has now and feed it to the receiver.
     *
     * @return bytes read from the channel, 0 when none were available, -1 at end of stream.
     */
    int receive(ReadableByteChannel channel, PduReceiver receiver) throws IOException;
}
