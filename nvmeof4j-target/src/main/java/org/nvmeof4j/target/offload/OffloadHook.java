package org.nvmeof4j.target.offload;

import java.io.IOException;
import org.nvmeof4j.target.queue.Request;
import org.nvmeof4j.target.queue.TargetQueue;

/**
 * The seam between the software target and a target offload (seed 004): what a {@link TargetQueue} asks of the
 * offload context of its subsystem. Attached with {@code Subsystem.offload(hook)}; an {@link OffloadContext} is one.
 *
 * <p>The RFC's rule is kept here: a queue asks {@link #enable} only after its Fabrics Connect succeeded, and only for
 * I/O queues, so a capsule that arrives before Connect is never seen by the offload.
 */
public interface OffloadHook
{
    /** Returned by {@link Connection#execute} for a command the offload does not serve: the software target runs it. */
    int NOT_OFFLOADED = Integer.MIN_VALUE;

    /**
     * Enable offload on an I/O queue whose Connect just succeeded (the RFC's {@code ibv_qp_set_nvmf}). Queue thread;
     * must not block.
     *
     * @return the queue's offload connection, or null to leave the queue to the software target.
     */
    Connection enable(TargetQueue queue);

    /** The offload side of one I/O queue. Every method runs on the queue's poller thread, one at a time. */
    interface Connection
    {
        /**
         * A Write whose data is about to be asked for with an R2T, already checked by range: the offload may point
         * the data at its staging buffer ({@link Request#placeData}).
         *
         * @return whether it did; false leaves the data to the software target's staging.
         */
        boolean placeWrite(Request r, int length);

        /**
         * Serve a command whose SQE and data arrived.
         *
         * @return {@link #NOT_OFFLOADED} (the software target runs it), -1 when the offload completed the command
         *         (the queue's {@code completeWithData} / {@code completeWithFile} / {@code complete}) or will
         *         complete it later, on this thread (a backend that answers asynchronously: the request stays in
         *         flight until then), else the NVMe status to complete it with (0 = success).
         * @throws IOException never for backend failures (those become a status and an event); only as the software
         *                     target's own handlers would.
         */
        int execute(Request r) throws IOException;

        /** The request's slot was freed (its completion is on the wire): release what it held. */
        void released(Request r);

        /** The queue closed: release everything the connection holds. No call follows. */
        void closed();
    }
}
