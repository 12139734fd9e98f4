package org.nvmeof4j.cli.metrics;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A builder of Prometheus' text exposition format (version 0.0.4): metric families, each with one {@code # HELP}
 * and one {@code # TYPE} line before its samples, samples as {@code name{label="value",...} value}. Samples may be
 * added in any order; they are grouped by family when written, so a family never appears twice. Metric and label
 * names are checked against the format's grammar; label values are escaped (backslash, double quote, newline).
 */
public final class PrometheusText
{
    /** Metric names: {@code [a-zA-Z_:][a-zA-Z0-9_:]*}. */
    public static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    /** Label names: {@code [a-zA-Z_][a-zA-Z0-9_]*}, not starting with {@code __} (reserved). */
    public static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    /** The Content-Type of this format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** The first bucket a histogram series writes: 2^10 ns, about 1 µs (the ones below are folded into it). */
    public static final int FIRST_BUCKET = 10;
    /** The last finite bucket a histogram series writes: 2^35 ns, about 34 s (larger values only in +Inf). */
    public static final int LAST_BUCKET = 35;

    /** The family types this exporter uses. */
    public enum Type
    {
        COUNTER, GAUGE, HISTOGRAM;

        String text()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final class Family
    {
        final String help;
        final Type type;
        final StringBuilder samples = new StringBuilder();

        Family(final String help, final Type type)
        {
            this.help = help;
            this.type = type;
        }
    }

    private final Map<String, Family> families = new LinkedHashMap<>();

    /**
     * Declare a family (again: the same help and type must be given).
     *
     * @param name the metric name; a counter's ends in {@code _total}
     */
    public PrometheusText family(final String name, final Type type, final String help)
    {
        if (!METRIC_NAME.matcher(name).matches())
        {
            throw new IllegalArgumentException("bad metric name " + name);
        }
        if (type == Type.COUNTER && !name.endsWith("_total"))
        {
            throw new IllegalArgumentException("a counter's name ends in _total: " + name);
        }
        if (type == Type.HISTOGRAM && !name.endsWith("_seconds"))
        {
            throw new IllegalArgumentException("a latency histogram's name ends in _seconds: " + name);
        }
        final Family f = families.get(name);
        if (f == null)
        {
            families.put(name, new Family(help, type));
        }
        else if (f.type != type || !f.help.equals(help))
        {
            throw new IllegalArgumentException("family " + name + " declared twice differently");
        }
        return this;
    }

    /**
     * Add a sample to a declared family.
     *
     * @param labels label names and values, alternating
     */
    public PrometheusText sample(final String name, final double value, final String... labels)
    {
        final Family f = declared(name);
        if (f.type == Type.HISTOGRAM)
        {
            throw new IllegalArgumentException("a histogram's samples come from histogram(): " + name);
        }
        append(f, name, value, null, labels);
        return this;
    }

    /**
     * Add one series to a declared histogram family from power-of-two latency buckets in nanoseconds (bucket
     * {@code b} holds values below {@code 2^b} ns that the bucket before does not): {@code name_bucket} with
     * cumulative counts for {@code le} = 2^{@value #FIRST_BUCKET} ns (about 1 µs) up to 2^{@value #LAST_BUCKET} ns
     * (about 34 s) in seconds, then {@code le="+Inf"}, {@code name_sum} in seconds and {@code name_count}.
     *
     * @param buckets  counts by bucket (values of {@code 2^b} ns upper bound), e.g. a latency histogram's snapshot
     * @param sumNanos the exact sum of the values recorded
     * @param labels   label names and values, alternating ({@code le} is added)
     */
    public PrometheusText histogram(final String name, final long[] buckets, final long sumNanos,
        final String... labels)
    {
        final Family f = declared(name);
        if (f.type != Type.HISTOGRAM)
        {
            throw new IllegalArgumentException("not a histogram family: " + name);
        }
        long cumulative = 0;
        for (int b = 0; b < buckets.length; b++)
        {
            cumulative += buckets[b];
            if (b >= FIRST_BUCKET && b <= LAST_BUCKET)
            {
                append(f, name + "_bucket", cumulative, Double.toString((double)(1L << b) / 1e9), labels);
            }
        }
        append(f, name + "_bucket", cumulative, "+Inf", labels);
        append(f, name + "_sum", sumNanos / 1e9, null, labels);
        append(f, name + "_count", cumulative, null, labels);
        return this;
    }

    private Family declared(final String name)
    {
        final Family f = families.get(name);
        if (f == null)
        {
            throw new IllegalArgumentException("undeclared family " + name);
        }
        return f;
    }

    private static void append(final Family f, final String sampleName, final double value, final String le,
        final String... labels)
    {
        if (labels.length % 2 != 0)
        {
            throw new IllegalArgumentException("labels come in name, value pairs");
        }
        final StringBuilder sb = f.samples.append(sampleName);
        if (labels.length > 0 || le != null)
        {
            sb.append('{');
            for (int i = 0; i < labels.length; i += 2)
            {
                if (!LABEL_NAME.matcher(labels[i]).matches() || labels[i].startsWith("__") ||
                    le != null && labels[i].equals("le"))
                {
                    throw new IllegalArgumentException("bad label name " + labels[i]);
                }
                sb.append(i > 0 ? "," : "").append(labels[i]).append("=\"").append(escape(labels[i + 1]))
                    .append('"');
            }
            if (le != null)
            {
                sb.append(labels.length > 0 ? "," : "").append("le=\"").append(le).append('"');
            }
            sb.append('}');
        }
        sb.append(' ').append(format(value)).append('\n');
    }

    /** Declare a family and add one sample to it. */
    public PrometheusText sample(final String name, final Type type, final String help, final double value,
        final String... labels)
    {
        return family(name, type, help).sample(name, value, labels);
    }

    /** @return the exposition: each family's HELP, TYPE and samples; families without samples are left out. */
    public String text()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Map.Entry<String, Family> e : families.entrySet())
        {
            final Family f = e.getValue();
            if (f.samples.length() == 0)
            {
                continue;
            }
            sb.append("# HELP ").append(e.getKey()).append(' ').append(escapeHelp(f.help)).append('\n');
            sb.append("# TYPE ").append(e.getKey()).append(' ').append(f.type.text()).append('\n');
            sb.append(f.samples);
        }
        return sb.toString();
    }

    /** Integers without a decimal point or exponent; others as Java prints them; NaN and infinities as spelled. */
    static String format(final double v)
    {
        if (Double.isNaN(v))
        {
            return "NaN";
        }
        if (Double.isInfinite(v))
        {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15)
        {
            return Long.toString((long)v);
        }
        return Double.toString(v);
    }

    static String escape(final String s)
    {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String escapeHelp(final String s)
    {
        return s.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
