package org.nvmeof4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeController;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.tcp.tls.ConfiguredPsk;
import org.nvmeof4j.tcp.tls.HostPskTable;

/**
 * What a TLS connection shows on the wire: a loopback capture (dumpcap) of our host writing and reading back data
 * of a known pattern over TLS holds no NVMe/TCP PDU that Wireshark's dissector can find, no plaintext ICReq and no
 * byte of the pattern. The same capture of a plain connection, as the control that the check can fail, holds all
 * three. Interop profile (needs tshark and dumpcap, which {@code interop/setup.sh} installs).
 */
@Tag("linux-interop")
class TlsCaptureInteropTest
{
    private static final String NQN = "nqn.2014-08.org.nvmeof4j:tls-capture";
    private static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:tls-capture-host";
    /** Made by {@code nvmeof4j gen-tls-key}. */
    private static final String KEY = "NVMeTLSkey-1:01:u2PJcbSVUsYduBzP7d7GZ6zZwRDOyc/MrEugdjlv7s5QJlx2:";
    private static final byte[] PATTERN = "nvmeof4j-capture-pattern:".getBytes(StandardCharsets.US_ASCII);
    /** An ICReq's common header as it leaves in clear: type 0, flags 0, HLEN 128, PDO 0, PLEN 128. */
    private static final String ICREQ_HEADER = "00008000" + "80000000";

    /**
     * Frames with an ICReq or a command capsule as the dissector sees them. Decode-as makes it try every byte
     * stream on the port, so TLS records come out as PDUs of made-up types; requiring a type with its fixed header
     * length keeps a chance match of random bytes negligible.
     */
    private static final String PDU_FILTER = "(nvme-tcp.type == 0 && nvme-tcp.hlen == 128) || " +
        "(nvme-tcp.type == 4 && nvme-tcp.hlen == 72)";

    @TempDir
    Path dir;

    private record Capture(int nvmeTcpPdus, String decoded, String payloadHex)
    {
    }

    private static boolean tool(final String name)
    {
        try
        {
            final Process p = new ProcessBuilder(name, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        }
        catch (final IOException e)
        {
            return false;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Standard output only: tshark says on standard error that it runs as root, which is no decoded frame. */
    private String run(final List<String> command) throws Exception
    {
        final Path err = dir.resolve("tshark.err");
        final Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s did not finish", command).isTrue();
        assertThat(p.exitValue()).as("%s: %s", command, Files.readString(err)).isZero();
        return out;
    }

    /** Capture port {@code port} on lo while {@code io} runs; decode it as NVMe/TCP on that port. */
    private Capture capture(final int port, final String name, final ThrowingRunnable io) throws Exception
    {
        final Path pcap = dir.resolve(name + ".pcapng");
        final Process dumpcap = new ProcessBuilder("dumpcap", "-q", "-i", "lo", "-f", "tcp port " + port, "-w",
            pcap.toString()).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
        try
        {
            // dumpcap says nothing when it starts capturing: wait for the file it writes its header into
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((!Files.exists(pcap) || Files.size(pcap) == 0) && System.nanoTime() < deadline)
            {
                Thread.sleep(50);
            }
            assertThat(Files.exists(pcap)).as("dumpcap did not start: %s", Files.readString(dir.resolve(name + ".log")))
                .isTrue();
            Thread.sleep(300);
            io.run();
            Thread.sleep(500);
        }
        finally
        {
            dumpcap.destroy();
            dumpcap.waitFor(30, TimeUnit.SECONDS);
        }
        final String decoded = run(List.of("tshark", "-r", pcap.toString(), "-d", "tcp.port==" + port + ",nvme-tcp",
            "-Y", PDU_FILTER, "-T", "fields", "-e", "frame.number", "-e", "tcp.srcport", "-e", "tcp.seq", "-e", "tcp.len",
            "-e", "nvme-tcp.type", "-e", "nvme-tcp.hlen", "-e", "nvme-tcp.plen"));
        final int pdus = (int)decoded.lines().filter(l -> !l.isBlank()).count();
        final String payload = run(List.of("tshark", "-r", pcap.toString(), "-T", "fields", "-e", "tcp.payload"))
            .replace("\n", "").replace(":", "").toLowerCase();
        return new Capture(pdus, decoded, payload);
    }

    @FunctionalInterface
    private interface ThrowingRunnable
    {
        void run() throws Exception;
    }

    /** Write 256 KiB of the pattern (in-capsule and R2T data), then read it back and check it. */
    private static void writeAndReadBack(final ConnectOptions o) throws Exception
    {
        try (NvmeController c = NvmeController.connect(o))
        {
            final ByteBuffer data = ByteBuffer.allocateDirect(256 << 10);
            while (data.hasRemaining())
            {
                data.put(PATTERN, 0, Math.min(PATTERN.length, data.remaining()));
            }
            data.flip();
            c.writeBlocking(1, 0, 1, data.duplicate().limit(4096).slice());
            c.writeBlocking(1, 8, 64, data.duplicate().clear());
            final ByteBuffer back = ByteBuffer.allocateDirect(256 << 10);
            c.readBlocking(1, 8, 64, back);
            assertThat(back.clear()).isEqualTo(data.clear());
        }
    }

    @Test
    void shouldShowNoPduAndNoDataOfATlsConnectionButBothOfAPlainOne() throws Exception
    {
        assumeTrue(tool("tshark") && tool("dumpcap"), "tshark and dumpcap (interop/setup.sh installs them)");
        try (Target t = Target.builder().listen("127.0.0.1", 0).listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().blockSize(4096).ramNamespace(1, 16L << 20)).build().start())
        {
            t.listeners().get(0).requireTls(new HostPskTable().put(HOST, ConfiguredPsk.parse(KEY)));
            final int tlsPort = t.boundPort(0);
            final int plainPort = t.boundPort(1);
            final String pattern = HexFormat.of().formatHex(PATTERN);

            final Capture tls = capture(tlsPort, "tls", () -> writeAndReadBack(ConnectOptions.tcp("127.0.0.1",
                tlsPort, NQN).hostnqn(HOST).nrIoQueues(1).tls(true).tlsKey(ConfiguredPsk.parse(KEY))
                .ioTimeout(Duration.ofSeconds(30))));
            final Capture plain = capture(plainPort, "plain", () -> writeAndReadBack(ConnectOptions.tcp("127.0.0.1",
                plainPort, NQN).hostnqn(HOST).nrIoQueues(1).ioTimeout(Duration.ofSeconds(30))));

            // the control: the same check finds the PDUs, the ICReq and the data of a plain connection
            assertThat(plain.nvmeTcpPdus()).as("PDUs the dissector finds in the plain capture").isGreaterThan(10);
            assertThat(plain.payloadHex()).contains(ICREQ_HEADER).contains(pattern);
            // the TLS connection moved more bytes than the data, none of them readable
            assertThat(tls.payloadHex().length() / 2).isGreaterThan(2 * (256 << 10));
            assertThat(tls.nvmeTcpPdus()).as("PDUs the dissector finds in the TLS capture (frame, port, seq, len, " +
                "type, hlen, plen): %s", tls.decoded()).isZero();
            assertThat(tls.payloadHex()).doesNotContain(ICREQ_HEADER).doesNotContain(pattern);
        }
    }
}
