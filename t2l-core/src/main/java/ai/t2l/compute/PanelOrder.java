package ai.t2l.compute;

/**
 * The column orders in which the prefill path widens weight rows (see {@link Kernels#widenHalf} and
 * {@link Kernels#widenInt8}): the orders the Vector API produces without shuffles. A dot product does not depend on
 * the order of its terms' pairs, so the activations are permuted the same way once per product and the float32
 * panel kernel then runs over plain contiguous rows.
 * <ul>
 *   <li>pairs (16-bit weights, read as int pairs): value 2j at j, value 2j + 1 at cols/2 + j; with odd cols the
 *       last value stays last;</li>
 *   <li>quads (int8, read as int quads): over the first {@code cols - cols % 64} values, value 4j + k at
 *       k·(that count / 4) + j (one 512-bit int vector covers 64 bytes); the remaining values stay in place.</li>
 * </ul>
 * Both orders are fixed functions of cols, the same for every kernel implementation. The prefill path cuts long
 * rows into column chunks ({@link #chunk}) and orders each chunk on its own, as a row of its length.
 */
final class PanelOrder {
    /** Values per int8 group whose quads are split into phases (one 512-bit vector of bytes). */
    static final int QUAD_GROUP = 64;

    private PanelOrder() {}

    /** Rows up to this long are one chunk. */
    static final int MAX_CHUNK = 4096;

    /**
     * The column chunk length for rows of {@code cols}: the whole row up to {@link #MAX_CHUNK}, else equal chunks
     * rounded up to a multiple of {@link #QUAD_GROUP} (so int8 blocks and quads never straddle two chunks). Short
     * chunks keep a panel of many weight rows and a block of activation rows in L2 together (gemma's 9216-wide down
     * projection otherwise streamed every activation row from L3 once per four weight rows).
     */
    static int chunk(int cols) {
        if (cols <= MAX_CHUNK) {
            return cols;
        }
        int count = (cols + MAX_CHUNK - 1) / MAX_CHUNK;
        int len = (cols + count - 1) / count;
        return (len + QUAD_GROUP - 1) / QUAD_GROUP * QUAD_GROUP;
    }

    /** Where value c of a row goes in pair order. */
    static int pair(int c, int cols) {
        int half = cols / 2;
        return c >= 2 * half ? c : (c & 1) == 0 ? c / 2 : half + c / 2;
    }

    /** Where value c of a row goes in quad order. */
    static int quad(int c, int cols) {
        int v = cols - cols % QUAD_GROUP;
        return c >= v ? c : (c & 3) * (v / 4) + (c >> 2);
    }

    /** One row src[so, so + cols) into dst[dOff ...] in pair order. */
    static void toPairs(float[] src, int so, float[] dst, int dOff, int cols) {
        int half = cols / 2;
        for (int j = 0; j < half; j++) {
            dst[dOff + j] = src[so + 2 * j];
            dst[dOff + half + j] = src[so + 2 * j + 1];
        }
        if ((cols & 1) != 0) {
            dst[dOff + cols - 1] = src[so + cols - 1];
        }
    }

    /** One row src[so, so + cols) into dst[dOff ...] in quad order. */
    static void toQuads(float[] src, int so, float[] dst, int dOff, int cols) {
        int v = cols - cols % QUAD_GROUP;
        int vq = v / 4;
        for (int j = 0; j < vq; j++) {
            dst[dOff + j] = src[so + 4 * j];
            dst[dOff + vq + j] = src[so + 4 * j + 1];
            dst[dOff + 2 * vq + j] = src[so + 4 * j + 2];
            dst[dOff + 3 * vq + j] = src[so + 4 * j + 3];
        }
        System.arraycopy(src, so + v, dst, dOff + v, cols - v);
    }
}
