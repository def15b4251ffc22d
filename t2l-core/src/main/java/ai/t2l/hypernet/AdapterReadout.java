package ai.t2l.hypernet;

import ai.djl.ndarray.NDArray;
import ai.t2l.compute.FloatScan;
import ai.t2l.compute.HeadProduct;
import ai.t2l.io.FloatTensor;
import ai.t2l.lora.LoraWeights;
import ai.t2l.model.EngineMemory;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Turns the head outputs of a generation call into adapters in Java arrays, reading engine memory once: B's
 * transposition (§2.6), the SFT AB_offset (§2.7) and the recon {@code convert_to_raw_scale} (§2.9) are applied while
 * copying. Each value goes through the same float32 operations, in the same order, as
 * {@link HyperModulator#deltaWeights} followed by {@link HyperModulator#toRawScale} would apply them on the engine
 * (one rounding per operation, no fused multiply-add), so the results are those of the engine path.
 *
 * <p>Rows are task-major: row {@code t * layers + l} is task t, layer l.
 */
final class AdapterReadout {
    private final HyperConfig config;
    private final int tasks;
    private final List<Map<LoraWeights.Site, LoraWeights.Pair>> pairs = new ArrayList<>();
    /** Set when a finished row holds NaN or infinity (see {@link #allFinite()}). */
    private volatile boolean nonFinite;

    AdapterReadout(HyperConfig config, int tasks) {
        this.config = config;
        this.tasks = tasks;
        for (int t = 0; t < tasks; t++) {
            pairs.add(new LinkedHashMap<>());
        }
    }

    /**
     * Reads one module.
     *
     * @param a (tasks·layers, r, in) before offsets
     * @param bRaw (tasks·layers, r, out): B before its transposition to (out, r)
     */
    void read(String module, NDArray a, NDArray bRaw, Map<String, NDArray> buffers) {
        HyperConfig.ModuleDims d = config.dims(module);
        int layers = config.numLayers();
        int r = config.rank();
        int in = d.in();
        int out = d.out();
        FloatBuffer av = floats(a);
        FloatBuffer bv = floats(bRaw);
        float[][] as = new float[tasks * layers][];
        float[][] bs = new float[tasks * layers][];
        IntStream.range(0, tasks * layers).parallel().forEach(row -> {
            float[] ar = new float[r * in];
            av.get(row * r * in, ar); // (r, in): already the PEFT layout
            float[] raw = new float[r * out];
            bv.get(row * r * out, raw);
            float[] br = new float[out * r];
            for (int k = 0; k < r; k++) { // (r, out) → (out, r)
                for (int o = 0; o < out; o++) {
                    br[o * r + k] = raw[k * out + o];
                }
            }
            as[row] = ar;
            bs[row] = br;
        });
        finish(module, as, bs, buffers);
    }

    /**
     * Reads one module from the Java head kernel ({@link JavaHeads}): the head input x in, the adapters' arrays
     * filled straight from the product's tiles; no head output in engine memory at all.
     *
     * <p>An SFT hypernetwork whose AB_offset is all +0.0 (no multi-task LoRA, T2L-SPEC §2.7: the usual case) gets its
     * offset and the finiteness check applied to each tile while the tile is in L1 ({@link #zeroOffsetAndCheck}), so
     * no pass over the adapters follows the products: that pass, reading the offsets beside 13.6 MB of outputs per
     * Mistral-7B adapter, took 3.5–4 ms of a 25–30 ms call (BENCHMARKS.md, issue 16, nineteenth session). Other
     * offsets and the recon conversions keep the pass ({@link #finish}): applied in the tiles, they read from as many
     * layers' offsets at once as a tile has rows, and slowed the products more than they saved.
     *
     * @param x the head input (rows per variant: {@link JavaHeads}), headIn wide
     * @param head the module's packed head ({@link JavaHeads#pack})
     * @param offsetsZero whether the module's AB_offset (A and B) holds only +0.0
     */
    void readJava(String module, float[] x, HeadProduct head, Map<String, NDArray> buffers, boolean offsetsZero,
            GenerationPhases phases) {
        HyperConfig.ModuleDims d = config.dims(module);
        int rows = tasks * config.numLayers();
        int aSize = config.rank() * d.in();
        int bSize = d.out() * config.rank();
        GenerationPhases.enter(phases, GenerationPhases.Phase.READOUT);
        float[][] as = new float[rows][];
        float[][] bs = new float[rows][];
        // zeroed by both cores: 13.6 MB per Mistral-7B adapter, about 2 ms on one
        IntStream.range(0, rows).parallel().forEach(row -> {
            as[row] = new float[aSize];
            bs[row] = new float[bSize];
        });
        boolean inTiles = offsetsZero && config.trainingTask() == TrainingTask.SFT;
        GenerationPhases.enter(phases, GenerationPhases.Phase.HEADS);
        JavaHeads.run(config, module, x, head, as, bs, inTiles ? this::zeroOffsetAndCheck : null);
        GenerationPhases.enter(phases, GenerationPhases.Phase.READOUT);
        if (inTiles) {
            place(module, as, bs);
        } else {
            finish(module, as, bs, buffers);
        }
    }

    /**
     * The SFT offset when it is all +0.0, value by value as the engine's add (x + 0 turns −0.0 into +0.0 and keeps
     * everything else), then the finiteness check, over the tile's rows whole: with one call per row the heads of S
     * (64 tiles of 8 rows per panel) took 1–2 ms longer. Positions past the ones kept (a partly used last panel)
     * are checked too; they are products of the head's own weights, so one of them is non-finite only if a weight
     * is, and then a flagged call just has its adapters scanned again ({@code HyperModulator.generate}).
     */
    private void zeroOffsetAndCheck(float[] tile, int rows) {
        int n = rows * HeadProduct.FEATURES_PER_PANEL;
        for (int f = 0; f < n; f++) {
            tile[f] = tile[f] + 0f;
        }
        if (FloatScan.firstNonFinite(tile, 0, n) >= 0) {
            nonFinite = true;
        }
    }

    /** Offsets / raw scale (in place), then one adapter site per row. as: (r, in) per row; bs: (out, r) per row. */
    private void finish(String module, float[][] as, float[][] bs, Map<String, NDArray> buffers) {
        HyperConfig.ModuleDims d = config.dims(module);
        int layers = config.numLayers();
        int r = config.rank();
        int in = d.in();
        int out = d.out();
        Affine fa = affine("A", module, buffers);
        Affine fb = affine("B", module, buffers);
        IntStream.range(0, tasks * layers).parallel().forEach(row -> {
            int l = row % layers;
            fa.apply(as[row], l * r * in, as[row].length);
            fb.apply(bs[row], l * out * r, bs[row].length);
            // checked while the row is still in cache, 16 values at a time: the separate plain-Java pass over a
            // Mistral-7B adapter's 13.6 MB took 3.2-3.7 ms per call (issue 16, BENCHMARKS.md)
            if (FloatScan.firstNonFinite(as[row]) >= 0 || FloatScan.firstNonFinite(bs[row]) >= 0) {
                nonFinite = true;
            }
        });
        place(module, as, bs);
    }

    /** One adapter site per row. as: (r, in) per row; bs: (out, r) per row. */
    private void place(String module, float[][] as, float[][] bs) {
        HyperConfig.ModuleDims d = config.dims(module);
        int layers = config.numLayers();
        long[] aShape = {config.rank(), d.in()};
        long[] bShape = {d.out(), config.rank()};
        for (int t = 0; t < tasks; t++) {
            for (int l = 0; l < layers; l++) {
                int row = t * layers + l;
                pairs.get(t).put(new LoraWeights.Site(l, module), new LoraWeights.Pair(
                        new FloatTensor(as[row], aShape.clone()), new FloatTensor(bs[row], bShape.clone())));
            }
        }
    }

    /** Whether every value of every finished adapter is finite (no NaN, no infinity). */
    boolean allFinite() {
        return !nonFinite;
    }

    List<LoraWeights> adapters() {
        List<LoraWeights> out = new ArrayList<>();
        for (Map<LoraWeights.Site, LoraWeights.Pair> p : pairs) {
            out.add(new LoraWeights(config.lora(), p));
        }
        return out;
    }

    /**
     * What is applied to every value of one of A/B, per layer: SFT x + offset; recon factorized (x·(std + 1e-10) +
     * mean if pred_z_score) + offset; recon non-factorized x / √delta_w_scaling (§2.9).
     */
    private Affine affine(String ab, String module, Map<String, NDArray> buffers) {
        boolean recon = config.trainingTask() == TrainingTask.RECON;
        if (recon && !config.factorized()) {
            float s = (float) Math.sqrt(config.deltaWScaling());
            return (x, base, n) -> {
                for (int i = 0; i < n; i++) {
                    x[i] = x[i] / s;
                }
            };
        }
        FloatBuffer offset = floats(buffers.get("AB_offset." + ab + "." + module));
        if (recon && config.predZScore()) {
            FloatBuffer std = floats(buffers.get("std_recon_target." + ab + "." + module));
            FloatBuffer mean = floats(buffers.get("mean_recon_target." + ab + "." + module));
            return (x, base, n) -> {
                float[] sd = new float[CHUNK];
                float[] mu = new float[CHUNK];
                float[] off = new float[CHUNK];
                for (int c = 0; c < n; c += CHUNK) {
                    int len = Math.min(CHUNK, n - c);
                    std.get(base + c, sd, 0, len);
                    mean.get(base + c, mu, 0, len);
                    offset.get(base + c, off, 0, len);
                    for (int i = 0; i < len; i++) {
                        float scaled = x[c + i] * (sd[i] + 1e-10f);
                        x[c + i] = (scaled + mu[i]) + off[i];
                    }
                }
            };
        }
        return (x, base, n) -> {
            float[] off = new float[CHUNK];
            for (int c = 0; c < n; c += CHUNK) {
                int len = Math.min(CHUNK, n - c);
                offset.get(base + c, off, 0, len);
                for (int i = 0; i < len; i++) {
                    x[c + i] = x[c + i] + off[i];
                }
            }
        };
    }

    /**
     * The buffers are read in chunks of this many floats, each with one bulk copy (absolute, so threads may share
     * the buffer) into a small array, after which the loops above are plain array loops that the JIT vectorises,
     * where a get per value is not. Small on purpose: a copy of each row's whole slice allocated 13.6 MB more
     * per Mistral-7B adapter, and the readout phase measured several times slower with it (issue 16, BENCHMARKS.md).
     */
    private static final int CHUNK = 2048;

    /** In place on x[0..n), with the buffer values of one layer starting at {@code base}. */
    private interface Affine {
        void apply(float[] x, int base, int n);
    }

    private static FloatBuffer floats(NDArray a) {
        return EngineMemory.readable(a);
    }
}
