package org.nvmeof4j.target;

import java.util.List;
import java.util.function.Supplier;
import org.nvmeof4j.target.subsystem.Subsystem;
import org.nvmeof4j.tcp.IdleStrategy;

/**
 * What a {@link Target.Builder} hands the {@link Target} it builds, already checked: the ports, the transport and
 * queue limits, the poller threads and the subsystems configured up front.
 */
record TargetSettings(List<ListenSpec> listens, int inlineDataSize, int maxH2cData, int maxTransferSize,
    int maxQueueSize, int maxIoQueues, int pollers, Supplier<IdleStrategy> idleStrategy, List<Subsystem> subsystems,
    ConnectionLimits limits)
{
}
