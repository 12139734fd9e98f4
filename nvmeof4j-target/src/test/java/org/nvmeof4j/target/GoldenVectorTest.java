package org.nvmeof4j.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nvmeof4j.target.TargetTestSupport.*;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The exact bytes the target sends for each controller-to-host PDU type. */
class GoldenVectorTest
{
    static Target target;

    @BeforeAll
    static void start() throws Exception
    {
        target = ramTarget();
    }

    @AfterAll
    static void stop()
    {
        target.close();
    }

    static String hex(final ByteBuffer b, final int from, final int to)
    {
        final byte[] a = new byte[to - from];
        for (int i = from; i < to; i++)
        {
            a[i - from] = b.get(i);
        }
        return HexFormat.ofDelimiter(" ").formatHex(a);
    }

    static String hex(final ByteBuffer b)
    {
        return hex(b, 0, b.capacity());
    }

    @Test
    void icResp() throws Exception
    {
        try (RawHost h = new RawHost(target.boundPort()))
        {
            final ByteBuffer r = h.initialize(true, true);
            assertThat(hex(r, 0, 16)).isEqualTo("01 00 80 00 80 00 00 00 00 00 00 03 00 00 02 00");
            assertThat(hex(r, 16, 128)).matches("(00 ){111}00");
        }
    }

    @Test
    void capsuleRespWithSqhd() throws Exception
    {
        try (RawHost h = new RawHost(target.boundPort()))
        {
            h.initialize(false, false);
            final ByteBuffer c = h.connect(0, 0xFFFF, NQN, 31);
            final String cntlid = hex(c, 8, 10);
            assertThat(hex(c)).isEqualTo("05 00 18 00 18 00 00 00 " + cntlid + " 00 00 00 00 00 00 01 00 00 00 01 00 00 00");
            final ByteBuffer vs = h.propertyGet(4, 0x08, false);
            assertThat(hex(vs)).isEqualTo("05 00 18 00 18 00 00 00 00 04 01 00 00 00 00 00 02 00 00 00 04 00 00 00");
            final ByteBuffer bad = h.propertyGet(5, 0x40, false);
            // Invalid Field (SC 02h) with DNR: status field 0x4002 << 1 = 0x8004
            assertThat(hex(bad)).isEqualTo("05 00 18 00 18 00 00 00 00 00 00 00 00 00 00 00 03 00 00 00 05 00 04 80");
        }
    }

    @Test
    void r2tAndC2hDataWithHeaderDigest() throws Exception
    {
        try (RawHost admin = new RawHost(target.boundPort()); RawHost io = new RawHost(target.boundPort()))
        {
            ioSetup(io, adminSetup(admin, true, false, 1), 1, true, false);
            io.send(io.capsule(RawHost.sglTransport(rw(0x01, 0x1234, 0, 8), 4096), null));
            final ByteBuffer r2t = io.readPdu();
            // R2T with HDGSTF, PLEN 28, TTAG = slot 0 + 1 (the Connect slot, free again)
            assertThat(hex(r2t, 0, 24)).isEqualTo("09 01 18 00 1c 00 00 00 34 12 01 00 00 00 00 00 00 10 00 00 00 00 00 00");
            assertThat(r2t.getInt(24)).isEqualTo(RawHost.crc(r2t, 0, 24));
            io.send(io.h2cData(0x1234, 1, 0, new byte[4096], true));
            io.readPdu();
            io.send(io.capsule(RawHost.sglTransport(rw(0x02, 0x55, 0, 1), 512), null));
            final ByteBuffer d = io.readPdu();
            // C2HData: LAST_PDU | HDGSTF, PDO 28, PLEN 28 + 512
            assertThat(hex(d, 0, 24)).isEqualTo("07 05 18 1c 1c 02 00 00 55 00 00 00 00 00 00 00 00 02 00 00 00 00 00 00");
            assertThat(d.getInt(24)).isEqualTo(RawHost.crc(d, 0, 24));
        }
    }

    @Test
    void termReq() throws Exception
    {
        try (RawHost h = new RawHost(target.boundPort()))
        {
            final ByteBuffer icreq = RawHost.icReq(1, 0, 0, 0);
            h.send(icreq);
            final ByteBuffer t = h.readPdu();
            assertThat(hex(t, 0, 24)).isEqualTo("03 00 18 00 98 00 00 00 06 00 08 00 00 00 00 00 00 00 00 00 00 00 00 00");
            assertThat(hex(t, 24, 152)).isEqualTo(hex(icreq));
        }
    }
}
