package org.nvmeof4j.host;

import org.nvmeof4j.protocol.nvme.NvmeStatus;
import org.nvmeof4j.protocol.nvme.NvmeStatusException;

/**
 * A command completed with an NVMe status other than success. The message names the status the way
 * {@link NvmeStatus#describe(int, int)} does, resolving command-specific codes by the command's opcode, e.g.
 * {@code "Read: LBA out of range (0x80) [DNR]"}.
 */
public class NvmeException extends NvmeStatusException
{
    private static final long serialVersionUID = 1L;

    private final int opcode;
    private final String message;

    /**
     * @param commandName what failed, e.g. "Read" or "Identify Controller".
     * @param opcode      the command's opcode (0x7F for Fabrics), used to name command-specific codes.
     * @param status      the 15-bit status of the CQE (see {@link org.nvmeof4j.protocol.nvme.Cqe#status()}).
     */
    public NvmeException(final String commandName, final int opcode, final int status)
    {
        super(status);
        this.opcode = opcode;
        this.message = commandName + ": " + NvmeStatus.describe(status, opcode);
    }

    @Override
    public String getMessage()
    {
        return message;
    }

    /** @return the opcode of the failed command. */
    public int opcode()
    {
        return opcode;
    }

    /** @return the status constant, command-specific codes resolved by opcode; null if unknown. */
    @Override
    public NvmeStatus nvmeStatus()
    {
        return NvmeStatus.of(status(), opcode);
    }

    /** @return the status as {@link NvmeStatus#describe(int, int)} names it, without the command name. */
    public String describe()
    {
        return NvmeStatus.describe(status(), opcode);
    }
}
