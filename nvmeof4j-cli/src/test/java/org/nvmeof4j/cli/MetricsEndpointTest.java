package org.nvmeof4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nvmeof4j.cli.metrics.PrometheusParser;
import org.nvmeof4j.cli.metrics.PrometheusParser.Exposition;
import org.nvmeof4j.cli.metrics.PrometheusText;
import picocli.CommandLine;

/**
 * {@code --metrics ADDR:PORT}: {@code nvmeof4j target} (a separate JVM, as a user runs it) and a running
 * {@code nvmeof4j perf} serve Prometheus' text format on {@code /metrics}; every scrape parses strictly, and the
 * counters move with the I/O that perf does.
 */
class MetricsEndpointTest
{
    private static final Pattern URL = Pattern.compile("metrics on (http://\\S+/metrics)");
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)$");
    private static final String NQN = TargetCommand.DEFAULT_NQN;
    private static final int IO_SIZE = 32768;
    private static final long DEADLINE_NANOS = 60_000_000_000L;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private record Scrape(int status, String contentType, String body)
    {
    }

    private Scrape get(final String url) throws Exception
    {
        final HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
            .GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Scrape(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }

    private Exposition scrape(final String url) throws Exception
    {
        final Scrape s = get(url);
        assertThat(s.status()).as(s.body()).isEqualTo(200);
        assertThat(s.contentType()).isEqualTo(PrometheusText.CONTENT_TYPE);
        return PrometheusParser.parse(s.body());
    }

    /** Scrape until {@code done} holds (the counters are read from other threads: they get there, not at once). */
    private Exposition scrapeUntil(final String url, final Predicate<Exposition> done) throws Exception
    {
        final long deadline = System.nanoTime() + DEADLINE_NANOS;
        Exposition e = scrape(url);
        while (!done.test(e) && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
            e = scrape(url);
        }
        assertThat(done.test(e)).as("scrape never satisfied the condition:%n%s", e.samples().keySet()).isTrue();
        return e;
    }

    @Test
    void shouldServeTargetAndPerfCountersThatMoveWithIo() throws Exception
    {
        final Process target = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), "-Xmx256m", Nvmeof4j.class.getName(), "target", "-s", "0",
            "--ram-mib", "64", "--idle", "block", "--metrics", "127.0.0.1:0").redirectErrorStream(true).start();
        try
        {
            final BufferedReader out = new BufferedReader(new InputStreamReader(target.getInputStream(),
                StandardCharsets.UTF_8));
            int port = -1;
            String targetUrl = null;
            final List<String> banner = new ArrayList<>();
            for (String line; targetUrl == null && (line = out.readLine()) != null; )
            {
                banner.add(line);
                final Matcher l = LISTENING.matcher(line);
                final Matcher u = URL.matcher(line);
                if (l.find())
                {
                    port = Integer.parseInt(l.group(1));
                }
                if (u.find())
                {
                    targetUrl = u.group(1);
                }
            }
            assertThat(targetUrl).as("target output: %s", banner).isNotNull();
            assertThat(port).isPositive();
            final int targetPort = port;
            // keep reading the target's output so that it never blocks on a full pipe
            final Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "drain");
            drain.setDaemon(true);
            drain.start();

            final Exposition before = scrape(targetUrl);
            assertThat(before.types()).containsEntry("nvmeof4j_target_namespace_commands_total", "counter")
                .containsEntry("nvmeof4j_target_namespace_size_bytes", "gauge")
                .containsEntry("nvmeof4j_target_connections_accepted_total", "counter");
            assertThat(before.value("nvmeof4j_target_namespace_commands_total", "subsystem", NQN, "nsid", "1", "op",
                "read")).isZero();
            assertThat(before.value("nvmeof4j_target_namespace_size_bytes", "subsystem", NQN, "nsid", "1"))
                .isEqualTo(64 << 20);
            assertThat(before.value("nvmeof4j_target_subsystem_controllers", "subsystem", NQN)).isZero();

            // perf against it, with its own endpoint
            final StringWriter perfOut = new StringWriter();
            final StringWriter perfErr = new StringWriter();
            final CommandLine cl = Nvmeof4j.commandLine();
            cl.setOut(new PrintWriter(perfOut, true));
            cl.setErr(new PrintWriter(perfErr, true));
            final int[] status = {-1};
            final Thread perf = new Thread(() -> status[0] = cl.execute("perf", "-t", "tcp", "-a", "127.0.0.1",
                "-s", String.valueOf(targetPort), "-n", NQN, "-w", "randrw", "-o", "32768", "-q", "4", "--ddp", "soft", "--time", "3",
                "--warmup", "0", "--json", "--host-idle", "block", "--range-mib", "16", "--metrics", "127.0.0.1:0"),
                "perf");
            perf.start();
            final long deadline = System.nanoTime() + DEADLINE_NANOS;
            Matcher m = URL.matcher("");
            while (!(m = URL.matcher(perfErr.toString())).find() && perf.isAlive() && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            assertThat(m.find(0)).as("perf stderr: %s", perfErr).isTrue();
            final String perfUrl = m.group(1);

            // while perf runs: its queue counts I/Os, the target's namespace and queue counters follow
            final Exposition p1 = scrapeUntil(perfUrl, e -> e.sum("nvmeof4j_perf_ios_total") > 0 &&
                e.value("nvmeof4j_ddp_rx_nvme_tcp_bytes_total", "device", "soft0") > 0);
            // the soft DDP device placed read data: its setups and bytes under the ULP DDP documentation's names
            assertThat(p1.value("nvmeof4j_ddp_rx_nvme_tcp_setup_total", "device", "soft0")).isPositive();
            assertThat(p1.value("nvmeof4j_ddp_rx_nvme_tcp_sk_add_total", "device", "soft0")).isPositive();
            assertThat(p1.types()).containsEntry("nvmeof4j_perf_ios_total", "counter")
                .containsEntry("nvmeof4j_ddp_rx_nvme_tcp_bytes_total", "counter")
                .containsEntry("nvmeof4j_perf_queue_depth", "gauge");
            assertThat(p1.value("nvmeof4j_perf_queue_depth")).isEqualTo(4);
            assertThat(p1.value("nvmeof4j_perf_ios_total", "qid", "1")).as("one perf queue, qid 1").isPositive();
            final double ios1 = p1.value("nvmeof4j_perf_ios_total", "qid", "1");
            final Exposition p2 = scrapeUntil(perfUrl, e -> e.value("nvmeof4j_perf_ios_total", "qid", "1") > ios1);
            assertThat(p2.value("nvmeof4j_perf_io_bytes_total", "qid", "1"))
                .isEqualTo(p2.value("nvmeof4j_perf_ios_total", "qid", "1") * IO_SIZE);
            assertThat(p2.value("nvmeof4j_perf_errors_total", "qid", "1")).isZero();
            // its latency histogram: every completion counted once, in cumulative buckets (the parser checks them)
            assertThat(p2.types()).containsEntry("nvmeof4j_perf_io_latency_seconds", "histogram");
            assertThat(p2.value("nvmeof4j_perf_io_latency_seconds_count", "qid", "1")).isPositive();
            assertThat(p2.value("nvmeof4j_perf_io_latency_seconds_sum", "qid", "1")).isPositive();
            final Exposition p3 = scrapeUntil(perfUrl, e -> e.value("nvmeof4j_perf_io_latency_seconds_count", "qid",
                "1") >= ios1);
            assertThat(p3.value("nvmeof4j_perf_io_latency_seconds_bucket", "qid", "1", "le", "+Inf"))
                .isEqualTo(p3.value("nvmeof4j_perf_io_latency_seconds_count", "qid", "1"));
            final Exposition t1 = scrapeUntil(targetUrl,
                e -> e.sum("nvmeof4j_target_queue_reads_total", "subsystem", NQN, "qid", "1") > 0 &&
                    e.sum("nvmeof4j_target_queue_writes_total", "subsystem", NQN, "qid", "1") > 0);
            assertThat(t1.value("nvmeof4j_target_subsystem_controllers", "subsystem", NQN)).isEqualTo(1);
            // the pollers drive at least perf's two connections (admin and I/O queue)
            assertThat(t1.sum("nvmeof4j_target_poller_tasks")).isGreaterThanOrEqualTo(2);
            assertThat(t1.sum("nvmeof4j_target_queue_commands_total", "subsystem", NQN, "qid", "0")).isPositive();
            assertThat(t1.value("nvmeof4j_target_connections_accepted_total")).isGreaterThanOrEqualTo(2);
            perf.join(120_000);
            assertThat(status[0]).as(perfErr.toString()).isZero();
            final JsonNode summary = new ObjectMapper().readTree(perfOut.toString()
                .substring(perfOut.toString().indexOf('{')));
            final long measured = summary.get("ios").asLong();

            // after the run: the namespace counted every I/O perf did (its warm-up included), in bytes too
            final Exposition after = scrape(targetUrl);
            final double reads = after.value("nvmeof4j_target_namespace_commands_total", "subsystem", NQN, "nsid",
                "1", "op", "read");
            final double writes = after.value("nvmeof4j_target_namespace_commands_total", "subsystem", NQN, "nsid",
                "1", "op", "write");
            assertThat(reads).isPositive();
            assertThat(writes).isPositive();
            assertThat(reads + writes).isGreaterThanOrEqualTo(measured);
            assertThat(after.value("nvmeof4j_target_namespace_read_bytes_total", "subsystem", NQN, "nsid", "1"))
                .isEqualTo(reads * IO_SIZE);
            assertThat(after.value("nvmeof4j_target_namespace_written_bytes_total", "subsystem", NQN, "nsid", "1"))
                .isEqualTo(writes * IO_SIZE);
            assertThat(after.value("nvmeof4j_target_namespace_errors_total", "subsystem", NQN, "nsid", "1")).isZero();

            // only GET/HEAD on /metrics
            assertThat(get(targetUrl.replace("/metrics", "/other")).status()).isEqualTo(404);
            final HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(targetUrl))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        }
        finally
        {
            target.destroy();
            if (!target.waitFor(20, TimeUnit.SECONDS))
            {
                target.destroyForcibly();
            }
        }
    }

    /** perf without -a through tcp_offload: its endpoint also serves the embedded target and the offload device. */
    @Test
    void shouldServeTheEmbeddedTargetAndTheOffloadDeviceFromPerf() throws Exception
    {
        final StringWriter perfOut = new StringWriter();
        final StringWriter perfErr = new StringWriter();
        final CommandLine cl = Nvmeof4j.commandLine();
        cl.setOut(new PrintWriter(perfOut, true));
        cl.setErr(new PrintWriter(perfErr, true));
        final int[] status = {-1};
        final Thread perf = new Thread(() -> status[0] = cl.execute("perf", "-t", "tcp_offload", "-w", "randread",
            "-q", "4", "--time", "3", "--warmup", "0", "--json", "--range-mib", "8", "--metrics", "127.0.0.1:0"),
            "perf");
        perf.start();
        final long deadline = System.nanoTime() + DEADLINE_NANOS;
        Matcher m;
        while (!(m = URL.matcher(perfErr.toString())).find() && perf.isAlive() && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
        assertThat(m.find(0)).as("perf stderr: %s", perfErr).isTrue();
        final String url = m.group(1);
        final Exposition e = scrapeUntil(url, x ->
            x.sum("nvmeof4j_offload_nvme_tcp_ofld_reqs_completed_total") > 0 &&
            x.value("nvmeof4j_target_namespace_commands_total", "subsystem", NQN, "nsid", "1", "op", "read") > 0 &&
            x.value("nvmeof4j_perf_ios_total", "qid", "1") > 0);
        // the offload ULP's statistic names, one series per registered device
        assertThat(e.types()).containsEntry("nvmeof4j_offload_nvme_tcp_ofld_reqs_sent_total", "counter")
            .containsEntry("nvmeof4j_offload_nvme_tcp_ofld_queues_created_total", "counter")
            .containsEntry("nvmeof4j_host_reconnects_total", "counter");
        assertThat(e.sum("nvmeof4j_offload_nvme_tcp_ofld_reqs_sent_total"))
            .isGreaterThanOrEqualTo(e.sum("nvmeof4j_offload_nvme_tcp_ofld_reqs_completed_total"));
        assertThat(e.sum("nvmeof4j_offload_nvme_tcp_ofld_queues_created_total")).isPositive();
        assertThat(e.value("nvmeof4j_host_reconnects_total", "subsystem", NQN)).isZero();
        assertThat(e.value("nvmeof4j_target_subsystem_controllers", "subsystem", NQN)).isEqualTo(1);
        perf.join(120_000);
        assertThat(status[0]).as(perfErr.toString()).isZero();
        // the endpoint goes with the run
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> get(url)))
            .isInstanceOf(java.io.IOException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"9100", "127.0.0.1", "127.0.0.1:", ":9100", "127.0.0.1:65536", "127.0.0.1:-1",
        "127.0.0.1:http", "::1:9100", "no-such-host.invalid:9100"})
    void shouldRejectABadMetricsAddressWithOneLineAndStatus2(final String spec)
    {
        for (final String command : new String[] {"target", "perf"})
        {
            final StringWriter err = new StringWriter();
            final CommandLine cl = Nvmeof4j.commandLine();
            cl.setOut(new PrintWriter(new StringWriter(), true));
            cl.setErr(new PrintWriter(err, true));
            final int status = cl.execute(command, "--metrics", spec);
            assertThat(status).as(command + " " + spec + ": " + err).isEqualTo(2);
            assertThat(err.toString().trim()).startsWith("nvmeof4j: bad --metrics").doesNotContain("\n");
        }
    }

    @Test
    void shouldRejectAMetricsAddressInUse() throws Exception
    {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            final StringWriter err = new StringWriter();
            final CommandLine cl = Nvmeof4j.commandLine();
            cl.setOut(new PrintWriter(new StringWriter(), true));
            cl.setErr(new PrintWriter(err, true));
            final int status = cl.execute("target", "-s", "0", "--ram-mib", "1", "--metrics",
                "127.0.0.1:" + taken.getLocalPort());
            assertThat(status).isEqualTo(2);
            assertThat(err.toString().trim()).startsWith("nvmeof4j: cannot serve --metrics").doesNotContain("\n");
        }
    }
}
