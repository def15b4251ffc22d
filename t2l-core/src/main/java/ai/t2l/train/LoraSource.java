package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.t2l.hypernet.FeatureMajorLora;
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

    /**
     * The same LoRAs with all layers of a module in one array, layer-major: A (layers·batch, r, in) and B
     * (layers·batch, out, r), row l·batch + j being layer l of batch row j. For losses over whole modules (one engine
     * op per module instead of one per site). This default concatenates {@link #generate}'s sites in layer order.
     */
    default Map<String, GeneratedLora.Pair> generateByModule(NDArray taskEmbeddings, int batch, boolean training) {
        Map<String, java.util.TreeMap<Integer, GeneratedLora.Pair>> byModule = new java.util.LinkedHashMap<>();
        generate(taskEmbeddings, batch, training).forEach((site, p) ->
                byModule.computeIfAbsent(site.module(), k -> new java.util.TreeMap<>()).put(site.layer(), p));
        Map<String, GeneratedLora.Pair> out = new java.util.LinkedHashMap<>();
        byModule.forEach((module, layers) -> {
            ai.djl.ndarray.NDList as = new ai.djl.ndarray.NDList();
            ai.djl.ndarray.NDList bs = new ai.djl.ndarray.NDList();
            layers.values().forEach(p -> {
                as.add(p.a());
                bs.add(p.b());
            });
            out.put(module, new GeneratedLora.Pair(ai.djl.ndarray.NDArrays.concat(as, 0),
                    ai.djl.ndarray.NDArrays.concat(bs, 0)));
        });
        return out;
    }

    /**
     * {@link #generateByModule} with each B as (layers·batch, r, out), the transpose of the LoRA layout: for losses
     * that compare element by element, where it is the same loss. This default transposes {@link #generateByModule}'s
     * B (a view); a hypernetwork hands over its head's own layout, so nothing is copied to read it.
     */
    default Map<String, GeneratedLora.Pair> generateRankMajorByModule(NDArray taskEmbeddings, int batch,
            boolean training) {
        Map<String, GeneratedLora.Pair> out = new java.util.LinkedHashMap<>();
        generateByModule(taskEmbeddings, batch, training).forEach((module, p) ->
                out.put(module, new GeneratedLora.Pair(p.a(), p.b().transpose(0, 2, 1))));
        return out;
    }

    /**
     * Each module's A and B as a hypernetwork's head writes them ({@link FeatureMajorLora}), for
     * element-wise losses that read that layout in place; null where the source has no such layout (the default),
     * and the caller takes {@link #generateRankMajorByModule}.
     */
    default Map<String, FeatureMajorLora> generateFeatureMajorByModule(NDArray taskEmbeddings,
            int batch, boolean training) {
        return null;
    }

    @Override
    default void close() {
        params().close();
    }
}
