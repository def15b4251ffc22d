package ai.t2l.miniature;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Writes a task's descriptions from the operation's phrases, the format's phrases and sentence templates.
 *
 * <p>Training and evaluation use disjoint template sets, so an evaluation description is new wording, not a
 * reshuffle of a training one (the reference's 3 evaluation descriptions were hand-written apart from its 128).
 * {@code {op}} is an imperative verb phrase, {@code {imp}} an imperative format clause, {@code {adj}} an adjectival
 * format phrase; a capitalised placeholder starts a sentence.
 */
record Descriptions(List<String> train, List<String> eval) {
    static final int TRAIN_COUNT = 32;

    static final List<String> TRAIN_TEMPLATES = List.of(
            "{Op} and {imp}.",
            "{Op}, with the output {adj}.",
            "Given a word, {op}. {Imp}.",
            "Task: {op}. Answer {adj}.",
            "Your job is to {op}; {imp}.",
            "Take the input, {op}, and {imp}.",
            "{Op}. The answer should be {adj}.",
            "For every input word you must {op} and then {imp}.");

    static final List<String> EVAL_TEMPLATES = List.of(
            "I need you to {op}, then {imp}.",
            "Here is what to do with each word: {op}. Write the result {adj}.",
            "Please {op}; the output must be {adj}.");

    static Descriptions write(Operation op, OutputFormat format) {
        SplittableRandom rng = new SplittableRandom(Seeds.mix(0xde5c, Task.nameOf(op, format)));

        List<String> candidates = new ArrayList<>();
        for (String template : TRAIN_TEMPLATES) {
            for (String phrase : op.phrases()) {
                for (String fmt : formatPhrases(template, format)) {
                    candidates.add(fill(template, phrase, fmt));
                }
            }
        }
        // Collections.shuffle with a Random seeded from our own stream: deterministic on every JVM.
        Collections.shuffle(candidates, new Random(rng.nextLong()));
        Set<String> train = new LinkedHashSet<>(candidates);
        List<String> trainList = new ArrayList<>(train).subList(0, TRAIN_COUNT);

        List<String> eval = new ArrayList<>();
        for (String template : EVAL_TEMPLATES) {
            List<String> fmts = formatPhrases(template, format);
            eval.add(fill(template, op.phrases().get(rng.nextInt(op.phrases().size())), fmts.get(rng.nextInt(fmts.size()))));
        }
        return new Descriptions(List.copyOf(trainList), List.copyOf(eval));
    }

    private static List<String> formatPhrases(String template, OutputFormat format) {
        return template.contains("{adj}") ? format.adjectival() : format.imperative();
    }

    private static String fill(String template, String op, String fmt) {
        return template
                .replace("{Op}", Words.capitalize(op)).replace("{op}", op)
                .replace("{Imp}", Words.capitalize(fmt)).replace("{imp}", fmt)
                .replace("{adj}", fmt);
    }
}
