package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.t2l.lora.LoraWeights.Site;
import ai.t2l.model.Scalars;
import ai.t2l.train.data.Batch;
import java.util.List;
import java.util.Map;

/**
 * The next-token objective shared by the oracle LoRA, SFT and multi-task LoRA trainers (spec §6.1, §6.2): generate
 * one LoRA per row, run the frozen base model with it (LoRA dropout and NEFTune in training), then label-smoothed
 * cross-entropy reduced per token or per sample, plus the L2 penalty on the generated A and B.
 */
public record LmObjective(double labelSmoothing, double neftuneAlpha, double l2Generated,
        Losses.Reduction reduction) {

    /** Rows' description embeddings (batch, dim) for a batch, or null when the source ignores them. */
    public static NDArray embeddingRows(NDManager m, Batch b, List<float[][]> embeddings, ai.djl.ndarray.types.DataType t) {
        if (embeddings == null) {
            return null;
        }
        int dim = embeddings.get(b.tasks()[0])[0].length;
        float[] rows = new float[b.size() * dim];
        for (int i = 0; i < b.size(); i++) {
            System.arraycopy(embeddings.get(b.tasks()[i])[b.descriptions()[i]], 0, rows, i * dim, dim);
        }
        return m.create(rows, new Shape(b.size(), dim)).toType(t, false);
    }

    /** @return {total loss, cross-entropy part} as scalars in {@code scope} */
    public NDArray[] loss(NDManager scope, TrainableLm lm, LoraSource source, Batch batch, NDArray embRows,
            boolean training) {
        NDArray ids = batch.idsArray(scope);
        GeneratedLora lora = null;
        Map<Site, GeneratedLora.Pair> pairs = null;
        if (source != null) {
            pairs = source.generate(embRows, batch.size(), training);
            lora = new GeneratedLora(pairs, source.loraConfig().scaling(),
                    training ? source.loraConfig().dropout() : 0);
        }
        NDArray noise = training ? Neftune.noise(scope, neftuneAlpha, batch.size(), batch.seqLen(), lm.hiddenSize(),
                lm.dataType()) : null;
        NDArray ce;
        int[] rows = JavaCrossEntropy.targetRows(batch.labels());
        if (JavaCrossEntropy.handles(lm, rows.length)) {
            // the logits of the positions with a target only (the SFT prompt's are masked): the same loss
            NDArray logits = lm.logitsAt(ids, lora, noise, rows);
            ce = JavaCrossEntropy.lossAt(scope, logits, rows, batch.labels(), labelSmoothing, reduction);
        } else {
            NDArray logits = lm.logits(ids, lora, noise);
            ce = JavaCrossEntropy.handles(logits)
                    ? JavaCrossEntropy.loss(scope, logits, batch.labels(), labelSmoothing, reduction)
                    : Losses.crossEntropy(logits, batch.labelsArray(scope), labelSmoothing, reduction);
        }
        NDArray total = ce;
        if (pairs != null && l2Generated > 0) {
            total = ce.add(Scalars.mul(Losses.l2Generated(pairs), l2Generated));
        }
        return new NDArray[] {total, ce};
    }
}
