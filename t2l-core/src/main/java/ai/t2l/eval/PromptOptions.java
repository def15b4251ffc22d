package ai.t2l.eval;

import ai.t2l.eval.bench.Benchmark;
import ai.t2l.eval.bench.EvalPrompts;
import ai.t2l.eval.bench.Item;

/**
 * The prompt conditions of spec §8.3: {@code --icl} prepends the task's fixed 3-shot block and, for every
 * task but gsm8k, humaneval and mbpp, replaces the prefill with "Answer:"; {@code --task-desc} prepends the
 * task's description message. ICL wins when both are set (the reference's precedence). GSM8K never gets a
 * prefix in reference mode (its QUIRK, see {@code Gsm8k}).
 */
public record PromptOptions(boolean icl, boolean taskDesc) {
    public static final PromptOptions BASE = new PromptOptions(false, false);

    public ChatPrompt build(Benchmark b, Item item) {
        String prefix = "";
        if (b.usesPrefix()) {
            if (icl) {
                String block = EvalPrompts.inContextExamples(b.name());
                // HumanEval's block is empty (0-shot); its ICL numbers equal the base ones in every README
                // table, so no stray "\n\n" is prepended either (inferred)
                prefix = block.isEmpty() ? "" : block + "\n\n";
            } else if (taskDesc) {
                prefix = EvalPrompts.taskDescription(b.name()) + "\n\n";
            }
        }
        String prefill = icl && b.iclAnswerPrefill() ? "Answer:" : item.prefill();
        return new ChatPrompt(prefix + item.user(), prefill);
    }

    /** A short key for folders and the cache: base, icl, task_desc or icl+task_desc. */
    public String key() {
        if (icl && taskDesc) {
            return "icl+task_desc";
        }
        return icl ? "icl" : taskDesc ? "task_desc" : "base";
    }

    /** The suffix of a row label in the paper's style, e.g. " w/ ICL". */
    public String label() {
        if (icl && taskDesc) {
            return " w/ ICL + task desc";
        }
        return icl ? " w/ ICL" : taskDesc ? " w/ task desc" : "";
    }
}
