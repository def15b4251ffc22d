package ai.t2l.compute;

import java.util.ArrayList;
import java.util.List;

/**
 * The register tile of {@link HeadProduct}: tile[i·32 + f] = Σ_k x[i][k] · W[f][k] for 8 activation rows (i) and
 * 32 packed weight rows (f), from a panel in two halves laid out k-major (weight rows 0–15 at
 * {@code panel[base + k·16 + f]}, rows 16–31 at {@code panel[second + k·16 + f − 16]}) and the 8 rows' values
 * k-major too ({@code xb[k·8 + i]}). Each x value is broadcast and multiplied into the two 16-lane vectors of the
 * panel's row k, so the 32 results of one activation row come out side by side, as the adapters store them.
 * {@link VectorHeadKernel} when the Vector API module is present and the CPU has 512-bit vectors,
 * {@link VectorHeadKernel256} when it has 256-bit ones (AVX2), else plain Java; all with the same summation order
 * (k ascending from zero, one fused multiply-add per step), so all give the same bits.
 */
interface HeadKernel {
    /** Plain Java. Declared before BEST, which falls back to it: interface fields initialise in textual order. */
    HeadKernel SCALAR = (panel, base, second, cols, xb, tile) -> {
        int fs = HeadProduct.FEATURES_PER_PANEL;
        int hs = fs / 2;
        int rs = HeadProduct.ROWS_PER_TILE;
        for (int i = 0; i < rs; i++) {
            for (int f = 0; f < fs; f++) {
                int at = f < hs ? base + f : second + f - hs;
                float acc = 0f;
                for (int k = 0; k < cols; k++) {
                    acc = Math.fma(xb[k * rs + i], panel[at + k * hs], acc);
                }
                tile[i * fs + f] = acc;
            }
        }
    };

    HeadKernel BEST = choose();

    void tile(float[] panel, int base, int second, int cols, float[] xb, float[] tile);

    /**
     * {@link #tile} for the first {@code rows} (1 to 8) activation rows only: the tile's later rows are left
     * undefined. The same bits for the rows it computes; a kernel may skip work for the rest.
     */
    default void tileRows(float[] panel, int base, int second, int cols, float[] xb, float[] tile, int rows) {
        tile(panel, base, second, cols, xb, tile);
    }

    /**
     * {@link #tile} from a bfloat16 panel: {@code panel[base + k·16 + j]} holds weight row j in its low 16 bits and
     * row 16 + j in its high 16 bits; each widens to float32 exactly (its bits shifted up), so the sums are those of
     * {@link #tile} on the rounded weights.
     */
    default void tileBf16(int[] panel, int base, int cols, float[] xb, float[] tile) {
        int fs = HeadProduct.FEATURES_PER_PANEL;
        int rs = HeadProduct.ROWS_PER_TILE;
        for (int i = 0; i < rs; i++) {
            for (int f = 0; f < fs; f++) {
                float acc = 0f;
                for (int k = 0; k < cols; k++) {
                    int bits = panel[base + k * (fs / 2) + f % (fs / 2)];
                    float w = Float.intBitsToFloat(f < fs / 2 ? bits << 16 : bits & 0xFFFF0000);
                    acc = Math.fma(xb[k * rs + i], w, acc);
                }
                tile[i * fs + f] = acc;
            }
        }
    }

    /** Every kernel that runs on this CPU, fastest first, plain Java last (the tests compare them all). */
    static List<HeadKernel> available() {
        List<HeadKernel> kernels = new ArrayList<>();
        // each vector kernel's constructor refuses a CPU without its vector width
        for (String name : new String[] {"ai.t2l.compute.VectorHeadKernel", "ai.t2l.compute.VectorHeadKernel256"}) {
            HeadKernel k = VectorApi.load(HeadKernel.class, name, unused -> { });
            if (k != null) {
                kernels.add(k);
            }
        }
        kernels.add(SCALAR);
        return kernels;
    }

    private static HeadKernel choose() {
        return available().get(0);
    }
}
