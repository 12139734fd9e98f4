package org.nvmeof4j.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.tcp.tls.ConfiguredPsk;
import org.nvmeof4j.tcp.tls.HostPskTable;
import org.nvmeof4j.tcp.tls.TlsPskHash;

/**
 * A target with one configured key per host serves hosts that derive the TLS PSK either way (RFC 8446's HkdfLabel,
 * nvme-cli 3; libnvme 1.x's, nvme-cli 2.x such as Debian 13's): it keeps the derivation whose binder the ClientHello
 * proves, whatever the table's compat flag says first. A wrong key still fails.
 */
class TlsDerivationChoiceTest
{
    static final String NQN = "nqn.2014-08.org.nvmeof4j:tls-derivation";
    static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:0f4f4f4f-0000-4000-8000-0000000000d1";

    @ParameterizedTest(name = "sha384={0} table compat={1} host compat={2}")
    @CsvSource({"false,false,true", "false,true,false", "true,false,true", "true,true,false", "false,false,false",
        "true,true,true"})
    void shouldAcceptEitherDerivationOfTheConfiguredKey(final boolean sha384, final boolean tableCompat,
        final boolean hostCompat) throws Exception
    {
        final ConfiguredPsk key = ConfiguredPsk.generate(sha384 ? TlsPskHash.SHA_384 : TlsPskHash.SHA_256,
            new SecureRandom());
        final HostPskTable table = new HostPskTable().put(HOST, key, tableCompat);
        try (Target target = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().blockSize(512).ramNamespace(1, 1L << 20)).build()
            .requireTlsOnEveryPort(table).start())
        {
            final ConnectOptions o = ConnectOptions.tcp("127.0.0.1", target.boundPort(), NQN).hostnqn(HOST)
                .tlsKey(key).tlsCompat(hostCompat).nrIoQueues(1).connectTimeout(Duration.ofSeconds(10));
            try (NvmeController c = NvmeController.connect(o))
            {
                final ByteBuffer w = TlsEndToEndTest.pattern(4096, 7);
                c.writeBlocking(1, 8, 8, w);
                final ByteBuffer r = ByteBuffer.allocateDirect(4096);
                c.readBlocking(1, 8, 8, r);
                assertThat(r).isEqualTo(w);
            }
            final ConfiguredPsk wrong = ConfiguredPsk.generate(key.hash(), new SecureRandom());
            assertThatThrownBy(() -> NvmeController.connect(ConnectOptions.tcp("127.0.0.1", target.boundPort(), NQN)
                .hostnqn(HOST).tlsKey(wrong).tlsCompat(hostCompat).connectTimeout(Duration.ofSeconds(10))))
                .isInstanceOf(RuntimeException.class).hasMessageContaining("TLS");
        }
    }
}
