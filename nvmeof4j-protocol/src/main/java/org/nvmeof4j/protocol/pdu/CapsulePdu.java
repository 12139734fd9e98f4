package org.nvmeof4j.protocol.pdu;

import java.nio.ByteBuffer;

/**
 * CapsuleCmd (type 0x04, HLEN 72: CH + 64-byte SQE) and CapsuleResp (type 0x05, HLEN 24: CH + 16-byte CQE),
 * NVMe/TCP 3.6.2.6 and 3.6.2.7. The SQE / CQE start at {@link #CAPSULE_OFFSET}; wrap an SQE or CQE flyweight
 * there to read the command or completion.
 *
 * <pre>
 *  0   CH
 *  8   SQE (64 bytes) or CQE (16 bytes)
 *  HLEN  [HDGST]  [pad up to PDO]  [in-capsule data (CapsuleCmd only)]  [DDGST]
 * </pre>
 */
public final class CapsulePdu extends CommonHeader
{
    public static final int CAPSULE_OFFSET = 8;
    public static final int CMD_HLEN = 72;
    public static final int RESP_HLEN = 24;
    public static final int SQE_LENGTH = 64;
    public static final int CQE_LENGTH = 16;

    @Override
    public CapsulePdu wrap(final ByteBuffer buffer, final int offset)
    {
        super.wrap(buffer, offset);
        return this;
    }

    /** @return the absolute index of the SQE / CQE in the wrapped buffer. */
    public int capsuleIndex()
    {
        return offset + CAPSULE_OFFSET;
    }
}
