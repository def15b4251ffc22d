package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.t2l.model.Scalars;
import java.util.Map;
import java.util.TreeMap;

/** The training objectives of spec §5.2 and §6.2, on engine arrays so that autograd flows through them. */
public final class Losses {
    public static final int IGNORE = -100;

    private Losses() {}

    /** How token losses become one number (spec §6.2 `equally_weight_sample`). */
    public enum Reduction {
        /** Sum over all target tokens of the batch / their count (oracle LoRA, equally_weight_sample=false). */
        TOKEN_MEAN,
        /** The sum over all target tokens of the batch (a shard's share of a token mean over a larger batch). */
        TOKEN_SUM,
        /** Each sample's token mean, then the mean over samples (T2L SFT and MT LoRA). */
        SAMPLE_MEAN
    }

    /**
     * Per-token next-token losses with PyTorch cross_entropy semantics (label_smoothing, ignore_index −100):
     * loss = (1−ε)·(−log p[y]) + ε·mean_c(−log p[c]); ignored positions give 0.
     *
     * @param logits (batch, seq, vocab)
     * @param labels (batch, seq) int, −100 where not a target; shifted here (position t predicts label t+1)
     * @return (batch, seq−1) losses, and the (batch, seq−1) 0/1 target mask in the logits' dtype
     */
    public static NDArray[] tokenLosses(NDArray logits, NDArray labels, double smoothing) {
        long s = logits.getShape().get(1);
        NDArray shifted = logits.get(new NDIndex(":, :{}, :", s - 1)); // (B, S-1, V)
        NDArray targets = labels.get(new NDIndex(":, 1:")).toType(DataType.INT64, false); // (B, S-1)
        NDArray mask = targets.neq(IGNORE);
        NDArray safe = targets.mul(mask.toType(DataType.INT64, false)); // ignored → class 0, masked out below
        NDArray logp = shifted.logSoftmax(-1);
        NDArray nll = logp.gather(safe.expandDims(-1), -1).squeeze(-1).neg(); // (B, S-1)
        NDArray maskF = mask.toType(logits.getDataType(), false);
        NDArray loss = nll;
        if (smoothing > 0) {
            NDArray smooth = logp.mean(new int[] {-1}).neg();
            loss = Scalars.mul(nll, 1 - smoothing).add(Scalars.mul(smooth, smoothing));
        }
        return new NDArray[] {loss.mul(maskF), maskF};
    }

    /** Label-smoothed next-token cross-entropy reduced as asked; a sample with no target tokens contributes 0. */
    public static NDArray crossEntropy(NDArray logits, NDArray labels, double smoothing, Reduction reduction) {
        NDArray[] lm = tokenLosses(logits, labels, smoothing);
        NDArray loss = lm[0];
        NDArray mask = lm[1];
        if (reduction == Reduction.TOKEN_MEAN) {
            return loss.sum().div(mask.sum().maximum(1));
        }
        if (reduction == Reduction.TOKEN_SUM) {
            return loss.sum();
        }
        NDArray perSample = loss.sum(new int[] {1}).div(mask.sum(new int[] {1}).maximum(1)); // (B)
        return perSample.mean();
    }

    /**
     * The reference's penalty on generated LoRAs (spec §6.2): Σ_modules (mean A² + mean B²), where each mean runs
     * over every element of that module's generated batch (all layers and rows). Not multiplied by the coefficient.
     */
    public static NDArray l2Generated(Map<ai.t2l.lora.LoraWeights.Site, GeneratedLora.Pair> lora) {
        Map<String, NDArray[]> sums = new TreeMap<>();
        Map<String, long[]> counts = new TreeMap<>();
        lora.forEach((site, p) -> {
            NDArray[] s = sums.computeIfAbsent(site.module(), k -> new NDArray[2]);
            long[] c = counts.computeIfAbsent(site.module(), k -> new long[2]);
            NDArray a2 = p.a().square().sum();
            NDArray b2 = p.b().square().sum();
            s[0] = s[0] == null ? a2 : s[0].add(a2);
            s[1] = s[1] == null ? b2 : s[1].add(b2);
            c[0] += p.a().size();
            c[1] += p.b().size();
        });
        NDArray total = null;
        for (String module : sums.keySet()) {
            NDArray term = Scalars.div(sums.get(module)[0], counts.get(module)[0])
                    .add(Scalars.div(sums.get(module)[1], counts.get(module)[1]));
            total = total == null ? term : total.add(term);
        }
        return total;
    }

    /** Mean absolute error over all elements (torch l1_loss, reduction mean). */
    public static NDArray l1(NDArray prediction, NDArray target) {
        return prediction.sub(target).abs().mean();
    }
}
