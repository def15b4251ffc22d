package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.LoraWeights.Site;
import java.util.Map;

/**
 * Whatever produces the per-row LoRAs that a training step applies: a hypernetwork (T2L SFT, one LoRA per row from
 * that row's description embedding) or one shared trainable LoRA (oracle and multi-task LoRA, which ignore the
 * embeddings). Its trainable parameters are the only ones the optimiser sees.
 */
public interface LoraSource extends AutoCloseable {
    ParamSet params();

    LoraConfig loraConfig();

    /**
     * @param taskEmbeddings (batch, embDim) description embeddings, or null for sources that ignore them
     * @param batch          number of rows
     * @param training       dropout inside the generator is active only in training
     * @return for every adapted site A (batch, r, in) and B (batch, out, r)
     */
    Map<Site, GeneratedLora.Pair> generate(NDArray taskEmbeddings, int batch, boolean training);

    @Override
    default void close() {
        params().close();
    }
}
