package org.nvmeof4j.target.offload;

/**
 * JMX view of one subsystem's offload context, object name
 * {@code org.nvmeof4j:type=TargetOffloadContext,subsystem=<quoted NQN>}: the device, the attributes in use, the
 * backend controllers, staging use and the events raised (counts per type and the latest ones, one line each).
 */
public interface OffloadContextMXBean
{
    /** JMX domain and type of the context MBeans. */
    String OBJECT_NAME_PREFIX = "org.nvmeof4j:type=TargetOffloadContext,";

    String getSubsystemNqn();

    /** @return the device's name ({@code fastpath}). */
    String getDevice();

    /** @return the offload type in lower case ({@code read_write_flush}). */
    String getOffloadType();

    int getMaxIoSz();

    /** @return the front-end NSIDs mapped now. */
    int[] getMappedNamespaces();

    /** @return the backend controllers' names. */
    String[] getBackendControllers();

    int getStagingChunks();

    int getStagingChunksInUse();

    /** @return backend errors raised ({@link OffloadEvent.Type#BACKEND_ERROR}). */
    long getBackendErrorEvents();

    /** @return backend timeouts raised ({@link OffloadEvent.Type#BACKEND_TIMEOUT}). */
    long getBackendTimeoutEvents();

    /** @return unsupported commands refused ({@link OffloadEvent.Type#UNSUPPORTED_COMMAND}). */
    long getUnsupportedCommandEvents();

    /** @return the latest events, oldest first, at most {@link OffloadContext#RECENT_EVENTS}. */
    String[] getRecentEvents();
}
