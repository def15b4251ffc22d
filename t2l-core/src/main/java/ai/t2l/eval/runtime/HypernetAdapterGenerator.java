package ai.t2l.eval.runtime;

import ai.t2l.embed.BaseModelTaskEmbedder;
import ai.t2l.embed.OnnxTaskEmbedder;
import ai.t2l.embed.TaskEmbedder;
import ai.t2l.embed.TaskEmbedders;
import ai.t2l.eval.AdapterGenerator;
import ai.t2l.hypernet.HyperConfig;
import ai.t2l.hypernet.HypernetCheckpoint;
import ai.t2l.hypernet.LoadOptions;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import ai.t2l.model.ModelConfig;
import ai.t2l.eval.CompletionModel;
import ai.t2l.hypernet.OneHotTasks;
import ai.t2l.hypernet.TaskEncoderType;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraScale;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link AdapterGenerator} over a T2L checkpoint and a description encoder (spec §8.3: one adapter folder per
 * description, written as the reference's generate_lora.py writes it, §4.4).
 */
public final class HypernetAdapterGenerator implements AdapterGenerator {
    private final HypernetCheckpoint checkpoint;
    private final TaskEmbedder embedder;
    private final String baseModel;

    /** {@code embedder} null only for a one-hot checkpoint, which reads task ids instead of text. */
    public HypernetAdapterGenerator(HypernetCheckpoint checkpoint, TaskEmbedder embedder, String baseModel) {
        if (embedder != null) {
            TaskEmbedders.checkDimension(embedder, checkpoint.config().taskEmbDim(), checkpoint.config().embModel());
        } else if (checkpoint.config().encoderType() != TaskEncoderType.ONE_HOT) {
            throw new IllegalArgumentException("a description encoder is needed for " + checkpoint.source());
        }
        this.checkpoint = checkpoint;
        this.embedder = embedder;
        this.baseModel = baseModel;
    }

    /**
     * Loads {@code t2lDir} for the base model in {@code modelDir}; {@code encoder} as {@link TaskEmbedders#open}
     * (null: the checkpoint's own, {@link TaskEmbedders#defaultFor}).
     */
    public static HypernetAdapterGenerator open(Path t2lDir, Path modelDir, String encoder) {
        HypernetCheckpoint ckpt = HypernetCheckpoint.load(t2lDir, LoadOptions.defaults().withModelDir(modelDir), null);
        TaskEmbedder emb = null;
        try {
            HyperConfig c = ckpt.config();
            String base = ai.t2l.lora.BaseModelRef.choose(null, modelDir, c.baseModel().isEmpty() ? null : c.baseModel());
            if (c.encoderType() == TaskEncoderType.ONE_HOT) {
                return new HypernetAdapterGenerator(ckpt, null, base); // task ids, no text encoder
            }
            String choice = encoder != null ? encoder
                    : TaskEmbedders.defaultFor(c.embModel(), c.taskEmbDim(), ModelConfig.read(modelDir).hiddenSize());
            emb = TaskEmbedders.open(choice, OnnxTaskEmbedder.Pooling.CLS, () -> BaseModelTaskEmbedder.open(modelDir));
            // base: a hub id or the model folder's absolute path, never the checkpoint's relative model_dir (issue 11
            // item 4)
            return new HypernetAdapterGenerator(ckpt, emb, base);
        } catch (RuntimeException e) {
            if (emb != null) {
                emb.close();
            }
            ckpt.close();
            throw e;
        }
    }

    /** How a checkpoint folder is conditioned, from its config alone (no weights loaded). */
    public static ai.t2l.eval.t2l.T2lMode.Checkpoint describe(Path t2lDir, Path modelDir) {
        HyperConfig c = HypernetCheckpoint.readConfig(t2lDir, LoadOptions.defaults().withModelDir(modelDir));
        if (c.encoderType() == TaskEncoderType.ONE_HOT) {
            return new ai.t2l.eval.t2l.T2lMode.Checkpoint(ai.t2l.eval.t2l.T2lMode.ONE_HOT, c.taskNames());
        }
        return new ai.t2l.eval.t2l.T2lMode.Checkpoint(c.inputAsDescription() ? ai.t2l.eval.t2l.T2lMode.HYPERDECODER
                : ai.t2l.eval.t2l.T2lMode.DESCRIPTIONS, List.of());
    }

    public LoraWeights adapter(String description) {
        return checkpoint.hypernet().generate(embedder().embed(description).vector());
    }

    /** One adapter per description, the hypernetwork run once for all of them (the Hyperdecoders' batches). */
    public List<LoraWeights> adapters(List<String> descriptions) {
        List<float[]> emb = new ArrayList<>(descriptions.size());
        for (String d : descriptions) {
            emb.add(embedder().embed(d).vector());
        }
        return checkpoint.hypernet().generate(emb);
    }

    private TaskEmbedder embedder() {
        if (embedder == null) {
            OneHotTasks t = OneHotTasks.of(checkpoint.config());
            throw new T2lException(checkpoint.source() + ": a one-hot T2L reads one-hot task ids, not text; it knows "
                    + t.size() + " training tasks (use t2l eval run --t2l-protocol one-hot, or generate"
                    + " --one-hot-task NAME)");
        }
        return embedder;
    }

    @Override
    public Path generate(String description, Path adapterDir) {
        PeftAdapter.write(adapterDir, adapter(description), baseModel, description, true);
        return adapterDir;
    }

    /** A one-hot id or a mixture of them (spec §9); the width must be the checkpoint's number of training tasks. */
    @Override
    public Path generate(float[] taskInput, String input, Path adapterDir) {
        OneHotTasks.of(checkpoint.config()); // a description-conditioned checkpoint: the clear error
        PeftAdapter.write(adapterDir, checkpoint.hypernet().generate(taskInput), baseModel, input, true);
        return adapterDir;
    }

    @Override
    public CompletionModel perPromptModel(Path modelDir, LoraScale scale) {
        embedder(); // a one-hot checkpoint cannot read prompts: fail before the model loads
        return HyperdecoderCompletionModel.open(modelDir, this, scale, EvalWiring.DEFAULT_BATCH);
    }

    @Override
    public void close() {
        try {
            if (embedder != null) {
                embedder.close();
            }
        } finally {
            checkpoint.close();
        }
    }
}
