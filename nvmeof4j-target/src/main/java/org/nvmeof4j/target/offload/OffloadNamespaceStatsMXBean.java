package org.nvmeof4j.target.offload;

/**
 * JMX view of one mapped namespace's counters, object name
 * {@code org.nvmeof4j:type=TargetOffloadNamespace,subsystem=<quoted NQN>,nsid=<front-end NSID>}.
 */
public interface OffloadNamespaceStatsMXBean
{
    /** JMX domain and type of the namespace MBeans. */
    String OBJECT_NAME_PREFIX = "org.nvmeof4j:type=TargetOffloadNamespace,";

    String getSubsystemNqn();

    int getFeNsid();

    String getBackend();

    /** @return Reads the device served. */
    long getReads();

    long getWrites();

    long getFlushes();

    long getBytesRead();

    long getBytesWritten();

    /** @return Reads sent from the page cache with {@code transferTo} (data digest off). */
    long getZeroCopyReads();

    /** @return Reads sent out of a mapping of the file (data digest off): one copy, by the socket write. */
    long getMappedReads();

    /** @return Writes received into the context's staging buffer (the rest used per-request staging). */
    long getStagedWrites();

    /** @return commands the device completed with an error status. */
    long getErrors();

    long getLatencyP50UpperBoundNanos();

    long getLatencyP99UpperBoundNanos();

    /** @return counts per latency bucket: bucket b holds [2^(b-1), 2^b) ns. */
    long[] getLatencyBuckets();
}
