package org.nvmeof4j.target.offload;

import java.nio.ByteBuffer;
import org.nvmeof4j.protocol.nvme.Opcodes;

/**
 * One command for an {@link AsyncBackendQueue}: a Read, Write or Flush of a backend namespace, addressed in bytes,
 * and how it ended. The device preallocates one per front-end request slot and reuses it (nothing is allocated per
 * I/O); the queue completes it exactly once, on the poller thread that submitted it ({@link #complete}: a second
 * call is ignored and counted nowhere, so no front-end command can complete twice).
 *
 * <p>The buffer is the front-end command's own memory: the received Write data (sent on without a copy) or where a
 * Read's data lands before it goes to the front-end socket. The queue must not touch it after the completion, so a
 * queue that gives up on a command (a timeout) must first make sure the backend can no longer write into it (close
 * the backend connection).
 */
public abstract class BackendIo
{
    /** Outcomes ({@link #outcome()}). */
    public static final int OK = 0;
    /** The backend completed the command with an NVMe status ({@link #status()}). */
    public static final int STATUS = 1;
    /** The backend failed the command or is gone (connection lost, controller lost, queue closed). */
    public static final int ERROR = 2;
    /** The backend did not complete the command in time. */
    public static final int TIMEOUT = 3;

    private int opcode;
    private int nsid;
    private long offset;
    private ByteBuffer buffer;
    private int index;
    private int length;
    private boolean inFlight;
    private int outcome;
    private int status;
    private String detail;

    /** For the queue: its waiting list and its own bookkeeping (a tag, a deadline). */
    private BackendIo next;
    private long deadlineNanos;

    /**
     * Set the command up for a submission (device, poller thread).
     *
     * @param opcode {@link Opcodes#IO_READ}, {@link Opcodes#IO_WRITE} or {@link Opcodes#IO_FLUSH}.
     * @return this.
     */
    public BackendIo prepare(final int opcode, final int nsid, final long offset, final ByteBuffer buffer,
        final int index, final int length)
    {
        if (inFlight)
        {
            throw new IllegalStateException("backend command still in flight");
        }
        this.opcode = opcode;
        this.nsid = nsid;
        this.offset = offset;
        this.buffer = buffer;
        this.index = index;
        this.length = length;
        this.inFlight = true;
        this.outcome = OK;
        this.status = 0;
        this.detail = null;
        this.next = null;
        return this;
    }

    public int opcode()
    {
        return opcode;
    }

    public int nsid()
    {
        return nsid;
    }

    /** @return the byte offset in the backend namespace (0 for a Flush). */
    public long offset()
    {
        return offset;
    }

    /** @return the data buffer (null for a Flush). */
    public ByteBuffer buffer()
    {
        return buffer;
    }

    /** @return the index of the first data byte in {@link #buffer()}. */
    public int index()
    {
        return index;
    }

    /** @return the data length in bytes (0 for a Flush). */
    public int length()
    {
        return length;
    }

    /** @return whether the command was submitted and has not completed yet. */
    public boolean inFlight()
    {
        return inFlight;
    }

    /** @return how the command ended: {@link #OK}, {@link #STATUS}, {@link #ERROR} or {@link #TIMEOUT}. */
    public int outcome()
    {
        return outcome;
    }

    /** @return the backend's 15-bit NVMe status for {@link #STATUS} (SCT and SC), else 0. */
    public int status()
    {
        return status;
    }

    /** @return a one-line description of a failure, or null. */
    public String detail()
    {
        return detail;
    }

    /** For the queue: the next command in its waiting list. */
    public BackendIo next()
    {
        return next;
    }

    /** For the queue: link the next command of its waiting list. */
    public void next(final BackendIo n)
    {
        this.next = n;
    }

    /** For the queue: when the command times out ({@link System#nanoTime()} scale). */
    public long deadlineNanos()
    {
        return deadlineNanos;
    }

    /** For the queue: set when the command times out. */
    public void deadlineNanos(final long nanos)
    {
        this.deadlineNanos = nanos;
    }

    /**
     * The command ended (queue, on the submitting poller thread): record the outcome and tell the device. Only the
     * first call counts.
     *
     * @return whether this call completed the command (false: it had completed already).
     */
    public final boolean complete(final int outcome, final int status, final String detail)
    {
        if (!inFlight)
        {
            return false;
        }
        inFlight = false;
        this.outcome = outcome;
        this.status = status;
        this.detail = detail;
        this.next = null;
        completed();
        return true;
    }

    /** The device's part of a completion; {@link #outcome()} and the rest are set. */
    protected abstract void completed();

    /**
     * The queue finished a batch of completions that included one of this command's owner (called after the
     * batch, at most once per batch and owner): the device writes the front-end responses it queued. The default
     * does nothing.
     */
    public void batchDone()
    {
    }

    /**
     * @return who {@link #batchDone()} runs for: commands with the same owner share one call per batch (the device's
     *         per-connection object). Default: the command itself.
     */
    public Object owner()
    {
        return this;
    }
}
