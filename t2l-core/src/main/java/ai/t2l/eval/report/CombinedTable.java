package ai.t2l.eval.report;

import ai.t2l.eval.bench.Benchmarks;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The paper's table: one row per model/condition, one column per benchmark in the paper's order, then AVG.
 * A cell averages every result of its row and task (the 3 LoRAs of a T2L split, spec §8.3); AVG is the mean
 * of the row's benchmark cells (the paper's benchmark_avg when all 10 are present). ROUGE-L columns of SNI tasks
 * (issue 12 item 10) stay out of it, as the reference's benchmark_avg leaves out its lol tasks; a row with SNI
 * cells only averages those.
 */
public record CombinedTable(List<String> tasks, List<String> columns, List<Row> rows) {
    public record Row(String label, List<Double> cells, double average, int cellsPresent) {}

    public static CombinedTable of(List<ResultFiles.Summary> results) {
        List<String> tasks = new ArrayList<>();
        Map<String, String> columnOf = new LinkedHashMap<>();
        Map<String, Map<String, double[]>> sums = new LinkedHashMap<>(); // row -> task -> {sum, count}
        for (ResultFiles.Summary s : results) {
            if (!tasks.contains(s.task())) {
                tasks.add(s.task());
                columnOf.put(s.task(), s.column());
            }
            double[] acc = sums.computeIfAbsent(s.row(), r -> new LinkedHashMap<>()).computeIfAbsent(s.task(), t -> new double[2]);
            acc[0] += s.score();
            acc[1] += 1;
        }
        tasks.sort(Comparator.comparingInt(Benchmarks::order).thenComparing(t -> t));
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, Map<String, double[]>> e : sums.entrySet()) {
            List<Double> cells = new ArrayList<>();
            double total = 0;
            int present = 0;
            double benchTotal = 0;
            int benchPresent = 0;
            for (String t : tasks) {
                double[] acc = e.getValue().get(t);
                Double v = acc == null ? null : acc[0] / acc[1];
                cells.add(v);
                if (v != null) {
                    total += v;
                    present++;
                    if (Benchmarks.names().contains(t)) {
                        benchTotal += v;
                        benchPresent++;
                    }
                }
            }
            double average = benchPresent > 0 ? benchTotal / benchPresent : present == 0 ? Double.NaN : total / present;
            rows.add(new Row(e.getKey(), cells, average, present));
        }
        return new CombinedTable(List.copyOf(tasks), tasks.stream().map(columnOf::get).toList(), rows);
    }
}
