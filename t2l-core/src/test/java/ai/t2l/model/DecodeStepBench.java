package ai.t2l.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.t2l.compute.RawProduct;
import ai.t2l.compute.WeightMatrix;
import ai.t2l.compute.WeightPrecision;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Not a test: where one batch-1 decode step's time goes (issue 15, gemma-2-2b). Alternates, in one JVM so that the
 * shared machine's load hits all alike: (a) whole decode steps through {@link Transformer#forward} with a KV cache;
 * (b) the same products alone through {@link WeightMatrix#multiply} (engine arrays in and out); (c) the same products
 * on Java arrays ({@link RawProduct}: the kernels and the thread hand-off only). Prints ms per step and GB/s per
 * module. Run: {@code java --add-modules jdk.incubator.vector -cp CP ai.t2l.model.DecodeStepBench DIR [rounds [weights
 * [batch]]]} (weights as {@code --weights}: bf16 by default, int8 quantizes at load and needs the heap for it; batch:
 * sequences per step in (a) and (a'), default 1; (b) and (c) stay batch 1).
 */
public final class DecodeStepBench {
    private DecodeStepBench() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        WeightPrecision weights = args.length > 2 ? WeightPrecision.parse(args[2]) : WeightPrecision.BF16;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        int steps = 8;
        try (Transformer m = Transformer.load(dir, weights)) {
            Timed.install(m);
            ModelConfig c = m.config();
            String[] modules = TensorLayout.PROJECTIONS.toArray(new String[0]);
            String head = c.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight";
            SplittableRandom rng = new SplittableRandom(7);
            Map<String, float[]> xs = new LinkedHashMap<>();
            for (int l = 0; l < c.numLayers(); l++) {
                for (String mod : modules) {
                    WeightMatrix w = m.matrix(TensorLayout.projection(l, mod));
                    xs.computeIfAbsent(mod, k -> random(rng, (int) w.cols()));
                }
            }
            xs.put("lm_head", random(rng, (int) m.matrix(head).cols()));
            for (int round = 0; round < rounds; round++) {
                // (a) whole steps
                double stepMs;
                try (KvCache cache = m.newCache(64); NDManager scope = m.manager().newSubManager()) {
                    m.forward(scope, ForwardInput.of(tokens(rng, batch, 8, c.vocabSize())).withCache(cache)
                            .withLastOnly());
                    long t0 = System.nanoTime();
                    for (int s = 0; s < steps; s++) {
                        try (NDManager st = m.manager().newSubManager()) {
                            m.forward(st, ForwardInput.of(tokens(rng, batch, 1, c.vocabSize())).withCache(cache)
                                    .withLastOnly()).logits().argMax(-1).toLongArray();
                        }
                    }
                    stepMs = (System.nanoTime() - t0) / 1e6 / steps;
                }
                // (a') the same steps with every product timed inside them
                double inStepMs;
                double timedStepMs;
                try (KvCache cache = m.newCache(64); NDManager scope = m.manager().newSubManager()) {
                    m.forward(scope, ForwardInput.of(tokens(rng, batch, 8, c.vocabSize())).withCache(cache)
                            .withLastOnly());
                    Timed.NANOS.reset();
                    long t0 = System.nanoTime();
                    for (int s = 0; s < steps; s++) {
                        try (NDManager st = m.manager().newSubManager()) {
                            m.forward(st, ForwardInput.of(tokens(rng, batch, 1, c.vocabSize())).withCache(cache)
                                    .withLastOnly()).logits().argMax(-1).toLongArray();
                        }
                    }
                    timedStepMs = (System.nanoTime() - t0) / 1e6 / steps;
                    inStepMs = Timed.NANOS.sum() / 1e6 / steps;
                }
                System.out.printf("round %d: timed step (batch %d) %.1f ms, of which products %.1f ms, rest %.1f ms%n",
                        round, batch, timedStepMs, inStepMs, timedStepMs - inStepMs);
                // (b) products through engine arrays, (c) on Java arrays
                Map<String, double[]> eng = new LinkedHashMap<>();
                Map<String, double[]> raw = new LinkedHashMap<>();
                // each way over the whole model in turn, so that no matrix is still in L3 from the other way
                for (int s = 0; s < 4; s++) {
                    Map<String, double[]> into = s % 2 == 0 ? eng : raw;
                    for (int l = 0; l < c.numLayers(); l++) {
                        for (String mod : modules) {
                            time(m.matrix(TensorLayout.projection(l, mod)), mod, xs.get(mod), m.manager(), into,
                                    s % 2 == 0);
                        }
                    }
                    time(m.matrix(head), "lm_head", xs.get("lm_head"), m.manager(), into, s % 2 == 0);
                }
                double engTotal = 0;
                double rawTotal = 0;
                StringBuilder sb = new StringBuilder();
                for (String k : eng.keySet()) {
                    double[] e = eng.get(k);
                    double[] r = raw.get(k);
                    engTotal += e[0] / 2;
                    rawTotal += r[0] / 2;
                    sb.append(String.format("  %-10s engine %6.1f ms %5.1f GB/s | raw %6.1f ms %5.1f GB/s%n", k,
                            e[0] / 2, e[1] / e[0] / 1e6, r[0] / 2, r[1] / r[0] / 1e6));
                }
                System.out.printf("round %d: step (batch %d) %.1f ms; batch-1 products via engine %.1f ms,"
                        + " raw %.1f ms%s%n%s", round, batch, stepMs, engTotal, rawTotal,
                        batch == 1 ? String.format("; rest %.1f ms", stepMs - engTotal) : "", sb);
            }
        }
    }

    /** {@code rows} sequences of {@code len} random token ids. */
    private static int[][] tokens(SplittableRandom rng, int rows, int len, int vocab) {
        int[][] ids = new int[rows][len];
        for (int[] row : ids) {
            for (int i = 0; i < len; i++) {
                row[i] = rng.nextInt(vocab);
            }
        }
        return ids;
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return x;
    }

    /** Adds {ms, bytes} of one product (through engine arrays, or on Java arrays) to {@code into}. */
    private static void time(WeightMatrix w, String key, float[] x, NDManager manager, Map<String, double[]> into,
            boolean engine) {
        long t0 = System.nanoTime();
        if (engine) {
            try (NDManager sub = manager.newSubManager()) {
                NDArray xa = sub.create(x, new Shape(1, 1, x.length));
                w.multiply(xa, null).toFloatArray();
            }
        } else if (!(w instanceof ai.t2l.compute.F32Matrix)) {
            RawProduct.multiply(w, x, new float[(int) w.rows()]);
        }
        double[] e = into.computeIfAbsent(key, k -> new double[2]);
        e[0] += (System.nanoTime() - t0) / 1e6;
        e[1] += w.bytes();
    }

    /** A product that adds its wall time to {@link #NANOS}: put around every matrix of a model by reflection. */
    private record Timed(WeightMatrix w) implements WeightMatrix {
        static final java.util.concurrent.atomic.LongAdder NANOS = new java.util.concurrent.atomic.LongAdder();

        static void install(Transformer m) {
            try {
                java.lang.reflect.Field layers = Transformer.class.getDeclaredField("layers");
                layers.setAccessible(true);
                for (Object o : (java.util.List<?>) layers.get(m)) {
                    Map<String, WeightMatrix> p = ((Layer) o).projections();
                    p.replaceAll((k, v) -> new Timed(v));
                }
                java.lang.reflect.Field head = Transformer.class.getDeclaredField("lmHead");
                head.setAccessible(true);
                head.set(m, new Timed((WeightMatrix) head.get(m)));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public long rows() {
            return w.rows();
        }

        @Override
        public long cols() {
            return w.cols();
        }

        @Override
        public String storage() {
            return w.storage();
        }

        @Override
        public long bytes() {
            return w.bytes();
        }

        @Override
        public NDArray multiply(NDArray x, NDArray bias) {
            long t0 = System.nanoTime();
            NDArray y = w.multiply(x, bias);
            NANOS.add(System.nanoTime() - t0);
            return y;
        }

        @Override
        public boolean javaProductFor(long rows) {
            return w.javaProductFor(rows); // else the pass would keep two engine threads (EngineThreads)
        }

        @Override
        public void rowInto(int r, float[] dst, int off) {
            w.rowInto(r, dst, off);
        }
    }
}
