package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** AdamW, the schedule and clipping against values worked out by hand from the torch/HF formulas. */
class TrainOptimTest {
    /** Sets d(loss)/dp = c by backpropagating loss = Σ p·c. */
    static void setGrad(ParamSet ps, String name, float[] c) {
        try (NDManager s = ps.scope(ps.manager()); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray p = ps.get(name);
            gc.backward(p.mul(s.create(c, p.getShape())).sum());
        }
    }

    /** zero_grad clears a non-finite gradient too (NaN·0 would stay NaN), and the next backward starts from 0. */
    @Test
    void zeroGradClearsNonFiniteGradients() {
        try (NDManager m = NDManager.newBaseManager(); ParamSet ps = new ParamSet(m)) {
            ps.add("p", m.create(new float[] {1f, -2f, 3f}, new Shape(3)));
            setGrad(ps, "p", new float[] {Float.NaN, Float.POSITIVE_INFINITY, -1f});
            ps.zeroGrad();
            try (NDManager s = ps.scope(m)) {
                assertArrayEquals(new float[] {0f, 0f, 0f}, ps.grad("p").toFloatArray());
            }
            setGrad(ps, "p", new float[] {0.5f, 2f, -4f});
            try (NDManager s = ps.scope(m)) {
                assertArrayEquals(new float[] {0.5f, 2f, -4f}, ps.grad("p").toFloatArray());
            }
        }
    }

    @Test
    void adamWTwoStepsWithConstantGradientMoveByLrEachStep() {
        try (NDManager m = NDManager.newBaseManager(); ParamSet ps = new ParamSet(m);
                AdamW opt = new AdamW(AdamW.Settings.of(0.01), m)) {
            ps.add("p", m.create(new float[] {1f, -2f}, new Shape(2)));
            float[] g = {0.5f, -1f};
            setGrad(ps, "p", g);
            try (NDManager s = ps.scope(m)) {
                opt.step(ps, 0.1);
            }
            ps.zeroGrad();
            // step 1: p(1-lr·wd) = [0.999, -1.998]; m=[.05,-.1]; v=[.00025,.001]; m̂/(√v̂+eps) = [1, -1]·(1-2e-8)
            assertArrayEquals(new float[] {0.899f, -1.898f}, ps.get("p").toFloatArray(), 1e-6f);
            setGrad(ps, "p", g);
            try (NDManager s = ps.scope(m)) {
                opt.step(ps, 0.1);
            }
            ps.zeroGrad();
            // step 2: p(0.999) = [0.898101, -1.896102]; m=[.095,-.19], bc1=.19; √v/√bc2 = [.5, 1] exactly
            assertArrayEquals(new float[] {0.798101f, -1.796102f}, ps.get("p").toFloatArray(), 2e-6f);
            assertEquals(2, opt.stepCount());
        }
    }

    /** A clipped step is clip_grad_norm_'s in-place product, then the update: the same bits either way. */
    @Test
    void aClippedStepIsTheProductThenTheUpdate() {
        try (NDManager m = NDManager.newBaseManager(); ParamSet a = new ParamSet(m); ParamSet b = new ParamSet(m);
                AdamW oa = new AdamW(AdamW.Settings.of(0.1), m); AdamW ob = new AdamW(AdamW.Settings.of(0.1), m)) {
            float[] init = {0.3f, 0.7f, -1.1f, 2.5f, -0.01f, 1e-3f, 4f, -7f, 0.2f};
            a.add("p", m.create(init));
            b.add("p", m.create(init));
            float[] g = {0.123f, -4.56f, 7.89f, 1e-7f, -3f, 0.5f, 11f, -0.25f, 6.1f};
            double coef = GradClip.coefficient(17.3, 1.0);
            for (int step = 0; step < 2; step++) {
                setGrad(a, "p", g);
                setGrad(b, "p", g);
                try (NDManager s = a.scope(m); NDManager t = b.scope(m)) {
                    a.grad("p").muli(coef); // clip_grad_norm_'s product, then the update
                    oa.step(a, 0.01);
                    ob.step(b, 0.01, coef);
                }
                a.zeroGrad();
                b.zeroGrad();
            }
            assertArrayEquals(a.get("p").toFloatArray(), b.get("p").toFloatArray(), 0f);
            assertArrayEquals(oa.stateTensors().get("exp_avg_sq.p").data(), ob.stateTensors().get("exp_avg_sq.p").data(),
                    0f);
        }
    }

    @Test
    void adamWStateRoundTripsExactly() {
        try (NDManager m = NDManager.newBaseManager(); ParamSet a = new ParamSet(m); ParamSet b = new ParamSet(m);
                AdamW oa = new AdamW(AdamW.Settings.of(0.1), m); AdamW ob = new AdamW(AdamW.Settings.of(0.1), m)) {
            a.add("p", m.create(new float[] {0.3f, 0.7f, -1.1f}));
            b.add("p", m.create(new float[] {9f, 9f, 9f}));
            float[] g = {0.123f, -4.56f, 7.89f};
            setGrad(a, "p", g);
            try (NDManager s = a.scope(m)) {
                oa.step(a, 0.01);
            }
            a.zeroGrad();
            b.load(a.toTensors(), "test");
            ob.loadState(oa.stepCount(), oa.stateTensors(), b, "test");
            float[] g2 = {-1f, 2f, 0.5f};
            setGrad(a, "p", g2);
            setGrad(b, "p", g2);
            try (NDManager s = a.scope(m); NDManager t = b.scope(m)) {
                oa.step(a, 0.02);
                ob.step(b, 0.02);
            }
            assertArrayEquals(a.get("p").toFloatArray(), b.get("p").toFloatArray(), 0f);
        }
    }

    /**
     * The one-pass Java update (the default) against the same update as engine ops, over several parallel chunks and
     * steps with weight decay: the same float32 operations in the same order, so equal up to the engine's own
     * rounding of a division by a scalar (at most a few ulps of values around 1).
     */
    @Test
    void fusedAdamWStepMatchesTheEngineOps() {
        int n = 200_003; // four chunks of 65,536 and a ragged end
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
        float[] init = new float[n];
        for (int i = 0; i < n; i++) {
            init[i] = (float) rnd.nextGaussian();
        }
        try (NDManager m = NDManager.newBaseManager(); ParamSet fast = new ParamSet(m); ParamSet slow = new ParamSet(m);
                AdamW of = new AdamW(AdamW.Settings.of(0.01), m); AdamW os = new AdamW(AdamW.Settings.of(0.01), m, false)) {
            fast.add("w", m.create(init, new Shape(n)));
            slow.add("w", m.create(init, new Shape(n)));
            for (int step = 0; step < 3; step++) {
                float[] g = new float[n];
                for (int i = 0; i < n; i++) {
                    g[i] = (float) (rnd.nextGaussian() * (i % 7 == 0 ? 1e-4 : 1));
                }
                setGrad(fast, "w", g);
                setGrad(slow, "w", g);
                double clip = step == 1 ? 0.37 : 1; // a clipped step: the engine path multiplies the gradient first
                try (NDManager s = fast.scope(m); NDManager t = slow.scope(m)) {
                    of.step(fast, 1e-2, clip);
                    os.step(slow, 1e-2, clip);
                }
                fast.zeroGrad();
                slow.zeroGrad();
            }
            float[] a = fast.get("w").toFloatArray();
            float[] b = slow.get("w").toFloatArray();
            for (int i = 0; i < n; i++) {
                assertEquals(b[i], a[i], 4 * Math.ulp(Math.abs(b[i]) + 1f), "parameter " + i);
            }
            java.util.Map<String, ai.t2l.io.FloatTensor> sf = of.stateTensors();
            java.util.Map<String, ai.t2l.io.FloatTensor> ss = os.stateTensors();
            assertArrayEquals(ss.get("exp_avg.w").data(), sf.get("exp_avg.w").data(), 0f, "first moment");
            assertArrayEquals(ss.get("exp_avg_sq.w").data(), sf.get("exp_avg_sq.w").data(), 0f, "second moment");
        }
    }

    @Test
    void linearScheduleWithWarmupMatchesHuggingFace() {
        LinearSchedule s = new LinearSchedule(1.0, 2, 10);
        double[][] table = {{0, 0}, {1, 0.5}, {2, 1}, {3, 7 / 8.0}, {9, 1 / 8.0}, {10, 0}, {11, 0}};
        for (double[] row : table) {
            assertEquals(row[1], s.multiplier((long) row[0]), 1e-12, "step " + (long) row[0]);
        }
        assertEquals(2, LinearSchedule.ofFraction(1, 0.25, 10).warmupSteps()); // int(2.5)
        assertEquals(1.0, new LinearSchedule(1, 0, 4).multiplier(0), 1e-12);
    }

    @Test
    void clipGradNormScalesByMaxOverTotal() {
        try (NDManager m = NDManager.newBaseManager(); ParamSet ps = new ParamSet(m)) {
            ps.add("a", m.zeros(new Shape(2)));
            ps.add("b", m.zeros(new Shape(1)));
            setGrad(ps, "a", new float[] {3, 4});
            setGrad(ps, "b", new float[] {12});
            try (NDManager s = ps.scope(m)) {
                assertEquals(13.0, GradClip.norm(ps), 1e-5);
                assertEquals(1.0, GradClip.coefficient(13.0, 100)); // below max: unchanged
                assertEquals(1 / (13 + 1e-6), GradClip.coefficient(13.0, 1.0), 1e-15);
            }
        }
    }

    @Test
    void rngRestoresAndPermutes() {
        Rng r = new Rng(42);
        r.nextLong();
        long saved = r.state();
        long x = r.nextLong();
        r.restore(saved);
        assertEquals(x, r.nextLong());
        int[] p = new Rng(7).permutation(50);
        assertEquals(50 * 49 / 2, java.util.Arrays.stream(p).sum());
        assertEquals(50, java.util.Arrays.stream(p).distinct().count());
    }
}
