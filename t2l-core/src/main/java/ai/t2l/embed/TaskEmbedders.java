package ai.t2l.embed;

import ai.t2l.io.T2lException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/** Picks a description encoder by the name users type: {@code bundled}, {@code base}, or an ONNX export folder. */
public final class TaskEmbedders {
    public static final String BUNDLED = "bundled";
    public static final String BASE = "base";

    private TaskEmbedders() {}

    /**
     * @param choice  null or "bundled": bge-small-en-v1.5 shipped in the jar; "base": the base LLM (spec §3 fallback),
     *                made by {@code base}; otherwise a folder with model.onnx + tokenizer.json
     * @param base    makes the base-model embedder (borrowing an open model, or loading one)
     */
    public static TaskEmbedder open(String choice, OnnxTaskEmbedder.Pooling pooling, Supplier<TaskEmbedder> base) {
        if (choice == null || choice.equals(BUNDLED)) {
            return OnnxTaskEmbedder.bundled();
        }
        if (choice.equals(BASE)) {
            return base.get();
        }
        Path dir = Path.of(choice);
        if (!Files.isDirectory(dir)) {
            throw new T2lException("--encoder " + choice + ": expected '" + BUNDLED + "', '" + BASE
                    + "', an ONNX encoder folder (model.onnx + tokenizer.json) or a Hugging Face gte-v1.5 folder"
                    + " (config.json + model.safetensors + tokenizer.json); no such folder");
        }
        // the reference's encoder as downloaded from Hugging Face (model_type "new"), run natively (issue 12 item 11)
        if (!Files.isRegularFile(dir.resolve("model.onnx")) && Files.isRegularFile(dir.resolve("config.json"))) {
            if (NewModelConfig.isNewModel(dir)) {
                return GteTaskEmbedder.open(dir);
            }
            // a decoder folder (e.g. Salesforce/SFR-Embedding-Mistral): last-token pooling, SFR template by name
            return BaseModelTaskEmbedder.openEncoder(dir);
        }
        return OnnxTaskEmbedder.fromFolder(dir, pooling);
    }

    /**
     * The encoder for a checkpoint when the user names none, from its recorded {@code emb_model}: the base model when
     * it says "base"; else the bundled encoder when the width is its 384; else the base model when the width is the
     * base model's hidden size (the reference's fallback for an empty emb_model, §3); else the bundled one, which
     * {@link #checkDimension} then refuses with a clear message.
     */
    public static String defaultFor(String embModel, int taskEmbDim, int baseHidden) {
        String e = embModel == null ? "" : embModel.strip().toLowerCase(java.util.Locale.ROOT);
        if (e.startsWith(BASE)) {
            return BASE;
        }
        if (taskEmbDim == OnnxTaskEmbedder.BUNDLED_DIMENSION) {
            return BUNDLED;
        }
        return taskEmbDim == baseHidden ? BASE : BUNDLED;
    }

    /** Fails clearly when an encoder's width differs from what the hypernetwork reads. */
    public static void checkDimension(TaskEmbedder e, int expected, String embModel) {
        if (e.dimension() != expected) {
            throw new T2lException("the hypernetwork expects " + expected + "-d task embeddings"
                    + (embModel == null || embModel.isEmpty() ? "" : " (trained with " + embModel + ")")
                    + " but the encoder " + e.name() + " gives " + e.dimension() + "; pass --encoder with a matching "
                    + "one (bundled = 384-d bge-small, base = the base model's hidden size, an ONNX folder, or a Hugging Face"
                    + " gte-large-en-v1.5 folder for the reference's 1024-d checkpoints)");
        }
    }
}
