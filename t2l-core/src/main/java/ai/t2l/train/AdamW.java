package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.t2l.compute.AdamWStep;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.T2lException;
import ai.t2l.model.EngineMemory;
import java.nio.ByteBuffer;
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

    private final boolean fused;

    public AdamW(Settings settings, NDManager parent) {
        this(settings, parent, true);
    }

    /** With {@code fused} false every update runs as engine ops (tests compare the two paths). */
    AdamW(Settings settings, NDManager parent, boolean fused) {
        this.settings = settings;
        this.manager = parent.newSubManager();
        this.fused = fused;
    }

    public long stepCount() {
        return step;
    }

    /** One in-place update of every parameter with learning rate {@code lr}; gradients are read from the parameters. */
    public void step(ParamSet params, double lr) {
        step(params, lr, 1);
    }

    /**
     * {@link #step(ParamSet, double)} with every gradient taken times {@code gradScale}: gradient clipping's factor
     * ({@link GradClip#coefficient}), applied as torch's in-place product would (one float32 product per value)
     * while the update reads the gradient, instead of in a pass over all gradients of its own (on the
     * reconstruction step's 34 M parameters a read and a write of 137 MB, BENCHMARKS.md, issue 16, twenty-third
     * session). The gradients themselves are left as they were.
     */
    public void step(ParamSet params, double lr, double gradScale) {
        step++;
        double biasCorrection1 = 1 - Math.pow(settings.beta1(), step);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(settings.beta2(), step));
        double stepSize = lr / biasCorrection1;
        for (String name : params.names()) {
            NDArray p = params.get(name);
            NDArray g = params.grad(name);
            NDArray m = expAvg.computeIfAbsent(name, k -> zerosLike(p));
            NDArray v = expAvgSq.computeIfAbsent(name, k -> zerosLike(p));
            if (!fused || !fusedStep(p, g, m, v, lr, stepSize, biasCorrection2Sqrt, gradScale)) {
                if (gradScale != 1) {
                    g.muli(gradScale);
                }
                engineStep(p, g, m, v, lr, stepSize, biasCorrection2Sqrt);
            }
            g.close();
        }
    }

    /** The update as engine ops: 14 full passes over the parameter, 4 of them into fresh arrays. */
    private void engineStep(NDArray p, NDArray g, NDArray m, NDArray v, double lr, double stepSize,
            double biasCorrection2Sqrt) {
        double b1 = settings.beta1();
        double b2 = settings.beta2();
        // m.lerp_(g, 1-b1) = m + (1-b1)(g-m); v = b2 v + (1-b2) g^2; temporaries closed at once
        try (NDArray diff = g.sub(m); NDArray g2 = g.mul(g)) {
            m.addi(diff.muli(1 - b1));
            v.muli(b2).addi(g2.muli(1 - b2));
        }
        // in place, outside autograd: p ← p·(1 − lr·wd) − stepSize · m / (√v / √bc2 + eps)
        p.muli(1 - lr * settings.weightDecay());
        try (NDArray denom = v.sqrt(); NDArray ratio = m.div(denom.divi(biasCorrection2Sqrt).addi(settings.eps()))) {
            p.addi(ratio.muli(-stepSize));
        }
    }

    /**
     * The same update as {@link #engineStep} in one pass over the arrays' memory, in parallel chunks: every value goes
     * through the same float32 operations in the same order (the engine rounds each scalar to float32 first, and
     * rounds after each op; Java float arithmetic does the same, without fused multiply-add). For the 34M-parameter
     * reconstruction step this replaces 14 engine passes and 4 fresh 137 MB arrays (BENCHMARKS.md); on the Vector API
     * kernel ({@link AdamWStep}) it took 25-29 ms against 50-54 for the plain-Java loop, whose scalar square roots and
     * divisions bounded it. Returns false, doing nothing, when an array is not float32 or not contiguous memory we can
     * write in place.
     */
    private boolean fusedStep(NDArray p, NDArray g, NDArray m, NDArray v, double lr, double stepSize,
            double biasCorrection2Sqrt, double gradScale) {
        ByteBuffer pb = EngineMemory.writableBytes(p);
        ByteBuffer mb = pb == null ? null : EngineMemory.writableBytes(m);
        ByteBuffer vb = mb == null ? null : EngineMemory.writableBytes(v);
        if (vb == null || g.getDataType() != DataType.FLOAT32) {
            return false;
        }
        ByteBuffer gb = EngineMemory.readableBytes(g); // read only: a copy would do
        AdamWStep s = new AdamWStep((float) gradScale, (float) (1 - settings.beta1()), (float) settings.beta2(),
                (float) (1 - settings.beta2()), (float) (1 - lr * settings.weightDecay()), (float) biasCorrection2Sqrt,
                (float) settings.eps(), (float) -stepSize);
        s.apply(pb, gb, mb, vb, Math.toIntExact(p.size()));
        return true;
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
