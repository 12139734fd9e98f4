package org.nvmeof4j.host.tcp;

/** What a queue tells its controller (the controller's error recovery listens). */
public interface QueueEvents
{
    /**
     * The queue's connection broke (peer closed, TermReq, protocol error, command timeout). Called on the queue's
     * thread; the controller starts error recovery unless it already runs.
     */
    void connectionLost(TcpQueue queue, TcpConnection connection, String reason, Throwable cause);
}
