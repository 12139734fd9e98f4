package org.nvmeof4j.target.offload;

import java.io.IOException;

/** A backend controller did not complete a command within its timeout. */
public final class BackendTimeoutException extends IOException
{
    private static final long serialVersionUID = 1L;

    public BackendTimeoutException(final String message)
    {
        super(message);
    }
}
