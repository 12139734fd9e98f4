package org.nvmeof4j.cli;

import java.io.IOException;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.HostNqn;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.subsystem.HostAuth;
import org.nvmeof4j.tcp.IdleStrategy;
import org.nvmeof4j.tcp.tls.HostPskTable;
import org.nvmeof4j.tcp.tls.TlsProvider;

/**
 * The in-process RAM target that {@code nvmeof4j perf} starts when no {@code -a} is given: one namespace of 4 KiB
 * blocks in subsystem {@link TargetCommand#DEFAULT_NQN}, open to any host, listening on 127.0.0.1 (an ephemeral
 * port), so that the workload runs through the real TCP path. When perf is given a DH-HMAC-CHAP secret or a TLS
 * PSK, the target requires the same of perf's host NQN (and only that host), so that the run measures what it
 * says: without it the host would offer TLS to a plaintext port, or never be asked to authenticate.
 */
final class EmbeddedTarget
{
    /**
     * The target's own INFO lines (a controller created, then removed after perf's report) are its lifecycle, not
     * perf's output: the embedded target logs warnings and errors only. Held here so JUL keeps the level.
     */
    private static final java.util.logging.Logger TARGET_LOG = java.util.logging.Logger.getLogger("org.nvmeof4j.target");

    private EmbeddedTarget()
    {
    }

    /**
     * Start the target and point {@code connect} at it.
     *
     * @param connect the host's connect options: address, port and subsystem NQN are overwritten; its DH-HMAC-CHAP
     *                secrets and TLS key, if any, are required of the host
     * @param hostnqn perf's {@code --hostnqn}, or null for the default identity the host connects with
     * @param queues perf's {@code --queues}; the target gets a poller per queue, two at most
     * @param rangeMib perf's {@code --range-mib}; the namespace covers it, within 64..256 MiB
     * @param idle perf's {@code --idle}: the target pollers' idle strategy
     * @return the running target; the caller closes it
     * @throws IOException when it cannot listen
     */
    static Target start(final HostConnectOptions connect, final String hostnqn, final int queues,
        final long rangeMib, final String idle) throws IOException
    {
        connect.traddr = "127.0.0.1";
        connect.trsvcid = ConnectOptions.DEFAULT_PORT; // the real port once bound; here only the keys are read
        connect.nqn = TargetCommand.DEFAULT_NQN;
        final ConnectOptions keys = connect.toOptions(hostnqn, ConnectOptions.DEFAULT_PORT, true);
        final String host = hostnqn != null ? hostnqn : HostNqn.defaultIdentity().hostnqn();
        final HostAuth auth = keys.dhchapSecret() == null ? null :
            new HostAuth(keys.dhchapSecret(), keys.dhchapCtrlSecret(), null, null);
        if (keys.tls())
        {
            TlsProvider.get(); // no TLS provider on the class path: one line, before anything listens
        }
        if (TARGET_LOG.getLevel() == null)
        {
            TARGET_LOG.setLevel(java.util.logging.Level.WARNING); // unless the user configured it
        }
        final long ramBytes = Math.max(64L << 20, Math.min(rangeMib, 256) << 20);
        final Target target = Target.builder().listen("127.0.0.1", 0).pollers(Math.min(queues, 2))
            .idleStrategy(() -> IdleStrategy.parse(idle))
            .subsystem(s ->
            {
                s.nqn(TargetCommand.DEFAULT_NQN).blockSize(4096).ramNamespace(1, ramBytes);
                if (auth != null)
                {
                    s.allowHost(host, auth);
                }
                else
                {
                    s.allowAnyHost();
                }
            })
            .build();
        if (keys.tls())
        {
            target.requireTlsOnEveryPort(new HostPskTable().put(host, keys.tlsKey()));
        }
        target.start();
        connect.trsvcid = target.boundPort();
        return target;
    }
}
