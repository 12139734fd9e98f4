package org.nvmeof4j.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nvmeof4j.protocol.admin.AsyncEvent;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.backend.RamBackend;
import org.nvmeof4j.target.subsystem.Namespace;

/**
 * Asynchronous events end to end: the host keeps an Asynchronous Event Request outstanding, and a namespace added or
 * removed on the target at runtime shows up in {@link NvmeController#namespaces()} and in a listener, across the
 * command timeout and across a reconnect.
 */
class AsyncEventTest
{
    @TempDir
    Path dir;

    @Test
    void shouldFollowNamespacesAddedAndRemovedAtRuntime() throws Exception
    {
        try (Target target = TestTargets.ram(4096);
            NvmeController c = NvmeController.connect(TestTargets.options(target)
                .adminTimeout(Duration.ofMillis(500)).ioTimeout(Duration.ofMillis(500))))
        {
            final BlockingQueue<AsyncEventNotice> notices = new LinkedBlockingQueue<>();
            c.addAsyncEventListener((ctrl, n) -> notices.add(n));
            assertThat(c.namespaces()).extracting(Namespace -> Namespace.nsid()).containsExactly(1);

            // the outstanding request is exempt from the (short) command timeout: no reconnect, no error
            Thread.sleep(1500);
            assertThat(c.state()).isEqualTo(NvmeController.State.LIVE);
            assertThat(c.reconnects()).isZero();

            target.subsystem(TestTargets.NQN).addNamespace(
                new Namespace(2, new RamBackend(8L << 20), 512, null, TestTargets.NQN));
            final AsyncEventNotice added = notices.poll(10, TimeUnit.SECONDS);
            assertThat(added).isNotNull();
            assertThat(added.dw0()).isEqualTo(AsyncEvent.NAMESPACE_ATTRIBUTE_CHANGED);
            assertThat(added.isNamespaceAttributeChanged()).isTrue();
            assertThat(added.changedNamespaces()).containsExactly(2);
            assertThat(c.namespace(2)).isNotNull();
            assertThat(c.namespace(2).blockSize()).isEqualTo(512);

            // the new namespace is usable at once, with its own block size, on the async and the polled paths
            final ByteBuffer w = TestTargets.pattern(4096, 7, true);
            c.writeBlocking(2, 16, 8, w);
            final ByteBuffer r = ByteBuffer.allocateDirect(4096);
            c.readBlocking(2, 16, 8, r);
            assertThat(r).isEqualTo(w);
            final IoQueue q = c.openIoQueue();
            final ByteBuffer pr = ByteBuffer.allocateDirect(4096);
            assertThat(q.submitRead(2, 16, 8, pr, 1)).isGreaterThanOrEqualTo(0);
            final int[] st = {-1};
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (st[0] < 0 && System.nanoTime() < deadline)
            {
                q.poll((tag, s) -> st[0] = s);
            }
            assertThat(st[0]).isZero();
            assertThat(pr).isEqualTo(w);

            target.subsystem(TestTargets.NQN).removeNamespace(2);
            final AsyncEventNotice removed = notices.poll(10, TimeUnit.SECONDS);
            assertThat(removed).isNotNull();
            assertThat(removed.changedNamespaces()).containsExactly(2);
            assertThat(c.namespace(2)).isNull();
            assertThat(c.namespaces()).extracting(Namespace -> Namespace.nsid()).containsExactly(1);
            assertThat(c.asyncEvents()).isEqualTo(2);
            assertThat(notices).isEmpty();
        }
    }

    @Test
    void shouldReconnectWhileAListenerIsStillBusy() throws Exception
    {
        final Path file = dir.resolve("ns1-busy.img");
        Target target = TestTargets.file(0, file);
        final int port = target.boundPort();
        final ConnectOptions o = ConnectOptions.tcp("127.0.0.1", port, TestTargets.NQN).nrIoQueues(1)
            .reconnectDelay(Duration.ofMillis(100)).ctrlLossTmo(Duration.ofSeconds(30))
            .keepAliveTmo(Duration.ofSeconds(2));
        final java.util.concurrent.CountDownLatch inListener = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (NvmeController c = NvmeController.connect(o))
        {
            c.addAsyncEventListener((ctrl, n) ->
            {
                inListener.countDown();
                try
                {
                    release.await(30, TimeUnit.SECONDS); // a slow application
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                }
            });
            target.subsystem(TestTargets.NQN).addNamespace(
                new Namespace(2, new RamBackend(4L << 20), 4096, null, TestTargets.NQN));
            assertThat(inListener.await(10, TimeUnit.SECONDS)).isTrue();
            // the connection goes while the listener still runs: the reconnect must not wait for it
            target.close();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (c.state() == NvmeController.State.LIVE && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            target = TestTargets.file(port, file);
            while (c.reconnects() == 0 && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            assertThat(c.reconnects()).as("reconnected while the listener was busy").isEqualTo(1);
            final ByteBuffer r = ByteBuffer.allocateDirect(4096);
            c.readBlocking(1, 0, 8, r);
        }
        finally
        {
            release.countDown();
            target.close();
        }
    }

    @Test
    void shouldRearmAfterReconnect() throws Exception
    {
        final Path file = dir.resolve("ns1.img");
        Target target = TestTargets.file(0, file);
        final int port = target.boundPort();
        final ConnectOptions o = ConnectOptions.tcp("127.0.0.1", port, TestTargets.NQN).nrIoQueues(1)
            .reconnectDelay(Duration.ofMillis(200)).ctrlLossTmo(Duration.ofSeconds(10))
            .keepAliveTmo(Duration.ofSeconds(2));
        try (NvmeController c = NvmeController.connect(o))
        {
            final BlockingQueue<AsyncEventNotice> notices = new LinkedBlockingQueue<>();
            c.addAsyncEventListener((ctrl, n) -> notices.add(n));
            target.close();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (c.state() == NvmeController.State.LIVE && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            // the target comes back with a second namespace: the rescan after the reconnect finds it
            target = TestTargets.start(Target.builder().listen("127.0.0.1", port)
                .subsystem(s -> s.nqn(TestTargets.NQN).allowAnyHost().fileNamespace(1, file, 16L << 20)
                    .ramNamespace(3, 4L << 20)));
            while ((c.state() != NvmeController.State.LIVE || c.namespace(3) == null) && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            assertThat(c.reconnects()).isEqualTo(1);
            assertThat(c.namespace(3)).isNotNull();

            // and a new request is outstanding on the new association
            target.subsystem(TestTargets.NQN).addNamespace(
                new Namespace(4, new RamBackend(4L << 20), 4096, null, TestTargets.NQN));
            final AsyncEventNotice added = notices.poll(10, TimeUnit.SECONDS);
            assertThat(added).isNotNull();
            assertThat(added.changedNamespaces()).containsExactly(4);
            assertThat(c.namespace(4)).isNotNull();
        }
        finally
        {
            target.close();
        }
    }
}
