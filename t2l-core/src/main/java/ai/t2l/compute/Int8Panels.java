package ai.t2l.compute;

/**
 * Where {@link Int8Matrix} keeps each value: rows in panels of {@link #P} = 16, and in a panel its rows' values one
 * column after another, so that 16 consecutive bytes hold one column of all sixteen rows. A kernel loads them as one
 * 128-bit vector and widens them to sixteen float lanes (sign extension and conversion: two instructions), one lane
 * per output row, multiplied by a broadcast activation (the outer-product form), instead of summing a row's lanes at
 * the end (the dot-product form). Measured on 2 cores (docs/WEIGHTS.md "int8 in panels"): batched decode 40–44 →
 * 80–85 GFMA/s, batch 1 at the same bus speed; the column order beat an earlier order of four columns per int lane,
 * which took three shifts more per four columns (BENCHMARKS.md, seventeenth session).
 * <ul>
 *   <li>value (o, c), o = 16p + i: byte (p · width + c) · 16 + i, signed (width = the padded columns, 4 · quads);</li>
 *   <li>scale (o, b) of the block of 32 columns b: float ((p · blocks + b) · 16 + i).</li>
 * </ul>
 * Columns are padded with zeros to a whole number of blocks (quads = 8 · blocks) and rows to a whole number of
 * panels, with zero scales. Real models' shapes need no padding, and a row-major array then becomes panels in place,
 * one 16-row strip at a time (the strip occupies the same bytes in both layouts).
 */
final class Int8Panels {
    /** Rows per panel: the float lanes of one 512-bit vector. */
    static final int P = 16;

    private Int8Panels() {}

    static int panels(int rows) {
        return (rows + P - 1) / P;
    }

    /** Quads (four columns) per padded row. */
    static int quads(int cols) {
        return Int8Matrix.blocks(cols) * Kernels.BLOCK / 4;
    }

    static int valueAt(int o, int c, int quads) {
        return ((o / P) * 4 * quads + c) * P + o % P;
    }

    static int scaleAt(int o, int b, int blocks) {
        return ((o / P) * blocks + b) * P + o % P;
    }

    /** Row-major signed values (rows, cols) in panel order; in place (and returned) when no padding is needed. */
    static byte[] fromRowMajor(byte[] q, int rows, int cols) {
        int quads = quads(cols);
        if (rows % P != 0 || cols % Kernels.BLOCK != 0) {
            byte[] out = new byte[Math.multiplyExact(panels(rows) * P, 4 * quads)];
            for (int o = 0; o < rows; o++) {
                for (int c = 0; c < cols; c++) {
                    out[valueAt(o, c, quads)] = q[o * cols + c];
                }
            }
            return out;
        }
        int strip = P * cols;
        ComputePool.forRange(rows / P, q.length, (p0, p1) -> {
            byte[] copy = new byte[strip];
            for (int p = p0; p < p1; p++) {
                int base = p * strip;
                System.arraycopy(q, base, copy, 0, strip);
                for (int i = 0; i < P; i++) {
                    for (int c = 0; c < cols; c++) {
                        q[base + c * P + i] = copy[i * cols + c];
                    }
                }
            }
        });
        return q;
    }

    /** Row-major scales (rows, blocks) in panel order (a new array). */
    static float[] scalesFromRowMajor(float[] s, int rows, int blocks) {
        float[] out = new float[panels(rows) * P * blocks];
        for (int o = 0; o < rows; o++) {
            for (int b = 0; b < blocks; b++) {
                out[scaleAt(o, b, blocks)] = s[o * blocks + b];
            }
        }
        return out;
    }

    /** The signed values of rows [r0, r0 + n) into dst (row-major, n · cols bytes). */
    static void toRowMajor(byte[] q, int cols, int r0, int n, byte[] dst) {
        int quads = quads(cols);
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < cols; c++) {
                dst[r * cols + c] = q[valueAt(r0 + r, c, quads)];
            }
        }
    }

    /** The scales in row-major order (rows, blocks). */
    static float[] scalesToRowMajor(float[] s, int rows, int blocks) {
        float[] out = new float[rows * blocks];
        for (int o = 0; o < rows; o++) {
            for (int b = 0; b < blocks; b++) {
                out[o * blocks + b] = s[scaleAt(o, b, blocks)];
            }
        }
        return out;
    }
}
