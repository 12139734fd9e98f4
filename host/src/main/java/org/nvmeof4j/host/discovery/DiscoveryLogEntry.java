package org.nvmeof4j.host.discovery;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.nvmeof4j.protocol.fabrics.Nqn;
import org.nvmeof4j.protocol.nvme.LittleEndian;

/**
 * One 1024-byte Discovery Log Page entry (NVMe over Fabrics 1.1, Figure 38 / NVMe Base 2.0, Get Log Page 70h).
 */
public record DiscoveryLogEntry(
    int trtype, int adrfam, int subtype, int treq, int portid, int cntlid, int asqsz, int eflags, String trsvcid,
    String subnqn, String traddr, int sectype)
{
    /** Entry length. */
    public static final int LENGTH = 1024;
    /** TRTYPE: TCP. */
    public static final int TRTYPE_TCP = 3;
    /** SUBTYPE: a referral to another discovery service. */
    public static final int SUBTYPE_REFERRAL = 1;
    /** SUBTYPE: an NVM subsystem. */
    public static final int SUBTYPE_NVM = 2;
    /** SUBTYPE: the current discovery subsystem. */
    public static final int SUBTYPE_CURRENT_DISCOVERY = 3;

    /** Decode the entry at {@code index} of {@code buf}. */
    public static DiscoveryLogEntry decode(final ByteBuffer buf, final int index)
    {
        return new DiscoveryLogEntry(
            LittleEndian.getU8(buf, index),
            LittleEndian.getU8(buf, index + 1),
            LittleEndian.getU8(buf, index + 2),
            LittleEndian.getU8(buf, index + 3),
            LittleEndian.getU16(buf, index + 4),
            LittleEndian.getU16(buf, index + 6),
            LittleEndian.getU16(buf, index + 8),
            LittleEndian.getU16(buf, index + 10),
            ascii(buf, index + 32, 32),
            Nqn.read(buf, index + 256, Nqn.FIELD_LENGTH),
            ascii(buf, index + 512, 256),
            LittleEndian.getU8(buf, index + 768));
    }

    private static String ascii(final ByteBuffer buf, final int index, final int length)
    {
        final byte[] b = new byte[length];
        int n = 0;
        for (int i = 0; i < length; i++)
        {
            final byte c = buf.get(index + i);
            if (c == 0)
            {
                break;
            }
            b[n++] = c;
        }
        return new String(b, 0, n, StandardCharsets.US_ASCII).trim();
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
}
