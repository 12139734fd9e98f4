package org.nvmeof4j.target.fuzz;

import static org.nvmeof4j.target.fuzz.QueueDriver.*;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Jazzer fuzz target for the target's handling of the Fabrics Connect command and its 1024-byte data (NVMe over
 * Fabrics 1.1, 3.3): on a fresh admin queue, on an I/O queue of a controller that exists, or a second Connect on a
 * queue already connected; any QID, SQSIZE, CATTR, KATO and RECFMT; the data in the capsule or sent after an R2T,
 * of any length, with HOSTID, CNTLID, SUBNQN and HOSTNQN set well or badly (unterminated, too long, not UTF-8, a
 * subsystem that does not exist or does not allow the host), and bytes flipped anywhere.
 *
 * <p>The properties: no exception escapes the queue's duty cycle; every Connect is answered (a CapsuleResp for its
 * CID, or the queue ends with a C2HTermReq); a Connect succeeds only for a subsystem that exists and allows the
 * host, as the data's NUL-terminated SUBNQN and HOSTNQN say; once every queue is closed no controller is left.
 *
 * <p>In the default test run this replays the stored inputs (src/test/resources/.../TargetConnectFuzzTestInputs);
 * to fuzz: {@code fuzz/run.sh TargetConnectFuzzTest}.
 */
class TargetConnectFuzzTest
{
    private static final String[] SUBNQNS = {NQN, RESTRICTED_NQN, DISCOVERY_NQN, NQN + "x", ""};
    private static final String[] HOSTNQNS = {HOSTNQN, "nqn.2014-08.org.nvmexpress:uuid:0", "", "x"};
    private static Level savedLevel;

    @BeforeAll
    static void silenceTargetLogs()
    {
        savedLevel = QueueDriver.quiet(null, true);
    }

    @AfterAll
    static void restoreTargetLogs()
    {
        QueueDriver.quiet(savedLevel, false);
    }

    @FuzzTest(maxDuration = "30s")
    void connectIsAnsweredOrRefused(final FuzzedDataProvider data) throws Exception
    {
        final QueueDriver admin = new QueueDriver();
        QueueDriver io = null;
        try
        {
            admin.channel.readChunk(data.consumeBoolean() ? Integer.MAX_VALUE : data.consumeInt(1, 300));
            admin.initialize(data.consumeBoolean(), data.consumeBoolean());
            switch (data.consumeInt(0, 2))
            {
                case 0:
                    connect(admin, data, 0);
                    break;
                case 1:
                {
                    final int cntlid = goodAdminConnect(admin);
                    io = new QueueDriver();
                    io.initialize(data.consumeBoolean(), data.consumeBoolean());
                    connect(io, data, cntlid);
                    break;
                }
                default:
                    connect(admin, data, goodAdminConnect(admin)); // a second Connect on a connected queue
            }
        }
        finally
        {
            if (io != null)
            {
                io.close();
            }
            admin.close();
        }
        if (!target().controllers().isEmpty())
        {
            throw new AssertionError("controllers left after every queue closed: " + target().controllers());
        }
    }

    private static int goodAdminConnect(final QueueDriver admin) throws Exception
    {
        final List<ByteBuffer> r = admin.send(admin.capsule(connectSqe(0x8001, 0, 31, 0),
            connectData(0xFFFF, NQN, HOSTNQN)));
        final ByteBuffer resp = response(r, 0x8001);
        if (resp == null || status(resp) != 0)
        {
            throw new AssertionError("a good admin Connect failed");
        }
        return dw0(resp) & 0xFFFF;
    }

    /** One fuzzed Connect on {@code q}; {@code cntlid} is a controller that exists (or 0). */
    private static void connect(final QueueDriver q, final FuzzedDataProvider data, final int cntlid)
        throws Exception
    {
        final int cid = data.consumeInt(0, 0xFFFF);
        final int qid = data.consumeInt(0, 3) == 0 ? data.consumeInt(0, 0xFFFF) : cntlid == 0 ? 0 : 1;
        final int sqsize = data.consumeBoolean() ? 31 : data.consumeInt(0, 0xFFFF);
        final ByteBuffer sqe = connectSqe(cid, qid, sqsize, data.consumeBoolean() ? 0 : data.consumeInt());
        if (data.consumeInt(0, 3) == 0)
        {
            sqe.putShort(40, (short)data.consumeInt(0, 0xFFFF)); // RECFMT
        }
        if (data.consumeInt(0, 3) == 0)
        {
            sqe.put(46, data.consumeByte()); // CATTR
        }
        final byte[] payload = connectData(data.consumeBoolean() ? cntlid == 0 ? 0xFFFF : cntlid :
            data.consumeInt(0, 0xFFFF), "", "");
        field(payload, 256, pick(data, SUBNQNS));
        field(payload, 512, pick(data, HOSTNQNS));
        final int flips = data.consumeInt(0, 3) == 0 ? data.consumeInt(0, 8) : 0;
        for (int i = 0; i < flips; i++)
        {
            payload[data.consumeInt(0, payload.length - 1)] = data.consumeByte();
        }
        if (data.consumeInt(0, 7) == 0)
        {
            // a long string with no NUL in its field
            final int field = data.consumeBoolean() ? 256 : 512;
            java.util.Arrays.fill(payload, field, field + 256, (byte)'a');
        }
        final int length = data.consumeInt(0, 3) == 0 ? data.consumeInt(0, 1100) : 1024;
        final byte[] sent = java.util.Arrays.copyOf(payload, length);
        final boolean inCapsule = data.consumeInt(0, 3) != 0;
        final List<ByteBuffer> r;
        if (inCapsule)
        {
            sglInCapsule(sqe, data.consumeBoolean() ? length : data.consumeInt(0, 2048));
            r = q.send(q.capsule(sqe, sent));
        }
        else
        {
            sglTransport(sqe, length);
            final List<ByteBuffer> first = q.send(q.capsule(sqe, null));
            final ByteBuffer r2t = r2t(first, cid);
            if (r2t == null)
            {
                r = first;
            }
            else
            {
                final int ttag = r2t.getShort(10) & 0xFFFF;
                final int r2tl = r2t.getInt(16);
                r = q.send(q.h2cData(cid, ttag, 0, java.util.Arrays.copyOf(payload, Math.min(r2tl, 4096)), true));
            }
        }
        final ByteBuffer resp = response(r, cid);
        if (resp == null)
        {
            if (!q.queue.isClosed())
            {
                throw new AssertionError("no answer to a Connect and the queue stays open (" + r.size() + " PDUs)");
            }
            return;
        }
        if (status(resp) == 0 && length >= 1024)
        {
            final String subnqn = cString(payload, 256);
            final String hostnqn = cString(payload, 512);
            final boolean allowed = subnqn.equals(NQN) || subnqn.equals(DISCOVERY_NQN) ||
                subnqn.equals(RESTRICTED_NQN) && hostnqn.equals(HOSTNQN);
            if (!allowed)
            {
                throw new AssertionError("Connect to '" + subnqn + "' as '" + hostnqn + "' succeeded");
            }
        }
    }

    private static String pick(final FuzzedDataProvider data, final String[] choices)
    {
        return data.consumeInt(0, 7) == 0 ? data.consumeString(300) : choices[data.consumeInt(0, choices.length - 1)];
    }

    /** Put {@code s} in UTF-8 into the 256-byte field at {@code at}, cut to fit. */
    private static void field(final byte[] payload, final int at, final String s)
    {
        final byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, payload, at, Math.min(256, b.length));
    }

    /** The NUL-terminated string of a 256-byte NQN field (all 256 bytes when there is no NUL). */
    private static String cString(final byte[] b, final int at)
    {
        int end = at;
        while (end < at + 256 && b[end] != 0)
        {
            end++;
        }
        return new String(b, at, end - at, StandardCharsets.UTF_8);
    }
}
