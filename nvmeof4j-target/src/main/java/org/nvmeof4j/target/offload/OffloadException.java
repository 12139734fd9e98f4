package org.nvmeof4j.target.offload;

/**
 * A target offload operation failed: the RFC's errno reasons ({@code EEXIST}, {@code ENOENT}, {@code ENOTSUP}) and
 * two more for what its man pages leave to {@code EINVAL} / {@code ENOSPC}. The message is one line that names the
 * value at fault.
 */
public final class OffloadException extends Exception
{
    private static final long serialVersionUID = 1L;

    /** Why. */
    public enum Reason
    {
        /** {@code EEXIST}: the front-end NSID is already mapped in this offload context. */
        ALREADY_EXISTS,
        /** {@code ENOENT}: the front-end NSID is not mapped. */
        NOT_FOUND,
        /** {@code ENOTSUP}: the device does not support this (an LBA data size, an offload type, ...). */
        NOT_SUPPORTED,
        /** {@code EINVAL}: an attribute outside the device's capabilities, or an argument that is not valid. */
        INVALID_ARGUMENT,
        /** {@code ENOSPC}: a device or context limit (backend controllers, namespaces) is reached. */
        LIMIT_EXCEEDED
    }

    private final Reason reason;

    public OffloadException(final Reason reason, final String message)
    {
        super(message);
        this.reason = reason;
    }

    /** @return why the operation failed. */
    public Reason reason()
    {
        return reason;
    }
}
