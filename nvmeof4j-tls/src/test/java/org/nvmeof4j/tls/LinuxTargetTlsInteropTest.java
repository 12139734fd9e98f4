package org.nvmeof4j.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.LinuxTargetVm;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.host.discovery.Discovery;
import org.nvmeof4j.protocol.fabrics.Nqn;
import org.nvmeof4j.tcp.tls.ConfiguredPsk;
import org.nvmeof4j.tcp.tls.TlsPskHash;

/**
 * This host connecting over TLS 1.3 with a configured PSK to the Linux 6.12 kernel target ({@code
 * interop/linux-target.sh --kernel 6.12 --tls-key KEY}: nvmet with {@code addr_tsas} tls1.3, {@code addr_treq}
 * required, the PSK in the guest's {@code .nvme} keyring for tlshd): discovery (TREQ and TSAS as nvmet reports them),
 * write and read back of 4 KiB, 128 KiB and 1 MiB with digests off and on, all in one boot; then a wrong key and a
 * plain connection, both refused by nvmet.
 *
 * <p>Alone: {@code mvn -q -o verify -Pinterop -pl nvmeof4j-tls -am -Dtest=LinuxTargetTlsInteropTest
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("linux-interop")
class LinuxTargetTlsInteropTest
{
    static final String NQN = "nqn.2024-01.org.nvmeof4j:linux-tls";
    static final String HOSTNQN = "nqn.2014-08.org.nvmexpress:uuid:7a7a7a7a-0000-4000-8000-000000000002";

    @ParameterizedTest(name = "sha384={0}")
    @ValueSource(booleans = {false, true})
    void shouldConnectOverTlsToNvmet(final boolean sha384) throws Exception
    {
        final ConfiguredPsk key = ConfiguredPsk.generate(sha384 ? TlsPskHash.SHA_384 : TlsPskHash.SHA_256,
            new SecureRandom());
        try (LinuxTargetVm vm = LinuxTargetVm.start(NQN, 64, List.of("--kernel", "6.12", "--tls-key", key.format(), "--tls-host", HOSTNQN)))
        {
            // the key never reaches what the script prints
            assertThat(vm.output()).doesNotContain(key.format());
            assertThat(vm.output()).contains("addr_tsas=tls1.3").contains("addr_treq=required");
            final Discovery.Log log = Discovery.discover(ConnectOptions.tcp("127.0.0.1", vm.port(), Nqn.DISCOVERY)
                .hostnqn(HOSTNQN).tlsKey(key).tlsCompat(true));
            assertThat(log.subsystems()).anySatisfy(e -> {
                assertThat(e.subnqn()).isEqualTo(NQN);
                assertThat(e.treq() & 3).as("TREQ secure channel").isEqualTo(1); // required
                assertThat(e.sectype()).as("TSAS").isEqualTo(2); // TLS 1.3
            });
            long lba = 0;
            for (final boolean digests : new boolean[] {false, true})
            {
                final ConnectOptions o = ConnectOptions.tcp("127.0.0.1", vm.port(), NQN).hostnqn(HOSTNQN).tlsKey(key).tlsCompat(true)
                    .nrIoQueues(1).nrPollQueues(0).hdrDigest(digests).dataDigest(digests);
                try (NvmeController c = NvmeController.connect(o))
                {
                    assertThat(c.identifyController().subnqn()).isEqualTo(NQN);
                    final int bs = c.namespace(1).blockSize();
                    for (final int size : new int[] {4096, 128 << 10, 1 << 20})
                    {
                        final ByteBuffer w = TlsEndToEndTest.pattern(size, size + (digests ? 1 : 0) + (sha384 ? 2 : 0));
                        final ByteBuffer r = ByteBuffer.allocateDirect(size);
                        c.writeBlocking(1, lba, size / bs, w);
                        c.readBlocking(1, lba, size / bs, r);
                        assertThat(r).as("read back %d bytes, digests %s", size, digests).isEqualTo(w);
                        lba += size / bs;
                    }
                    assertThat(c.state()).isEqualTo(NvmeController.State.LIVE);
                }
            }
            // a key nvmet's keyring does not have for this identity: tlshd fails the handshake
            final ConfiguredPsk wrong = ConfiguredPsk.generate(key.hash(), new SecureRandom());
            assertThatThrownBy(() -> NvmeController.connect(ConnectOptions.tcp("127.0.0.1", vm.port(), NQN)
                .hostnqn(HOSTNQN).tlsKey(wrong).tlsCompat(true).connectTimeout(Duration.ofSeconds(20))))
                .isInstanceOf(RuntimeException.class)
                .satisfies(e -> assertThat(String.valueOf(e.getMessage()) + e.getCause())
                    .doesNotContain(wrong.format()).doesNotContain(key.format()));
            // no TLS on a port that requires it: nvmet refuses the plaintext ICReq
            assertThatThrownBy(() -> NvmeController.connect(ConnectOptions.tcp("127.0.0.1", vm.port(), NQN)
                .hostnqn(HOSTNQN).connectTimeout(Duration.ofSeconds(20))))
                .isInstanceOf(RuntimeException.class);
        }
    }
}
