package ai.t2l.server;

import ai.t2l.embed.OnnxTaskEmbedder;
import ai.t2l.embed.TaskEmbedder;
import ai.t2l.generate.BatchingDecoder;
import ai.t2l.hypernet.HypernetCheckpoint;
import ai.t2l.hypernet.LoadOptions;
import ai.t2l.io.T2lException;
import ai.t2l.model.AdapterCheck;
import ai.t2l.model.ModelConfig;
import ai.t2l.compute.WeightPrecision;
import ai.t2l.model.Transformer;
import ai.t2l.tokenizer.ChatFormat;
import ai.t2l.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the server needs from disk, opened once: base model, tokenizer, T2L checkpoint and description encoder,
 * wired into a {@link HypernetAdapterGenerator} and a {@link TransformerChatEngine}. Close it after the server has
 * stopped; it frees the native memory of all of them.
 */
public final class ServingStack implements AutoCloseable {
    /**
     * @param format        the model's chat format
     * @param baseModelName what clients pass as "model" for the base model
     * @param maxBatch      most requests decoded together in one forward pass
     * @param embedder      description encoder; null = the bundled bge-small-en-v1.5
     * @param localEngine   false when chats are answered elsewhere ({@code serve --upstream}): then only the base
     *                      model's config.json is read (to check the checkpoint against it), never its weights, which
     *                      for a 7-8B model would take 15 GB the front does not use
     */
    public record Settings(Path modelDir, Path t2lDir, ChatFormat format, String baseModelName, int maxBatch,
            TaskEmbedder embedder, boolean localEngine) {
        public Settings(Path modelDir, Path t2lDir, ChatFormat format, String baseModelName, int maxBatch,
                TaskEmbedder embedder) {
            this(modelDir, t2lDir, format, baseModelName, maxBatch, embedder, true);
        }
    }

    private final List<AutoCloseable> owned;
    private final HypernetAdapterGenerator generator;
    private final TransformerChatEngine engine;

    private ServingStack(Settings s, List<AutoCloseable> owned) {
        this.owned = owned;
        TaskEmbedder given = s.embedder() == null ? null : own(s.embedder()); // closed too if anything below fails
        Transformer model = null;
        Tokenizer tokenizer = null;
        if (s.localEngine()) {
            model = own(Transformer.load(s.modelDir(), WeightPrecision.inferenceDefault()));
            tokenizer = own(Tokenizer.open(s.modelDir()));
            if (tokenizer.size() > model.config().vocabSize()) {
                throw new T2lException(s.modelDir() + ": tokenizer.json has " + tokenizer.size() + " tokens but"
                        + " config.json vocab_size is " + model.config().vocabSize());
            }
        }
        ModelConfig config = model != null ? model.config() : ModelConfig.read(s.modelDir());
        HypernetCheckpoint ckpt = own(HypernetCheckpoint.load(s.t2lDir(), LoadOptions.defaults().withModelDir(
                s.modelDir()), null));
        TaskEmbedder embedder = given != null ? given : own(OnnxTaskEmbedder.bundled());
        generator = new HypernetAdapterGenerator(ckpt, embedder, s.baseModelName(),
                ai.t2l.lora.BaseModelRef.of(s.modelDir(), null));
        // One probe adapter: a checkpoint made for another base model fails here with both folders named, not later
        // on a user's first request.
        try {
            AdapterCheck.check(config, generator.generate("probe"), s.t2lDir().toString());
        } catch (T2lException e) {
            throw new T2lException("the T2L checkpoint " + s.t2lDir() + " does not fit the base model " + s.modelDir()
                    + ": " + e.getMessage(), e);
        }
        if (model == null) {
            engine = null;
            return;
        }
        BatchingDecoder decoder = own(new BatchingDecoder(model, tokenizer, s.maxBatch()));
        engine = new TransformerChatEngine(decoder, tokenizer, s.format(), model.config());
    }

    /** Opens everything; on any failure closes what was opened and rethrows. */
    public static ServingStack open(Settings settings) {
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            return new ServingStack(settings, owned);
        } catch (RuntimeException | Error e) {
            closeAll(owned);
            throw e;
        }
    }

    private <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    public AdapterGenerator generator() {
        return generator;
    }

    /** The local chat engine; a stack opened without one ({@code localEngine} false) has none to give. */
    public ChatEngine engine() {
        if (engine == null) {
            throw new IllegalStateException("this serving stack was opened without a local engine (serve --upstream)");
        }
        return engine;
    }

    /** Closes in reverse order of opening: the decoder thread stops before the model it uses is freed. */
    @Override
    public void close() {
        closeAll(owned);
    }

    private static void closeAll(List<AutoCloseable> owned) {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                // keep closing the rest: the others' native memory must still be freed
            }
        }
        owned.clear();
    }
}
