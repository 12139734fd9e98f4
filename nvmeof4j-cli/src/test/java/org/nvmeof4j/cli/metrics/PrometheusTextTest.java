package org.nvmeof4j.cli.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrometheusTextTest
{
    /** The head of a histogram family for the malformed cases (buckets decreasing and le "abc" have no comment). */
    private static final String H = "# HELP x_seconds h\n# TYPE x_seconds histogram\n";

    @Test
    void shouldGroupSamplesUnderOneHelpAndTypeAndEscapeLabelValues()
    {
        final PrometheusText p = new PrometheusText();
        p.family("a_total", PrometheusText.Type.COUNTER, "first");
        p.family("b", PrometheusText.Type.GAUGE, "second");
        p.sample("a_total", 1, "subsystem", "nqn.x:\"q\"\\\n");
        p.sample("b", 2.5);
        p.sample("a_total", 3, "subsystem", "other");
        p.family("empty_total", PrometheusText.Type.COUNTER, "never sampled");
        final String text = p.text();
        assertThat(text).isEqualTo("# HELP a_total first\n# TYPE a_total counter\n" +
            "a_total{subsystem=\"nqn.x:\\\"q\\\"\\\\\\n\"} 1\na_total{subsystem=\"other\"} 3\n" +
            "# HELP b second\n# TYPE b gauge\nb 2.5\n");
        final PrometheusParser.Exposition e = PrometheusParser.parse(text);
        assertThat(e.value("a_total", "subsystem", "nqn.x:\"q\"\\\n")).isEqualTo(1);
        assertThat(e.sum("a_total")).isEqualTo(4);
        assertThat(e.types()).containsOnlyKeys("a_total", "b");
    }

    @Test
    void shouldRefuseNamesTheFormatDoesNotAllow()
    {
        final PrometheusText p = new PrometheusText();
        assertThatThrownBy(() -> p.family("9lives", PrometheusText.Type.GAUGE, "x"))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.family("reqs", PrometheusText.Type.COUNTER, "x"))
            .hasMessageContaining("_total");
        p.family("g", PrometheusText.Type.GAUGE, "x");
        assertThatThrownBy(() -> p.sample("g", 1, "__reserved", "v")).hasMessageContaining("label");
        assertThatThrownBy(() -> p.sample("g", 1, "bad-label", "v")).hasMessageContaining("label");
        assertThatThrownBy(() -> p.sample("undeclared", 1)).hasMessageContaining("undeclared");
        assertThatThrownBy(() -> p.family("g", PrometheusText.Type.COUNTER, "x"))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldPrintIntegersWithoutAPoint()
    {
        assertThat(PrometheusText.format(12345678901L)).isEqualTo("12345678901");
        assertThat(PrometheusText.format(0.25)).isEqualTo("0.25");
        assertThat(PrometheusText.format(Double.NaN)).isEqualTo("NaN");
        assertThat(PrometheusText.format(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
    }

    @Test
    void shouldWriteAHistogramFromPowerOfTwoBucketsThatParsesAndAddsUp()
    {
        final long[] buckets = new long[48];
        buckets[3] = 2;   // below 8 ns: folded into the first bucket written (le 1.024 µs)
        buckets[14] = 5;  // [8.2, 16.4) µs
        buckets[20] = 1;  // [0.52, 1.05) ms
        buckets[40] = 1;  // beyond the last finite bucket: only in +Inf
        final PrometheusText p = new PrometheusText();
        p.family("lat_seconds", PrometheusText.Type.HISTOGRAM, "latency");
        p.histogram("lat_seconds", buckets, 3_000_000_000L, "qid", "1");
        p.histogram("lat_seconds", new long[48], 0, "qid", "2");
        final String text = p.text();
        assertThat(text).startsWith("# HELP lat_seconds latency\n# TYPE lat_seconds histogram\n" +
            "lat_seconds_bucket{qid=\"1\",le=\"1.024E-6\"} 2\n");
        assertThat(text).contains("lat_seconds_bucket{qid=\"1\",le=\"1.6384E-5\"} 7\n",
            "lat_seconds_bucket{qid=\"1\",le=\"34.359738368\"} 8\n",
            "lat_seconds_bucket{qid=\"1\",le=\"+Inf\"} 9\n", "lat_seconds_sum{qid=\"1\"} 3\n",
            "lat_seconds_count{qid=\"1\"} 9\n", "lat_seconds_count{qid=\"2\"} 0\n");
        final PrometheusParser.Exposition e = PrometheusParser.parse(text);
        assertThat(e.types()).containsEntry("lat_seconds", "histogram");
        assertThat(e.value("lat_seconds_bucket", "qid", "1", "le", "5.24288E-4")).isEqualTo(7);
        assertThat(e.value("lat_seconds_bucket", "qid", "1", "le", "0.001048576")).isEqualTo(8);
        assertThat(e.value("lat_seconds_count", "qid", "1")).isEqualTo(9);
        assertThat(e.value("lat_seconds_bucket", "qid", "1", "le", "1.024E-6")).isEqualTo(2);
        assertThat(e.value("lat_seconds_bucket", "qid", "2", "le", "+Inf")).isZero();
        assertThatThrownBy(() -> p.sample("lat_seconds", 1)).hasMessageContaining("histogram()");
        assertThatThrownBy(() -> p.histogram("lat_seconds", buckets, 0, "le", "x")).hasMessageContaining("label");
        assertThatThrownBy(() -> p.family("lat", PrometheusText.Type.HISTOGRAM, "x")).hasMessageContaining("_seconds");
    }

    /** The test parser must reject what Prometheus would: otherwise the scrape tests prove nothing. */
    @ParameterizedTest
    @ValueSource(strings = {
        "x 1\n",                                                        // no TYPE
        "# TYPE x gauge\nx 1\n",                                        // no HELP
        "# HELP x h\n# TYPE x gauge\nx 1",                              // no final newline
        "# HELP x h\n# TYPE x gauge\nx{a=\"1\"} 1\n# HELP x h\n",       // HELP after a sample
        "# HELP x h\n# TYPE x counter\nx 1\n",                          // counter without _total
        "# HELP x_total h\n# TYPE x_total counter\nx_total -1\n",       // negative counter
        "# HELP x h\n# TYPE x gauge\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n",     // the same series twice
        "# HELP x h\n# TYPE x gauge\n# HELP y h\n# TYPE y gauge\nx 1\ny 1\nx{a=\"2\"} 1\n", // not contiguous
        "# HELP x h\n# TYPE x gauge\nx{a=1} 1\n",                       // unquoted label value
        "# HELP x h\n# TYPE x gauge\nx{a-b=\"1\"} 1\n",                 // bad label name
        "# HELP x h\n# TYPE x gauge\nx  1\n",                           // two spaces
        "# HELP x h\n# TYPE x gauge\nx 1 1700000000\n",                 // a timestamp
        "# HELP x h\n# TYPE x summary\nx 1\n",                          // a type we do not write
        H + "x_seconds 1\n",                                             // a histogram sample without a suffix
        H + "x_seconds_bucket 1\nx_seconds_sum 1\nx_seconds_count 1\n",  // a bucket without le
        H + "x_seconds_bucket{le=\"0.1\"} 2\nx_seconds_bucket{le=\"+Inf\"} 1\nx_seconds_sum 1\nx_seconds_count 1\n",
        H + "x_seconds_bucket{le=\"+Inf\"} 2\nx_seconds_sum 1\nx_seconds_count 1\n", // +Inf is not _count
        H + "x_seconds_bucket{le=\"0.1\"} 1\nx_seconds_sum 1\nx_seconds_count 1\n",  // no +Inf bucket
        H + "x_seconds_bucket{le=\"+Inf\"} 1\nx_seconds_count 1\n",                  // no _sum
        H + "x_seconds_bucket{le=\"abc\"} 1\nx_seconds_bucket{le=\"+Inf\"} 1\nx_seconds_sum 1\nx_seconds_count 1\n",
        H + "x_seconds_bucket{le=\"+Inf\"} 1\nx_seconds_sum{le=\"1\"} 1\nx_seconds_count 1\n", // le on _sum
        "# HELP 1x h\n# TYPE 1x gauge\n1x 1\n",                         // bad metric name
        "# HELP x h\n# TYPE x gauge\nx{a=\"\\t\"} 1\n",                 // bad escape
        "# comment\n",                                                  // a line that is no HELP/TYPE
    })
    void shouldRejectMalformedExpositions(final String text)
    {
        assertThatThrownBy(() -> PrometheusParser.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
