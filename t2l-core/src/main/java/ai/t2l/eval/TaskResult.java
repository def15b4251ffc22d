package ai.t2l.eval;

import java.util.List;

/**
 * The per-benchmark result file ({@code results/<condition>/<task>.json}): the metric in percent (the
 * paper's unit), how many items, every item's prompt, output, extracted answer and verdict, and for code
 * benchmarks which sandbox containment ran the programs ({@code sandbox}; null for text benchmarks).
 */
public record TaskResult(String task, String column, String metric, String condition, String row, double score,
                         int correct, int n, List<ItemResult> items, String sandbox) {
    /** A result without code execution (text benchmarks, and readers of files written before the field). */
    public TaskResult(String task, String column, String metric, String condition, String row, double score,
                      int correct, int n, List<ItemResult> items) {
        this(task, column, metric, condition, row, score, correct, n, items, null);
    }
}
