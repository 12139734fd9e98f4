package org.nvmeof4j.host;

/**
 * Receives completions from {@link IoQueue#poll(CompletionHandler)}, on the polling thread, with primitive
 * arguments only (in the manner of the Disruptor's event handlers), so the polled path allocates nothing.
 */
@FunctionalInterface
public interface CompletionHandler
{
    /**
     * One request completed.
     *
     * @param userTag the tag given at submission.
     * @param status  0 on success, else the 15-bit NVMe status (SCT/SC plus DNR/More/CRD, see
     *                {@link org.nvmeof4j.protocol.nvme.Cqe#status()}); name it with
     *                {@link org.nvmeof4j.protocol.nvme.NvmeStatus#describe(int, int)}. A transport failure after
     *                {@code ctrl_loss_tmo} reports {@link IoQueue#STATUS_CONTROLLER_LOST}.
     */
    void onComplete(long userTag, int status);
}
