package org.nvmeof4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code perf --histogram FILE} / {@code --plot FILE}: the percentile file parses back, the plot holds the data. */
class PerfPlotTest
{
    @TempDir
    Path dir;

    /** One row of HdrHistogram's percentile output: value, percentile (0..1), total count. */
    record Row(double value, double percentile, long totalCount)
    {
    }

    /** The parsed percentile output: its rows and the totals of its footer. */
    record Distribution(List<Row> rows, double mean, double max, long totalCount)
    {
    }

    private static final Pattern HEADER = Pattern.compile("\\s*Value\\s+Percentile\\s+TotalCount\\s+1/\\(1-Percentile\\)");
    private static final Pattern ROW = Pattern.compile(
        "\\s*([0-9]+\\.[0-9]+)\\s+([01]\\.[0-9]+)\\s+([0-9]+)(\\s+([0-9]+\\.[0-9]+|Infinity))?");
    private static final Pattern MEAN = Pattern.compile("#\\[Mean\\s+=\\s+([0-9.]+), StdDeviation\\s+=\\s+([0-9.]+)]");
    private static final Pattern MAX = Pattern.compile("#\\[Max\\s+=\\s+([0-9.]+), Total count\\s+=\\s+([0-9]+)]");

    /** A strict reader of the format: header, blank line, rows, then the three footer lines; nothing else. */
    static Distribution parse(final List<String> lines)
    {
        assertThat(lines.get(0)).matches(HEADER);
        assertThat(lines.get(1)).isEmpty();
        final List<Row> rows = new ArrayList<>();
        int i = 2;
        for (; i < lines.size() && !lines.get(i).startsWith("#"); i++)
        {
            final Matcher m = ROW.matcher(lines.get(i));
            assertThat(m.matches()).as("row %d: '%s'", i, lines.get(i)).isTrue();
            rows.add(new Row(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), Long.parseLong(m.group(3))));
        }
        final Matcher mean = MEAN.matcher(lines.get(i));
        final Matcher max = MAX.matcher(lines.get(i + 1));
        assertThat(mean.matches()).as(lines.get(i)).isTrue();
        assertThat(max.matches()).as(lines.get(i + 1)).isTrue();
        assertThat(lines.get(i + 2)).startsWith("#[Buckets");
        assertThat(lines.size()).isEqualTo(i + 3);
        return new Distribution(rows, Double.parseDouble(mean.group(1)), Double.parseDouble(max.group(1)),
            Long.parseLong(max.group(2)));
    }

    private static Histogram sample()
    {
        final Histogram h = new Histogram(3_600_000_000_000L, 3);
        // 10,000 I/Os from 20 µs to 219 µs, and a tail of ten at 5 ms
        for (int i = 0; i < 10_000; i++)
        {
            h.recordValue(20_000 + (i % 200) * 1000L);
        }
        for (int i = 0; i < 10; i++)
        {
            h.recordValue(5_000_000);
        }
        return h;
    }

    @Test
    void shouldWriteAPercentileFileThatParsesBackToTheSameDistribution() throws Exception
    {
        final Histogram h = sample();
        final Path f = dir.resolve("lat.hgrm");
        PerfPlot.writeHistogram(h, f);
        final Distribution d = parse(Files.readAllLines(f));
        assertThat(d.totalCount()).isEqualTo(10_010);
        assertThat(d.max()).isCloseTo(h.getMaxValue() / 1000.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(d.mean()).isCloseTo(h.getMean() / 1000.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(d.rows().get(d.rows().size() - 1).percentile()).isEqualTo(1.0);
        assertThat(d.rows().get(d.rows().size() - 1).totalCount()).isEqualTo(10_010);
        for (final Row r : d.rows())
        {
            // each row's value is the histogram's value at that percentile, in microseconds
            final double expected = h.highestEquivalentValue(h.getValueAtPercentile(r.percentile() * 100)) / 1000.0;
            assertThat(r.value()).as("at %s", r.percentile()).isCloseTo(expected,
                org.assertj.core.data.Offset.offset(Math.max(0.01, expected * 0.002)));
        }
        // p50 near the middle of 20..219 µs, the ten 5 ms I/Os beyond p99.9
        assertThat(h.getValueAtPercentile(50) / 1000.0).isBetween(115.0, 125.0);
        assertThat(d.rows().stream().filter(r -> r.percentile() > 0.9995).allMatch(r -> r.value() > 4990)).isTrue();
    }

    @Test
    void shouldPutEveryPercentilePointAndEverySecondInThePlot() throws Exception
    {
        final Histogram h = sample();
        final Path f = dir.resolve("lat.html");
        PerfPlot.writePlot(h, List.of(1000.0, 1500.0, 1250.5), "randread <test>", f);
        final String html = Files.readString(f);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg").doesNotContain("<script src", "<link", "<img")
            .contains("randread &lt;test&gt;");
        // no network: the only URL is the SVG namespace
        assertThat(html.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http://", "https://");
        final JsonNode data = dataOf(html);
        final List<double[]> pts = PerfPlot.percentilePoints(h);
        assertThat(data.get("percentiles")).hasSize(pts.size());
        assertThat(data.get("percentiles").get(pts.size() - 1).get(0).asDouble()).isEqualTo(100.0);
        assertThat(data.get("percentiles").get(pts.size() - 1).get(1).asDouble()).isCloseTo(
            h.highestEquivalentValue(5_000_000) / 1000.0, org.assertj.core.data.Offset.offset(0.001));
        assertThat(data.get("iops_per_second")).hasSize(3);
        assertThat(data.get("iops_per_second").get(2).asDouble()).isEqualTo(1250.5);
        assertThat(data.get("count").asLong()).isEqualTo(10_010);
        // the SVG draws one vertex per percentile point and per second
        assertThat(polyline(html, "latency")).hasSize(pts.size());
        final List<double[]> log = polyline(html, "latency-log");
        assertThat(log).hasSize(pts.size());
        for (int i = 1; i < log.size(); i++)
        {
            // latency never falls with the percentile: SVG y never grows along either curve
            assertThat(log.get(i)[1]).isLessThanOrEqualTo(log.get(i - 1)[1]);
            assertThat(polyline(html, "latency").get(i)[1]).isLessThanOrEqualTo(polyline(html, "latency").get(i - 1)[1]);
        }
        // on the log axis the body (20..219 µs) spans over a third of the height, on the linear one a few pixels
        int body = 0;
        while (pts.get(body + 1)[1] < 1000)
        {
            body++;
        }
        final List<double[]> lin = polyline(html, "latency");
        assertThat(log.get(0)[1] - log.get(body)[1]).isGreaterThan(80); // of 256 px
        assertThat(lin.get(0)[1] - lin.get(body)[1]).isLessThan(15);
        assertThat(html).contains("log scale", ">max 5,");
        assertThat(polyline(html, "iops")).hasSize(3);
        // the percentile axis is log-scaled: 90% sits one decade right of 0%, 99% two
        assertThat(PerfPlot.logX(90)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(PerfPlot.logX(99.9)).isCloseTo(3.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(html).contains(">99.9%<", ">99.99%<");
        // the IOPS line rises then falls as the data does
        final List<double[]> iops = polyline(html, "iops");
        assertThat(iops.get(1)[1]).isLessThan(iops.get(0)[1]); // SVG y grows downwards
        assertThat(iops.get(2)[1]).isGreaterThan(iops.get(1)[1]);
    }

    @Test
    void shouldScaleAxesToTheNextRoundValue()
    {
        assertThat(PerfPlot.niceCeil(6070)).isEqualTo(8000);
        assertThat(PerfPlot.niceCeil(100)).isEqualTo(100);
        assertThat(PerfPlot.niceCeil(101)).isEqualTo(150);
        assertThat(PerfPlot.niceCeil(0)).isEqualTo(1);
    }

    @Test
    void shouldWriteABareSvgWhenThePlotNameEndsInSvg() throws Exception
    {
        final Path f = dir.resolve("p.svg");
        PerfPlot.writePlot(sample(), List.of(5.0), "t", f);
        final String svg = Files.readString(f);
        assertThat(svg).startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"").endsWith("</svg>");
        assertThat(polyline(svg, "iops")).hasSize(1);
    }

    @Test
    void shouldWriteHistogramAndPlotFromARealPerfRun() throws Exception
    {
        final Path f = dir.resolve("run.hgrm");
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cl = Nvmeof4j.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        final int status = cl.execute("perf", "-w", "randread", "-q", "4", "--time", "2", "--warmup", "0",
            "--json", "--host-idle", "block", "--idle", "backoff", "--histogram", f.toString());
        assertThat(status).as(err.toString()).isZero();
        final JsonNode summary = new ObjectMapper().readTree(out.toString().substring(out.toString().indexOf('{')));
        final Distribution d = parse(Files.readAllLines(f));
        assertThat(d.totalCount()).isEqualTo(summary.get("ios").asLong()).isPositive();
        assertThat(d.max()).isCloseTo(summary.get("latency_us").get("max").asDouble(),
            org.assertj.core.data.Offset.offset(0.02 + summary.get("latency_us").get("max").asDouble() * 0.002));
        final String html = Files.readString(Path.of(f + ".html"));
        final JsonNode data = dataOf(html);
        assertThat(data.get("iops_per_second")).hasSize(2);
        double sum = 0;
        for (final JsonNode v : data.get("iops_per_second"))
        {
            assertThat(v.asDouble()).isPositive();
            sum += v.asDouble();
        }
        // two one-second samples add up to the run's I/Os (within what the sampling edges can move)
        assertThat(sum).isCloseTo(summary.get("ios").asDouble(), org.assertj.core.data.Percentage.withPercentage(10));
        assertThat(data.get("percentiles").size()).isEqualTo(d.rows().size());
    }

    @Test
    void shouldRejectAHistogramFileInAMissingDirectory()
    {
        final StringWriter err = new StringWriter();
        final CommandLine cl = Nvmeof4j.commandLine();
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));
        final int status = cl.execute("perf", "--time", "0.2", "--histogram", dir.resolve("no/such/h.hgrm").toString());
        assertThat(status).isEqualTo(2);
        assertThat(err.toString().trim()).startsWith("nvmeof4j: bad --histogram").doesNotContain("\n");
    }

    private static JsonNode dataOf(final String html) throws Exception
    {
        final String open = "<script type=\"application/json\" id=\"nvmeof4j-perf-data\">";
        final int a = html.indexOf(open);
        assertThat(a).isPositive();
        final int b = html.indexOf("</script>", a);
        return new ObjectMapper().readTree(html.substring(a + open.length(), b));
    }

    /** The vertices of the polyline with this id. */
    static List<double[]> polyline(final String svg, final String id)
    {
        final Matcher m = Pattern.compile("<polyline id=\"" + id + "\"[^>]* points=\"([^\"]*)\"").matcher(svg);
        assertThat(m.find()).as("polyline %s", id).isTrue();
        final List<double[]> l = new ArrayList<>();
        for (final String p : m.group(1).trim().split(" "))
        {
            final String[] xy = p.split(",");
            l.add(new double[] {Double.parseDouble(xy[0]), Double.parseDouble(xy[1])});
        }
        return l;
    }
}
