package ai.t2l.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.t2l.compute.LowRankDelta;
import ai.t2l.io.FloatTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The LoRA term in Java ({@link LowRankDelta}, taken at inference for up to {@link LoraBatch#JAVA_ROWS} rows) against
 * the engine's ops on the same adapters (withDropout(0): the training form, which keeps them), for one shared adapter
 * and for per-row adapters of different ranks with a row without one.
 */
class LoraJavaTermTest {
    private static final int IN = 40;
    private static final int OUT = 24;

    @Test
    void javaTermEqualsTheEngineOpsSharedAndPerRow() {
        assumeTrue(LowRankDelta.available(), "no vector kernel in this JVM");
        Random r = new Random(3);
        List<LoraWeights> perRow = new ArrayList<>(Arrays.asList(adapter(r, 4, 2.0), null, adapter(r, 8, 0.5)));
        try (NDManager m = NDManager.newBaseManager()) {
            for (List<LoraWeights> rows : List.of(List.of(adapter(r, 8, 2.0)), perRow)) {
                int batch = 3;
                for (int seq : new int[] {1, 5}) {
                    NDArray x = m.randomNormal(new Shape(batch, seq, IN));
                    NDArray y = m.randomNormal(new Shape(batch, seq, OUT));
                    try (LoraBatch lora = rows.size() == 1 ? LoraBatch.shared(m, rows.get(0)) : LoraBatch.of(m, rows)) {
                        float[] java = lora.apply(0, "q_proj", x, y).toFloatArray();
                        float[] engine = lora.withDropout(0f).apply(0, "q_proj", x, y).toFloatArray();
                        assertFalse(Arrays.equals(java, y.toFloatArray()), "the term was added");
                        for (int i = 0; i < java.length; i++) {
                            assertEquals(engine[i], java[i], 1e-5 * (1 + Math.abs(engine[i])), rows.size()
                                    + " adapter rows, seq " + seq + ", value " + i);
                        }
                        if (rows.size() == 3) { // the row without an adapter keeps y exactly
                            float[] y0 = y.toFloatArray();
                            int from = seq * OUT;
                            assertArrayEquals(Arrays.copyOfRange(y0, from, 2 * from),
                                    Arrays.copyOfRange(java, from, 2 * from));
                        }
                    }
                }
            }
        }
    }

    private static LoraWeights adapter(Random r, int rank, double scale) {
        Map<LoraWeights.Site, LoraWeights.Pair> pairs = new LinkedHashMap<>();
        pairs.put(new LoraWeights.Site(0, "q_proj"), new LoraWeights.Pair(random(r, rank, IN), random(r, OUT, rank)));
        int alpha = (int) Math.round(scale * rank);
        return new LoraWeights(new LoraConfig(rank, alpha, false, 0, List.of("q_proj")), pairs);
    }

    private static FloatTensor random(Random r, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian() * 0.3f;
        }
        return new FloatTensor(v, new long[] {rows, cols});
    }
}
