package org.nvmeof4j.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.tcp.tls.ConfiguredPsk;
import org.nvmeof4j.tcp.tls.HostPskTable;
import org.nvmeof4j.tcp.tls.TlsPskHash;
import org.nvmeof4j.target.Target;

/**
 * Many reads in flight at once over TLS on several I/O queues, the shape of the Linux host's concurrent-read check
 * (four O_DIRECT readers at 4 KiB, 64 KiB, 256 KiB and 1 MiB over the same region): every read completes and
 * returns what was written. A lost wakeup between the TLS session's buffers and the poller shows as a read that never
 * completes (the bound below is only there to fail instead of hanging; it is never reached when the code is right).
 */
class TlsConcurrentReadTest
{
    static final String NQN = "nqn.2014-08.org.nvmeof4j:tls-concurrent";
    static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:0f4f4f4f-0000-4000-8000-00000000c0c0";
    static final int REGION = 4 << 20;

    @ParameterizedTest(name = "sha384={0} digests={1}")
    @CsvSource({"false,false", "true,true"})
    void shouldCompleteEveryConcurrentReadInsideTls(final boolean sha384, final boolean digests) throws Exception
    {
        final ConfiguredPsk key = ConfiguredPsk.generate(sha384 ? TlsPskHash.SHA_384 : TlsPskHash.SHA_256,
            new SecureRandom());
        final HostPskTable table = new HostPskTable().put(HOST, key);
        try (Target target = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().blockSize(512).ramNamespace(1, 16L << 20)).build().requireTlsOnEveryPort(table::find).start())
        {
            final ConnectOptions o = ConnectOptions.tcp("127.0.0.1", target.boundPort(), NQN).hostnqn(HOST)
                .tlsKey(key).nrIoQueues(2).hdrDigest(digests).dataDigest(digests);
            try (NvmeController c = NvmeController.connect(o))
            {
                final ByteBuffer want = TlsEndToEndTest.pattern(REGION, 4242);
                for (int off = 0; off < REGION; off += 1 << 20)
                {
                    c.write(1, off / 512, (1 << 20) / 512, want.slice(off, 1 << 20)).get(60, TimeUnit.SECONDS);
                }
                for (int round = 0; round < 3; round++)
                {
                    final List<CompletableFuture<Void>> reads = new ArrayList<>();
                    final List<ByteBuffer> into = new ArrayList<>();
                    final List<Integer> at = new ArrayList<>();
                    // interleave the four readers' requests, as four dd processes on two queues do
                    final int[] sizes = {4096, 65536, 262144, 1 << 20};
                    for (int i = 0; i < REGION / 4096; i++)
                    {
                        for (final int bs : sizes)
                        {
                            final long off = (long)i * 4096;
                            if (off % bs == 0)
                            {
                                final ByteBuffer dst = ByteBuffer.allocateDirect(bs);
                                into.add(dst);
                                at.add((int)off);
                                reads.add(c.read(1, off / 512, bs / 512, dst));
                            }
                        }
                    }
                    CompletableFuture.allOf(reads.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);
                    for (int i = 0; i < into.size(); i++)
                    {
                        final ByteBuffer got = into.get(i);
                        assertThat(got).as("round %d read of %d bytes at %d", round, got.capacity(), at.get(i))
                            .isEqualTo(want.slice(at.get(i), got.capacity()));
                    }
                }
            }
        }
    }
}
