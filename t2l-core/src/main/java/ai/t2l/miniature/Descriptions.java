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
    /** Training descriptions per task: 3 from each of the 16 templates (5 operation x 5 format phrasings each). */
    static final int TRAIN_COUNT = 48;

    static final List<String> TRAIN_TEMPLATES = List.of(
            "{Op} and {imp}.",
            "{Op}, with the output {adj}.",
            "Given a word, {op}. {Imp}.",
            "Task: {op}. Answer {adj}.",
            "Your job is to {op}; {imp}.",
            "Take the input, {op}, and {imp}.",
            "{Op}. The answer should be {adj}.",
            "For every input word you must {op} and then {imp}.",
            // issue 14 item 3: questions, terse and wordy forms, format-first word order, and an example of the
            // format, so that the hypernetwork learns the attributes rather than one sentence shape
            "Can you {op} and {imp}?",
            "{Op}, {adj}.",
            "{Imp} after you {op}.",
            "{Op}. Format: {adj}, like {ex}.",
            "Would you {op}? The result should be {adj}.",
            "I want each word processed like this: {op}, and the result {adj}.",
            "{Op} and give it back {adj}.",
            "Read the word you are given, {op}, and when you write the answer, {imp}. Add nothing else.");

    static final List<String> EVAL_TEMPLATES = List.of(
            "I need you to {op}, then {imp}.",
            "Here is what to do with each word: {op}. Write the result {adj}.",
            "Please {op}; the output must be {adj}.");

    static Descriptions write(Operation op, OutputFormat format) {
        return write(op, format, TRAIN_TEMPLATES, EVAL_TEMPLATES, TRAIN_COUNT);
    }

    static Descriptions write(Operation op, OutputFormat format, List<String> trainTemplates,
            List<String> evalTemplates, int trainCount) {
        SplittableRandom rng = new SplittableRandom(Seeds.mix(0xde5c, Task.nameOf(op, format)));

        // the same number from every template (each with a random choice of phrasings), so that every task is
        // described in every sentence structure: questions, terse, wordy, format first, with a format example
        Random shuffle = new Random(rng.nextLong()); // Collections.shuffle with our own seed: the same on every JVM
        int perTemplate = trainCount / trainTemplates.size();
        Set<String> train = new LinkedHashSet<>();
        for (String template : trainTemplates) {
            List<String> candidates = new ArrayList<>();
            for (String phrase : op.phrases()) {
                for (String fmt : formatPhrases(template, format)) {
                    candidates.add(fill(template, phrase, fmt, format));
                }
            }
            Collections.shuffle(candidates, shuffle);
            train.addAll(candidates.subList(0, perTemplate));
        }
        List<String> trainList = new ArrayList<>(train);
        Collections.shuffle(trainList, shuffle);

        List<String> eval = new ArrayList<>();
        for (String template : evalTemplates) {
            List<String> fmts = formatPhrases(template, format);
            eval.add(fill(template, op.phrases().get(rng.nextInt(op.phrases().size())), fmts.get(rng.nextInt(fmts.size())), format));
        }
        return new Descriptions(List.copyOf(trainList), List.copyOf(eval));
    }

    private static List<String> formatPhrases(String template, OutputFormat format) {
        return template.contains("{adj}") ? format.adjectival() : format.imperative();
    }

    private static String fill(String template, String op, String fmt, OutputFormat format) {
        return template
                .replace("{Op}", Words.capitalize(op)).replace("{op}", op)
                .replace("{Imp}", Words.capitalize(fmt)).replace("{imp}", fmt)
                .replace("{adj}", fmt)
                // an example of the format alone (the letters are not an answer of the operation)
                .replace("{ex}", format.apply("xyz"));
    }
}
