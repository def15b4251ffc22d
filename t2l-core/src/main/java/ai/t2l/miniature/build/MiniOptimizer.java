package ai.t2l.miniature.build;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import ai.t2l.io.T2lException;
import ai.t2l.train.LinearSchedule;
import ai.t2l.train.Rng;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The miniature's training loop: AdamW (torch semantics: decoupled decay, bias-corrected moments), gradient-norm
 * clipping at 1.0 and the linear warm-up/decay schedule of spec §5.3/§6.4, updating arrays in place. In-place
 * updates let it train arrays other objects own (the Transformer's weights, a HyperModulator's parameters), which the
 * committed {@code ai.t2l.train.ParamSet} (replace-per-step) cannot yet; switch to the train package's optimiser when
 * it wraps external arrays.
 */
public final class MiniOptimizer implements AutoCloseable {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    private final List<NDArray> params;
    private final NDManager state;
    private final List<NDArray[]> moments = new java.util.ArrayList<>(); // (m, v) per parameter, same order
    private final LinearSchedule schedule;
    private final double weightDecay;
    private final double maxGradNorm;
    private long step;
    private long skipped;

    public MiniOptimizer(List<NDArray> params, MiniSettings.Stage stage, NDManager parent) {
        this(params, stage, 1.0, parent);
    }

    /** @param maxGradNorm clipping threshold of the global gradient norm; infinite for none */
    public MiniOptimizer(List<NDArray> params, MiniSettings.Stage stage, double maxGradNorm, NDManager parent) {
        this.maxGradNorm = maxGradNorm;
        this.params = List.copyOf(params);
        this.state = parent.newSubManager();
        this.schedule = LinearSchedule.ofFraction(stage.lr(), 0.1, stage.steps());
        this.weightDecay = stage.weightDecay();
        for (NDArray p : this.params) {
            p.setRequiresGradient(true);
            moments.add(new NDArray[] {state.zeros(p.getShape()), state.zeros(p.getShape())});
        }
    }

    /**
     * One step: {@code loss} builds the scalar loss in a per-step manager (freed afterwards); the engine's RNG is
     * seeded from {@code rng} first so dropout is reproducible. Returns the loss value.
     */
    public double step(NDManager parent, Rng rng, BiFunction<NDManager, Long, NDArray> loss) {
        Engine.getInstance().setRandomSeed((int) (rng.nextLong() >>> 33));
        double value;
        try (NDManager scope = parent.newSubManager()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = loss.apply(scope, step);
                value = l.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
                if (!Double.isFinite(value)) {
                    throw new T2lException("step " + (step + 1) + ": loss is " + value + " (learning rate "
                            + schedule.lr(step) + "); lower the stage's learning rate");
                }
                gc.backward(l);
            }
            update(scope);
        }
        step++;
        return value;
    }

    private void update(NDManager scope) {
        NDArray[] grads = new NDArray[params.size()];
        double sq = 0;
        for (int i = 0; i < grads.length; i++) {
            grads[i] = params.get(i).getGradient();
            grads[i].attach(scope);
            float n = grads[i].norm().getFloat();
            sq += (double) n * n;
        }
        if (!Double.isFinite(sq)) {
            // a rare overflow in one batch: skip this update rather than poison the weights (as AMP's inf check)
            skipped++;
            for (NDArray g : grads) {
                clear(g);
            }
            return;
        }
        double coef = Math.min(1.0, maxGradNorm / (Math.sqrt(sq) + 1e-6)); // torch clip_grad_norm_
        double lr = schedule.lr(step);
        long t = step + 1;
        double bc1 = 1 - Math.pow(BETA1, t);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(BETA2, t));
        for (int i = 0; i < grads.length; i++) {
            NDArray p = params.get(i);
            NDArray[] mv = moments.get(i);
            // temporaries closed at once: new arrays join their first operand's manager, which may be long-lived
            try (NDArray g = grads[i].mul(coef); NDArray g1 = g.mul(1 - BETA1); NDArray g2 = g.mul(g)) {
                mv[0].muli(BETA1).addi(g1);
                mv[1].muli(BETA2).addi(g2.muli(1 - BETA2));
            }
            p.muli(1 - lr * weightDecay);
            try (NDArray den = mv[1].sqrt(); NDArray upd = mv[0].div(den.divi(bc2Sqrt).addi(EPS))) {
                p.subi(upd.muli(lr / bc1));
            }
            clear(grads[i]); // PyTorch accumulates into .grad: clear it for the next step
        }
    }

    /**
     * Zeroes a gradient in place. Not {@code muli(0)}: NaN * 0 is NaN, so a skipped non-finite step would leave NaN
     * behind and every later step would be skipped too (the stalled base-model curve of docs/MINIATURE-WORLD.md).
     */
    private static void clear(NDArray grad) {
        grad.set(new NDIndex("..."), 0f);
    }

    /** Steps whose gradient was not finite and were therefore not applied. */
    public long skippedSteps() {
        return skipped;
    }

    public long stepCount() {
        return step;
    }

    @Override
    public void close() {
        state.close();
    }
}
