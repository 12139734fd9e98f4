package org.nvmeof4j.host;

import static org.nvmeof4j.host.ScriptedTarget.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The ways {@link ScriptedTarget} breaks the one PDU its plan names. Each mutation records what it did and, where
 * NVMe/TCP names the host's answer, the FES and FEI of the H2CTermReq the host must send (WIRE.md): header fields
 * before digests, so those predictions hold with header digests on too.
 */
final class Mutations
{
    static final int FES_INVALID_HEADER_FIELD = 0x01;
    static final int FES_PDU_SEQUENCE_ERROR = 0x02;
    static final int FES_DATA_OUT_OF_RANGE = 0x04;

    /** How many times each mutation fired, for the report. */
    static final java.util.concurrent.ConcurrentHashMap<String, Integer> COUNTS =
        new java.util.concurrent.ConcurrentHashMap<>();

    private Mutations()
    {
    }

    static void apply(final ScriptedTarget.Conn c, final Pdu pdu, final Plan plan) throws IOException
    {
        final Random rnd = plan.rnd;
        final List<String> kinds = new ArrayList<>(List.of("flipHeader", "flipAny", "badType", "badHlen",
            "truncateAndClose", "closeBefore", "drop", "termReq", "duplicate", "strayResp", "strayC2hData",
            "strayR2t"));
        switch (pdu.type)
        {
            case IC_RESP:
                kinds.addAll(List.of("icPfv", "icCpda", "icMaxh2cdata", "icDgst", "icPlen", "icPlen"));
                break;
            case CAPSULE_RESP:
                kinds.addAll(List.of("respUnknownCid", "respPlen", "respStatus", "respUnknownCid", "duplicate"));
                break;
            case C2H_DATA:
                kinds.addAll(List.of("c2hUnknownCccid", "c2hDatao", "c2hGrow", "c2hPdo", "c2hDatalMismatch",
                    "c2hSuccessNotLast", "drop", "c2hCccidToOther"));
                break;
            case R2T:
                kinds.addAll(List.of("r2tBeyond", "r2tZero", "r2tTtag", "r2tUnknownCccid", "duplicate", "r2tRewind",
                    "respInsteadOfR2t"));
                break;
            default:
                break;
        }
        final String kind = plan.kind != null ? plan.kind : kinds.get(rnd.nextInt(kinds.size()));
        COUNTS.merge(kind, 1, Integer::sum);
        plan.applied = kind + " on type 0x" + Integer.toHexString(pdu.type) + (pdu.cid >= 0 ? " cid " + pdu.cid : "");
        final ByteBuffer h = pdu.header;
        switch (kind)
        {
            case "flipHeader":
            {
                final byte[] b = c.encode(pdu);
                final int flips = 1 + rnd.nextInt(3);
                for (int i = 0; i < flips; i++)
                {
                    b[rnd.nextInt(Math.min(b.length, pdu.hlen()))] = (byte)rnd.nextInt(256);
                }
                c.write(b);
                return;
            }
            case "flipAny":
            {
                // anywhere but the data bytes themselves (the header, its digest, the data digest): a flipped data
                // byte would be data the target sent, which the read oracle cannot tell from a host bug
                final byte[] b = c.encode(pdu);
                final int dataLength = pdu.data == null ? 0 : pdu.data.length;
                final int dataStart = (b[3] & 0xFF) == 0 ? b.length : b[3] & 0xFF;
                final int outside = b.length - dataLength;
                final int flips = 1 + rnd.nextInt(4);
                for (int i = 0; i < flips; i++)
                {
                    final int k = rnd.nextInt(outside);
                    b[k < dataStart ? k : k + dataLength] = (byte)rnd.nextInt(256);
                }
                c.write(b);
                return;
            }
            case "badType":
            {
                final byte[] b = c.encode(pdu);
                final int[] bad = {0x00, 0x02, 0x04, 0x06, 0x08, 0x0A, 0x0F, 0x10, 0x7F, 0x80, 0xFF};
                b[0] = (byte)bad[rnd.nextInt(bad.length)];
                plan.expect(FES_INVALID_HEADER_FIELD, 0);
                c.write(b);
                return;
            }
            case "badHlen":
            {
                final byte[] b = c.encode(pdu);
                int hlen;
                do
                {
                    hlen = rnd.nextInt(256);
                }
                while (hlen == pdu.hlen());
                b[2] = (byte)hlen;
                plan.expect(FES_INVALID_HEADER_FIELD, 2);
                c.write(b);
                return;
            }
            case "truncateAndClose":
            {
                final byte[] b = c.encode(pdu);
                plan.expectNoTermReq = true;
                c.writeAndClose(java.util.Arrays.copyOf(b, rnd.nextInt(b.length)));
                return;
            }
            case "closeBefore":
                plan.expectNoTermReq = true;
                c.writeAndClose(new byte[0]);
                return;
            case "drop":
                if (pdu.type == C2H_DATA)
                {
                    // the next C2HData starts past what arrived; if this was the last, the CapsuleResp comes early,
                    // which ends an I/O queue (FES 0x02) but not the admin queue: an admin caller may give a buffer
                    // longer than its command transfers, so a short admin transfer completes (as in Linux)
                    if (!pdu.lastOfCommand)
                    {
                        plan.expect(FES_DATA_OUT_OF_RANGE, 0);
                    }
                    else if (c.qid != 0)
                    {
                        plan.expect(FES_PDU_SEQUENCE_ERROR, 0);
                    }
                    else
                    {
                        plan.expectNoTermReq = true;
                    }
                }
                return;
            case "termReq":
            {
                final Pdu t = new Pdu(C2H_TERM_REQ, 24);
                t.header.putShort(8, (short)(1 + rnd.nextInt(6)));
                plan.expectNoTermReq = true;
                c.write(c.encode(t));
                return;
            }
            case "duplicate":
            {
                final byte[] b = c.encode(pdu);
                final byte[] two = new byte[b.length * 2];
                System.arraycopy(b, 0, two, 0, b.length);
                System.arraycopy(b, 0, two, b.length, b.length);
                if (pdu.type == R2T)
                {
                    // the second R2T asks again for data already sent
                    plan.expect(FES_DATA_OUT_OF_RANGE, 0);
                }
                else if (pdu.type == C2H_DATA)
                {
                    plan.expect(FES_DATA_OUT_OF_RANGE, 0);
                }
                else if (pdu.type == CAPSULE_RESP)
                {
                    plan.expect(FES_INVALID_HEADER_FIELD, 20);
                }
                else if (pdu.type == IC_RESP)
                {
                    plan.expect(FES_PDU_SEQUENCE_ERROR, 0);
                }
                c.write(two);
                return;
            }
            case "r2tForCapsule":
            {
                // an R2T for the command this CapsuleResp answers (in the regression case: an in-capsule write)
                final Pdu r = new Pdu(R2T, 24);
                r.header.putShort(8, (short)pdu.cid).putInt(16, 512);
                strayThen(c, plan, r, pdu, FES_DATA_OUT_OF_RANGE, 0);
                return;
            }
            case "respInsteadOfR2t":
            {
                // a success CapsuleResp for the write this R2T was for, and no R2T
                final Pdu r = new Pdu(CAPSULE_RESP, 24);
                r.header.putShort(20, (short)pdu.cid);
                plan.expect(FES_PDU_SEQUENCE_ERROR, 0);
                c.write(c.encode(r));
                return;
            }
            case "strayResp":
            {
                final Pdu r = new Pdu(CAPSULE_RESP, 24);
                r.header.putShort(20, (short)(FOREIGN_CID_BASE + rnd.nextInt(60000)));
                strayThen(c, plan, r, pdu, FES_INVALID_HEADER_FIELD, 20);
                return;
            }
            case "strayC2hData":
            {
                final Pdu d = new Pdu(C2H_DATA, 24);
                d.data = new byte[1 + rnd.nextInt(600)];
                d.header.putShort(8, (short)(FOREIGN_CID_BASE + rnd.nextInt(60000))).putInt(16, d.data.length);
                d.flags = FLAG_LAST_PDU;
                strayThen(c, plan, d, pdu, FES_INVALID_HEADER_FIELD, 8);
                return;
            }
            case "strayR2t":
            {
                final Pdu r = new Pdu(R2T, 24);
                r.header.putShort(8, (short)(FOREIGN_CID_BASE + rnd.nextInt(60000))).putInt(16, 512);
                strayThen(c, plan, r, pdu, FES_INVALID_HEADER_FIELD, 8);
                return;
            }
            // ---------------------------------------------------------- ICResp
            case "icPfv":
                h.putShort(8, (short)(1 + rnd.nextInt(0xFFFF)));
                c.write(c.encode(pdu));
                return;
            case "icCpda":
                h.put(10, (byte)(32 + rnd.nextInt(224)));
                c.write(c.encode(pdu));
                return;
            case "icMaxh2cdata":
            {
                final int[] bad = {0, 1, 4095, 4097, 4098, 8190, -1, 3};
                h.putInt(12, bad[rnd.nextInt(bad.length)]);
                c.write(c.encode(pdu));
                return;
            }
            case "icDgst":
                h.put(11, (byte)(h.get(11) ^ (1 + rnd.nextInt(3))));
                c.write(c.encode(pdu));
                return;
            case "icPlen":
            {
                final byte[] b = c.encode(pdu);
                int plen;
                do
                {
                    plen = rnd.nextBoolean() ? rnd.nextInt(300) : rnd.nextInt();
                }
                while (plen == 128);
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(4, plen);
                plan.expect(FES_INVALID_HEADER_FIELD, 4);
                c.write(b);
                return;
            }
            // ---------------------------------------------------------- CapsuleResp
            case "respUnknownCid":
                h.putShort(20, (short)(FOREIGN_CID_BASE + rnd.nextInt(60000)));
                plan.expect(FES_INVALID_HEADER_FIELD, 20);
                c.write(c.encode(pdu));
                return;
            case "respPlen":
            {
                final byte[] b = c.encode(pdu);
                int plen;
                do
                {
                    plen = rnd.nextBoolean() ? rnd.nextInt(64) : rnd.nextInt();
                }
                while (plen == b.length);
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(4, plen);
                plan.expect(FES_INVALID_HEADER_FIELD, 4);
                c.write(b);
                return;
            }
            case "respStatus":
                // any error status: the command fails with an NvmeException, the connection stays
                h.putShort(22, (short)((1 + rnd.nextInt(0x7FFF)) << 1));
                c.write(c.encode(pdu));
                return;
            // ---------------------------------------------------------- C2HData
            case "c2hUnknownCccid":
                h.putShort(8, (short)(FOREIGN_CID_BASE + rnd.nextInt(60000)));
                plan.expect(FES_INVALID_HEADER_FIELD, 8);
                c.write(c.encode(pdu));
                return;
            case "c2hCccidToOther":
                // a CID that may be another outstanding command: data for the wrong command, caught later
                h.putShort(8, (short)(pdu.cid ^ (1 + rnd.nextInt(3))));
                c.write(c.encode(pdu));
                return;
            case "c2hDatao":
            {
                final int datao = h.getInt(12);
                final int[] delta = {1, -1, 512, -512, 4096, 1 << 20, Integer.MAX_VALUE, Integer.MIN_VALUE};
                h.putInt(12, datao + delta[rnd.nextInt(delta.length)]);
                plan.expect(FES_DATA_OUT_OF_RANGE, 0);
                c.write(c.encode(pdu));
                return;
            }
            case "c2hGrow":
            {
                final int extra = 1 + rnd.nextInt(rnd.nextBoolean() ? 16 : 70000);
                pdu.data = java.util.Arrays.copyOf(pdu.data, pdu.data.length + extra);
                h.putInt(16, pdu.data.length);
                plan.expect(FES_DATA_OUT_OF_RANGE, 0);
                c.write(c.encode(pdu));
                return;
            }
            case "c2hPdo":
            {
                final byte[] b = c.encode(pdu);
                b[3] = (byte)rnd.nextInt(24);
                plan.expect(FES_INVALID_HEADER_FIELD, 3);
                c.write(b);
                return;
            }
            case "c2hDatalMismatch":
            {
                final int datal = h.getInt(16);
                int bad;
                do
                {
                    bad = rnd.nextBoolean() ? datal + rnd.nextInt(1024) - 512 : rnd.nextInt();
                }
                while (bad == datal);
                h.putInt(16, bad);
                plan.expect(FES_INVALID_HEADER_FIELD, 16);
                c.write(c.encode(pdu));
                return;
            }
            case "c2hSuccessNotLast":
                pdu.flags = (pdu.flags | FLAG_SUCCESS) & ~FLAG_LAST_PDU;
                plan.expect(FES_INVALID_HEADER_FIELD, 1);
                c.write(c.encode(pdu));
                return;
            // ---------------------------------------------------------- R2T
            case "r2tBeyond":
            {
                final int r2to = h.getInt(12);
                final int beyond = 1 + rnd.nextInt(rnd.nextBoolean() ? 16 : 70000);
                if (rnd.nextBoolean())
                {
                    h.putInt(16, pdu.length - r2to + beyond);
                }
                else
                {
                    h.putInt(12, pdu.length - h.getInt(16) + beyond);
                }
                plan.expect(FES_DATA_OUT_OF_RANGE, 0);
                c.write(c.encode(pdu));
                return;
            }
            case "r2tZero":
                h.putInt(16, 0);
                plan.expect(FES_DATA_OUT_OF_RANGE, 0);
                c.write(c.encode(pdu));
                return;
            case "r2tTtag":
                h.putShort(10, (short)rnd.nextInt(0x10000));
                c.write(c.encode(pdu));
                return;
            case "r2tUnknownCccid":
                h.putShort(8, (short)(FOREIGN_CID_BASE + rnd.nextInt(60000)));
                plan.expect(FES_INVALID_HEADER_FIELD, 8);
                c.write(c.encode(pdu));
                return;
            case "r2tRewind":
            {
                final int r2to = h.getInt(12);
                if (r2to == 0)
                {
                    // nothing before it: ask for more than the write instead
                    h.putInt(16, pdu.length + 512);
                    plan.expect(FES_DATA_OUT_OF_RANGE, 0);
                }
                else
                {
                    // ask again for data already sent
                    final int back = 1 + rnd.nextInt(r2to);
                    h.putInt(12, r2to - back).putInt(16, h.getInt(16) + back);
                    plan.expect(FES_DATA_OUT_OF_RANGE, 0);
                }
                c.write(c.encode(pdu));
                return;
            }
            default:
                throw new IllegalStateException(kind);
        }
    }

    /** Send a PDU no command asked for, then (if the host is still there) the real one. */
    private static void strayThen(final ScriptedTarget.Conn c, final Plan plan, final Pdu stray, final Pdu real,
        final int fes, final long fei) throws IOException
    {
        if (real.type == IC_RESP)
        {
            // before the ICResp every other PDU is out of sequence
            plan.expect(FES_PDU_SEQUENCE_ERROR, 0);
        }
        else
        {
            plan.expect(fes, fei);
        }
        c.write(c.encode(stray));
        c.write(c.encode(real));
    }
}
