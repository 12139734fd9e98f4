package org.nvmeof4j.host;

/**
 * The command did not complete because of the transport, not the controller: the connection was lost, the
 * controller could not be reached, a command timed out, or a peer broke the NVMe/TCP protocol.
 */
public class NvmeTransportException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public NvmeTransportException(final String message)
    {
        super(message);
    }

    public NvmeTransportException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
