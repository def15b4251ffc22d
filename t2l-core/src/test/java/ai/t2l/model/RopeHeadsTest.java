package ai.t2l.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/**
 * {@link Rope#applyToHeads}: the one-pass inference form gives, bit for bit, the engine's ops on the per-head view
 * (the same products and sum), for several rows with their own positions and a head count like GQA's KV side.
 */
class RopeHeadsTest {
    @Test
    void givesTheEngineFormBitForBit() {
        int b = 3;
        int seq = 5;
        int heads = 4;
        int d = 16;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray y = SeededArrays.gaussian(m, 1, new Shape(b, seq, heads * d));
            NDArray cos = SeededArrays.gaussian(m, 2, new Shape(b, 1, seq, d)); // any tables: rows differ as positions do
            NDArray sin = SeededArrays.gaussian(m, 3, new Shape(b, 1, seq, d));
            NDArray want = Rope.apply(y.reshape(b, seq, heads, d).transpose(0, 2, 1, 3), cos, sin);
            NDArray got = Rope.applyToHeads(y, b, seq, heads, d, cos, sin);
            assertArrayEquals(want.getShape().getShape(), got.getShape().getShape());
            assertArrayEquals(want.toFloatArray(), got.toFloatArray());
        }
    }
}
