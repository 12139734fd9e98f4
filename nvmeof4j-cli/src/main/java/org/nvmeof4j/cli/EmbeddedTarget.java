package org.nvmeof4j.cli;

import java.io.IOException;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.tcp.IdleStrategy;

/**
 * The in-process RAM target that {@code nvmeof4j perf} starts when no {@code -a} is given: one namespace of 4 KiB
 * blocks in subsystem {@link TargetCommand#DEFAULT_NQN}, open to any host, listening on 127.0.0.1 (an ephemeral
 * port), so that the workload runs through the real TCP path.
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
     * @param connect the host's connect options: address, port and subsystem NQN are overwritten
     * @param queues perf's {@code --queues}; the target gets a poller per queue, two at most
     * @param rangeMib perf's {@code --range-mib}; the namespace covers it, within 64..256 MiB
     * @param idle perf's {@code --idle}: the target pollers' idle strategy
     * @return the running target; the caller closes it
     * @throws IOException when it cannot listen
     */
    static Target start(final HostConnectOptions connect, final int queues, final long rangeMib, final String idle)
        throws IOException
    {
        if (TARGET_LOG.getLevel() == null)
        {
            TARGET_LOG.setLevel(java.util.logging.Level.WARNING); // unless the user configured it
        }
        final long ramBytes = Math.max(64L << 20, Math.min(rangeMib, 256) << 20);
        final Target target = Target.builder().listen("127.0.0.1", 0).pollers(Math.min(queues, 2))
            .idleStrategy(() -> IdleStrategy.parse(idle))
            .subsystem(s -> s.nqn(TargetCommand.DEFAULT_NQN).allowAnyHost().blockSize(4096)
                .ramNamespace(1, ramBytes))
            .build().start();
        connect.traddr = "127.0.0.1";
        connect.trsvcid = target.boundPort();
        connect.nqn = TargetCommand.DEFAULT_NQN;
        return target;
    }
}
