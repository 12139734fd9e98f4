package org.nvmeof4j.protocol.fabrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.protocol.nvme.Hex;

class ConnectDataTest {

    static final UUID HOST_ID = UUID.fromString("2a7d1f3c-58e4-4b7a-9c61-0d3e5f7a8b9c");
    static final String HOSTNQN = "nqn.2014-08.org.nvmexpress:uuid:2a7d1f3c-58e4-4b7a-9c61-0d3e5f7a8b9c";
    static final String SUBNQN = "nqn.2024-01.org.nvmeof4j:sub1";

    /** The 1024 bytes as Linux builds them: kzalloc'ed, uuid_copy, cntlid, strscpy of both NQNs. */
    static byte[] linuxConnectData() {
        final byte[] d = new byte[1024];
        final byte[] id = Hex.bytes("2a7d1f3c58e44b7a9c610d3e5f7a8b9c");
        System.arraycopy(id, 0, d, 0, 16);
        d[16] = (byte) 0xFF;
        d[17] = (byte) 0xFF;
        final byte[] sub = SUBNQN.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(sub, 0, d, 256, sub.length);
        final byte[] host = HOSTNQN.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(host, 0, d, 512, host.length);
        return d;
    }

    @Test
    void shouldEncodeConnectDataLikeLinux() {
        final ByteBuffer buf = ByteBuffer.allocate(1024);
        // garbage first: the writers must pad, not rely on a zeroed buffer (except reserved bytes, cleared here)
        Arrays.fill(buf.array(), (byte) 0x5A);
        new ConnectData().wrap(buf, 0).clear().hostId(HOST_ID).cntlid(ConnectData.CNTLID_DYNAMIC)
            .subnqn(SUBNQN).hostnqn(HOSTNQN);

        assertThat(buf.array()).isEqualTo(linuxConnectData());
    }

    @Test
    void shouldPadNqnFieldsOverGarbage() {
        final ByteBuffer buf = ByteBuffer.allocate(1024);
        Arrays.fill(buf.array(), (byte) 0x5A);
        new ConnectData().wrap(buf, 0).subnqn(SUBNQN);
        assertThat(buf.get(256 + SUBNQN.length())).isZero();
        assertThat(buf.get(511)).isZero();
        assertThat(buf.get(512)).isEqualTo((byte) 0x5A);
    }

    @Test
    void shouldDecodeConnectDataLikeLinux() {
        final ConnectData data = new ConnectData().wrap(ByteBuffer.wrap(linuxConnectData()), 0);

        assertThat(data.hostId()).isEqualTo(HOST_ID);
        assertThat(data.hostIdMostSignificantBits()).isEqualTo(HOST_ID.getMostSignificantBits());
        assertThat(data.cntlid()).isEqualTo(0xFFFF);
        assertThat(data.subnqn()).isEqualTo(SUBNQN);
        assertThat(data.hostnqn()).isEqualTo(HOSTNQN);
        assertThat(data.checkSubnqn()).isEqualTo(NqnCheck.VALID);
        assertThat(data.checkHostnqn()).isEqualTo(NqnCheck.VALID);
        assertThat(data.subnqnMatches(SUBNQN.getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(data.subnqnMatches("nqn.2024-01.org.nvmeof4j:sub".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(data.hostnqnMatches(HOSTNQN.getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(data.toString()).contains(SUBNQN);
    }

    @Test
    void shouldReencodeExactly() {
        final byte[] golden = linuxConnectData();
        final ConnectData in = new ConnectData().wrap(ByteBuffer.wrap(golden), 0);
        final ByteBuffer out = ByteBuffer.allocateDirect(1024 + 7);
        new ConnectData().wrap(out, 7).clear().hostId(in.hostId()).cntlid(in.cntlid()).subnqn(in.subnqn())
            .hostnqn(in.hostnqn());
        assertThat(Hex.of(out, 7, 1024)).isEqualTo(Hex.of(golden));
    }

    // ---- malformed NQNs: must be reported, never thrown

    private static ConnectData withSubnqnField(final byte[] field) {
        final byte[] d = linuxConnectData();
        Arrays.fill(d, 256, 512, (byte) 0);
        System.arraycopy(field, 0, d, 256, Math.min(field.length, 256));
        return new ConnectData().wrap(ByteBuffer.wrap(d), 0);
    }

    @Test
    void shouldReportNqnWithoutNul() {
        final byte[] field = new byte[256];
        Arrays.fill(field, (byte) 'a');
        final ConnectData data = withSubnqnField(field);

        assertThat(data.checkSubnqn()).isEqualTo(NqnCheck.NOT_TERMINATED);
        assertThatCode(data::subnqn).doesNotThrowAnyException();
        assertThat(data.subnqn()).hasSize(256);
        assertThat(data.hostnqn()).as("neighbour field unaffected").isEqualTo(HOSTNQN);
        assertThat(data.subnqnMatches(new byte[0])).isFalse();
    }

    @Test
    void shouldReportNonAsciiInvalidUtf8Nqn() {
        final byte[] field = "nqn.2014-08.org.x:\u00ff\u00fe".getBytes(StandardCharsets.ISO_8859_1);
        final ConnectData data = withSubnqnField(field);

        assertThat(data.checkSubnqn()).isEqualTo(NqnCheck.INVALID_UTF8);
        assertThat(data.subnqn()).startsWith("nqn.2014-08.org.x:").contains("\ufffd");
    }

    @Test
    void shouldReportTruncatedOverlongAndSurrogateUtf8() {
        assertThat(withSubnqnField(Hex.bytes("6e 71 6e c3")).checkSubnqn()).isEqualTo(NqnCheck.INVALID_UTF8);
        assertThat(withSubnqnField(Hex.bytes("6e 71 6e c0 ae")).checkSubnqn()).isEqualTo(NqnCheck.INVALID_UTF8);
        assertThat(withSubnqnField(Hex.bytes("6e 71 6e ed a0 80")).checkSubnqn()).isEqualTo(NqnCheck.INVALID_UTF8);
        assertThat(withSubnqnField(Hex.bytes("6e 71 6e f4 90 80 80")).checkSubnqn()).isEqualTo(NqnCheck.INVALID_UTF8);
        assertThat(withSubnqnField(Hex.bytes("6e 71 6e 80")).checkSubnqn()).isEqualTo(NqnCheck.INVALID_UTF8);
    }

    @Test
    void shouldAcceptWellFormedNonAsciiUtf8Nqn() {
        // the spec defines NQNs as UTF-8, so non-ASCII is legal when well formed
        final String nqn = "nqn.2024-01.org.example:d\u00e9p\u00f4t-\u4e2d";
        final ConnectData data = withSubnqnField(nqn.getBytes(StandardCharsets.UTF_8));
        assertThat(data.checkSubnqn()).isEqualTo(NqnCheck.VALID);
        assertThat(data.subnqn()).isEqualTo(nqn);
    }

    @Test
    void shouldReportTooLongNqn() {
        final byte[] field = new byte[224];
        Arrays.fill(field, (byte) 'n');
        assertThat(withSubnqnField(field).checkSubnqn()).isEqualTo(NqnCheck.TOO_LONG);
        assertThat(withSubnqnField(Arrays.copyOf(field, 223)).checkSubnqn()).isEqualTo(NqnCheck.VALID);
        assertThatCode(() -> withSubnqnField(field).subnqn()).doesNotThrowAnyException();
    }

    @Test
    void shouldReportEmptyNqn() {
        assertThat(withSubnqnField(new byte[0]).checkSubnqn()).isEqualTo(NqnCheck.EMPTY);
        assertThat(withSubnqnField(new byte[0]).subnqn()).isEmpty();
    }

    @Test
    void shouldRejectInvalidNqnOnWrite() {
        final ConnectData data = new ConnectData().wrap(ByteBuffer.allocate(1024), 0);
        assertThatThrownBy(() -> data.subnqn("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> data.subnqn("n".repeat(224))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> data.subnqn("nqn\0x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> data.subnqn("nqn\ud800")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Nqn.check("n".repeat(223))).isEqualTo(NqnCheck.VALID);
        assertThat(Nqn.check(Nqn.DISCOVERY)).isEqualTo(NqnCheck.VALID);
        assertThat(Nqn.forUuid(HOST_ID)).isEqualTo(HOSTNQN);
    }

    @Property
    void shouldNeverThrowOnArbitraryConnectData(@ForAll @Size(1024) final byte[] bytes) {
        final ConnectData data = new ConnectData().wrap(ByteBuffer.wrap(bytes), 0);
        assertThatCode(() -> {
            data.checkSubnqn();
            data.checkHostnqn();
            data.subnqn();
            data.hostnqn();
            data.hostId();
            data.toString();
        }).doesNotThrowAnyException();
    }

    @Provide
    Arbitrary<byte[]> utf8ish() {
        // fragments: well-formed encodings of any code point (incl. surrogates, which Java encodes as '?'), stray
        // lead and continuation bytes, overlong prefixes; never NUL
        final Arbitrary<byte[]> codePoint = Arbitraries.integers().between(1, Character.MAX_CODE_POINT)
            .map(cp -> new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
        final Arbitrary<byte[]> stray = Arbitraries.of((byte) 0x80, (byte) 0xBF, (byte) 0xC0, (byte) 0xC1,
            (byte) 0xC2, (byte) 0xE0, (byte) 0xED, (byte) 0xF0, (byte) 0xF4, (byte) 0xF5, (byte) 0xFF, (byte) 0xA0,
            (byte) 0x8F, (byte) 0x90).map(b -> new byte[] {b});
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, codePoint), net.jqwik.api.Tuple.of(3, stray))
            .list().ofMinSize(1).ofMaxSize(6)
            .map(parts -> {
                final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                parts.forEach(out::writeBytes);
                return out.toByteArray();
            });
    }

    @Property(tries = 3000)
    void shouldAgreeWithJdkOnUtf8WellFormedness(@ForAll("utf8ish") final byte[] bytes) {
        boolean jdk;
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            jdk = true;
        } catch (final CharacterCodingException e) {
            jdk = false;
        }
        assertThat(Nqn.isWellFormedUtf8(ByteBuffer.wrap(bytes), 0, bytes.length)).isEqualTo(jdk);
    }

    @Property
    void shouldRoundTripConnectData(@ForAll final long msb, @ForAll final long lsb, @ForAll final char cntlidChar,
                                    @ForAll @StringLength(min = 1, max = 223) final String subAscii,
                                    @ForAll @StringLength(min = 1, max = 60) final String hostAny) {
        final String sub = subAscii.chars().map(c -> 0x21 + Math.floorMod(c, 0x5E))
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        final String host = CharBuffer.wrap(hostAny).chars().filter(c -> c != 0 && !Character.isSurrogate((char) c))
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        final ByteBuffer buf = ByteBuffer.allocateDirect(1100);
        new ConnectData().wrap(buf, 33).clear().hostId(msb, lsb).cntlid(cntlidChar).subnqn(sub);
        final ConnectData read = new ConnectData().wrap(buf, 33);
        if (!host.isEmpty() && Nqn.check(host) == NqnCheck.VALID) {
            read.hostnqn(host);
            assertThat(read.hostnqn()).isEqualTo(host);
            assertThat(read.checkHostnqn()).isEqualTo(NqnCheck.VALID);
        }
        assertThat(read.hostId()).isEqualTo(new UUID(msb, lsb));
        assertThat(read.cntlid()).isEqualTo((int) cntlidChar);
        assertThat(read.subnqn()).isEqualTo(sub);
        assertThat(read.checkSubnqn()).isEqualTo(NqnCheck.VALID);
    }
}
