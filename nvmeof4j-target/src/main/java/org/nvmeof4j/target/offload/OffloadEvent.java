package org.nvmeof4j.target.offload;

/**
 * An asynchronous event of a target offload (the RFC's {@code IBV_EVENT_NVME_PCI_ERR}, {@code IBV_EVENT_NVME_TIMEOUT}
 * and the review's {@code IBV_EVENT_UNSUPPORTED_NVMF_OP}).
 *
 * @param type         what happened.
 * @param subsystemNqn the offload context's subsystem.
 * @param feNsid       the front-end NSID of the command, 0 when none.
 * @param backend      the backend controller's name, or "-" when none is involved.
 * @param opcode       the NVM opcode of the command.
 * @param detail       one line for logs.
 */
public record OffloadEvent(Type type, String subsystemNqn, int feNsid, String backend, int opcode, String detail)
{
    /** The kinds of event. */
    public enum Type
    {
        /** A backend controller failed a command (the RFC's NVMe PCI error). */
        BACKEND_ERROR,
        /** A backend controller did not complete a command in time. */
        BACKEND_TIMEOUT,
        /** A command the device cannot serve arrived on a connection that cannot carry non-offloaded commands. */
        UNSUPPORTED_COMMAND
    }

    /** Told about events; called on the poller thread of the queue involved, so it must return quickly. */
    @FunctionalInterface
    public interface Listener
    {
        void onEvent(OffloadEvent event);
    }
}
