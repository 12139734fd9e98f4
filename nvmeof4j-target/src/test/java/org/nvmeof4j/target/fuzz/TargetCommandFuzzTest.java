package org.nvmeof4j.target.fuzz;

import static org.nvmeof4j.target.fuzz.QueueDriver.*;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Jazzer fuzz target for the target's command handling after Connect: a real admin queue and, when the input asks,
 * an I/O queue of the same controller ({@link QueueDriver}: the queues' own duty cycle, no socket), brought to any
 * point of the association (only ICReq, Connect, CC.EN = 1, Number of Queues granted, I/O queue connected), then
 * sent arbitrary SQEs on either queue: admin, Fabrics and NVM opcodes, any field values, with no data, in-capsule
 * data, or data by R2T (the H2CData answering it may be wrong), interleaved with raw byte chunks and orderly host
 * closes, each stream cut into reads of a size the input chooses.
 *
 * <p>The properties: no exception escapes the queue's duty cycle ({@code doWork}), nothing hangs (a bounded number
 * of duty cycles consumes each input), the target writes only well-formed controller PDUs, every well-formed
 * command is answered (a CapsuleResp with its CID, C2HData with SUCCESS, or an R2T whose data then completes it),
 * except an Asynchronous Event Request, which may stay parked, unless the queue closed (after a C2HTermReq or a
 * controller teardown). Afterwards an open I/O queue still serves a good 512-byte Read and an open admin queue a
 * Keep Alive, and once every queue is closed no controller is left behind. No exception is documented as expected:
 * any throwable is a finding.
 *
 * <p>In the default test run this replays the stored inputs (src/test/resources/.../TargetCommandFuzzTestInputs);
 * to fuzz: {@code JAZZER_FUZZ=1 mvn -pl nvmeof4j-target test -Dtest=TargetCommandFuzzTest} (or fuzz/run.sh).
 */
class TargetCommandFuzzTest
{
    private static final int[] OPCODES = {
        0x7F, 0x7F, 0x06, 0x02, 0x09, 0x0A, 0x0C, 0x18, 0x08, 0x01, 0x02, 0x00, 0x08, 0x09, 0x05, 0x10, 0x11, 0x81,
        0x0D, 0x19, 0x80};
    private static final int[] FCTYPES = {0x00, 0x01, 0x04, 0x05, 0x06, 0x08, 0x0C, 0xFF};
    private static final int[] PROPERTIES = {0x00, 0x08, 0x14, 0x1C, 0x20, 0x04, 0x0C};
    private static final int[] NSIDS = {1, 2, 0, -1, 3, -2, 1024, 1025};
    private static final int MAX_STEPS = 24;
    private static java.util.logging.Level savedLevel;

    @org.junit.jupiter.api.BeforeAll
    static void silenceTargetLogs()
    {
        savedLevel = QueueDriver.quiet(null, true);
    }

    @org.junit.jupiter.api.AfterAll
    static void restoreTargetLogs()
    {
        QueueDriver.quiet(savedLevel, false);
    }

    @FuzzTest(maxDuration = "30s")
    void everyCommandIsAnswered(final FuzzedDataProvider data) throws Exception
    {
        final QueueDriver admin = new QueueDriver();
        QueueDriver io = null;
        try
        {
            io = run(data, admin);
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

    private static QueueDriver run(final FuzzedDataProvider data, final QueueDriver admin) throws Exception
    {
        admin.channel.readChunk(data.consumeBoolean() ? Integer.MAX_VALUE : data.consumeInt(1, 300));
        admin.initialize(data.consumeBoolean(), data.consumeBoolean());
        final int level = data.consumeInt(0, 4);
        final boolean discovery = data.consumeInt(0, 7) == 0;
        QueueDriver io = null;
        int cntlid = -1;
        if (level >= 1)
        {
            final List<ByteBuffer> r = admin.send(admin.capsule(connectSqe(0x8001, 0, 31, 0),
                connectData(0xFFFF, discovery ? DISCOVERY_NQN : NQN, HOSTNQN)));
            expectSuccess(r, 0x8001, "admin Connect");
            cntlid = dw0(response(r, 0x8001)) & 0xFFFF;
        }
        if (level >= 2)
        {
            expectSuccess(admin.send(admin.capsule(propertySet(0x8002, 0x14, 0x00460001), null)), 0x8002, "CC.EN");
        }
        if (level >= 3 && !discovery)
        {
            final ByteBuffer sf = sqe(0x09, 0x8003, 0);
            sf.putInt(40, 0x07).putInt(44, 0x00010001);
            expectSuccess(admin.send(admin.capsule(sf, null)), 0x8003, "Set Features Number of Queues");
        }
        if (level >= 4 && !discovery)
        {
            io = new QueueDriver();
            io.channel.readChunk(data.consumeBoolean() ? Integer.MAX_VALUE : data.consumeInt(1, 300));
            io.initialize(data.consumeBoolean(), data.consumeBoolean());
            expectSuccess(io.send(io.capsule(connectSqe(0x8004, 1, 31, 0), connectData(cntlid, NQN, HOSTNQN))),
                0x8004, "I/O Connect");
        }
        final Session adminSession = new Session(admin);
        final Session ioSession = io == null ? null : new Session(io);
        for (int step = 0; step < MAX_STEPS && data.remainingBytes() > 0; step++)
        {
            final Session s = ioSession != null && data.consumeBoolean() ? ioSession : adminSession;
            if (s.driver.queue.isClosed())
            {
                continue;
            }
            switch (data.consumeInt(0, 9))
            {
                case 0:
                    s.raw(data.consumeBytes(data.consumeInt(1, 600)));
                    break;
                case 1:
                    s.h2cData(data);
                    break;
                case 2:
                    s.hostCloses();
                    break;
                default:
                    s.command(data, s == adminSession);
            }
        }
        if (ioSession != null)
        {
            ioSession.goodRead();
        }
        adminSession.keepAlive(level >= 1);
        return io;
    }

    /** CDW10, mostly as CNS / LID / FID (low byte) with a small count in the upper half (NUMDL, CNTID). */
    private static int cdw10(final FuzzedDataProvider data)
    {
        return data.consumeInt(0, 2) == 0 ? data.consumeInt() :
            data.consumeInt(0, 0xFF) | data.consumeInt(0, 0x3FF) << 16;
    }

    private static void expectSuccess(final List<ByteBuffer> r, final int cid, final String what)
    {
        final ByteBuffer resp = response(r, cid);
        if (resp == null || status(resp) != 0)
        {
            throw new AssertionError(what + " failed: " + (resp == null ? "no response" : "status 0x" +
                Integer.toHexString(status(resp))));
        }
    }

    /** One queue's state as the host sees it. */
    private static final class Session
    {
        final QueueDriver driver;
        /** Per CID the target sent an R2T for and has not completed: what its latest R2T asked for. */
        final java.util.Map<Integer, R2t> awaitingData = new java.util.HashMap<>();
        /** CIDs of {@link #awaitingData} that got H2CData of another length or offset than their R2T asked for. */
        final Set<Integer> partlyPaid = new HashSet<>();
        /** The byte stream may no longer be at a PDU boundary: answers are not checked per command. */
        boolean desynced;

        /** What an R2T asked for. */
        record R2t(int ttag, int offset, int length)
        {
        }

        Session(final QueueDriver driver)
        {
            this.driver = driver;
        }

        void track(final List<ByteBuffer> pdus)
        {
            for (final ByteBuffer p : pdus)
            {
                if (type(p) == 0x09)
                {
                    awaitingData.put(cid(p), new R2t(p.getShort(10) & 0xFFFF, p.getInt(12), p.getInt(16)));
                }
                else if (type(p) == 0x05 && (status(p) & 0x7FF) == 0x03)
                {
                    continue; // Command ID Conflict answers the newcomer; the command holding the CID goes on
                }
                else if (type(p) == 0x05 || type(p) == 0x07 && (p.get(1) & 0x08) != 0)
                {
                    awaitingData.remove(cid(p));
                    partlyPaid.remove(cid(p));
                }
            }
        }

        void raw(final byte[] bytes) throws Exception
        {
            desynced = true;
            track(driver.send(ByteBuffer.wrap(bytes)));
        }

        void hostCloses() throws Exception
        {
            track(driver.hostCloses());
            if (!driver.queue.isClosed())
            {
                throw new AssertionError("the host closed its end but the queue stays open");
            }
        }

        /** Answer an outstanding R2T, well or badly. */
        void h2cData(final FuzzedDataProvider data) throws Exception
        {
            if (awaitingData.isEmpty() || desynced)
            {
                return;
            }
            final int cid = awaitingData.keySet().iterator().next();
            final R2t asked = awaitingData.get(cid);
            final int ttag = data.consumeBoolean() ? asked.ttag() : data.consumeInt(0, 0xFFFF);
            if (data.consumeBoolean())
            {
                final List<ByteBuffer> r = pay(cid, asked, ttag);
                if (ttag == asked.ttag() && !driver.queue.isClosed() && !completes(r, cid) && r2t(r, cid) == null)
                {
                    throw new AssertionError("all the data of CID " + cid + " arrived, but no completion");
                }
                return;
            }
            final int datao = data.consumeInt(-8, 70000);
            final int datal = data.consumeInt(0, 70000);
            if (ttag == asked.ttag())
            {
                partlyPaid.add(cid); // what the target made of it, and so what the host still owes, is unknown here
            }
            track(driver.send(driver.h2cData(cid, ttag, datao, new byte[datal], data.consumeBoolean())));
        }

        /**
         * Send the data an R2T asked for, with {@code ttag}, in PDUs of at most MAXH2CDATA (an R2T may ask for more),
         * and return what the target answered.
         */
        private List<ByteBuffer> pay(final int cid, final R2t asked, final int ttag) throws Exception
        {
            if (ttag == asked.ttag())
            {
                awaitingData.remove(cid); // an R2T for a later part of the command puts it back
            }
            final List<ByteBuffer> answers = new java.util.ArrayList<>();
            final int end = asked.offset() + asked.length();
            for (int off = asked.offset(); off < end && !driver.queue.isClosed(); )
            {
                final int n = Math.min(end - off, driver.maxh2cdata);
                final List<ByteBuffer> r = driver.send(driver.h2cData(cid, ttag, off, new byte[n], off + n == end));
                track(r);
                answers.addAll(r);
                off += n;
            }
            return answers;
        }

        void command(final FuzzedDataProvider data, final boolean adminQueue) throws Exception
        {
            final int opcode = data.consumeBoolean() ? OPCODES[data.consumeInt(0, OPCODES.length - 1)] :
                data.consumeInt(0, 255);
            final int cid = data.consumeInt(0, 40);
            final ByteBuffer sqe = sqe(opcode, cid, NSIDS[data.consumeInt(0, NSIDS.length - 1)]);
            if (opcode == 0x7F)
            {
                sqe.put(4, (byte)FCTYPES[data.consumeInt(0, FCTYPES.length - 1)]);
                sqe.put(40, (byte)data.consumeInt(0, 8));
                sqe.putInt(44, PROPERTIES[data.consumeInt(0, PROPERTIES.length - 1)]);
                sqe.putLong(48, data.consumeLong());
            }
            else
            {
                for (int dw = 40; dw < 64; dw += 4)
                {
                    if (data.consumeBoolean())
                    {
                        sqe.putInt(dw, dw == 40 ? cdw10(data) : dw == 48 ? data.consumeInt(0, 4096) :
                            data.consumeInt());
                    }
                }
            }
            if (data.consumeInt(0, 7) == 0)
            {
                sqe.put(1, data.consumeByte()); // FUSE and PSDT
            }
            byte[] payload = null;
            switch (data.consumeInt(0, 3))
            {
                case 0:
                    break; // no data pointer
                case 1:
                    sglTransport(sqe, data.consumeBoolean() ? 512 * data.consumeInt(0, 9) : data.consumeInt());
                    break;
                case 2:
                {
                    final int n = data.consumeInt(0, 9000);
                    payload = new byte[n];
                    sglInCapsule(sqe, data.consumeBoolean() ? n : data.consumeInt(0, 10000));
                    break;
                }
                default:
                    for (int i = 24; i < 40; i++)
                    {
                        sqe.put(i, data.consumeByte());
                    }
            }
            final List<ByteBuffer> r = driver.send(driver.capsule(sqe, payload));
            track(r);
            if (desynced || driver.queue.isClosed() || completes(r, cid) || r2t(r, cid) != null)
            {
                return;
            }
            if (adminQueue && opcode == 0x0C)
            {
                return; // an Asynchronous Event Request stays parked until an event
            }
            if (driver.queue.waitingForStaging() > 0)
            {
                // parked behind the connection's staging budget, which commands still waiting for their H2CData
                // hold: it is answered when they complete (a host that never sends their data gets its next
                // commands queued, not served: the limit doing its job)
                return;
            }
            throw new AssertionError("no answer to opcode 0x" + Integer.toHexString(opcode) + " CID " + cid +
                " on the " + (adminQueue ? "admin" : "I/O") + " queue; got " + r.size() + " PDUs; waiting for staging " +
                driver.queue.waitingForStaging() + ", staging held " + driver.queue.stagingHeld());
        }

        private int freeCid()
        {
            int cid = 0x9000;
            while (awaitingData.containsKey(cid))
            {
                cid++;
            }
            return cid;
        }

        /** After the input: an open I/O queue with a free slot reads block 0 of namespace 1 in full. */
        void goodRead() throws Exception
        {
            if (driver.queue.isClosed() || desynced || awaitingData.size() >= 31)
            {
                return;
            }
            final int cid = freeCid();
            final ByteBuffer read = sglTransport(sqe(0x02, cid, 1), 512);
            final List<ByteBuffer> r = new java.util.ArrayList<>(driver.send(driver.capsule(read, null)));
            if (driver.queue.isClosed())
            {
                throw new AssertionError("a good Read closed the I/O queue: " + driver.queue.closeReason());
            }
            final boolean parked = driver.queue.waitingForStaging() > 0;
            if (parked && !completes(r, cid))
            {
                if (awaitingData.keySet().stream().anyMatch(partlyPaid::contains))
                {
                    return; // the data still owed is not known: the Read may wait for what this host cannot pay
                }
                // parked behind the staging held by writes whose data the input never sent: a host that sends the
                // data it owes must then get its Read served
                payOutstandingData(r);
            }
            int bytes = 0;
            boolean done = false;
            for (final ByteBuffer p : r)
            {
                if (type(p) == 0x07 && cid(p) == cid)
                {
                    bytes += p.getInt(16);
                    done |= (p.get(1) & 0x08) != 0;
                }
                else if (type(p) == 0x05 && cid(p) == cid)
                {
                    if (status(p) != 0)
                    {
                        throw new AssertionError("a good Read failed: status 0x" + Integer.toHexString(status(p)));
                    }
                    done = true;
                }
            }
            if (!done || bytes != 512)
            {
                throw new AssertionError("a good Read returned " + bytes + " bytes, completed " + done + " (parked " +
                    parked + "); waiting for staging " +
                    driver.queue.waitingForStaging() + ", staging held " + driver.queue.stagingHeld() + ", awaiting data " +
                    awaitingData.size() + ", digests " + driver.hdgst + "/" + driver.ddgst);
            }
        }

        /**
         * Pay, honestly and in full, every R2T outstanding (and the R2Ts that follow), collecting what the target
         * answers into {@code into}.
         */
        private void payOutstandingData(final List<ByteBuffer> into) throws Exception
        {
            for (int round = 0; round < 10_000 && !awaitingData.isEmpty() && !driver.queue.isClosed(); round++)
            {
                final int cid = awaitingData.keySet().iterator().next();
                final R2t asked = awaitingData.get(cid);
                into.addAll(pay(cid, asked, asked.ttag()));
            }
        }

        /** After the input: an open, connected admin queue answers a Keep Alive with success. */
        void keepAlive(final boolean connected) throws Exception
        {
            if (driver.queue.isClosed() || desynced || awaitingData.size() >= 31)
            {
                return;
            }
            final int cid = freeCid();
            final List<ByteBuffer> r = driver.send(driver.capsule(sqe(0x18, cid, 0), null));
            final ByteBuffer resp = response(r, cid);
            if (driver.queue.isClosed())
            {
                return; // the admin queue may close when its controller went (a failed I/O queue ends it)
            }
            if (resp == null || connected && status(resp) != 0)
            {
                throw new AssertionError("Keep Alive after the input: " + (resp == null ? "no response" :
                    "status 0x" + Integer.toHexString(status(resp))));
            }
        }
    }
}
