package org.nvmeof4j.tcp.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class TlsPskTest
{
    private static final HexFormat HEX = HexFormat.of();
    /** The configured PSK of libnvme's test/psk.c (and the NVMe/TCP specification's interchange example). */
    private static final byte[] K32 = HEX.parseHex("5512dbb6737d0106f65975b773dfb011ffc344bcf442e2dd6d8bc4870b5d5b03");
    private static final byte[] K48 = HEX.parseHex("5512dbb6737d0106f65975b773dfb011ffc344bcf442e2dd6d8bc4870b5d5b03" +
        "ffc344bcf442e2dd6d8bc4870b5d5b03");
    private static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:host";
    private static final String SUB = "nqn.2014-08.org.nvmexpress:sub";

    @Test
    void shouldFormatTheInterchangeVectorsOfLibnvme()
    {
        assertThat(ConfiguredPsk.of(1, K32).format())
            .isEqualTo("NVMeTLSkey-1:01:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ:");
        assertThat(ConfiguredPsk.of(0, K32).format())
            .isEqualTo("NVMeTLSkey-1:00:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ:");
        assertThat(ConfiguredPsk.of(2, K48).format())
            .isEqualTo("NVMeTLSkey-1:02:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwP/w0S89ELi3W2LxIcLXVsDn8kXZQ==:");
    }

    @Test
    void shouldParseTheInterchangeVectorsOfLibnvme()
    {
        final ConfiguredPsk p = ConfiguredPsk.parse("NVMeTLSkey-1:02:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwP/w0S89" +
            "ELi3W2LxIcLXVsDn8kXZQ==:");
        assertThat(p.transform()).isEqualTo(2);
        assertThat(p.hash()).isEqualTo(TlsPskHash.SHA_384);
        assertThat(p.key()).isEqualTo(K48);
        assertThat(ConfiguredPsk.parse("NVMeTLSkey-1:00:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ:").hash())
            .isEqualTo(TlsPskHash.SHA_256);
    }

    @Test
    void shouldParseAKeyThatNvmeCliGenerated()
    {
        // printed by nvme-cli 2.3 `nvme gen-tls-key -m 2` on this machine; `nvme check-tls-key` said CRC b39e0cff
        final ConfiguredPsk p = ConfiguredPsk.parse("NVMeTLSkey-1:02:IfzFP/tRnokkkHEsInDZBj0UHbPYo/Aijpx8uYl/VPkT+aqJf" +
            "rVnusKOKUtSeeLk/wyesw==:");
        assertThat(p.hash()).isEqualTo(TlsPskHash.SHA_384);
        assertThat(Long.toHexString(ConfiguredPsk.crc32(p.key()))).isEqualTo("b39e0cff");
    }

    @Test
    void shouldRoundTripGeneratedKeys()
    {
        for (final TlsPskHash h : TlsPskHash.values())
        {
            final ConfiguredPsk p = ConfiguredPsk.generate(h, new SecureRandom());
            assertThat(ConfiguredPsk.parse(p.format()).key()).isEqualTo(p.key());
            assertThat(p.key()).hasSize(h.length());
        }
    }

    @Test
    void shouldRejectBadKeysWithoutQuotingThem()
    {
        final String good = "NVMeTLSkey-1:01:VRLbtnN9AQb2WXW3c9+wEf/DRLz0QuLdbYvEhwtdWwNf9LrZ:";
        final String badCrc = good.replace("VRLb", "WRLb");
        assertThatThrownBy(() -> ConfiguredPsk.parse(badCrc)).hasMessageContaining("CRC-32")
            .hasMessageNotContaining("RLbtnN9");
        assertThatThrownBy(() -> ConfiguredPsk.parse(good.replace(":01:", ":02:"))).hasMessageContaining("48-byte");
        assertThatThrownBy(() -> ConfiguredPsk.parse(good.replace(":01:", ":03:"))).hasMessageContaining("unknown hash");
        assertThatThrownBy(() -> ConfiguredPsk.parse("DHHC-1:01:abc:")).hasMessageContaining("interchange format");
        assertThatThrownBy(() -> ConfiguredPsk.parse("NVMeTLSkey-1:01:!!!!:")).hasMessageContaining("base64");
        assertThatThrownBy(() -> ConfiguredPsk.parse("NVMeTLSkey-1:01:AAAA:")).hasMessageContaining("32 or 48");
        assertThatThrownBy(() -> ConfiguredPsk.parse("NVMeTLSkey-1:zz:AAAA:")).hasMessageContaining("hex");
        assertThatThrownBy(() -> ConfiguredPsk.parse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ConfiguredPsk.parse(good).toString()).doesNotContain("VRLb").contains("32 bytes");
    }

    @Test
    void shouldMatchRfc5869TestCase3()
    {
        final byte[] ikm = new byte[22];
        java.util.Arrays.fill(ikm, (byte)0x0b);
        final byte[] prk = TlsPsk.hkdfExtract(TlsPskHash.SHA_256, ikm);
        assertThat(HEX.formatHex(prk)).isEqualTo("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");
        assertThat(HEX.formatHex(TlsPsk.hkdfExpand(TlsPskHash.SHA_256, prk, new byte[0], 42)))
            .isEqualTo("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
    }

    /*
     * The expected retained and TLS PSKs below were computed by an independent implementation of libnvme's
     * derive_nvme_keys (Python's hmac/hashlib, written from the libnvme source, not from this class).
     */

    @Test
    void shouldDeriveTheRetainedPskWithTheHostNqn()
    {
        assertThat(HEX.formatHex(TlsPsk.retainedPsk(1, K32, HOST, false)))
            .isEqualTo("fe0a8c4eeedd134233f1441d3bb19d65821f8aa872b1cf595a3e20cc7f677464");
        assertThat(HEX.formatHex(TlsPsk.retainedPsk(2, K48, HOST, false))).isEqualTo(
            "3e4008afe0c4280f314501da089afd11233863ec8c364ed37e49cc76417b676ef3f9d6d19203c94ed48cf400855929b4");
        assertThat(TlsPsk.retainedPsk(0, K32, HOST, false)).isEqualTo(K32);
        assertThat(TlsPsk.retainedPsk(1, K32, HOST + "x", false)).isNotEqualTo(TlsPsk.retainedPsk(1, K32, HOST, false));
    }

    @Test
    void shouldDeriveVersion0IdentitiesAndKeys()
    {
        final TlsPsk p = TlsPsk.derive(ConfiguredPsk.of(1, K32), HOST, SUB, 0);
        assertThat(p.identity()).isEqualTo("NVMe0R01 " + HOST + " " + SUB);
        assertThat(HEX.formatHex(p.key())).isEqualTo("15e205bf0c32c78f394705c559b1ef7ec88080dac1a4cc2f7b9dad5844d7342e");
        final TlsPsk p2 = TlsPsk.derive(ConfiguredPsk.of(2, K48), HOST, SUB, 0);
        assertThat(p2.identity()).isEqualTo("NVMe0R02 " + HOST + " " + SUB);
        assertThat(p2.hash()).isEqualTo(TlsPskHash.SHA_384);
        assertThat(HEX.formatHex(p2.key())).isEqualTo(
            "3690a04fa7f0e06b5c9e3b041647ffefbee9b1a56e03797af024b56c57122ea793be31a86acb087a85a178a746571702");
        final TlsPsk p0 = TlsPsk.derive(ConfiguredPsk.of(0, K32), HOST, SUB, 0);
        assertThat(HEX.formatHex(p0.key())).isEqualTo("424793fd8739c5808077cc427f10a9176416311201803b3642f43a5ee2199318");
    }

    @Test
    void shouldDeriveVersion1IdentitiesWithTheirDigest()
    {
        final TlsPsk p = TlsPsk.derive(ConfiguredPsk.of(1, K32), HOST, SUB, 1);
        assertThat(p.identity())
            .isEqualTo("NVMe1R01 " + HOST + " " + SUB + " vKvaTqGNOM3m5PTheuRU2WlP4rvx4qCbA5Dtv3A85jM=");
        assertThat(HEX.formatHex(p.key())).isEqualTo("a356a4d0e6eb283c1f8a3d541c00f83f68a8d598702157ad8e5d58f0d10dc359");
        final TlsPsk p2 = TlsPsk.derive(ConfiguredPsk.of(2, K48), HOST, SUB, 1);
        assertThat(p2.identity()).isEqualTo("NVMe1R02 " + HOST + " " + SUB +
            " SLSCiaIMIg3jEXd6qxbqPVkRKkkDy04kcVwuovKzpm1wLf8Y0pQsqim3Shvb6Y3w");
        assertThat(HEX.formatHex(p2.key())).isEqualTo(
            "38254424fe49b4977472674192d8022cb0d8706caaa52bb4004db166a837bc43034d72e641e5fd1a4e58904b5adce130");
    }

    @Test
    void shouldDeriveDifferentKeysInCompatMode()
    {
        final ConfiguredPsk c = ConfiguredPsk.of(1, K32);
        final TlsPsk compat = TlsPsk.deriveCompat(c, HOST, SUB, 0);
        assertThat(compat.identity()).isEqualTo(TlsPsk.derive(c, HOST, SUB, 0).identity());
        assertThat(compat.key()).isNotEqualTo(TlsPsk.derive(c, HOST, SUB, 0).key()).hasSize(32);
    }

    @Test
    void shouldNotPrintKeys()
    {
        final TlsPsk p = TlsPsk.derive(ConfiguredPsk.of(1, K32), HOST, SUB, 0);
        assertThat(p.toString()).contains("NVMe0R01").doesNotContain("15e205").doesNotContain("FeIF");
        assertThatThrownBy(() -> TlsPsk.derive(ConfiguredPsk.of(1, K32), HOST, SUB, 2))
            .hasMessageContaining("version");
    }
}
