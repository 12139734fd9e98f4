package org.nvmeof4j.host;

/**
 * The controller is gone for good: reconnecting failed until {@code ctrl_loss_tmo} expired (or the controller was
 * deleted), so every command in flight and every new one fails with this error, as the Linux host fails I/O once
 * it gives up on a controller.
 */
public class ControllerLostException extends NvmeTransportException
{
    private static final long serialVersionUID = 1L;

    public ControllerLostException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
