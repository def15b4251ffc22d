package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.t2l.hypernet.FeatureMajorLora;
import ai.t2l.hypernet.HyperModulator;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.LoraWeights.Site;
import ai.t2l.model.OwnedArrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link HyperModulator} as the LoRA source of SFT or reconstruction: rows are laid out layer-major as in the
 * reference (row = l·batch + j, spec §2.7), one call per module, then split back per layer.
 */
public final class HyperLoraSource implements LoraSource {
    private final HyperModulator hyper;
    private final ParamSet params;

    public HyperLoraSource(HyperModulator hyper, NDManager manager) {
        this.hyper = hyper;
        this.params = ParamSet.wrap(manager, hyper.parameters());
    }

    public HyperModulator hypernet() {
        return hyper;
    }

    @Override
    public ParamSet params() {
        return params;
    }

    @Override
    public LoraConfig loraConfig() {
        return hyper.config().lora();
    }

    @Override
    public Map<Site, GeneratedLora.Pair> generate(NDArray taskEmbeddings, int batch, boolean training) {
        int layers = hyper.config().numLayers();
        Map<Site, GeneratedLora.Pair> out = new LinkedHashMap<>();
        generateByModule(taskEmbeddings, batch, training).forEach((module, ab) -> {
            // one split, not L slices: backward of a slice writes a zero-filled full-size gradient per slice and
            // sums L of them (L × the module's A/B size), backward of a split concatenates the L gradients once
            NDList as = ab.a().split(layers, 0);
            NDList bs = ab.b().split(layers, 0);
            for (int l = 0; l < layers; l++) {
                out.put(new Site(l, module), new GeneratedLora.Pair(as.get(l), bs.get(l)));
            }
        });
        return out;
    }

    /** The hypernetwork's own output: every module's rows in one call, layer-major as the interface asks. */
    @Override
    public Map<String, GeneratedLora.Pair> generateByModule(NDArray taskEmbeddings, int batch, boolean training) {
        return byModule(taskEmbeddings, batch, training, true);
    }

    /** The head's own layout of B, (layers·batch, r, out): no transposition to undo. */
    @Override
    public Map<String, GeneratedLora.Pair> generateRankMajorByModule(NDArray taskEmbeddings, int batch,
            boolean training) {
        return byModule(taskEmbeddings, batch, training, false);
    }

    /** The head's own feature-major layout ({@link HyperModulator#featureMajorDeltaWeights}), or null. */
    @Override
    public Map<String, FeatureMajorLora> generateFeatureMajorByModule(NDArray taskEmbeddings, int batch,
            boolean training) {
        if (!hyper.hasFeatureMajorOutput()) {
            return null;
        }
        Map<String, FeatureMajorLora> out = new LinkedHashMap<>();
        NDArray[] rows = layerRows(taskEmbeddings, batch, training);
        for (String module : hyper.config().moduleOrder()) {
            out.put(module, hyper.featureMajorDeltaWeights(rows[0], module, rows[1]));
        }
        return out;
    }

    private Map<String, GeneratedLora.Pair> byModule(NDArray taskEmbeddings, int batch, boolean training,
            boolean outMajorB) {
        NDArray[] rows = layerRows(taskEmbeddings, batch, training);
        Map<String, GeneratedLora.Pair> out = new LinkedHashMap<>();
        for (String module : hyper.config().moduleOrder()) {
            // A (L·b, r, in), B (L·b, out, r) or (L·b, r, out)
            NDList ab = outMajorB ? hyper.deltaWeights(rows[0], module, rows[1])
                    : hyper.rankMajorDeltaWeights(rows[0], module, rows[1]);
            out.put(module, new GeneratedLora.Pair(ab.get(0), ab.get(1)));
        }
        return out;
    }

    /**
     * The rows of a call, layer-major: their layer indices (layers·batch) and encoded task embeddings (layers·batch,
     * E), e0..e(b−1) for layer 0, then again for layer 1, ...
     */
    private NDArray[] layerRows(NDArray taskEmbeddings, int batch, boolean training) {
        hyper.setTraining(training);
        int layers = hyper.config().numLayers();
        NDArray encoded = hyper.encodeTask(taskEmbeddings); // (batch, E)
        long[] idx = new long[layers * batch];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i / batch;
        }
        NDArray layerIdx = OwnedArrays.of(taskEmbeddings.getManager(), idx, new Shape(idx.length)); // saved for backward
        return new NDArray[] {layerIdx, encoded.tile(new long[] {layers, 1})};
    }

    /** Parameters belong to the hypernetwork; closing this source does not close them. */
    @Override
    public void close() {
        params.close();
    }
}
