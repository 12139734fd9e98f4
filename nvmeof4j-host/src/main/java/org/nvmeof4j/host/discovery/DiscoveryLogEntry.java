package org.nvmeof4j.host.discovery;

import java.nio.ByteBuffer;

/**
 * One 1024-byte Discovery Log Page entry (NVMe over Fabrics 1.1, Figure 38 / NVMe Base 2.0, Get Log Page 70h).
 */
public record DiscoveryLogEntry(
    int trtype, int adrfam, int subtype, int treq, int portid, int cntlid, int asqsz, int eflags, String trsvcid,
    String subnqn, String traddr, int sectype)
{
    /** Entry length. */
    public static final int LENGTH = org.nvmeof4j.protocol.admin.DiscoveryLogEntry.LENGTH;
    /** TRTYPE: TCP. */
    public static final int TRTYPE_TCP = org.nvmeof4j.protocol.admin.DiscoveryLogEntry.TRTYPE_TCP;
    /** SUBTYPE: a referral to another discovery service. */
    public static final int SUBTYPE_REFERRAL = org.nvmeof4j.protocol.admin.DiscoveryLogEntry.SUBTYPE_REFERRAL;
    /** SUBTYPE: an NVM subsystem. */
    public static final int SUBTYPE_NVM = org.nvmeof4j.protocol.admin.DiscoveryLogEntry.SUBTYPE_NVME;
    /** SUBTYPE: the current discovery subsystem. */
    public static final int SUBTYPE_CURRENT_DISCOVERY =
        org.nvmeof4j.protocol.admin.DiscoveryLogEntry.SUBTYPE_CURRENT_DISCOVERY;

    /** Decode the entry at {@code index} of {@code buf} (through the protocol module's flyweight). */
    public static DiscoveryLogEntry decode(final ByteBuffer buf, final int index)
    {
        final org.nvmeof4j.protocol.admin.DiscoveryLogEntry e =
            new org.nvmeof4j.protocol.admin.DiscoveryLogEntry().wrap(buf, index);
        return new DiscoveryLogEntry(e.trtype(), e.adrfam(), e.subtype(), e.treq(), e.portid(), e.cntlid(),
            e.asqsz(), e.eflags(), e.trsvcid(), e.subnqn(), e.traddr(), e.sectype());
    }

    public boolean isReferral()
    {
        return subtype == SUBTYPE_REFERRAL;
    }

    public boolean isNvmSubsystem()
    {
        return subtype == SUBTYPE_NVM;
    }

    /** TRTYPE as nvme-cli prints it. */
    public String trtypeName()
    {
        switch (trtype)
        {
            case 1: return "rdma";
            case 2: return "fc";
            case TRTYPE_TCP: return "tcp";
            case 254: return "loop";
            default: return "unrecognized";
        }
    }

    /** SUBTYPE as nvme-cli prints it. */
    public String subtypeName()
    {
        switch (subtype)
        {
            case SUBTYPE_REFERRAL: return "discovery subsystem referral";
            case SUBTYPE_NVM: return "nvme subsystem";
            case SUBTYPE_CURRENT_DISCOVERY: return "current discovery subsystem";
            default: return "unrecognized";
        }
    }

    /** ADRFAM as nvme-cli prints it. */
    public String adrfamName()
    {
        switch (adrfam)
        {
            case 1: return "ipv4";
            case 2: return "ipv6";
            case 3: return "infiniband";
            case 4: return "fibre-channel";
            case 254: return "loop";
            default: return "unrecognized";
        }
    }

    /** TREQ secure channel bits as nvme-cli prints them. */
    public String treqName()
    {
        switch (treq & 0x3)
        {
            case 1: return "required";
            case 2: return "not required";
            default: return "not specified";
        }
    }

    /**
     * The text a record would print ({@code DiscoveryLogEntry[trtype=3, ..., sectype=0]}), written out: on Java 17
     * the generated {@code toString} of a record goes through {@code String.format}, which cost a host reading a
     * long discovery log (or logging its entries) more than decoding them.
     */
    @Override
    public String toString()
    {
        return new StringBuilder(192)
            .append("DiscoveryLogEntry[trtype=").append(trtype)
            .append(", adrfam=").append(adrfam)
            .append(", subtype=").append(subtype)
            .append(", treq=").append(treq)
            .append(", portid=").append(portid)
            .append(", cntlid=").append(cntlid)
            .append(", asqsz=").append(asqsz)
            .append(", eflags=").append(eflags)
            .append(", trsvcid=").append(trsvcid)
            .append(", subnqn=").append(subnqn)
            .append(", traddr=").append(traddr)
            .append(", sectype=").append(sectype)
            .append(']').toString();
    }
}
