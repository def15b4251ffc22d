package ai.t2l.eval.bench;

import ai.t2l.io.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * GSM8K test (openai/grade-school-math {@code question, answer}); no id field, so ids are 0-based line
 * indexes. Gold and prediction are both read with {@link LastNumber} (spec §8.2) and compared as numbers:
 * the gold as an integer, the prediction as a float, as the reference does.
 *
 * <p>Reference mode (default) copies the two quirks so numbers compare with the paper: no ICL/description
 * prefix ever reaches the prompt (§8.3), and the comma/sign-blind extraction. Fixed mode
 * ({@code new Gsm8k(true)}) uses the prefix and reads numbers with commas and signs.
 */
public final class Gsm8k extends NamedBenchmark {
    private static final String FILE = "gsm8k/test.jsonl";
    private final boolean fixed;

    public Gsm8k() {
        this(false);
    }

    public Gsm8k(boolean fixed) {
        super("gsm8k", "GSM8K", FILE);
        this.fixed = fixed;
    }

    /** Spec §8.2: "Let's think step by step." at evaluation (training had a trailing space, §12.7). */
    public static final String PREFILL = "Let's think step by step.";

    @Override
    public boolean iclAnswerPrefill() {
        return false;
    }

    @Override
    public boolean usesPrefix() {
        return fixed;
    }

    @Override
    public List<Item> load(Path dir) {
        Path path = dir.resolve(FILE);
        String template = EvalPrompts.template(name());
        List<Item> items = new ArrayList<>();
        DataFiles.jsonLines(path, (no, node) -> {
            ObjectNode example = Json.MAPPER.createObjectNode();
            example.put("question", DataFiles.text(path, no, node, "question"));
            items.add(new Item(String.valueOf(items.size()), PyFormat.format(template, example), PREFILL,
                    DataFiles.text(path, no, node, "answer"), null));
        });
        return items;
    }

    /** The gold number of a reference solution: the extraction of the whole text (reference) or the text after "####". */
    public String goldNumber(String solution) {
        if (fixed) {
            int hash = solution.lastIndexOf("####");
            return SignedNumber.normalise(hash >= 0 ? solution.substring(hash + 4).trim() : SignedNumber.find(solution));
        }
        String n = LastNumber.find(solution);
        return n == null ? null : new java.math.BigDecimal(n).toBigInteger().toString();
    }

    @Override
    public Verdict score(Item item, String output) {
        String gold = goldNumber(item.gold());
        String got = fixed ? SignedNumber.find(output) : LastNumber.find(output);
        if (got == null || gold == null) {
            return Verdict.of(got, false);
        }
        // Python: float(pred) == int(gold)
        boolean ok = fixed ? new java.math.BigDecimal(got).compareTo(new java.math.BigDecimal(gold)) == 0
                : Double.parseDouble(got) == Double.parseDouble(gold);
        return Verdict.of(got, ok);
    }
}
