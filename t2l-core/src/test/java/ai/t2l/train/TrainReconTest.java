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
