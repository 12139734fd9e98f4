package org.nvmeof4j.host;

import java.nio.channels.SelectableChannel;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import org.nvmeof4j.host.queue.HostQueue;
import org.nvmeof4j.tcp.Poller;
import org.nvmeof4j.tcp.PollerTask;

/**
 * A {@link HostQueue} driven by a {@link Poller} thread, behind the thread-safe async API: callers post operations
 * to the poller ({@link Poller#execute}, its submission queue), the poller submits them to the queue and completes
 * their futures from the queue's completions.
 */
final class AsyncQueue implements PollerTask, CompletionHandler
{
    /** One asynchronous operation: submitted on the poller thread, completed there. */
    abstract static class Op implements Runnable
    {
        final CompletableFuture<Long> future = new CompletableFuture<>();
        final String name;
        final int opcode;
        AsyncQueue queue;

        Op(final String name, final int opcode)
        {
            this.name = name;
            this.opcode = opcode;
        }

        /** @return a request slot or {@link IoQueue#QUEUE_FULL}. */
        abstract int submit(HostQueue q, long tag);

        @Override
        public void run()
        {
            queue.accept(this);
        }
    }

    private final NvmeController controller;
    final HostQueue queue;
    final Poller poller;
    private final Op[] inflight;
    private final int[] freeTags;
    private int freeTop;
    private final ArrayDeque<Op> waiting = new ArrayDeque<>();
    private SelectableChannel registered;
    private volatile boolean closed;

    AsyncQueue(final NvmeController controller, final HostQueue queue, final Poller poller)
    {
        this.controller = controller;
        this.queue = queue;
        this.poller = poller;
        final int n = queue.depth();
        inflight = new Op[n];
        freeTags = new int[n];
        for (int i = 0; i < n; i++)
        {
            freeTags[i] = n - 1 - i;
        }
        freeTop = n;
    }

    void start()
    {
        // the socket is registered by doWork, under a task whose failure is harmless: a socket that closed in the
        // meantime is then a lost connection the queue reports (and the controller recovers), not a dead queue
        registered = null;
        poller.add(this, null);
    }

    /** From any thread. */
    CompletableFuture<Long> post(final Op op)
    {
        if (closed)
        {
            op.future.completeExceptionally(controller.closedError());
            return op.future;
        }
        op.queue = this;
        poller.execute(op);
        return op.future;
    }

    private void accept(final Op op)
    {
        if (closed)
        {
            op.future.completeExceptionally(controller.closedError());
            return;
        }
        if (!waiting.isEmpty() || !trySubmit(op))
        {
            waiting.add(op);
        }
    }

    private boolean trySubmit(final Op op)
    {
        if (freeTop == 0)
        {
            return false;
        }
        final int tag = freeTags[freeTop - 1];
        final int r;
        try
        {
            r = op.submit(queue, tag);
        }
        catch (final RuntimeException e)
        {
            op.future.completeExceptionally(e);
            return true;
        }
        if (r < 0)
        {
            return false;
        }
        freeTop--;
        inflight[tag] = op;
        return true;
    }

    @Override
    public int doWork()
    {
        int work = 0;
        while (!waiting.isEmpty() && trySubmit(waiting.peek()))
        {
            waiting.poll();
            work++;
        }
        work += queue.poll(this);
        final SelectableChannel ch = queue.channel();
        if (ch != registered && ch != null && ch.isOpen())
        {
            registered = ch;
            poller.wakeOnRead(ch);
        }
        if (queue.failure() != null && !waiting.isEmpty())
        {
            final RuntimeException e = controller.lostError(queue.failure());
            while (!waiting.isEmpty())
            {
                waiting.poll().future.completeExceptionally(e);
            }
        }
        return work;
    }

    @Override
    public void onComplete(final long userTag, final int status)
    {
        final int tag = (int)userTag;
        final Op op = inflight[tag];
        inflight[tag] = null;
        freeTags[freeTop++] = tag;
        if (status == 0)
        {
            op.future.complete(queue.completionResult());
        }
        else
        {
            op.future.completeExceptionally(controller.statusError(op.name, op.opcode, status, queue));
        }
    }

    @Override
    public void onError(final Throwable error)
    {
        closed = true;
        queue.close();
        queue.poll(this);
        final RuntimeException e = controller.closedError();
        for (int i = 0; i < inflight.length; i++)
        {
            if (inflight[i] != null)
            {
                inflight[i].future.completeExceptionally(e);
                inflight[i] = null;
            }
        }
        while (!waiting.isEmpty())
        {
            waiting.poll().future.completeExceptionally(e);
        }
    }

    @Override
    public boolean isActive()
    {
        return !closed;
    }

    @Override
    public boolean prepareToSleep()
    {
        return queue.armWakeup();
    }
}
