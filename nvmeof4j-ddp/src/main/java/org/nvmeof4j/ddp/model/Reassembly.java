package org.nvmeof4j.ddp.model;

import java.util.ArrayDeque;
import org.nvmeof4j.tcp.PduReceiver;
import org.nvmeof4j.tcp.Segment;

/**
 * Plays the host TCP stack: delivers bytes in stream order exactly once, keeping early packets aside and dropping
 * duplicates; each segment carries its packet's flags, and placed runs point at the destination, where the NIC
 * already wrote the bytes. Every packet goes back to the pool once delivered or dropped.
 */
final class Reassembly
{
    private final ArrayDeque<Packet> pool;
    private final Segment seg = new Segment();
    private PduReceiver rx;
    private long rcvNxt;
    private Packet[] ooo = new Packet[16];
    private int oooCount;

    Reassembly(final ArrayDeque<Packet> pool)
    {
        this.pool = pool;
    }

    /** Deliver to {@code receiver} from now on. */
    void receiver(final PduReceiver receiver)
    {
        rx = receiver;
    }

    /** The next byte to deliver is at stream {@code offset}. */
    void startAt(final long offset)
    {
        rcvNxt = offset;
    }

    /** A packet came from the NIC. */
    void reassemble(final Packet p)
    {
        if (p.offset + p.length <= rcvNxt)
        {
            pool.push(p); // already delivered: a duplicate
            return;
        }
        if (p.offset > rcvNxt)
        {
            keepEarly(p);
            return;
        }
        deliver(p);
        while (oooCount > 0 && ooo[0].offset <= rcvNxt)
        {
            final Packet q = ooo[0];
            System.arraycopy(ooo, 1, ooo, 0, --oooCount);
            ooo[oooCount] = null;
            if (q.offset + q.length > rcvNxt)
            {
                deliver(q);
            }
            else
            {
                pool.push(q);
            }
        }
    }

    private void keepEarly(final Packet p)
    {
        int at = oooCount;
        for (int k = 0; k < oooCount; k++)
        {
            if (ooo[k].offset == p.offset)
            {
                pool.push(p); // the first copy to arrive is kept, as TCP keeps it
                return;
            }
            if (ooo[k].offset > p.offset)
            {
                at = k;
                break;
            }
        }
        if (oooCount == ooo.length)
        {
            ooo = java.util.Arrays.copyOf(ooo, oooCount * 2);
        }
        System.arraycopy(ooo, at, ooo, at + 1, oooCount - at);
        ooo[at] = p;
        oooCount++;
    }

    private void deliver(final Packet p)
    {
        long stream = p.offset;
        for (int r = 0; r < p.runs; r++)
        {
            final int len = p.runLength[r];
            final long skip = rcvNxt - stream;
            if (skip < len)
            {
                final int s = (int)Math.max(0, skip);
                rx.consume(seg.set(p.runBuffer[r], p.runIndex[r] + s, len - s, rcvNxt, p.runPlaced[r], p.crcOk));
                rcvNxt += len - s;
            }
            stream += len;
        }
        pool.push(p);
    }
}
