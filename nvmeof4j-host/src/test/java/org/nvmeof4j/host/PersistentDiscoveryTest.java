package org.nvmeof4j.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.host.discovery.Discovery;
import org.nvmeof4j.host.discovery.DiscoveryLogEntry;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.subsystem.Subsystem;

/**
 * Persistent discovery: the host keeps the discovery controller, asks for Discovery Log Page Change notices, and
 * sees subsystems come and go, and host lists change, without polling.
 */
class PersistentDiscoveryTest
{
    private static final String OTHER = "nqn.2024-01.org.nvmeof4j:other";

    @Test
    void shouldReportEveryDiscoveryLogChange() throws Exception
    {
        try (Target target = TestTargets.ram(4096))
        {
            final BlockingQueue<Discovery.Log> logs = new LinkedBlockingQueue<>();
            try (NvmeController c = Discovery.persistent(TestTargets.options(target), logs::add))
            {
                assertThat(c.state()).isEqualTo(NvmeController.State.LIVE);
                assertThat(nqns(logs.poll(10, TimeUnit.SECONDS))).containsExactly(TestTargets.NQN);

                final Subsystem other = new Subsystem(OTHER, "other-serial", "nvmeof4j other").allowAnyHost(true);
                target.addSubsystem(other);
                final Discovery.Log added = logs.poll(10, TimeUnit.SECONDS);
                assertThat(added).isNotNull();
                assertThat(nqns(added)).containsExactlyInAnyOrder(TestTargets.NQN, OTHER);

                // a host list that no longer names us hides the subsystem from our log: also a change
                other.allowAnyHost(false);
                final Discovery.Log hidden = logs.poll(10, TimeUnit.SECONDS);
                assertThat(hidden).isNotNull();
                assertThat(nqns(hidden)).containsExactly(TestTargets.NQN);

                target.removeSubsystem(OTHER);
                final Discovery.Log removed = logs.poll(10, TimeUnit.SECONDS);
                assertThat(removed).isNotNull();
                assertThat(nqns(removed)).containsExactly(TestTargets.NQN);
                assertThat(removed.genctr()).isGreaterThan(added.genctr());
                assertThat(c.asyncEvents()).isEqualTo(3);
                assertThat(c.keepAlivesSent()).isGreaterThanOrEqualTo(0);
            }
        }
    }

    @Test
    void shouldRediscoverAfterAReconnect() throws Exception
    {
        Target target = TestTargets.ram(4096);
        final int port = target.boundPort();
        final BlockingQueue<Discovery.Log> logs = new LinkedBlockingQueue<>();
        final ConnectOptions o = TestTargets.options(target).reconnectDelay(java.time.Duration.ofMillis(100))
            .ctrlLossTmo(java.time.Duration.ofSeconds(20)).keepAliveTmo(java.time.Duration.ofSeconds(2));
        try (NvmeController c = Discovery.persistent(o, logs::add))
        {
            assertThat(nqns(logs.poll(10, TimeUnit.SECONDS))).containsExactly(TestTargets.NQN);
            // the target comes back with another subsystem: changes made while we were away raise no notice on the
            // new association, so the reconnect itself must make the consumer read the log again
            target.close();
            target = TestTargets.start(Target.builder().listen("127.0.0.1", port)
                .subsystem(s -> s.nqn(TestTargets.NQN).allowAnyHost().ramNamespace(1, 4L << 20))
                .subsystem(s -> s.nqn(OTHER).allowAnyHost().ramNamespace(1, 4L << 20)));
            final Discovery.Log after = logs.poll(15, TimeUnit.SECONDS);
            assertThat(after).as("a log after the reconnect").isNotNull();
            assertThat(nqns(after)).containsExactlyInAnyOrder(TestTargets.NQN, OTHER);
            assertThat(c.reconnects()).isEqualTo(1);
        }
        finally
        {
            target.close();
        }
    }

    @Test
    void shouldNotAskForNoticesOnAOneShotDiscovery() throws Exception
    {
        try (Target target = TestTargets.ram(4096))
        {
            final ConnectOptions o = TestTargets.options(target).copy()
                .nqn(org.nvmeof4j.protocol.fabrics.Nqn.DISCOVERY).nrIoQueues(0).nrPollQueues(0);
            try (NvmeController c = NvmeController.connect(o))
            {
                target.addSubsystem(new Subsystem(OTHER, "s", "m").allowAnyHost(true));
                Thread.sleep(300);
                assertThat(c.asyncEvents()).isZero();
                assertThat(nqns(Discovery.readLog(c))).contains(OTHER);
            }
        }
    }

    private static List<String> nqns(final Discovery.Log log)
    {
        assertThat(log).isNotNull();
        return log.subsystems().stream().map(DiscoveryLogEntry::subnqn).toList();
    }
}
