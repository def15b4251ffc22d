package ai.t2l.inspect;

import ai.t2l.io.FloatTensor;
import ai.t2l.io.SafetensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tensors of one or more safetensors files, summarised so a 7B folder fits a screen (issue 10 item 19): totals
 * (tensors, parameters, bytes per dtype), then each per-layer name once with {@code layers.{i}} and the range of
 * layers it occurs in, then the tensors outside the layers. {@code all} lists every tensor instead.
 */
final class TensorSummary {
    private static final Pattern LAYER = Pattern.compile("\\.layers\\.(\\d+)\\.");

    private TensorSummary() {}

    private record Row(String name, String dtype, String shape) {}

    /** Summary (or with {@code all}, the full table) of every tensor in {@code files}, in file order. */
    static String of(List<Path> files, boolean all) {
        List<Row> rows = new ArrayList<>();
        Map<String, long[]> byDtype = new TreeMap<>(); // dtype -> {tensors, bytes}
        long params = 0;
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Path file : files) {
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                metadata.putAll(f.metadata());
                for (SafetensorsFile.Entry e : f.entries().values()) {
                    rows.add(new Row(e.name(), e.dtype().name(), Arrays.toString(e.shape())));
                    params += FloatTensor.numel(e.shape());
                    long[] d = byDtype.computeIfAbsent(e.dtype().name(), k -> new long[2]);
                    d[0]++;
                    d[1] += e.end() - e.begin();
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        if (!metadata.isEmpty()) {
            sb.append("  metadata ").append(metadata).append('\n');
        }
        if (all) {
            table(sb, rows);
        } else {
            summary(sb, rows);
        }
        long bytes = byDtype.values().stream().mapToLong(d -> d[1]).sum();
        List<String> dtypes = new ArrayList<>();
        byDtype.forEach((k, d) -> dtypes.add(d[0] + " " + k));
        sb.append(String.format(Locale.ROOT, "  %d tensors, %,d parameters, %s (%s)%s%n", rows.size(), params,
                size(bytes), String.join(", ", dtypes), files.size() > 1 ? " in " + files.size() + " files" : ""));
        return sb.toString();
    }

    private static void table(StringBuilder sb, List<Row> rows) {
        int w0 = Math.max(6, rows.stream().mapToInt(r -> r.name().length()).max().orElse(6));
        sb.append(String.format(Locale.ROOT, "  %-" + w0 + "s  %-5s  %s%n", "tensor", "dtype", "shape"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "  %-" + w0 + "s  %-5s  %s%n", r.name(), r.dtype(), r.shape()));
        }
    }

    /** Per-layer names once (with the layers they occur in and every distinct dtype/shape), then the rest. */
    private static void summary(StringBuilder sb, List<Row> rows) {
        Map<String, TreeSet<Integer>> layersOf = new LinkedHashMap<>();
        Map<String, TreeSet<String>> kindsOf = new LinkedHashMap<>();
        List<Row> other = new ArrayList<>();
        for (Row r : rows) {
            Matcher m = LAYER.matcher(r.name());
            if (!m.find()) {
                other.add(r);
                continue;
            }
            String pattern = r.name().substring(0, m.start()) + ".layers.{i}." + r.name().substring(m.end());
            layersOf.computeIfAbsent(pattern, k -> new TreeSet<>()).add(Integer.parseInt(m.group(1)));
            kindsOf.computeIfAbsent(pattern, k -> new TreeSet<>()).add(r.dtype() + "  " + r.shape());
        }
        List<Row> summary = new ArrayList<>();
        layersOf.forEach((p, layers) -> summary.add(new Row(p, String.join(" | ", kindsOf.get(p)), "")));
        if (!layersOf.isEmpty()) {
            TreeSet<Integer> all = new TreeSet<>();
            layersOf.values().forEach(all::addAll);
            sb.append(String.format(Locale.ROOT, "  per layer (i = %s, %d layers; --all lists every tensor)%n",
                    range(all), all.size()));
            int w0 = summary.stream().mapToInt(r -> r.name().length()).max().orElse(6);
            for (Row r : summary) {
                TreeSet<Integer> ls = layersOf.get(r.name());
                String where = ls.equals(all) ? "" : "  (layers " + range(ls) + ")";
                sb.append(String.format(Locale.ROOT, "    %-" + w0 + "s  %s%s%n", r.name(), r.dtype(), where));
            }
        }
        if (!other.isEmpty()) {
            if (!layersOf.isEmpty()) {
                sb.append("  other tensors\n");
            }
            table(sb, other);
        }
    }

    /** 0..31, or a list when not contiguous. */
    private static String range(TreeSet<Integer> s) {
        if (s.last() - s.first() + 1 == s.size()) {
            return s.size() == 1 ? Integer.toString(s.first()) : s.first() + ".." + s.last();
        }
        return s.toString();
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
