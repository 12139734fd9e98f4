package org.nvmeof4j.protocol.nvme;

/**
 * A command completed with a non-success NVMe status, or a target-side handler decided it must.
 *
 * <p>Carries the 15-bit status as {@link Cqe#status()} defines it (SCT, SC and the DNR/More/CRD flags); the message
 * is {@link NvmeStatus#describe(int)}. A target can throw it from a command handler and turn it into a CQE with
 * {@code cqe.status(e.status())}.
 */
public class NvmeStatusException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    /** A failure with the 15-bit {@code status} (see {@link Cqe#status()}). */
    public NvmeStatusException(final int status) {
        super(NvmeStatus.describe(status));
        this.status = status & 0x7FFF;
    }

    /** A failure with the 15-bit {@code status} and extra context prefixed to the message. */
    public NvmeStatusException(final String context, final int status) {
        super(context + ": " + NvmeStatus.describe(status));
        this.status = status & 0x7FFF;
    }

    /** A failure with {@code status}, optionally flagged Do Not Retry. */
    public NvmeStatusException(final NvmeStatus status, final boolean dnr) {
        this(status.status() | (dnr ? Cqe.STATUS_DNR : 0));
    }

    /** The 15-bit status, see {@link Cqe#status()}. */
    public int status() {
        return status;
    }

    /** {@code (sct << 8) | sc}. */
    public int sctSc() {
        return status & NvmeStatus.SCT_SC_MASK;
    }

    /** The known constant for this status (Fabrics meaning for ambiguous codes), or {@code null}. */
    public NvmeStatus nvmeStatus() {
        return NvmeStatus.of(status);
    }

    /** Whether the Do Not Retry bit is set. */
    public boolean dnr() {
        return (status & Cqe.STATUS_DNR) != 0;
    }
}
