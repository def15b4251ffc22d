package ai.t2l.eval.bench;

import java.nio.file.Path;
import java.util.List;

/** One of the paper's ten benchmarks: its data file, prompts and scoring (spec §8.2). */
public interface Benchmark {
    /** The reference's task name, e.g. {@code arc_challenge}. */
    String name();

    /** The column header of the paper's table, e.g. {@code ArcC}. */
    String column();

    /** The metric name the reference reports: {@code acc}, or {@code humaneval_base_pass@1} for code. */
    default String metric() {
        return "acc";
    }

    /** The data files, relative to the benchmarks folder, that {@link #load} reads. */
    List<String> files();

    List<Item> load(Path benchmarksDir);

    /** Whether ICL replaces the prefill with "Answer:": every task except gsm8k, humaneval and mbpp (spec §8.3). */
    default boolean iclAnswerPrefill() {
        return true;
    }

    /**
     * Whether the ICL / description prefix reaches the prompt. The reference builds it for GSM8K but never
     * uses it (spec §8.3 QUIRK); {@code Gsm8k} copies that by default.
     */
    default boolean usesPrefix() {
        return true;
    }

    /** Scores a non-code output; code benchmarks are scored through the sandbox instead. */
    Verdict score(Item item, String output);

    default boolean isCode() {
        return false;
    }
}
