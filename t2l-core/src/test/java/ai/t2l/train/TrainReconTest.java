package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.LoraWeights.Site;
import ai.t2l.train.run.RunFolder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainReconTest {
    @TempDir
    Path tmp;

    static List<LoraWeights> library(LoraConfig cfg, int tasks, int layers, int dim, long seed) {
        Random r = new Random(seed);
        List<LoraWeights> out = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            Map<Site, LoraWeights.Pair> pairs = new LinkedHashMap<>();
            for (int l = 0; l < layers; l++) {
                for (String mod : cfg.targetModules()) {
                    float[] a = new float[cfg.r() * dim];
                    float[] b = new float[dim * cfg.r()];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = (float) (r.nextGaussian() * 0.3);
                        b[i] = (float) (r.nextGaussian() * 0.1);
                    }
                    pairs.put(new Site(l, mod), new LoraWeights.Pair(new FloatTensor(a, new long[] {cfg.r(), dim}),
                            new FloatTensor(b, new long[] {dim, cfg.r()})));
                }
            }
            out.add(new LoraWeights(cfg, pairs));
        }
        return out;
    }

    @Test
    void unbiasedStdOfTheLibrary() {
        LoraConfig cfg = new LoraConfig(1, 1, false, 0, List.of("q_proj"));
        List<LoraWeights> lib = new ArrayList<>();
        for (float v : new float[] {1, 3}) {
            lib.add(new LoraWeights(cfg, Map.of(new Site(0, "q_proj"), new LoraWeights.Pair(
                    new FloatTensor(new float[] {v}, new long[] {1, 1}), new FloatTensor(new float[] {2 * v}, new long[] {1, 1})))));
        }
        FloatTensor[] s = ReconTrainer.stats(lib).get(new Site(0, "q_proj"));
        assertEquals(2f, s[0].data()[0], 1e-6); // mean A
        assertEquals(Math.sqrt(2), s[1].data()[0], 1e-6); // ((1-2)² + (3-2)²)/(2-1) = 2
        assertEquals(2 * Math.sqrt(2), s[3].data()[0], 1e-6);
    }

    /** A library adapter of another rank, or without a site, is refused by name before any step. */
    @Test
    void aLibraryAdapterOfAnotherShapeIsNamed() {
        LoraConfig r2 = new LoraConfig(2, 2, false, 0, List.of("q_proj", "v_proj"));
        LoraConfig r4 = new LoraConfig(4, 4, false, 0, List.of("q_proj", "v_proj"));
        List<LoraWeights> lib = new ArrayList<>(library(r2, 2, 2, 8, 1));
        lib.add(library(r4, 1, 2, 8, 2).get(0));
        List<String> names = List.of("lib/a", "lib/b", "lib/c");
        ReconTrainer.requireOneShape(lib.subList(0, 2), names); // same shapes: accepted
        ai.t2l.io.T2lException e = org.junit.jupiter.api.Assertions.assertThrows(ai.t2l.io.T2lException.class,
                () -> ReconTrainer.requireOneShape(lib, names));
        assertTrue(e.getMessage().contains("lib/c") && e.getMessage().contains("[4, 8]")
                && e.getMessage().contains("lib/a") && e.getMessage().contains("[2, 8]"), e.getMessage());

        Map<Site, LoraWeights.Pair> fewer = new LinkedHashMap<>(lib.get(1).pairs());
        fewer.remove(new Site(1, "v_proj"));
        List<LoraWeights> missing = List.of(lib.get(0), new LoraWeights(r2, fewer));
        e = org.junit.jupiter.api.Assertions.assertThrows(ai.t2l.io.T2lException.class,
                () -> ReconTrainer.requireOneShape(missing, names));
        assertTrue(e.getMessage().contains("lib/b") && e.getMessage().contains("v_proj"), e.getMessage());
    }

    @Test
    void reconstructionCutsL1TenfoldAndReproducesTheLibraryOutputs() {
        LoraConfig cfg = Toy.lora(0);
        List<LoraWeights> lib = library(cfg, 4, 2, 16, 9);
        List<float[][]> emb = Toy.embeddings(4, 3);
        try (TinyLm lm = Toy.lm(DataType.FLOAT32); NDManager m = NDManager.newBaseManager();
                TinyHyper hyper = new TinyHyper(m, cfg, lm, 8, 32, 5)) {
            ReconTrainer.Config c = new ReconTrainer.Config(new OptimConfig(1e-2, 1e-3, 0.1, 1.0), 2, 1, 1, 300, true,
                    true, 10000, 100, 42);
            ReconTrainer.Result r = ReconTrainer.train(hyper, lib, emb, c,
                    RunFolder.open(tmp.resolve("recon"), "recon", Json.MAPPER.createObjectNode(), Map.of(), false),
                    TrainListener.NONE);
            assertTrue(r.lastLoss() * 10 <= r.firstLoss(), "L1 " + r.firstLoss() + " -> " + r.lastLoss());
            int[] ids = {1, 9, 4, 17, 3, 2, 8, 30};
            for (int t = 0; t < 4; t++) {
                try (NDManager s = m.newSubManager()) {
                    NDArray e = s.create(emb.get(t)[0], new Shape(1, 8));
                    Map<Site, GeneratedLora.Pair> z = hyper.generate(e, 1, false);
                    Map<Site, GeneratedLora.Pair> raw = new LinkedHashMap<>();
                    z.forEach((site, p) -> {
                        FloatTensor[] st = r.stats().get(site);
                        raw.put(site, new GeneratedLora.Pair(unz(s, p.a(), st[0], st[1]), unz(s, p.b(), st[2], st[3])));
                    });
                    NDArray in = s.create(ids, new Shape(1, ids.length));
                    NDArray base = lm.logits(in, null, null);
                    NDArray oracle = lm.logits(in, new GeneratedLora(asArrays(s, lib.get(t)), cfg.scaling(), 0), null);
                    NDArray recon = lm.logits(in, new GeneratedLora(raw, cfg.scaling(), 0), null);
                    double effect = oracle.sub(base).abs().max().getFloat();
                    double err = recon.sub(oracle).abs().max().getFloat();
                    assertTrue(err < 0.1 * effect, "task " + t + ": reconstructed logits differ by " + err
                            + " where the adapter itself moves them by " + effect);
                }
            }
        }
    }

    /**
     * The real HyperModulator trained by recon with z-scoring: its buffers hold the library's mean/std and the
     * LoRAs it generates (through convert_to_raw_scale, spec §2.9) reproduce each task's library adapter.
     */
    /** A library for the model's q/v shapes whose A values have mean 0.5, which z-scoring must undo. */
    static List<LoraWeights> offsetLibrary(ai.t2l.model.ModelConfig mc, LoraConfig cfg, int tasks, Random r) {
        List<LoraWeights> lib = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            Map<Site, LoraWeights.Pair> pairs = new LinkedHashMap<>();
            for (int l = 0; l < mc.numLayers(); l++) {
                for (String mod : cfg.targetModules()) {
                    int in = mc.inFeatures(mod);
                    int out = mc.outFeatures(mod);
                    float[] a = new float[cfg.r() * in];
                    float[] b = new float[out * cfg.r()];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = (float) (0.5 + r.nextGaussian() * 0.2);
                    }
                    for (int i = 0; i < b.length; i++) {
                        b[i] = (float) (r.nextGaussian() * 0.05);
                    }
                    pairs.put(new Site(l, mod), new LoraWeights.Pair(new FloatTensor(a, new long[] {cfg.r(), in}),
                            new FloatTensor(b, new long[] {out, cfg.r()})));
                }
            }
            lib.add(new LoraWeights(cfg, pairs));
        }
        return lib;
    }

    @Test
    void reconTrainedHypernetGeneratesTheLibraryAdaptersAtRawScale() {
        ai.t2l.model.ModelConfig mc = RandomModel.config(Toy.VOCAB, 16, 2, 2, 1, 32);
        LoraConfig cfg = Toy.lora(0);
        List<LoraWeights> lib = offsetLibrary(mc, cfg, 4, new Random(4));
        List<float[][]> emb = Toy.embeddings(4, 3);
        try (NDManager m = NDManager.newBaseManager()) {
            ai.t2l.hypernet.HyperConfig hc = ai.t2l.hypernet.HyperConfig.builder().lora(cfg).dimsFrom(mc).taskEmbDim(8)
                    .latentSize(16).headInSize(32).trainingTask(ai.t2l.hypernet.TrainingTask.RECON)
                    .factorized(true).predZScore(true).build();
            try (ai.t2l.hypernet.HyperModulator hyper = ai.t2l.hypernet.HyperModulator.create(hc, 1, m);
                    HyperLoraSource source = new HyperLoraSource(hyper, m)) {
                ReconTrainer.Config c = new ReconTrainer.Config(new OptimConfig(1e-2, 1e-3, 0.1, 1.0), 2, 1, 1, 300,
                        true, true, 10000, 300, 42);
                ReconTrainer.train(source, lib, emb, c, RunFolder.open(tmp.resolve("hyper"), "recon",
                        Json.MAPPER.createObjectNode(), Map.of(), false), TrainListener.NONE);

                // buffer element (layer 1, row 0, col 0) of q_proj's A: the plain mean of the 4 library values
                double sum = 0;
                for (LoraWeights w : lib) {
                    sum += w.pairs().get(new Site(1, "q_proj")).a().data()[0];
                }
                float[] meanBuf = hyper.buffers().get("mean_recon_target.A.q_proj").toFloatArray();
                assertEquals(sum / 4, meanBuf[cfg.r() * 16], 1e-6, "mean_recon_target.A.q_proj[1, 0, 0]");

                for (int t = 0; t < 4; t++) {
                    LoraWeights gen = hyper.generate(emb.get(t)[0]);
                    for (int u = 0; u < 4; u++) {
                        double err = meanAbsDiff(gen, lib.get(u));
                        // each library A entry is 0.5 ± 0.2 and B ± 0.05: other tasks sit ~0.1 away on average
                        if (u == t) {
                            assertTrue(err < 0.02, "task " + t + ": generated adapter is " + err + " from its own");
                        } else {
                            assertTrue(err > 0.05, "task " + t + ": generated adapter is " + err + " from task " + u);
                        }
                    }
                }
            }
        }
    }

    /**
     * An M reconstruction run (the feature-major loss path) stopped after its step-2 checkpoint and resumed ends with
     * the same parameters, bit for bit, and the same last loss as the run that was not stopped.
     */
    @Test
    void anInterruptedReconRunResumesToTheSameParameters() {
        ai.t2l.model.ModelConfig mc = RandomModel.config(Toy.VOCAB, 16, 2, 2, 1, 32);
        LoraConfig cfg = Toy.lora(0);
        List<LoraWeights> lib = offsetLibrary(mc, cfg, 4, new Random(4));
        List<float[][]> emb = Toy.embeddings(4, 3);
        ReconTrainer.Config c = new ReconTrainer.Config(new OptimConfig(1e-2, 1e-3, 0.1, 1.0), 2, 1, 1, 5, true, true,
                10000, 2, 42);
        TrainListener killAtStep3 = new TrainListener() {
            @Override
            public void onStep(long step, long total, double loss, double lr, double tps) {
                if (step == 3) {
                    throw new IllegalStateException("killed at step 3");
                }
            }
        };
        Object[] full = reconRun(mc, cfg, lib, emb, c, tmp.resolve("full"), false, TrainListener.NONE);
        IllegalStateException killed = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> reconRun(mc, cfg, lib, emb, c, tmp.resolve("killed"), false, killAtStep3));
        assertEquals("killed at step 3", killed.getMessage());
        long[] startedAt = {-1};
        Object[] resumed = reconRun(mc, cfg, lib, emb, c, tmp.resolve("killed"), true, new TrainListener() {
            @Override
            public void onStart(String kind, long startStep, long totalSteps) {
                startedAt[0] = startStep;
            }
        });
        assertEquals(2L, startedAt[0], "resumed from the step-2 checkpoint");
        assertEquals(5L, resumed[0]);
        assertEquals((double) full[1], (double) resumed[1], 0.0, "last loss");
        org.junit.jupiter.api.Assertions.assertArrayEquals((float[]) full[2], (float[]) resumed[2], "parameters");
    }

    /** A fresh M hypernetwork trained in {@code dir}: {steps, last loss, every parameter flattened}. */
    private static Object[] reconRun(ai.t2l.model.ModelConfig mc, LoraConfig cfg, List<LoraWeights> lib,
            List<float[][]> emb, ReconTrainer.Config c, Path dir, boolean resume, TrainListener listener) {
        try (NDManager m = NDManager.newBaseManager()) {
            ai.t2l.hypernet.HyperConfig hc = ai.t2l.hypernet.HyperConfig.builder().lora(cfg).dimsFrom(mc).taskEmbDim(8)
                    .latentSize(16).headInSize(32).variant(ai.t2l.hypernet.Variant.M)
                    .trainingTask(ai.t2l.hypernet.TrainingTask.RECON).factorized(true).predZScore(true).build();
            try (ai.t2l.hypernet.HyperModulator hyper = ai.t2l.hypernet.HyperModulator.create(hc, 1, m);
                    HyperLoraSource source = new HyperLoraSource(hyper, m)) {
                ReconTrainer.Result r = ReconTrainer.train(source, lib, emb, c, RunFolder.open(dir, "recon",
                        Json.MAPPER.createObjectNode(), Map.of(), resume), listener);
                return new Object[] {r.steps(), r.lastLoss(), flatParameters(source.params())};
            }
        }
    }

    private static float[] flatParameters(ParamSet params) {
        List<Float> all = new ArrayList<>();
        for (FloatTensor t : params.toTensors().values()) {
            for (float v : t.data()) {
                all.add(v);
            }
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    @Test
    void reconRefusesAHypernetThatWouldNotUndoItsScaling() {
        ai.t2l.model.ModelConfig mc = RandomModel.config(Toy.VOCAB, 16, 2, 2, 1, 32);
        LoraConfig cfg = Toy.lora(0);
        try (NDManager m = NDManager.newBaseManager()) {
            var hc = ai.t2l.hypernet.HyperConfig.builder().lora(cfg).dimsFrom(mc).taskEmbDim(8).latentSize(16)
                    .headInSize(32).trainingTask(ai.t2l.hypernet.TrainingTask.RECON).factorized(true)
                    .predZScore(false).build();
            try (var hyper = ai.t2l.hypernet.HyperModulator.create(hc, 1, m);
                    HyperLoraSource source = new HyperLoraSource(hyper, m)) {
                ReconTrainer.Config c = new ReconTrainer.Config(new OptimConfig(1e-2, 1e-3, 0.1, 1.0), 2, 1, 1, 1,
                        true, true, 10000, 1, 42);
                var e = org.junit.jupiter.api.Assertions.assertThrows(ai.t2l.io.T2lException.class,
                        () -> ReconTrainer.train(source, List.of(), List.of(), c, null, TrainListener.NONE));
                assertTrue(e.getMessage().contains("pred_z_score=false but the run has factorized=true,"
                        + " pred_z_score=true"), e.getMessage());
            }
        }
    }

    static double meanAbsDiff(LoraWeights x, LoraWeights y) {
        double sum = 0;
        long n = 0;
        for (var e : x.pairs().entrySet()) {
            LoraWeights.Pair q = y.pairs().get(e.getKey());
            for (float[][] ab : new float[][][] {{e.getValue().a().data(), q.a().data()},
                    {e.getValue().b().data(), q.b().data()}}) {
                for (int i = 0; i < ab[0].length; i++) {
                    sum += Math.abs(ab[0][i] - ab[1][i]);
                    n++;
                }
            }
        }
        return sum / n;
    }

    @Test
    void nonFactorizedDeltaWLossFalls() {
        LoraConfig cfg = Toy.lora(0);
        List<LoraWeights> lib = library(cfg, 3, 2, 16, 2);
        try (TinyLm lm = Toy.lm(DataType.FLOAT32); NDManager m = NDManager.newBaseManager();
                TinyHyper hyper = new TinyHyper(m, cfg, lm, 8, 16, 5)) {
            ReconTrainer.Config c = new ReconTrainer.Config(new OptimConfig(1e-2, 1e-3, 0.1, 1.0), 2, 1, 1, 300, false,
                    false, 100, 100, 42);
            ReconTrainer.Result r = ReconTrainer.train(hyper, lib, Toy.embeddings(3, 1), c,
                    RunFolder.open(tmp.resolve("nf"), "recon", Json.MAPPER.createObjectNode(), Map.of(), false),
                    TrainListener.NONE);
            assertTrue(r.lastLoss() < 0.5 * r.firstLoss(), r.firstLoss() + " -> " + r.lastLoss());
        }
    }

    static NDArray unz(NDManager s, NDArray z, FloatTensor mean, FloatTensor std) {
        return z.mul(s.create(std.data(), new Shape(std.shape())).add(1e-10f)).add(s.create(mean.data(), new Shape(mean.shape())));
    }

    static Map<Site, GeneratedLora.Pair> asArrays(NDManager s, LoraWeights w) {
        Map<Site, GeneratedLora.Pair> out = new LinkedHashMap<>();
        w.pairs().forEach((site, p) -> out.put(site, new GeneratedLora.Pair(
                s.create(p.a().data(), new Shape(1, p.a().shape()[0], p.a().shape()[1])),
                s.create(p.b().data(), new Shape(1, p.b().shape()[0], p.b().shape()[1])))));
        return out;
    }
}
