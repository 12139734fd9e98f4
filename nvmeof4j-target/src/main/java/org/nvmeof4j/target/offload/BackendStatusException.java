package org.nvmeof4j.target.offload;

import java.io.IOException;

/** A backend controller completed a command with an NVMe status other than success. */
public final class BackendStatusException extends IOException
{
    private static final long serialVersionUID = 1L;

    private final int status;

    /** @param status the 15-bit NVMe status (SCT and SC, without DNR/More). */
    public BackendStatusException(final int status, final String message)
    {
        super(message);
        this.status = status;
    }

    /** @return the 15-bit NVMe status. */
    public int status()
    {
        return status;
    }
}
