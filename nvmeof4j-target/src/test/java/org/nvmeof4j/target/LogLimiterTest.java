package org.nvmeof4j.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogLimiterTest
{
    @Test
    void shouldLogOncePerIntervalAndCountWhatItLeftOut()
    {
        final AtomicLong now = new AtomicLong(1_000);
        final LogLimiter l = new LogLimiter(10, now::get);
        assertThat(l.acquire()).as("the first").isZero();
        for (int i = 0; i < 1999; i++)
        {
            assertThat(l.acquire()).isEqualTo(LogLimiter.SUPPRESSED);
        }
        now.addAndGet(9);
        assertThat(l.acquire()).as("before the interval").isEqualTo(LogLimiter.SUPPRESSED);
        now.addAndGet(1);
        assertThat(l.acquire()).as("the next one says how many were left out").isEqualTo(2000);
        assertThat(l.acquire()).isEqualTo(LogLimiter.SUPPRESSED);
        now.addAndGet(100);
        assertThat(l.acquire()).isEqualTo(1);
        assertThat(LogLimiter.more(2000)).isEqualTo(" (and 2000 more like it since the last one)");
        assertThat(LogLimiter.more(0)).isEmpty();
    }
}
