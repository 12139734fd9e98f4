package org.nvmeof4j.cli.metrics;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict reader of Prometheus' text exposition format as this project writes it (counters, gauges and
 * histograms), for tests: each line is {@code # HELP name text}, {@code # TYPE name counter|gauge|histogram} or
 * a sample {@code name{label="value",...} value}; a family's HELP and TYPE come once each, before its first sample; a
 * family's samples are contiguous; names match {@code [a-zA-Z_:][a-zA-Z0-9_:]*}, label names
 * {@code [a-zA-Z_][a-zA-Z0-9_]*}; a counter's name ends in {@code _total} and its values are not negative; no series
 * appears twice; the text ends with a newline. A histogram {@code h} has only {@code h_bucket} (with an {@code le}
 * label), {@code h_sum} and {@code h_count} samples; each series' buckets do not decrease with {@code le}, end in
 * {@code le="+Inf"}, and that bucket equals {@code h_count}. Anything else throws {@link IllegalArgumentException}
 * naming the line (or the series).
 */
public final class PrometheusParser
{
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /** One sample: its metric name, labels (sorted by name) and value. */
    public record Sample(String name, Map<String, String> labels, double value)
    {
    }

    /** The parsed exposition: each family's type and samples by series key ({@code name{a="x",b="y"}}). */
    public record Exposition(Map<String, String> types, Map<String, String> help, Map<String, Sample> samples)
    {
        /** @return the value of the series with these labels (alternating names and values), or NaN if absent. */
        public double value(final String name, final String... labels)
        {
            final Map<String, String> l = new TreeMap<>();
            for (int i = 0; i < labels.length; i += 2)
            {
                l.put(labels[i], labels[i + 1]);
            }
            final Sample s = samples.get(key(name, l));
            return s == null ? Double.NaN : s.value();
        }

        /** @return the sum over every series of a family whose labels include these. */
        public double sum(final String name, final String... labels)
        {
            double sum = 0;
            for (final Sample s : samples.values())
            {
                boolean match = s.name().equals(name);
                for (int i = 0; match && i < labels.length; i += 2)
                {
                    match = labels[i + 1].equals(s.labels().get(labels[i]));
                }
                sum += match ? s.value() : 0;
            }
            return sum;
        }
    }

    private PrometheusParser()
    {
    }

    public static Exposition parse(final String text)
    {
        if (!text.isEmpty() && !text.endsWith("\n"))
        {
            throw new IllegalArgumentException("the exposition does not end with a newline");
        }
        final Map<String, String> types = new LinkedHashMap<>();
        final Map<String, String> help = new HashMap<>();
        final Map<String, Sample> samples = new LinkedHashMap<>();
        final java.util.Set<String> closed = new java.util.HashSet<>();
        String current = null;
        int n = 0;
        for (final String line : text.split("\n", -1))
        {
            n++;
            if (line.isEmpty() && n == text.split("\n", -1).length)
            {
                break; // after the final newline
            }
            final String where = "line " + n + " '" + line + "': ";
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE "))
            {
                final String rest = line.substring(7);
                final int sp = rest.indexOf(' ');
                if (sp <= 0)
                {
                    throw new IllegalArgumentException(where + "no text after the name");
                }
                final String name = rest.substring(0, sp);
                final String arg = rest.substring(sp + 1);
                if (!NAME.matcher(name).matches())
                {
                    throw new IllegalArgumentException(where + "bad metric name");
                }
                if (samples.values().stream().anyMatch(s -> s.name().equals(name)))
                {
                    throw new IllegalArgumentException(where + "HELP/TYPE after a sample of " + name);
                }
                if (line.startsWith("# HELP "))
                {
                    if (help.put(name, arg) != null)
                    {
                        throw new IllegalArgumentException(where + "second HELP");
                    }
                }
                else
                {
                    if (!arg.equals("counter") && !arg.equals("gauge") && !arg.equals("histogram"))
                    {
                        throw new IllegalArgumentException(where + "type must be counter, gauge or histogram");
                    }
                    if (types.put(name, arg) != null)
                    {
                        throw new IllegalArgumentException(where + "second TYPE");
                    }
                    if (arg.equals("counter") && !name.endsWith("_total"))
                    {
                        throw new IllegalArgumentException(where + "a counter's name must end in _total");
                    }
                }
                continue;
            }
            if (line.startsWith("#") || line.isBlank())
            {
                throw new IllegalArgumentException(where + "not a HELP, TYPE or sample line");
            }
            final Sample s = sample(line, where);
            final String family = family(s.name(), types);
            if (!types.containsKey(family))
            {
                throw new IllegalArgumentException(where + "sample before the TYPE of " + s.name());
            }
            if (!help.containsKey(family))
            {
                throw new IllegalArgumentException(where + "sample without a HELP for " + s.name());
            }
            if (!family.equals(current))
            {
                if (closed.contains(family))
                {
                    throw new IllegalArgumentException(where + "the samples of " + family + " are not contiguous");
                }
                if (current != null)
                {
                    closed.add(current);
                }
                current = family;
            }
            final String type = types.get(family);
            if (type.equals("counter") && !(s.value() >= 0))
            {
                throw new IllegalArgumentException(where + "a counter below zero");
            }
            if (type.equals("histogram"))
            {
                histogramSample(s, family, where);
            }
            if (samples.put(key(s.name(), s.labels()), s) != null)
            {
                throw new IllegalArgumentException(where + "the same series twice");
            }
        }
        checkHistograms(types, samples);
        return new Exposition(types, help, samples);
    }

    /** The family a sample belongs to: its own name, or a histogram's when it ends in _bucket, _sum or _count. */
    private static String family(final String sample, final Map<String, String> types)
    {
        for (final String suffix : HISTOGRAM_SUFFIXES)
        {
            if (sample.endsWith(suffix))
            {
                final String base = sample.substring(0, sample.length() - suffix.length());
                if ("histogram".equals(types.get(base)))
                {
                    return base;
                }
            }
        }
        return sample;
    }

    private static final String[] HISTOGRAM_SUFFIXES = {"_bucket", "_sum", "_count"};

    private static void histogramSample(final Sample s, final String family, final String where)
    {
        if (s.name().equals(family))
        {
            throw new IllegalArgumentException(where + "a histogram's samples are _bucket, _sum or _count");
        }
        final String le = s.labels().get("le");
        if (s.name().endsWith("_bucket"))
        {
            if (le == null)
            {
                throw new IllegalArgumentException(where + "a bucket without an le label");
            }
            if (!le.equals("+Inf") && !le.matches("[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?"))
            {
                throw new IllegalArgumentException(where + "bad le '" + le + "'");
            }
        }
        else if (le != null)
        {
            throw new IllegalArgumentException(where + "le on a _sum or _count sample");
        }
        if (!(s.value() >= 0))
        {
            throw new IllegalArgumentException(where + "a histogram sample below zero");
        }
    }

    /** Per histogram series: buckets cumulative in le order, a +Inf bucket equal to _count, and a _sum. */
    private static void checkHistograms(final Map<String, String> types, final Map<String, Sample> samples)
    {
        for (final Map.Entry<String, String> t : types.entrySet())
        {
            if (!t.getValue().equals("histogram"))
            {
                continue;
            }
            final String h = t.getKey();
            final Map<String, TreeMap<Double, Double>> buckets = new LinkedHashMap<>();
            for (final Sample s : samples.values())
            {
                if (s.name().equals(h + "_bucket"))
                {
                    final Map<String, String> series = new TreeMap<>(s.labels());
                    final String le = series.remove("le");
                    buckets.computeIfAbsent(key(h, series), k -> new TreeMap<>())
                        .put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), s.value());
                }
            }
            for (final Sample s : samples.values())
            {
                if (s.name().equals(h + "_count") || s.name().equals(h + "_sum"))
                {
                    buckets.computeIfAbsent(key(h, s.labels()), k -> new TreeMap<>());
                }
            }
            for (final Map.Entry<String, TreeMap<Double, Double>> e : buckets.entrySet())
            {
                final String series = e.getKey();
                final String labels = series.substring(h.length());
                double last = 0;
                for (final double count : e.getValue().values())
                {
                    if (count < last)
                    {
                        throw new IllegalArgumentException("histogram " + series + ": buckets decrease with le");
                    }
                    last = count;
                }
                final Double inf = e.getValue().get(Double.POSITIVE_INFINITY);
                final Sample count = samples.get(h + "_count" + labels);
                if (inf == null || count == null || samples.get(h + "_sum" + labels) == null)
                {
                    throw new IllegalArgumentException("histogram " + series + ": needs a +Inf bucket, _sum and " +
                        "_count");
                }
                if (inf != count.value())
                {
                    throw new IllegalArgumentException("histogram " + series + ": the +Inf bucket (" + inf +
                        ") is not _count (" + count.value() + ")");
                }
            }
        }
    }

    private static Sample sample(final String line, final String where)
    {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ')
        {
            i++;
        }
        final String name = line.substring(0, i);
        if (!NAME.matcher(name).matches())
        {
            throw new IllegalArgumentException(where + "bad metric name '" + name + "'");
        }
        final Map<String, String> labels = new TreeMap<>();
        if (i < line.length() && line.charAt(i) == '{')
        {
            i++;
            while (true)
            {
                final int eq = line.indexOf('=', i);
                if (eq < 0)
                {
                    throw new IllegalArgumentException(where + "label without '='");
                }
                final String label = line.substring(i, eq);
                if (!LABEL.matcher(label).matches())
                {
                    throw new IllegalArgumentException(where + "bad label name '" + label + "'");
                }
                if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"')
                {
                    throw new IllegalArgumentException(where + "label value not quoted");
                }
                final StringBuilder v = new StringBuilder();
                int j = eq + 2;
                for (; j < line.length() && line.charAt(j) != '"'; j++)
                {
                    char c = line.charAt(j);
                    if (c == '\\')
                    {
                        if (++j >= line.length())
                        {
                            throw new IllegalArgumentException(where + "escape at the end");
                        }
                        c = line.charAt(j);
                        if (c == 'n')
                        {
                            c = '\n';
                        }
                        else if (c != '\\' && c != '"')
                        {
                            throw new IllegalArgumentException(where + "bad escape \\" + c);
                        }
                    }
                    v.append(c);
                }
                if (j >= line.length())
                {
                    throw new IllegalArgumentException(where + "unterminated label value");
                }
                if (labels.put(label, v.toString()) != null)
                {
                    throw new IllegalArgumentException(where + "label " + label + " twice");
                }
                i = j + 1;
                if (i < line.length() && line.charAt(i) == ',')
                {
                    i++;
                    continue;
                }
                if (i < line.length() && line.charAt(i) == '}')
                {
                    i++;
                    break;
                }
                throw new IllegalArgumentException(where + "expected ',' or '}' after a label");
            }
        }
        if (i >= line.length() || line.charAt(i) != ' ')
        {
            throw new IllegalArgumentException(where + "expected one space before the value");
        }
        final String value = line.substring(i + 1);
        final double d;
        switch (value)
        {
            case "NaN": d = Double.NaN; break;
            case "+Inf": d = Double.POSITIVE_INFINITY; break;
            case "-Inf": d = Double.NEGATIVE_INFINITY; break;
            default:
                if (!value.matches("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?"))
                {
                    throw new IllegalArgumentException(where + "bad value '" + value + "' (a timestamp is not used)");
                }
                d = Double.parseDouble(value);
        }
        return new Sample(name, labels, d);
    }

    static String key(final String name, final Map<String, String> sortedLabels)
    {
        final StringBuilder sb = new StringBuilder(name).append('{');
        sortedLabels.forEach((k, v) -> sb.append(k).append("=\"").append(v).append("\","));
        return sb.append('}').toString();
    }
}
