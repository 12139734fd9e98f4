package org.nvmeof4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The poller survives what runs on it (a failing command, a channel it cannot register), and adding tasks does not
 * make it run the idle ones.
 */
class PollerTest
{
    @Test
    void shouldKeepRunningAfterACommandThrows() throws Exception
    {
        final Poller p = new Poller("test-poller", IdleStrategy.defaultStrategy()).start();
        try
        {
            p.execute(() ->
            {
                throw new IllegalStateException("boom");
            });
            final CountDownLatch later = new CountDownLatch(1);
            p.execute(later::countDown);
            assertThat(later.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(p.commandErrors()).isEqualTo(1);
            assertThat(p.lastCommandError()).hasMessage("boom");
        }
        finally
        {
            p.close();
        }
    }

    @Test
    void shouldTellATaskWhoseChannelCannotBeRegistered() throws Exception
    {
        final Poller p = new Poller("test-poller", IdleStrategy.defaultStrategy()).start();
        final Pipe pipe = Pipe.open();
        try
        {
            // a channel in blocking mode cannot be registered with a selector (IllegalBlockingModeException)
            final AtomicReference<Throwable> told = new AtomicReference<>();
            final CountDownLatch done = new CountDownLatch(1);
            p.add(new PollerTask()
            {
                @Override
                public int doWork()
                {
                    return 0;
                }

                @Override
                public void onError(final Throwable error)
                {
                    told.set(error);
                    done.countDown();
                }

                @Override
                public boolean isActive()
                {
                    return true;
                }
            }, pipe.source());
            assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(told.get()).isInstanceOf(java.nio.channels.IllegalBlockingModeException.class);
            final CountDownLatch alive = new CountDownLatch(1);
            p.execute(alive::countDown);
            assertThat(alive.await(5, TimeUnit.SECONDS)).isTrue();
        }
        finally
        {
            p.close();
            pipe.source().close();
            pipe.sink().close();
        }
    }

    /**
     * A flood of connections (each accept adds a task) used to make every cycle a sweep: each add ran every idle
     * task's doWork(), a read() per connection per accept, which starved the busy ones. With the sweep clock frozen
     * an idle task now runs only when a command other than an add ran.
     */
    @Test
    void shouldNotRunIdleTasksWhenATaskIsAdded() throws Exception
    {
        final Poller p = new Poller("test-poller", IdleStrategy.defaultStrategy(), () -> 0L).start();
        final List<Pipe> pipes = new ArrayList<>();
        final List<AtomicInteger> idle = new ArrayList<>();
        try
        {
            for (int i = 0; i < 3 * Poller.DIRECT_POLL_THRESHOLD; i++)
            {
                final AtomicInteger runs = new AtomicInteger();
                idle.add(runs);
                p.add(counting(runs, null), source(pipes));
            }
            addAndAwaitFirstRun(p, pipes); // every idle task is in, and the poller is in selective mode
            final int[] before = idle.stream().mapToInt(AtomicInteger::get).toArray();
            assertThat(java.util.Arrays.stream(before).min().getAsInt()).as("runs of an idle task").isPositive();
            for (int i = 0; i < 100; i++)
            {
                addAndAwaitFirstRun(p, pipes);
            }
            assertThat(idle.stream().mapToInt(AtomicInteger::get).toArray()).as("idle tasks run by 100 adds")
                .containsExactly(before);
            // any other command still makes a sweep: it may have left work for any task
            p.execute(() -> { });
            addAndAwaitFirstRun(p, pipes);
            for (int i = 0; i < before.length; i++)
            {
                assertThat(idle.get(i).get()).as("idle task %d after a command", i).isGreaterThan(before[i]);
            }
        }
        finally
        {
            p.close();
            for (final Pipe pipe : pipes)
            {
                pipe.source().close();
                pipe.sink().close();
            }
        }
    }

    private static void addAndAwaitFirstRun(final Poller p, final List<Pipe> pipes) throws Exception
    {
        final CountDownLatch ran = new CountDownLatch(1);
        p.add(counting(new AtomicInteger(), ran), source(pipes));
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    }

    private static java.nio.channels.SelectableChannel source(final List<Pipe> pipes) throws Exception
    {
        final Pipe pipe = Pipe.open();
        pipe.source().configureBlocking(false);
        pipes.add(pipe);
        return pipe.source(); // nothing is ever written: never ready
    }

    private static PollerTask counting(final AtomicInteger runs, final CountDownLatch firstRun)
    {
        return new PollerTask()
        {
            @Override
            public int doWork()
            {
                runs.incrementAndGet();
                if (firstRun != null)
                {
                    firstRun.countDown();
                }
                return 0;
            }

            @Override
            public void onError(final Throwable error)
            {
            }

            @Override
            public boolean isActive()
            {
                return true;
            }
        };
    }
}
