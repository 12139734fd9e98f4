package org.nvmeof4j.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

class DhchapSecretTest {

    private static final String NQN = "nqn.2014-08.org.nvmexpress:uuid:test";

    private static byte[] bytes(final int n) {
        final byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte)i;
        }
        return b;
    }

    // Known answers: nvme-cli 2.3 `nvme gen-dhchap-key --secret=<00 01 02 ...> --hmac=H --nqn=NQN`, which
    // transforms the secret with HMAC-H(secret, NQN || "NVMe-over-Fabrics") and appends the CRC-32 little-endian.
    @Test
    void shouldMatchNvmeCliGenDhchapKeyWithoutTransformation() {
        assertThat(DhchapSecret.generate(0, 32, bytes(32), NQN, null).format())
            .isEqualTo("DHHC-1:00:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:");
    }

    @Test
    void shouldMatchNvmeCliGenDhchapKeySha256() {
        assertThat(DhchapSecret.generate(1, 32, bytes(32), NQN, null).format())
            .isEqualTo("DHHC-1:01:WulleCBkG4oCs0iIC3Cit9gBDCLWiZ9PNXuhqytWkBIZkvGy:");
    }

    @Test
    void shouldMatchNvmeCliGenDhchapKeySha384() {
        assertThat(DhchapSecret.generate(2, 48, bytes(48), NQN, null).format()).isEqualTo(
            "DHHC-1:02:JzC2BNNCN092uBY9oK1bbG/xrkLudbjqzPRjAtH00YqVJN1+2TpCZUPYxrwS09Qxpo/5Jw==:");
    }

    @Test
    void shouldMatchNvmeCliGenDhchapKeySha512() {
        assertThat(DhchapSecret.generate(3, 64, bytes(64), NQN, null).format()).isEqualTo(
            "DHHC-1:03:d9FmVEvkZD5WUqUkzVMj3JFzwudZt1EtUNK4zK6+E9Dd42mroGA4ub4Yju0aNPtAr2w0xZFyCxz8d1Q12rImDko3x34=:");
    }

    @Test
    void shouldParseAndReformatExactly() {
        final String s = "DHHC-1:02:JzC2BNNCN092uBY9oK1bbG/xrkLudbjqzPRjAtH00YqVJN1+2TpCZUPYxrwS09Qxpo/5Jw==:";
        final DhchapSecret k = DhchapSecret.parse(s);
        assertThat(k.hmacId()).isEqualTo(2);
        assertThat(k.length()).isEqualTo(48);
        assertThat(k.format()).isEqualTo(s);
        assertThat(DhchapSecret.parse("  " + s.substring(0, s.length() - 1) + "\n")).isEqualTo(k);
    }

    @Test
    void shouldTransformWithTheNqnAndKeepUntransformedKeys() {
        final DhchapSecret plain = DhchapSecret.of(0, bytes(32));
        assertThat(plain.transformedKey(NQN)).isEqualTo(bytes(32));
        final DhchapSecret t = DhchapSecret.of(1, bytes(32));
        final byte[] expected = AuthHash.SHA256.mac(bytes(32)).doFinal((NQN + "NVMe-over-Fabrics").getBytes());
        assertThat(t.transformedKey(NQN)).isEqualTo(expected);
        assertThat(t.transformedKey(NQN + "x")).isNotEqualTo(expected);
    }

    @Test
    void shouldRejectABadCrcWithoutEchoingTheKey() {
        final String bad = "DHHC-1:01:WulleCBkG4oCs0iIC3Cit9gBDCLWiZ9PNXuhqytWkBIZkvGz:";
        assertThatThrownBy(() -> DhchapSecret.parse(bad)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("CRC-32").hasMessageNotContaining("WulleCBk");
    }

    @Test
    void shouldRejectMalformedSecrets() {
        assertThatThrownBy(() -> DhchapSecret.parse("DHHC-2:01:AAAA:")).hasMessageContaining("not a DH-HMAC-CHAP");
        assertThatThrownBy(() -> DhchapSecret.parse("DHHC-1:07:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:"))
            .hasMessageContaining("00..03");
        assertThatThrownBy(() -> DhchapSecret.parse("DHHC-1:00:AAECAw==:")).hasMessageContaining("32, 48 or 64");
        assertThatThrownBy(() -> DhchapSecret.parse("DHHC-1:00:!!!!:")).hasMessageContaining("base64");
        // a 32-byte key cannot claim SHA-512 transformation
        final String k32as03 = DhchapSecret.of(0, bytes(32)).format().replace("DHHC-1:00:", "DHHC-1:03:");
        assertThatThrownBy(() -> DhchapSecret.parse(k32as03)).hasMessageContaining("does not fit");
    }

    @Test
    void shouldNeverPrintTheKey() {
        final DhchapSecret k = DhchapSecret.generate(1, 32, null, NQN, new SecureRandom());
        final String b64 = k.format().substring(10, 30);
        assertThat(k.toString()).doesNotContain(b64).contains("redacted").contains("32 bytes");
    }

    @Test
    void shouldGenerateRandomKeysOfTheAskedLength() {
        final SecureRandom r = new SecureRandom();
        final DhchapSecret a = DhchapSecret.generate(0, 48, null, NQN, r);
        final DhchapSecret b = DhchapSecret.generate(0, 48, null, NQN, r);
        assertThat(a.length()).isEqualTo(48);
        assertThat(a).isNotEqualTo(b);
        assertThat(DhchapSecret.parse(a.format())).isEqualTo(a);
        assertThat(HexFormat.of().formatHex(a.transformedKey(NQN))).hasSize(96);
    }
}
