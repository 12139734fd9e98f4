package org.nvmeof4j.protocol.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.UUID;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.protocol.nvme.Hex;

class NamespaceListsTest {

    static final UUID NS_UUID = UUID.fromString("f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
    static final byte[] NGUID = Hex.bytes("0123456789abcdeffedcba9876543210");

    @Test
    void shouldEncodeNamespaceIdDescriptorsLikeLinuxTarget() {
        // nvmet_execute_identify_desclist: UUID, NGUID, then CSI
        final ByteBuffer buf = ByteBuffer.allocate(4096);
        final NamespaceIdDescriptors.Writer w = new NamespaceIdDescriptors.Writer().wrap(buf, 0)
            .uuid(NS_UUID).nguid(NGUID).csi(NamespaceIdDescriptors.CSI_NVM);

        assertThat(w.position()).isEqualTo(20 + 20 + 5);
        assertThat(Hex.of(buf, 0, 48)).isEqualTo(Hex.norm(""
            + "03 10 0000 f81d4fae7dec11d0a76500a0c91e6bf6"
            + "02 10 0000 0123456789abcdeffedcba9876543210"
            + "04 01 0000 00"
            + "000000"));
    }

    @Test
    void shouldParseNamespaceIdDescriptors() {
        final ByteBuffer buf = ByteBuffer.allocate(4096);
        new NamespaceIdDescriptors.Writer().wrap(buf, 0).eui64(Hex.bytes("0011223344556677")).uuid(NS_UUID)
            .csi(NamespaceIdDescriptors.CSI_ZNS);
        final NamespaceIdDescriptors.Reader r = new NamespaceIdDescriptors.Reader().wrap(buf, 0, 4096);

        assertThat(r.next()).isTrue();
        assertThat(r.nidt()).isEqualTo(NamespaceIdDescriptors.NIDT_EUI64);
        final byte[] nid = new byte[16];
        assertThat(r.copyNid(nid)).isEqualTo(8);
        assertThat(Hex.of(nid).substring(0, 16)).isEqualTo("0011223344556677");
        assertThat(r.next()).isTrue();
        assertThat(r.nidt()).isEqualTo(NamespaceIdDescriptors.NIDT_UUID);
        assertThat(r.lengthValid()).isTrue();
        assertThat(r.uuid()).isEqualTo(NS_UUID);
        assertThat(r.next()).isTrue();
        assertThat(r.nidt()).isEqualTo(NamespaceIdDescriptors.NIDT_CSI);
        assertThat(r.nidByte()).isEqualTo(NamespaceIdDescriptors.CSI_ZNS);
        assertThat(r.next()).isFalse();
        assertThat(r.malformed()).isFalse();
    }

    @Test
    void shouldStopAtMalformedDescriptors() {
        final NamespaceIdDescriptors.Reader r = new NamespaceIdDescriptors.Reader();
        // NIDL 0
        assertThat(r.wrap(ByteBuffer.wrap(Hex.bytes("03000000" + "00".repeat(12))), 0, 16).next()).isFalse();
        assertThat(r.malformed()).isTrue();
        // runs past the end
        assertThat(r.wrap(ByteBuffer.wrap(Hex.bytes("031000000102")), 0, 6).next()).isFalse();
        assertThat(r.malformed()).isTrue();
        // unknown type and a wrong length are returned but flagged
        r.wrap(ByteBuffer.wrap(Hex.bytes("0902 0000 aabb" + "0308 0000 0102030405060708" + "0000")), 0, 20);
        assertThat(r.next()).isTrue();
        assertThat(r.nidt()).isEqualTo(9);
        assertThat(r.lengthValid()).isFalse();
        assertThat(r.next()).isTrue();
        assertThat(r.nidt()).isEqualTo(3);
        assertThat(r.lengthValid()).isFalse();
        assertThat(r.next()).isFalse();
        assertThat(r.malformed()).isFalse();
    }

    @Test
    void shouldRejectWrongLengthAndOverflowOnWrite() {
        final NamespaceIdDescriptors.Writer w = new NamespaceIdDescriptors.Writer().wrap(ByteBuffer.allocate(4096), 0);
        assertThatThrownBy(() -> w.descriptor(NamespaceIdDescriptors.NIDT_UUID, new byte[8], 8))
            .isInstanceOf(IllegalArgumentException.class);
        for (int i = 0; i < 204; i++) {
            w.uuid(NS_UUID);
        }
        assertThat(w.position()).isEqualTo(4080);
        assertThatThrownBy(() -> w.uuid(NS_UUID)).isInstanceOf(IllegalStateException.class);
        w.eui64(new byte[8]);
        assertThat(w.position()).isEqualTo(4092);
        assertThatThrownBy(() -> w.csi(0)).as("4 + 1 bytes do not fit in the last 4")
            .isInstanceOf(IllegalStateException.class);
        assertThat(w.position()).isEqualTo(4092);
    }

    @Property
    void shouldNeverThrowWalkingArbitraryDescriptors(@ForAll @Size(max = 64) final byte[] bytes) {
        final NamespaceIdDescriptors.Reader r = new NamespaceIdDescriptors.Reader()
            .wrap(ByteBuffer.wrap(bytes), 0, bytes.length);
        assertThatCode(() -> {
            int guard = 0;
            while (r.next() && guard++ < 100) {
                r.nidt();
                r.copyNid(new byte[256]);
                if (r.nidl() >= 16) {
                    r.uuid();
                }
            }
        }).doesNotThrowAnyException();
    }

    @Test
    void shouldWriteActiveNamespaceListAfterNsid() {
        final ByteBuffer buf = ByteBuffer.allocate(4096);
        buf.put(100, (byte) 7);
        final int n = NamespaceIdList.writeActive(buf, 0, 1, new int[] {1, 2, 5, 0xFFFF_FFFE}, 4);

        assertThat(n).isEqualTo(3);
        assertThat(Hex.of(buf, 0, 16)).isEqualTo("02000000" + "05000000" + "feffffff" + "00000000");
        assertThat(buf.get(100)).as("rest zero filled").isZero();
        assertThat(NamespaceIdList.count(buf, 0)).isEqualTo(3);
        assertThat(NamespaceIdList.nsid(buf, 0, 2)).isEqualTo(0xFFFF_FFFE);
        assertThatThrownBy(() -> NamespaceIdList.writeActive(buf, 0, 0, new int[] {2, 1}, 2))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Property
    void shouldListAtMost1024Namespaces(@ForAll @IntRange(min = 0, max = 3000) final int count,
                                        @ForAll @IntRange(min = 0, max = 3000) final int after) {
        final int[] nsids = new int[count];
        for (int i = 0; i < count; i++) {
            nsids[i] = i + 1;
        }
        final ByteBuffer buf = ByteBuffer.allocate(4096);
        final int n = NamespaceIdList.writeActive(buf, 0, after, nsids, count);
        assertThat(n).isEqualTo(Math.min(1024, Math.max(0, count - after)));
        assertThat(NamespaceIdList.count(buf, 0)).isEqualTo(n);
        if (n > 0) {
            assertThat(NamespaceIdList.nsid(buf, 0, 0)).isEqualTo(after + 1);
        }
    }

    @Test
    void shouldEncodeChangedNamespaceListAndOverflow() {
        final ByteBuffer buf = ByteBuffer.allocate(4096);
        assertThat(ChangedNamespaceList.write(buf, 0, new int[] {3, 9}, 2)).isEqualTo(2);
        assertThat(Hex.of(buf, 0, 12)).isEqualTo("03000000" + "09000000" + "00000000");
        assertThat(ChangedNamespaceList.overflow(buf, 0)).isFalse();
        assertThat(ChangedNamespaceList.count(buf, 0)).isEqualTo(2);

        final int[] many = new int[1025];
        for (int i = 0; i < many.length; i++) {
            many[i] = i + 1;
        }
        assertThat(ChangedNamespaceList.write(buf, 0, many, many.length)).isEqualTo(1);
        assertThat(Hex.of(buf, 0, 8)).isEqualTo("ffffffff" + "00000000");
        assertThat(ChangedNamespaceList.overflow(buf, 0)).isTrue();
        assertThat(ChangedNamespaceList.count(buf, 0)).isZero();
    }
}
