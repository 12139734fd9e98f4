package org.nvmeof4j.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nvmeof4j.target.Target;

/**
 * Error recovery: the target goes away and comes back on the same port within ctrl_loss_tmo (I/O resumes, no
 * acknowledged write is lost), then goes away for longer than ctrl_loss_tmo (I/O fails cleanly).
 */
class ReconnectTest
{
    @TempDir
    Path dir;

    @Test
    void shouldResumeAfterTargetRestartAndFailAfterCtrlLossTmo() throws Exception
    {
        final Path file = dir.resolve("ns1.img");
        Target target = TestTargets.file(0, file);
        final int port = target.boundPort();
        final ConnectOptions o = ConnectOptions.tcp("127.0.0.1", port, TestTargets.NQN).nrIoQueues(2).nrPollQueues(1)
            .reconnectDelay(Duration.ofMillis(200)).ctrlLossTmo(Duration.ofSeconds(4)).keepAliveTmo(Duration.ofSeconds(2));
        try (NvmeController c = NvmeController.connect(o))
        {
            final IoQueue q = c.openIoQueue();
            // acknowledged writes before the outage
            final List<ByteBuffer> acked = new ArrayList<>();
            for (int i = 0; i < 16; i++)
            {
                final ByteBuffer w = TestTargets.pattern(4096, i, true);
                c.writeBlocking(1, i * 8L, 8, w);
                acked.add(w);
            }
            target.close();
            // I/O submitted during the outage waits, then completes after the reconnect
            final List<CompletableFuture<Void>> during = new ArrayList<>();
            final List<ByteBuffer> duringData = new ArrayList<>();
            for (int i = 16; i < 24; i++)
            {
                final ByteBuffer w = TestTargets.pattern(4096, i, true);
                duringData.add(w);
                during.add(c.write(1, i * 8L, 8, w));
            }
            final ByteBuffer polledWrite = TestTargets.pattern(4096, 99, true);
            assertThat(q.submitWrite(1, 1000, 8, polledWrite, 42)).isGreaterThanOrEqualTo(0);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (c.state() == NvmeController.State.LIVE && System.nanoTime() < deadline)
            {
                q.poll((t, s) -> { });
                Thread.sleep(5);
            }
            assertThat(c.state()).isEqualTo(NvmeController.State.RECONNECTING);
            Thread.sleep(500);
            target = TestTargets.file(port, file);
            final int[] polledStatus = {-1};
            while (polledStatus[0] < 0 && System.nanoTime() < deadline)
            {
                q.poll((t, s) -> polledStatus[0] = s);
            }
            assertThat(polledStatus[0]).isZero();
            CompletableFuture.allOf(during.toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);
            assertThat(c.state()).isEqualTo(NvmeController.State.LIVE);
            assertThat(c.reconnects()).isEqualTo(1);
            for (int i = 0; i < 24; i++)
            {
                final ByteBuffer r = ByteBuffer.allocateDirect(4096);
                c.readBlocking(1, i * 8L, 8, r);
                assertThat(r).as("block %d", i).isEqualTo(i < 16 ? acked.get(i) : duringData.get(i - 16));
            }
            final ByteBuffer r = ByteBuffer.allocate(4096);
            c.readBlocking(1, 1000, 8, r);
            assertThat(r).isEqualTo(polledWrite);

            // now away for longer than ctrl_loss_tmo
            target.close();
            final CompletableFuture<Void> doomed = c.read(1, 0, 8, ByteBuffer.allocate(4096));
            final int[] doomedStatus = {-1};
            assertThat(q.submitRead(1, 0, 8, ByteBuffer.allocate(4096), 7)).isGreaterThanOrEqualTo(0);
            final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (doomedStatus[0] < 0 && System.nanoTime() < end)
            {
                q.poll((t, s) -> doomedStatus[0] = s);
                Thread.sleep(2);
            }
            assertThat(doomedStatus[0]).isEqualTo(IoQueue.STATUS_CONTROLLER_LOST);
            assertThat(c.state()).isEqualTo(NvmeController.State.DEAD);
            assertThatThrownBy(() -> NvmeController.await(doomed, TimeUnit.SECONDS.toNanos(10)))
                .isInstanceOf(ControllerLostException.class)
                .hasMessageContaining("ctrl_loss_tmo");
            assertThatThrownBy(() -> c.readBlocking(1, 0, 8, ByteBuffer.allocate(4096)))
                .isInstanceOf(ControllerLostException.class);
        }
        finally
        {
            target.close();
        }
    }
}
