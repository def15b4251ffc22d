package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.t2l.lora.LoraWeights.Site;
import ai.t2l.model.Scalars;
import java.util.Map;

/**
 * A LoRA per batch row, as engine arrays that may carry autograd: for each adapted (layer, module) an A of shape
 * (batch, r, in) and a B of shape (batch, out, r). The model adds {@link #delta} to the module's output, which is the
 * reference's training hook (spec §6.1): s·B_j(A_j·dropout(x_j)) for row j. Dropout draws from
 * {@link ai.t2l.model.Dropout}'s stream, which the trainers seed at every step from their own saved RNG, so resumed
 * runs draw the same masks.
 */
public final class GeneratedLora {
    public record Pair(NDArray a, NDArray b) {}

    private final Map<Site, Pair> pairs;
    private final double scaling;
    private final float dropout;

    /** @param dropout LoRA dropout probability on the module input; 0 outside training */
    public GeneratedLora(Map<Site, Pair> pairs, double scaling, double dropout) {
        this.pairs = pairs;
        this.scaling = scaling;
        this.dropout = (float) dropout;
    }

    public double scaling() {
        return scaling;
    }

    public double dropout() {
        return dropout;
    }

    public Map<Site, Pair> pairs() {
        return pairs;
    }

    public boolean adapts(int layer, String module) {
        return pairs.containsKey(new Site(layer, module));
    }

    /** x (batch, seq, in) → (batch, seq, out); zero-cost callers check {@link #adapts} first. */
    public NDArray delta(int layer, String module, NDArray x) {
        Pair p = pairs.get(new Site(layer, module));
        NDArray in = ai.t2l.model.Dropout.apply(x, dropout);
        NDArray xa = in.batchMatMul(p.a().transpose(0, 2, 1)); // (batch, seq, r)
        return Scalars.mul(xa.batchMatMul(p.b().transpose(0, 2, 1)), scaling); // (batch, seq, out)
    }
}
