package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraWeights.Site;
import ai.t2l.model.ForwardInput;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.OwnedArrays;
import ai.t2l.model.Transformer;
import java.util.LinkedHashMap;
import java.util.Map;

/** The runtime's {@link Transformer} (frozen unless {@link #weights} is trained) seen as a {@link TrainableLm}: per-row LoRAs and NEFTune go in as hooks. */
public final class TransformerLm implements TrainableLm {
    private final Transformer model;

    public TransformerLm(Transformer model) {
        this.model = model;
    }

    public Transformer model() {
        return model;
    }

    @Override
    public int numLayers() {
        return model.config().numLayers();
    }

    @Override
    public int hiddenSize() {
        return model.config().hiddenSize();
    }

    @Override
    public int vocabSize() {
        return model.config().vocabSize();
    }

    @Override
    public int[] moduleDims(String module) {
        return dims(model.config(), module);
    }

    /** {in, out} of a projection from the HF config. */
    public static int[] dims(ModelConfig c, String module) {
        int h = c.hiddenSize();
        int q = c.numHeads() * c.headDim();
        int kv = c.numKvHeads() * c.headDim();
        return switch (module) {
            case "q_proj" -> new int[] {h, q};
            case "k_proj", "v_proj" -> new int[] {h, kv};
            case "o_proj" -> new int[] {q, h};
            case "gate_proj", "up_proj" -> new int[] {h, c.intermediateSize()};
            case "down_proj" -> new int[] {c.intermediateSize(), h};
            default -> throw new T2lException("unsupported LoRA target module '" + module + "'");
        };
    }

    @Override
    public DataType dataType() {
        return DataType.FLOAT32;
    }

    @Override
    public NDArray logits(NDArray inputIds, GeneratedLora lora, NDArray embeddingNoise) {
        return model.forward(inputIds.getManager(), input(inputIds, lora, embeddingNoise)).logits();
    }

    /** Only the LM head's rows that are asked for: in the SFT step of §3 half the positions, a fifth of its FLOPs. */
    @Override
    public NDArray logitsAt(NDArray inputIds, GeneratedLora lora, NDArray embeddingNoise, int[] rows) {
        return model.forward(inputIds.getManager(), input(inputIds, lora, embeddingNoise).withLogitRows(rows))
                .logits();
    }

    private ForwardInput input(NDArray inputIds, GeneratedLora lora, NDArray embeddingNoise) {
        int b = (int) inputIds.getShape().get(0);
        int s = (int) inputIds.getShape().get(1);
        int[] flat = inputIds.toType(DataType.INT32, false).toIntArray();
        int[][] ids = new int[b][s];
        for (int r = 0; r < b; r++) {
            System.arraycopy(flat, r * s, ids[r], 0, s);
        }
        ForwardInput in = ForwardInput.of(ids);
        if (lora != null) {
            // saved by autograd for backward: in PyTorch memory (see OwnedArrays)
            NDArray scaling = OwnedArrays.of(inputIds.getManager(), new float[] {(float) lora.scaling()}, new Shape());
            Map<Site, LoraBatch.Slot> slots = new LinkedHashMap<>();
            lora.pairs().forEach((site, p) -> slots.put(site, new LoraBatch.Slot(p.a(), p.b(), scaling)));
            LoraBatch batch = LoraBatch.ofArrays(slots);
            in = in.withLora(lora.dropout() > 0 ? batch.withDropout((float) lora.dropout()) : batch);
        }
        if (embeddingNoise != null) {
            in = in.withEmbeddingHook(h -> h.add(embeddingNoise));
        }
        return in;
    }

    /** Every base weight, live (marked trainable here; the set never closes them: the Transformer owns them). */
    @Override
    public ParamSet weights() {
        return ParamSet.wrap(model.manager(), model.parameters());
    }
}
