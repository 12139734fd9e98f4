package org.nvmeof4j.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nvmeof4j.target.TargetTestSupport.*;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One negative test per FES (NVMe/TCP 3.6.2.5): given a malformed PDU, expect a C2HTermReq with that FES and FEI
 * and the offending header copied, then the connection closed, and another connection still served.
 */
class FatalErrorTest
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

    @AfterEach
    void anotherConnectionStillWorks() throws Exception
    {
        try (RawHost h = new RawHost(target.boundPort()))
        {
            adminSetup(h, false, false, 1);
        }
    }

    /** Read the TermReq and check FES, FEI and the copied header; then expect EOF. */
    static void expectTermReq(final RawHost h, final int fes, final long fei, final ByteBuffer offending)
        throws Exception
    {
        final ByteBuffer t = h.readPdu();
        assertThat(t.get(0)).as("PDU type C2HTermReq").isEqualTo((byte)0x03);
        assertThat(t.get(2) & 0xFF).as("HLEN").isEqualTo(24);
        assertThat(t.getShort(8) & 0xFFFF).as("FES").isEqualTo(fes);
        assertThat(t.getInt(10) & 0xFFFFFFFFL).as("FEI").isEqualTo(fei);
        final int copied = t.getInt(4) - 24;
        assertThat(copied).isBetween(8, 128);
        if (offending != null)
        {
            for (int i = 0; i < Math.min(copied, offending.capacity()); i++)
            {
                assertThat(t.get(24 + i)).as("copied header byte " + i).isEqualTo(offending.get(i));
            }
        }
        assertThat(h.closedByPeer()).as("connection closed after TermReq").isTrue();
    }

    @Test
    void givenUnknownPduTypeExpectFes1AtPduType() throws Exception
    {
        try (RawHost h = new RawHost(target.boundPort()))
        {
            h.initialize(false, false);
            final ByteBuffer bad = RawHost.le(24);
            bad.put(0, (byte)0x08).put(2, (byte)24).putInt(4, 24);
            h.send(bad);
            expectTermReq(h, 0x01, 0, bad);
        }
    }

    @Test
    void givenControllerToHostPduTypeExpectFes1AtPduType() throws Exception
    {
        try (RawHost h = new RawHost(target.boundPort()))
        {
            h.initialize(false, false);
            final ByteBuffer bad = RawHost.le(24);
            bad.put(0, (byte)0x05).put(2, (byte)24).putInt(4, 24);
            h.send(bad);
            expectTermReq(h, 0x01, 0, bad);
        }
    }

    @Test
    void givenWrongHlenExpectFes1AtHlen() throws Exception
    {
        try (RawHost h = new RawHost(target.boundPort()))
        {
            h.initialize(false, false);
            final ByteBuffer bad = h.capsule(RawHost.sqe(0x06, 1, 0), null);
            bad.put(2, (byte)70);
            h.send(bad);
            expectTermReq(h, 0x01, 2, bad);
        }
    }

    @Test
    void givenIcReqWithWrongPlenExpectFes1AtPlen() throws Exception
    {
        try (RawHost h = new RawHost(target.boundPort()))
        {
            final ByteBuffer bad = RawHost.icReq(0, 0, 0, 0);
            bad.putInt(4, 132);
            h.send(bad);
            expectTermReq(h, 0x01, 4, bad);
        }
    }

    @Test
    void givenUnknownTtagExpectFes1AtTtag() throws Exception
    {
        try (RawHost admin = new RawHost(target.boundPort()); RawHost h = new RawHost(target.boundPort()))
        {
            ioSetup(h, adminSetup(admin, false, false, 1), 1, false, false);
            final ByteBuffer bad = h.h2cData(7, 999, 0, new byte[512], true);
            h.send(bad);
            expectTermReq(h, 0x01, 10, bad);
        }
    }

    @Test
    void givenH2cDataWithWrongCccidExpectFes1AtCccid() throws Exception
    {
        try (RawHost admin = new RawHost(target.boundPort()); RawHost h = new RawHost(target.boundPort()))
        {
            ioSetup(h, adminSetup(admin, false, false, 1), 1, false, false);
            h.send(h.capsule(RawHost.sglTransport(rw(0x01, 40, 0, 8), 4096), null));
            final ByteBuffer r2t = h.readPdu();
            final int ttag = r2t.getShort(10) & 0xFFFF;
            final ByteBuffer bad = h.h2cData(41, ttag, 0, new byte[4096], true);
            h.send(bad);
            expectTermReq(h, 0x01, 8, bad);
        }
    }

    @Test
    void givenCapsuleBeforeIcReqExpectFes2() throws Exception
    {
        try (RawHost h = new RawHost(target.boundPort()))
        {
            final ByteBuffer bad = h.capsule(RawHost.sqe(0x06, 1, 0), null);
            h.send(bad);
            expectTermReq(h, 0x02, 0, bad);
        }
    }

    @Test
    void givenSecondIcReqExpectFes2() throws Exception
    {
        try (RawHost h = new RawHost(target.boundPort()))
        {
            h.initialize(false, false);
            final ByteBuffer bad = RawHost.icReq(0, 0, 0, 0);
            h.send(bad);
            expectTermReq(h, 0x02, 0, bad);
        }
    }

    @Test
    void givenBadHeaderDigestExpectFes3() throws Exception
    {
        try (RawHost h = new RawHost(target.boundPort()))
        {
            h.initialize(true, false);
            final ByteBuffer bad = h.capsule(RawHost.sqe(0x06, 1, 0), null);
            bad.putInt(72, bad.getInt(72) ^ 1);
            h.send(bad);
            expectTermReq(h, 0x03, 0, bad);
        }
    }

    @Test
    void givenH2cDataBeyondR2tExpectFes4() throws Exception
    {
        try (RawHost admin = new RawHost(target.boundPort()); RawHost h = new RawHost(target.boundPort()))
        {
            ioSetup(h, adminSetup(admin, false, false, 1), 1, false, false);
            h.send(h.capsule(RawHost.sglTransport(rw(0x01, 42, 0, 8), 4096), null));
            final int ttag = h.readPdu().getShort(10) & 0xFFFF;
            final ByteBuffer bad = h.h2cData(42, ttag, 4096, new byte[512], true);
            h.send(bad);
            expectTermReq(h, 0x04, 0, bad);
        }
    }

    @Test
    void givenH2cDataAboveMaxH2cDataExpectFes5() throws Exception
    {
        try (RawHost admin = new RawHost(target.boundPort()); RawHost h = new RawHost(target.boundPort()))
        {
            ioSetup(h, adminSetup(admin, false, false, 1), 1, false, false);
            final int len = (int)h.maxh2cdata + 4096;
            h.send(h.capsule(RawHost.sglTransport(rw(0x01, 43, 0, len / 512), len), null));
            final int ttag = h.readPdu().getShort(10) & 0xFFFF;
            final ByteBuffer bad = h.h2cData(43, ttag, 0, new byte[len], true);
            h.send(bad);
            expectTermReq(h, 0x05, 0, bad);
        }
    }

    @Test
    void givenInCapsuleDataAboveInlineSizeExpectFes5() throws Exception
    {
        try (RawHost admin = new RawHost(target.boundPort()); RawHost h = new RawHost(target.boundPort()))
        {
            ioSetup(h, adminSetup(admin, false, false, 1), 1, false, false);
            final int len = target.inlineDataSize() + 512;
            final ByteBuffer bad = h.capsule(RawHost.sglInCapsule(rw(0x01, 44, 0, len / 512), len), new byte[len]);
            h.send(bad);
            expectTermReq(h, 0x05, 0, bad);
        }
    }

    @Test
    void givenIcReqPfv1ExpectFes6AtPfv() throws Exception
    {
        try (RawHost h = new RawHost(target.boundPort()))
        {
            final ByteBuffer bad = RawHost.icReq(1, 0, 0, 0);
            h.send(bad);
            expectTermReq(h, 0x06, 8, bad);
        }
    }

    @Test
    void givenIcReqHpda32ExpectFes6AtHpda() throws Exception
    {
        try (RawHost h = new RawHost(target.boundPort()))
        {
            final ByteBuffer bad = RawHost.icReq(0, 32, 0, 0);
            h.send(bad);
            expectTermReq(h, 0x06, 10, bad);
        }
    }
}
