package org.nvmeof4j.ddp.model;

import java.util.ArrayDeque;
import java.util.SplittableRandom;

/**
 * A seeded, reproducible model of the network between target and host: packets go in in send order and come out in
 * wire order. A lost packet is not delivered, and its retransmission comes out about {@code retransmitDelay}
 * packets later (as TCP would resend it); a reordered packet comes out up to {@code reorderWindow} packets late; a
 * duplicated packet comes out twice. Time is counted in packets sent; {@link #pollAny()} lets all time pass (the
 * sender went idle). Given the same seed and the same packets, the output order is the same.
 */
final class WireModel
{
    private final WireConfig config;
    private final SplittableRandom random;
    private final ArrayDeque<Packet> pool;
    private Packet[] heap = new Packet[64];
    private long[] due = new long[64];
    private long[] order = new long[64];
    private int size;
    private long now;
    private long sequence;

    long lost;
    long reordered;
    long duplicated;

    WireModel(final WireConfig config, final long seed, final ArrayDeque<Packet> pool)
    {
        this.config = config;
        this.random = new SplittableRandom(seed);
        this.pool = pool;
    }

    /** Send a packet onto the wire. */
    void submit(final Packet p)
    {
        final double r = random.nextDouble();
        if (r < config.lossRate())
        {
            lost++;
            push(p, now + config.retransmitDelay() + random.nextInt(config.retransmitDelay() + 1));
        }
        else if (r < config.lossRate() + config.reorderRate())
        {
            reordered++;
            push(p, now + 1 + random.nextInt(config.reorderWindow()));
        }
        else
        {
            push(p, now);
        }
        if (config.duplicateRate() > 0 && random.nextDouble() < config.duplicateRate())
        {
            duplicated++;
            final Packet copy = pool.isEmpty() ? new Packet(config.mss()) : pool.pop();
            push(copy.copyOf(p), now + random.nextInt(config.reorderWindow() + 1));
        }
        now++;
    }

    /** @return the next packet due now, or null. */
    Packet poll()
    {
        return size > 0 && due[0] < now ? pop() : null;
    }

    /** @return the next packet in wire order whatever its time, or null when the wire is empty. */
    Packet pollAny()
    {
        return size > 0 ? pop() : null;
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    private void push(final Packet p, final long at)
    {
        if (size == heap.length)
        {
            heap = java.util.Arrays.copyOf(heap, size * 2);
            due = java.util.Arrays.copyOf(due, size * 2);
            order = java.util.Arrays.copyOf(order, size * 2);
        }
        int i = size++;
        final long o = sequence++;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (!less(at, o, due[parent], order[parent]))
            {
                break;
            }
            heap[i] = heap[parent];
            due[i] = due[parent];
            order[i] = order[parent];
            i = parent;
        }
        heap[i] = p;
        due[i] = at;
        order[i] = o;
    }

    private Packet pop()
    {
        final Packet top = heap[0];
        size--;
        final Packet last = heap[size];
        final long lastDue = due[size];
        final long lastOrder = order[size];
        heap[size] = null;
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= size)
            {
                break;
            }
            if (child + 1 < size && less(due[child + 1], order[child + 1], due[child], order[child]))
            {
                child++;
            }
            if (!less(due[child], order[child], lastDue, lastOrder))
            {
                break;
            }
            heap[i] = heap[child];
            due[i] = due[child];
            order[i] = order[child];
            i = child;
        }
        if (size > 0)
        {
            heap[i] = last;
            due[i] = lastDue;
            order[i] = lastOrder;
        }
        return top;
    }

    private static boolean less(final long dueA, final long orderA, final long dueB, final long orderB)
    {
        return dueA < dueB || (dueA == dueB && orderA < orderB);
    }
}
