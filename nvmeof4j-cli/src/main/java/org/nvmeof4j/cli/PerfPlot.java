package org.nvmeof4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * What {@code perf --histogram FILE} writes: the latency distribution in HdrHistogram's percentile output format
 * ({@link Histogram#outputPercentileDistribution}, values in microseconds), and a self-contained plot (HTML with
 * inline SVG, or a bare SVG when its name ends in {@code .svg}) of the latency percentile curve on a log-scaled
 * percentile axis, as HdrHistogram's own plotter draws it, and of the IOPS of each second of the run. The plot
 * fetches nothing: it opens from a file without a network, and carries its data points as JSON in a
 * {@code <script type="application/json" id="nvmeof4j-perf-data">} element for tools.
 */
final class PerfPlot
{
    /** Percentile iteration steps per half distance to 100%, as the percentile output uses. */
    static final int TICKS_PER_HALF_DISTANCE = 5;
    /** The histogram records nanoseconds; the outputs show microseconds. */
    static final double NANOS_PER_MICRO = 1000.0;

    private static final int W = 760;
    private static final int H = 340;
    private static final int LEFT = 78;
    private static final int RIGHT = 44;
    private static final int TOP = 36;
    private static final int BOTTOM = 48;

    private PerfPlot()
    {
    }

    /** Write {@code h} (nanoseconds) to {@code file} in HdrHistogram's percentile output format, in microseconds. */
    static void writeHistogram(final Histogram h, final Path file) throws IOException
    {
        try (PrintStream ps = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8))
        {
            h.outputPercentileDistribution(ps, TICKS_PER_HALF_DISTANCE, NANOS_PER_MICRO);
        }
    }

    /**
     * Write the plot to {@code file}: HTML, or SVG alone when the name ends in {@code .svg}.
     *
     * @param h the run's latency histogram (nanoseconds)
     * @param iops the IOPS of each second of the run, in order (the last entry may cover a partial second)
     * @param title what ran (perf's header line)
     */
    static void writePlot(final Histogram h, final List<Double> iops, final String title, final Path file)
        throws IOException
    {
        final String svg = svg(h, iops, title);
        final String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        final String text = name.endsWith(".svg") ? svg : html(h, iops, title, svg);
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** The percentile curve's points: {percentile in %, latency in µs}, the 100% point (the max) last. */
    static List<double[]> percentilePoints(final Histogram h)
    {
        final List<double[]> l = new ArrayList<>();
        if (h.getTotalCount() == 0)
        {
            return l;
        }
        for (final HistogramIterationValue v : h.percentiles(TICKS_PER_HALF_DISTANCE))
        {
            l.add(new double[] {v.getPercentileLevelIteratedTo(),
                h.highestEquivalentValue(v.getValueIteratedTo()) / NANOS_PER_MICRO});
        }
        return l;
    }

    private static String html(final Histogram h, final List<Double> iops, final String title, final String svg)
    {
        final Map<String, Object> data = new LinkedHashMap<>();
        data.put("title", title);
        data.put("latency_unit", "us");
        data.put("count", h.getTotalCount());
        data.put("max_us", h.getMaxValue() / NANOS_PER_MICRO);
        final List<double[]> pts = percentilePoints(h);
        data.put("percentiles", pts);
        data.put("iops_per_second", iops);
        // '<' escaped so that no string in the data can close the script element
        final String json = Json.write(data).replace("<", "\\u003c");
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>nvmeof4j perf: " +
            esc(title) + "</title>\n<style>body{font-family:sans-serif;margin:16px;color:#222}" +
            "table{border-collapse:collapse}td,th{padding:2px 10px;text-align:right;border-bottom:1px solid #ddd}" +
            "</style></head><body>\n<h2>nvmeof4j perf</h2>\n<p>" + esc(title) + "</p>\n" + svg + "\n" +
            summaryTable(h) + "\n<script type=\"application/json\" id=\"nvmeof4j-perf-data\">\n" + json +
            "\n</script>\n</body></html>\n";
    }

    private static String summaryTable(final Histogram h)
    {
        final StringBuilder sb = new StringBuilder("<table><tr><th>percentile</th><th>latency (µs)</th></tr>");
        for (final double p : new double[] {50, 90, 99, 99.9, 99.99, 100})
        {
            sb.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.2f</td></tr>", p == 100 ? "max" : fmtPct(p),
                (p == 100 ? h.getMaxValue() : h.getValueAtPercentile(p)) / NANOS_PER_MICRO));
        }
        return sb.append(String.format(Locale.ROOT, "<tr><td>I/Os</td><td>%d</td></tr></table>",
            h.getTotalCount())).toString();
    }

    /** Three charts stacked in one SVG: latency by percentile (linear, then log latency axis), IOPS by second. */
    static String svg(final Histogram h, final List<Double> iops, final String title)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" " +
            "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">", W, 3 * H, W, 3 * H));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        latencyChart(sb, h, 0, false);
        latencyChart(sb, h, H, true);
        iopsChart(sb, iops, 2 * H);
        return sb.append("</svg>").toString();
    }

    /**
     * Latency against percentile, the percentile axis scaled as log10(1 / (1 - p)) like HdrHistogram's plotter:
     * 0%, 90%, 99%, 99.9% … equally spaced. The latency axis is linear (as HdrHistogram plots it), or logarithmic
     * ({@code logY}: decades), which keeps the body of the curve readable beside a tail hundreds of times higher.
     * p50, p99, p99.9, p99.99 and the max are marked and labelled.
     */
    private static void latencyChart(final StringBuilder sb, final Histogram h, final int top, final boolean logY)
    {
        final List<double[]> pts = percentilePoints(h);
        title(sb, top, logY ? "Latency by percentile (µs, log scale)" : "Latency by percentile (µs)");
        double maxX = 1;
        double maxY = 0;
        double minY = Double.MAX_VALUE;
        for (final double[] p : pts)
        {
            if (p[0] < 100)
            {
                maxX = Math.max(maxX, Math.ceil(logX(p[0])));
            }
            maxY = Math.max(maxY, p[1]);
            minY = Math.min(minY, Math.max(p[1], 0.001));
        }
        // the 100% point (infinite on this axis) sits at the right edge
        final double yTop = logY ? Math.pow(10, Math.ceil(Math.log10(Math.max(maxY, 0.001)))) : niceCeil(maxY);
        final double yBottom = logY ? Math.min(yTop / 10, Math.pow(10, Math.floor(Math.log10(
            minY == Double.MAX_VALUE ? 1 : minY)))) : 0;
        final double x0 = LEFT;
        final double x1 = W - RIGHT;
        final double y0 = top + H - BOTTOM;
        final double y1 = top + TOP;
        axes(sb, top, x0, x1, y0, y1);
        for (int d = 0; d <= maxX; d++)
        {
            final double x = x0 + (x1 - x0) * d / maxX;
            final String label = d == 0 ? "0%" : fmtPct(100 - 100 / Math.pow(10, d));
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" " +
                "stroke=\"#ddd\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>", x, y0, x, y1, x,
                y0 + 16, label));
        }
        if (logY)
        {
            final int decades = (int)Math.round(Math.log10(yTop / yBottom));
            for (int i = 0; i <= decades; i++)
            {
                final double y = y0 - (y0 - y1) * i / decades;
                sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" " +
                    "stroke=\"#eee\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>", x0, y, x1, y,
                    x0 - 6, y + 4, Label.format(yBottom * Math.pow(10, i))));
            }
        }
        else
        {
            yTicks(sb, top, x0, x1, y0, y1, yTop, "%,.0f");
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">percentile</text>",
            (x0 + x1) / 2, top + H - 10));
        final StringBuilder points = new StringBuilder();
        final double[] xs = new double[pts.size()];
        final double[] ys = new double[pts.size()];
        for (int i = 0; i < pts.size(); i++)
        {
            final double[] p = pts.get(i);
            final double lx = p[0] >= 100 ? maxX : Math.min(maxX, logX(p[0]));
            xs[i] = x0 + (x1 - x0) * lx / maxX;
            ys[i] = y0 - (y0 - y1) * yFraction(p[1], yBottom, yTop, logY);
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", xs[i], ys[i]));
        }
        sb.append("<polyline id=\"").append(logY ? "latency-log" : "latency")
            .append("\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"")
            .append(points.toString().trim()).append("\"/>");
        if (pts.isEmpty())
        {
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">no I/O " +
                "measured</text>", (x0 + x1) / 2, (y0 + y1) / 2));
            return;
        }
        for (final double pct : new double[] {50, 99, 99.9, 99.99, 100})
        {
            if (pct < 100 && Math.ceil(logX(pct)) > maxX)
            {
                continue; // too few I/Os to reach this percentile
            }
            final double v = (pct == 100 ? h.getMaxValue() : h.highestEquivalentValue(h.getValueAtPercentile(pct))) /
                NANOS_PER_MICRO;
            final double x = x0 + (x1 - x0) * (pct == 100 ? maxX : logX(pct)) / maxX;
            final double y = y0 - (y0 - y1) * yFraction(v, yBottom, yTop, logY);
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#1f77b4\"/>" +
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%s %s</text>", x, y, x - 4,
                y - 6, pct == 100 ? "max" : "p" + fmtPct(pct).replace("%", ""), Label.format(v)));
        }
    }

    /** Where {@code v} sits between the latency axis' ends, 0..1. */
    private static double yFraction(final double v, final double bottom, final double top, final boolean logY)
    {
        if (logY)
        {
            return Math.max(0, Math.min(1, Math.log10(Math.max(v, bottom) / bottom) / Math.log10(top / bottom)));
        }
        return top > 0 ? v / top : 0;
    }

    /** Short latency labels: 3 significant digits, no exponent. */
    private static final class Label
    {
        static String format(final double v)
        {
            if (v >= 100 || v == Math.rint(v))
            {
                return String.format(Locale.ROOT, "%,.0f", v);
            }
            if (v >= 10)
            {
                return String.format(Locale.ROOT, "%.1f", v);
            }
            return String.format(Locale.ROOT, "%.3g", v);
        }
    }

    /** IOPS of each second, a line with a dot per second, from 0. */
    private static void iopsChart(final StringBuilder sb, final List<Double> iops, final int top)
    {
        title(sb, top, "IOPS per second");
        double maxY = 0;
        for (final double v : iops)
        {
            maxY = Math.max(maxY, v);
        }
        final double yTop = niceCeil(maxY);
        final double x0 = LEFT;
        final double x1 = W - RIGHT;
        final double y0 = top + H - BOTTOM;
        final double y1 = top + TOP;
        axes(sb, top, x0, x1, y0, y1);
        final int n = Math.max(1, iops.size());
        final int step = Math.max(1, (int)Math.ceil(n / 20.0));
        for (int s = 0; s <= n; s += step)
        {
            final double x = x0 + (x1 - x0) * s / n;
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>", x,
                y0 + 16, s));
        }
        yTicks(sb, top, x0, x1, y0, y1, yTop, "%,.0f");
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">seconds</text>",
            (x0 + x1) / 2, top + H - 10));
        final StringBuilder points = new StringBuilder();
        for (int i = 0; i < iops.size(); i++)
        {
            // each value at the end of its second
            final double x = x0 + (x1 - x0) * (i + 1) / n;
            final double y = y0 - (y0 - y1) * (yTop > 0 ? iops.get(i) / yTop : 0);
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#d62728\"/>", x, y));
        }
        sb.append("<polyline id=\"iops\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\" points=\"")
            .append(points.toString().trim()).append("\"/>");
    }

    private static void title(final StringBuilder sb, final int top, final String text)
    {
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"14\" font-weight=\"bold\">%s</text>",
            LEFT, top + 22, esc(text)));
    }

    private static void axes(final StringBuilder sb, final int top, final double x0, final double x1, final double y0,
        final double y1)
    {
        sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"#444\" points=\"%.1f,%.1f %.1f,%.1f " +
            "%.1f,%.1f\"/>", x0, y1, x0, y0, x1, y0));
    }

    private static void yTicks(final StringBuilder sb, final int top, final double x0, final double x1,
        final double y0, final double y1, final double yTop, final String format)
    {
        for (int i = 0; i <= 5; i++)
        {
            final double v = yTop * i / 5;
            final double y = y0 - (y0 - y1) * i / 5;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" " +
                "stroke=\"#eee\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>", x0, y, x1, y, x0 - 6,
                y + 4, String.format(Locale.ROOT, format, v)));
        }
    }

    /** log10(1 / (1 - p)) for p in percent below 100. */
    static double logX(final double pct)
    {
        return Math.log10(100.0 / (100.0 - pct));
    }

    /** The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k at or above {@code v} (1 for v ≤ 0). */
    static double niceCeil(final double v)
    {
        if (v <= 0)
        {
            return 1;
        }
        final double e = Math.pow(10, Math.floor(Math.log10(v)));
        for (final double m : new double[] {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10})
        {
            if (m * e >= v)
            {
                return m * e;
            }
        }
        return 10 * e;
    }

    private static String fmtPct(final double p)
    {
        String s = String.format(Locale.ROOT, "%.5f", p);
        s = s.replaceAll("0+$", "");
        if (s.endsWith("."))
        {
            s = s.substring(0, s.length() - 1);
        }
        return s + "%";
    }

    private static String esc(final String s)
    {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
