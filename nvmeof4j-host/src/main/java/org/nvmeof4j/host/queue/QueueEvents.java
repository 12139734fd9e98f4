package org.nvmeof4j.host.queue;

/** What a queue tells its controller (the controller's error recovery listens). */
public interface QueueEvents
{
    /**
     * The queue's connection broke (peer closed, TermReq, protocol error, command timeout). Called on the queue's
     * thread; the controller starts error recovery unless it already runs.
     *
     * @param generation the association the lost connection belonged to (as given to {@link HostQueue#adopt}):
     *                   a loss from an association already given up is ignored.
     */
    void connectionLost(HostQueue queue, long generation, String reason, Throwable cause);
}
