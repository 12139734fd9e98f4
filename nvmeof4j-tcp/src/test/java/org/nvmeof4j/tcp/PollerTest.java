package org.nvmeof4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.Pipe;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The poller survives what runs on it: a failing command, a channel it cannot register. */
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
}
