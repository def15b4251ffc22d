package ai.t2l.miniature;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A task of the miniature world: an operation with its parameter, then an output format. Immutable. */
public final class Task {
    public enum Role { TRAIN, HELD_OUT }

    /** What is new about a held-out task relative to training. */
    public enum Novelty {
        /** A training task. */
        NONE,
        /** A parameter value no training task has, in a family and with a format trained in that family. */
        UNSEEN_PARAMETER,
        /** An operation and a format that are each trained, but never together. */
        UNSEEN_COMBINATION
    }

    private final Operation operation;
    private final OutputFormat format;
    private final Role role;
    private final Novelty novelty;
    private final List<String> trainDescriptions;
    private final List<String> evalDescriptions;

    Task(Operation operation, OutputFormat format, Role role, Novelty novelty, Descriptions descriptions) {
        this.operation = operation;
        this.format = format;
        this.role = role;
        this.novelty = novelty;
        this.trainDescriptions = List.copyOf(descriptions.train());
        this.evalDescriptions = List.copyOf(descriptions.eval());
    }

    /** Stable name, e.g. {@code shift-3_brackets} or {@code reverse_plain}. */
    public String name() {
        return nameOf(operation, format);
    }

    static String nameOf(Operation operation, OutputFormat format) {
        return operation.key() + "_" + format.id();
    }

    public String family() {
        return operation.family();
    }

    /** The parameter value, or "" for families without one. */
    public String parameter() {
        return operation.parameter();
    }

    /** The operation with its parameter, e.g. {@code shift-3}. */
    public String operation() {
        return operation.key();
    }

    public OutputFormat format() {
        return format;
    }

    public Role role() {
        return role;
    }

    public Novelty novelty() {
        return novelty;
    }

    /** family, parameter, format, in that order. */
    public Map<String, String> attributes() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("family", family());
        m.put("parameter", parameter());
        m.put("format", format.id());
        return m;
    }

    /** Descriptions for training: 32 per task, every one naming the operation, its parameter and the format. */
    public List<String> trainDescriptions() {
        return trainDescriptions;
    }

    /** Three descriptions in wording (templates) never used by any training description. */
    public List<String> evalDescriptions() {
        return evalDescriptions;
    }

    /**
     * Evidence of what is wanted, in the input itself, as real benchmark prompts carry it (issue 14 item 1): for tasks
     * of the families in {@link WorldDesign#CUED_FAMILIES}, the operation with its parameter and the format ("rotate
     * left 2, in brackets: "); "" for the others. So a model without the description (the base model, the
     * multi-task LoRA) can learn these tasks from their inputs, and none of the others. (Pipeline version 7 cued the
     * operation only: with exact-match scoring a model that had to guess the format could do none of the work.)
     */
    public String inputCue() {
        return WorldDesign.CUED_FAMILIES.contains(family())
                ? operation().replace('-', ' ') + ", " + format.cue() + ": "
                : "";
    }

    /** The exact expected answer for an input word. */
    public String answer(String input) {
        return format.apply(operation.function().apply(input));
    }

    @Override
    public String toString() {
        return name();
    }
}
