package ai.t2l.eval;

import java.util.List;

/**
 * The per-benchmark result file ({@code results/<condition>/<task>.json}): the metric in percent (the
 * paper's unit), how many items, and every item's prompt, output, extracted answer and verdict.
 */
public record TaskResult(String task, String column, String metric, String condition, String row, double score,
                         int correct, int n, List<ItemResult> items) {}
