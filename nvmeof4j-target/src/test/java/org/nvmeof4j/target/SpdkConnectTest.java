package org.nvmeof4j.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The exact ICReq and Connect PDUs that SPDK v24.01's {@code spdk_nvme_perf} sends (captured on loopback, in
 * {@code src/test/resources/golden}), replayed byte for byte. SPDK sends an empty HOSTNQN when it is given no
 * {@code hostnqn:}; the target used to answer Connect Invalid Parameters to it (issue 8).
 */
class SpdkConnectTest
{
    private static final String SUBNQN = "nqn.2026-12.io.test:s1";

    private final List<String> warnings = new ArrayList<>();
    private final Logger jul = Logger.getLogger("org.nvmeof4j.target");
    private final Handler capture = new Handler()
    {
        @Override
        public void publish(final LogRecord record)
        {
            synchronized (warnings)
            {
                warnings.add(record.getLevel() + " " + record.getMessage());
            }
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close()
        {
        }
    };

    @BeforeEach
    void listen()
    {
        jul.addHandler(capture);
    }

    @AfterEach
    void unlisten()
    {
        jul.removeHandler(capture);
    }

    static ByteBuffer golden(final String name) throws IOException
    {
        try (InputStream in = SpdkConnectTest.class.getResourceAsStream("/golden/" + name))
        {
            assertThat(in).as(name).isNotNull();
            final StringBuilder hex = new StringBuilder();
            for (final String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n"))
            {
                if (!line.startsWith("#"))
                {
                    hex.append(line.trim());
                }
            }
            final ByteBuffer b = RawHost.le(hex.length() / 2);
            b.put(HexFormat.of().parseHex(hex));
            b.clear();
            return b;
        }
    }

    private static Target target(final boolean anyHost) throws IOException
    {
        return Target.builder().listen("127.0.0.1", 0)
            .subsystem(s ->
            {
                s.nqn(SUBNQN).ramNamespace(1, 16L << 20);
                if (anyHost)
                {
                    s.allowAnyHost();
                }
                else
                {
                    s.allowHost(RawHost.HOSTNQN);
                }
            })
            .build().start();
    }

    @Test
    void goldenVectorsAreWhatSpdkSends() throws Exception
    {
        final ByteBuffer connect = golden("spdk-v24.01-admin-connect.hex");
        assertThat(connect.capacity()).isEqualTo(1096);
        assertThat(connect.get(0)).as("CapsuleCmd").isEqualTo((byte)0x04);
        assertThat(connect.get(8)).as("Fabrics opcode").isEqualTo((byte)0x7F);
        assertThat(connect.get(12)).as("FCTYPE Connect").isEqualTo((byte)0x01);
        assertThat(connect.getShort(72 + 16) & 0xFFFF).as("CNTLID").isEqualTo(0xFFFF);
        assertThat(connect.get(72 + 512)).as("HOSTNQN is empty").isZero();
        assertThat(golden("spdk-v24.01-icreq.hex").capacity()).isEqualTo(128);
    }

    @Test
    void spdkAdminAndIoConnectAreAccepted() throws Exception
    {
        try (Target t = target(true); RawHost admin = new RawHost(t.boundPort()); RawHost io = new RawHost(t.boundPort()))
        {
            admin.send(golden("spdk-v24.01-icreq.hex"));
            assertThat(admin.readPdu().get(0)).as("ICResp").isEqualTo((byte)0x01);
            admin.send(golden("spdk-v24.01-admin-connect.hex"));
            final ByteBuffer resp = admin.readPdu();
            assertThat(resp.get(0)).as("CapsuleResp").isEqualTo((byte)0x05);
            assertThat(RawHost.status(resp)).as("admin Connect status").isZero();
            final int cntlid = RawHost.dw0(resp) & 0xFFFF;
            // SPDK's captured I/O Connect names CNTLID 1, the first controller of a fresh target
            assertThat(cntlid).isEqualTo(1);
            assertThat(RawHost.status(admin.propertySet(3, 0x14, 0x00460001))).isZero();
            // Set Features Number of Queues, as SPDK sends before its I/O Connects
            final ByteBuffer sf = RawHost.sqe(0x09, 5, 0);
            sf.putInt(40, 0x07);
            admin.send(admin.capsule(sf, null));
            assertThat(RawHost.status(admin.readPdu())).isZero();

            io.send(golden("spdk-v24.01-io-icreq.hex"));
            assertThat(io.readPdu().get(0)).isEqualTo((byte)0x01);
            io.send(golden("spdk-v24.01-io-connect.hex"));
            assertThat(RawHost.status(io.readPdu())).as("I/O Connect status (SQSIZE 1023)").isZero();
            io.send(io.capsule(RawHost.sglTransport(TargetTestSupport.rw(0x02, 9, 0, 8), 4096), null));
            final ByteBuffer data = io.readPdu();
            assertThat(data.get(0)).as("C2HData").isEqualTo((byte)0x07);
        }
        synchronized (warnings)
        {
            assertThat(warnings).noneMatch(w -> w.contains("rejected Connect"));
        }
    }

    @Test
    void aCommandUnderAnOutstandingAersCidRetiresTheAer() throws Exception
    {
        // SPDK's detach completes its AERs locally, then sends Property Get CC and Property Set CC.SHN under their CIDs
        try (Target t = target(true); RawHost h = new RawHost(t.boundPort()))
        {
            h.initialize(false, false);
            assertThat(RawHost.status(h.connect(0, 0xFFFF, SUBNQN, 31))).isZero();
            assertThat(RawHost.status(h.propertySet(2, 0x14, 0x00460001))).isZero();
            h.send(h.capsule(RawHost.sqe(0x0C, 3, 0), null));
            h.send(h.capsule(RawHost.sqe(0x0C, 4, 0), null));
            final ByteBuffer cc = h.propertyGet(3, 0x14, false);
            assertThat(RawHost.cqeCid(cc)).isEqualTo(3);
            assertThat(RawHost.status(cc)).as("Property Get under the AER's CID").isZero();
            assertThat(RawHost.dw0(cc)).isEqualTo(0x00460001);
            // the second AER's CID, likewise
            final ByteBuffer cc2 = h.propertyGet(4, 0x14, false);
            assertThat(RawHost.status(cc2)).isZero();
            // both AER slots are free again: four new AERs fit (AERL + 1 = 4) and the fifth is refused
            for (int cid = 10; cid < 14; cid++)
            {
                h.send(h.capsule(RawHost.sqe(0x0C, cid, 0), null));
            }
            h.send(h.capsule(RawHost.sqe(0x0C, 14, 0), null));
            final ByteBuffer limit = h.readPdu();
            assertThat(RawHost.cqeCid(limit)).isEqualTo(14);
            // SCT 1, SC 05h Asynchronous Event Request Limit Exceeded
            assertThat(RawHost.sctSc(limit)).isEqualTo(0x105);
        }
    }

    @Test
    void aCidHeldByAnyOtherCommandStillConflicts() throws Exception
    {
        try (Target t = target(true); RawHost admin = new RawHost(t.boundPort()); RawHost io = new RawHost(t.boundPort()))
        {
            admin.initialize(false, false);
            final ByteBuffer c = admin.connect(0, 0xFFFF, SUBNQN, 31);
            final int cntlid = RawHost.dw0(c) & 0xFFFF;
            assertThat(RawHost.status(admin.propertySet(2, 0x14, 0x00460001))).isZero();
            final ByteBuffer sf = RawHost.sqe(0x09, 5, 0);
            sf.putInt(40, 0x07);
            admin.send(admin.capsule(sf, null));
            assertThat(RawHost.status(admin.readPdu())).isZero();
            io.initialize(false, false);
            assertThat(RawHost.status(io.connect(1, cntlid, SUBNQN, 31))).isZero();
            // a write waiting for its H2CData holds CID 7; a read under CID 7 is a Command ID Conflict (SC 03h)
            io.send(io.capsule(RawHost.sglTransport(TargetTestSupport.rw(0x01, 7, 0, 8), 4096), null));
            assertThat(io.readPdu().get(0)).as("R2T").isEqualTo((byte)0x09);
            io.send(io.capsule(RawHost.sglTransport(TargetTestSupport.rw(0x02, 7, 0, 1), 512), null));
            final ByteBuffer conflict = io.readPdu();
            assertThat(RawHost.cqeCid(conflict)).isEqualTo(7);
            assertThat(RawHost.sctSc(conflict)).isEqualTo(0x003);
        }
    }

    @Test
    void emptyHostNqnIsInvalidHostWhenThereIsAnAllowList() throws Exception
    {
        try (Target t = target(false); RawHost h = new RawHost(t.boundPort()))
        {
            h.send(golden("spdk-v24.01-icreq.hex"));
            h.readPdu();
            h.send(golden("spdk-v24.01-admin-connect.hex"));
            final ByteBuffer resp = h.readPdu();
            // SCT 1 (command specific), SC 84h Connect Invalid Host
            assertThat(RawHost.sctSc(resp)).isEqualTo(0x184);
            // IATTR = 1 (in the Connect data), IPO = 512 (HOSTNQN)
            assertThat(RawHost.dw0(resp)).isEqualTo(1 << 16 | 512);
        }
        synchronized (warnings)
        {
            assertThat(warnings).anyMatch(w -> w.startsWith("WARNING rejected Connect from /127.0.0.1:") &&
                w.contains("host ''") && w.contains("HOSTNQN: not allowed on " + SUBNQN));
        }
    }

    @Test
    void badSqsizeNamesTheFieldInTheSqe() throws Exception
    {
        try (Target t = target(true); RawHost h = new RawHost(t.boundPort()))
        {
            h.send(golden("spdk-v24.01-icreq.hex"));
            h.readPdu();
            final ByteBuffer connect = golden("spdk-v24.01-admin-connect.hex");
            connect.putShort(8 + 44, (short)0); // SQSIZE 0 is invalid (0's based, at least 1)
            h.send(connect);
            final ByteBuffer resp = h.readPdu();
            assertThat(RawHost.sctSc(resp)).as("Connect Invalid Parameters").isEqualTo(0x182);
            // IATTR = 0 (in the SQE), IPO = 44 (SQSIZE)
            assertThat(RawHost.dw0(resp)).isEqualTo(44);
        }
        synchronized (warnings)
        {
            assertThat(warnings).anyMatch(w -> w.contains("rejected Connect") && w.contains("SQSIZE: 0"));
        }
    }
}
