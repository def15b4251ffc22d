package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.T2lException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with torch.optim.AdamW semantics (torch 2.4 single-tensor path): decoupled weight decay applied to the
 * parameter before the moment update, bias-corrected moments, eps added after the square root of the corrected second
 * moment. Written here rather than taken from DJL so that its state is ours to save and restore exactly.
 */
public final class AdamW implements AutoCloseable {
    public record Settings(double weightDecay, double beta1, double beta2, double eps) {
        /** torch defaults (betas .9/.999, eps 1e-8) with the given decoupled weight decay. */
        public static Settings of(double weightDecay) {
            return new Settings(weightDecay, 0.9, 0.999, 1e-8);
        }
    }

    private final Settings settings;
    private final NDManager manager;
    private final Map<String, NDArray> expAvg = new HashMap<>();
    private final Map<String, NDArray> expAvgSq = new HashMap<>();
    private long step;

    public AdamW(Settings settings, NDManager parent) {
        this.settings = settings;
        this.manager = parent.newSubManager();
    }

    public long stepCount() {
        return step;
    }

    /** One update of every parameter with learning rate {@code lr}; gradients are read from the parameters. */
    public void step(ParamSet params, double lr) {
        step++;
        double b1 = settings.beta1();
        double b2 = settings.beta2();
        double biasCorrection1 = 1 - Math.pow(b1, step);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(b2, step));
        double stepSize = lr / biasCorrection1;
        for (String name : params.names()) {
            NDArray p = params.get(name);
            NDArray g = params.grad(name);
            NDArray m = expAvg.computeIfAbsent(name, k -> zerosLike(p));
            NDArray v = expAvgSq.computeIfAbsent(name, k -> zerosLike(p));
            // m.lerp_(g, 1-b1) = m + (1-b1)(g-m); v = b2 v + (1-b2) g^2; temporaries closed at once
            try (NDArray diff = g.sub(m); NDArray g2 = g.mul(g)) {
                m.addi(diff.muli(1 - b1));
                v.muli(b2).addi(g2.muli(1 - b2));
            }
            NDArray updated = p.mul(1 - lr * settings.weightDecay());
            try (NDArray denom = v.sqrt(); NDArray ratio = m.div(denom.divi(biasCorrection2Sqrt).addi(settings.eps()))) {
                updated.addi(ratio.muli(-stepSize));
            }
            g.close();
            params.replace(name, updated);
        }
    }

    private NDArray zerosLike(NDArray p) {
        NDArray z = manager.zeros(p.getShape(), p.getDataType());
        return z;
    }

    /** Moments as float32 tensors named exp_avg.NAME / exp_avg_sq.NAME (the step count is saved by the caller). */
    public Map<String, FloatTensor> stateTensors() {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (String k : expAvg.keySet().stream().sorted().toList()) {
            out.put("exp_avg." + k, ParamSet.toTensor(expAvg.get(k)));
            out.put("exp_avg_sq." + k, ParamSet.toTensor(expAvgSq.get(k)));
        }
        return out;
    }

    public void loadState(long savedStep, Map<String, FloatTensor> saved, ParamSet params, String source) {
        expAvg.values().forEach(NDArray::close);
        expAvgSq.values().forEach(NDArray::close);
        expAvg.clear();
        expAvgSq.clear();
        this.step = savedStep;
        for (String name : params.names()) {
            FloatTensor m = saved.get("exp_avg." + name);
            FloatTensor v = saved.get("exp_avg_sq." + name);
            if (savedStep > 0 && (m == null || v == null)) {
                throw new T2lException(source + ": optimizer state for parameter " + name + " is missing");
            }
            if (m != null) {
                NDArray p = params.get(name);
                expAvg.put(name, manager.create(m.data(), new Shape(m.shape())).toType(p.getDataType(), false));
                expAvgSq.put(name, manager.create(v.data(), new Shape(v.shape())).toType(p.getDataType(), false));
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
