package org.nvmeof4j.tcp.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class HostPskTableTest
{
    private static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:h1";
    private static final String SUB = "nqn.2014-08.org.nvmeof4j:s1";

    @Test
    void shouldFindTheKeyOfBothIdentityVersionsAndCountUnknownOnes()
    {
        final ConfiguredPsk key = ConfiguredPsk.generate(TlsPskHash.SHA_384, new SecureRandom());
        final HostPskTable t = new HostPskTable().put(HOST, key);
        for (int v = 0; v <= 1; v++)
        {
            final TlsPsk offered = TlsPsk.derive(key, HOST, SUB, v);
            assertThat(t.find(offered.identity()).key()).isEqualTo(offered.key());
        }
        assertThat(t.unknownIdentities()).isZero();
        assertThat(t.find("NVMe0R02 nqn.other " + SUB)).isNull();
        assertThat(t.find("NVMe0R01 " + HOST + " " + SUB)).isNull(); // wrong hash for this key
        assertThat(t.find("NVMe1R02 " + HOST + " " + SUB + " bogusdigest=")).isNull();
        assertThat(t.find("garbage")).isNull();
        assertThat(t.find("")).isNull();
        assertThat(t.unknownIdentities()).isEqualTo(5);
    }
}
