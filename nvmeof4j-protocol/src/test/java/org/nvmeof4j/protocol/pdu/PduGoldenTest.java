package org.nvmeof4j.protocol.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Golden byte vectors for the PDU flyweights: each vector was written out by hand from NVMe/TCP 1.0 section 3.6. */
class PduGoldenTest
{
    private static final HexFormat HEX = HexFormat.of();

    private static ByteBuffer bytes(final String hex)
    {
        return ByteBuffer.wrap(HEX.parseHex(hex.replace(" ", "")));
    }

    private static String hex(final ByteBuffer b, final int length)
    {
        final byte[] out = new byte[length];
        b.get(0, out);
        return HEX.formatHex(out);
    }

    @Test
    void shouldEncodeIcReqAsLinuxSendsIt()
    {
        // Linux host: PFV 0, HPDA 0, header+data digest, MAXR2T 0
        final ByteBuffer b = ByteBuffer.allocate(128);
        new IcReqPdu().wrap(b, 0).encode(0, true, true, 0);
        final String expected = "00008000" + "80000000" + "0000" + "00" + "03" + "00000000" + "00".repeat(112);
        assertThat(hex(b, 128)).isEqualTo(expected);
    }

    @Test
    void shouldDecodeIcRespAsLinuxTargetSendsIt()
    {
        // Linux nvmet: CPDA 0, no digests, MAXH2CDATA 0x400000
        final ByteBuffer b = bytes("01008000 80000000 0000 00 00 00004000" + "00".repeat(112));
        final IcRespPdu p = new IcRespPdu().wrap(b, 0);
        assertThat(p.pduType()).isEqualTo(PduType.IC_RESP.code());
        assertThat(p.hlen()).isEqualTo(128);
        assertThat(p.plen()).isEqualTo(128);
        assertThat(p.pfv()).isZero();
        assertThat(p.cpda()).isZero();
        assertThat(p.dgst()).isZero();
        assertThat(p.maxh2cdata()).isEqualTo(0x400000);
        final ByteBuffer again = ByteBuffer.allocate(128);
        new IcRespPdu().wrap(again, 0).encode(0, false, false, 0x400000);
        assertThat(again).isEqualTo(b.clear());
    }

    @Test
    void shouldEncodeC2HTermReqWithCopiedHeader()
    {
        final ByteBuffer bad = bytes("07 00 18 18 20000000");
        final ByteBuffer b = ByteBuffer.allocate(64);
        final int plen = new TermReqPdu().wrap(b, 0).encode(PduType.C2H_TERM_REQ, Fes.INVALID_HEADER_FIELD, 2, bad,
            0, 8);
        assertThat(plen).isEqualTo(32);
        assertThat(hex(b, 32)).isEqualTo("03001800" + "20000000" + "0100" + "02000000" + "00".repeat(10) +
            "0700181820000000");
    }

    @Test
    void shouldEncodeAndDecodeC2HDataHeader()
    {
        final ByteBuffer b = ByteBuffer.allocate(24);
        new DataPdu().wrap(b, 0).encode(PduType.C2H_DATA, CommonHeader.FLAG_LAST_PDU | CommonHeader.FLAG_SUCCESS,
            24, 24 + 4096, 0x1234, 0, 8192, 4096);
        assertThat(hex(b, 24)).isEqualTo("070c1818" + "18100000" + "3412" + "0000" + "00200000" + "00100000" +
            "00000000");
        final DataPdu d = new DataPdu().wrap(b, 0);
        assertThat(d.cccid()).isEqualTo(0x1234);
        assertThat(d.datao()).isEqualTo(8192);
        assertThat(d.datal()).isEqualTo(4096);
        assertThat(d.hasFlag(CommonHeader.FLAG_SUCCESS)).isTrue();
    }

    @Test
    void shouldDecodeR2T()
    {
        final ByteBuffer b = bytes("09001800 18000000 0700 0100 00000000 00000200 00000000");
        final DataPdu r2t = new DataPdu().wrap(b, 0);
        assertThat(PduType.valueOf(r2t.pduType())).isEqualTo(PduType.R2T);
        assertThat(r2t.cccid()).isEqualTo(7);
        assertThat(r2t.ttag()).isEqualTo(1);
        assertThat(r2t.r2to()).isZero();
        assertThat(r2t.r2tl()).isEqualTo(131072);
    }

    @Test
    void shouldKnowEveryTypeAndNoOther()
    {
        for (int code = 0; code < 256; code++)
        {
            final PduType t = PduType.valueOf(code);
            if (code <= 7 || code == 9)
            {
                assertThat(t).isNotNull();
                assertThat(t.code()).isEqualTo(code);
            }
            else
            {
                assertThat(t).isNull();
            }
        }
        assertThat(PduType.valueOf(-1)).isNull();
    }

    @Test
    void shouldReadPlenAsUnsigned()
    {
        final ByteBuffer b = bytes("04 00 48 00 ffffffff");
        assertThat(new CommonHeader().wrap(b, 0).plen()).isEqualTo(0xFFFF_FFFFL);
    }
}
