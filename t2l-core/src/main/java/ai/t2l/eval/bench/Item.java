package ai.t2l.eval.bench;

/**
 * One benchmark question: its id (the file's own id field, else the 0-based index in the file), the base
 * user message (template of spec §8.2, no ICL/description prefix), the assistant prefill of the base
 * condition, the gold answer as the file gives it, and for code benchmarks what the sandbox runs.
 */
public record Item(String id, String user, String prefill, String gold, CodeTask code) {
    public Item(String id, String user, String gold) {
        this(id, user, "", gold, null);
    }
}
