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
import java.nio.file.Path;

/**
 * {@link AdapterGenerator} over a T2L checkpoint and a description encoder (spec §8.3: one adapter folder per
 * description, written as the reference's generate_lora.py writes it, §4.4).
 */
public final class HypernetAdapterGenerator implements AdapterGenerator {
    private final HypernetCheckpoint checkpoint;
    private final TaskEmbedder embedder;
    private final String baseModel;

    public HypernetAdapterGenerator(HypernetCheckpoint checkpoint, TaskEmbedder embedder, String baseModel) {
        TaskEmbedders.checkDimension(embedder, checkpoint.config().taskEmbDim(), checkpoint.config().embModel());
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
            String choice = encoder != null ? encoder
                    : TaskEmbedders.defaultFor(c.embModel(), c.taskEmbDim(), ModelConfig.read(modelDir).hiddenSize());
            emb = TaskEmbedders.open(choice, OnnxTaskEmbedder.Pooling.CLS, () -> BaseModelTaskEmbedder.open(modelDir));
            // a hub id or the model folder's absolute path, never the checkpoint's relative model_dir (issue 11 item 4)
            String base = ai.t2l.lora.BaseModelRef.choose(null, modelDir, c.baseModel().isEmpty() ? null : c.baseModel());
            return new HypernetAdapterGenerator(ckpt, emb, base);
        } catch (RuntimeException e) {
            if (emb != null) {
                emb.close();
            }
            ckpt.close();
            throw e;
        }
    }

    public LoraWeights adapter(String description) {
        return checkpoint.hypernet().generate(embedder.embed(description).vector());
    }

    @Override
    public Path generate(String description, Path adapterDir) {
        PeftAdapter.write(adapterDir, adapter(description), baseModel, description, true);
        return adapterDir;
    }

    @Override
    public void close() {
        try {
            embedder.close();
        } finally {
            checkpoint.close();
        }
    }
}
