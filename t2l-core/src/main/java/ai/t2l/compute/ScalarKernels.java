package ai.t2l.compute;

import ai.t2l.io.Finite;
import ai.t2l.io.Half;
import java.nio.ByteBuffer;

/** Plain-Java kernels: the fallback when the Vector API module is absent, and the reference in tests. */
class ScalarKernels implements Kernels {
    @Override
    public void half(ByteBuffer w, int base, int cols, boolean f16, float[] xe, float[] xo, float[] x, int n,
            float[] y, int yStride, int o0, int o1) {
        for (int o = o0; o < o1; o++) {
            int off = (o - base) * cols * 2;
            for (int r = 0; r < n; r++) {
                float a0 = 0;
                float a1 = 0;
                int xr = r * cols;
                for (int c = 0; c + 1 < cols; c += 2) {
                    a0 += decode(w.getShort(off + 2 * c), f16) * x[xr + c];
                    a1 += decode(w.getShort(off + 2 * c + 2), f16) * x[xr + c + 1];
                }
                if ((cols & 1) != 0) {
                    a0 += decode(w.getShort(off + 2 * (cols - 1)), f16) * x[xr + cols - 1];
                }
                y[r * yStride + o] = a0 + a1;
            }
        }
    }

    @Override
    public int firstNonFiniteHalf(ByteBuffer w, int from, int to, boolean f16) {
        int exp = f16 ? 0x7C00 : 0x7F80; // all exponent bits set: infinity or NaN in both formats
        for (int at = from; at < to; at += 2) {
            if ((w.getShort(at) & exp) == exp) {
                return at;
            }
        }
        return -1;
    }

    @Override
    public int firstNonFinite(float[] x, int from, int to) {
        return Finite.firstNonFinite(x, from, to);
    }

    @Override
    public void silu(ByteBuffer b, int from, int to) {
        for (int i = from; i < to; i++) {
            b.putFloat(4 * i, silu(b.getFloat(4 * i)));
        }
    }

    @Override
    public void silu(float[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            a[i] = silu(a[i]);
        }
    }

    /** x · (1 / (1 + e^(−x))), PyTorch's two roundings. */
    private static float silu(float x) {
        return x * (1f / (Exp.exp(-x) + 1f));
    }

    @Override
    public void geluTanh(ByteBuffer b, int from, int to) {
        for (int i = from; i < to; i++) {
            b.putFloat(4 * i, geluTanh(b.getFloat(4 * i)));
        }
    }

    @Override
    public void softcap(ByteBuffer b, int from, int to, float cap, long whole) {
        float twoCap = 2f * cap;
        float slope = -2f / cap;
        for (int i = from; i < to; i++) {
            b.putFloat(4 * i, twoCap / (Exp.exp(b.getFloat(4 * i) * slope) + 1f) - cap);
        }
    }

    /** √(2/π)·2 and 0.044715: the constants of {@link Kernels#geluTanh}. */
    static final float GELU_TWO_BETA = (float) (2 * Math.sqrt(2 / Math.PI));
    static final float GELU_KAPPA = 0.044715f;

    /** x / (1 + e^(−2u)), 2u = 2√(2/π)·(x + κ·x³), in this order of float32 operations. */
    private static float geluTanh(float x) {
        float u2 = (x * x * x * GELU_KAPPA + x) * GELU_TWO_BETA;
        return x * (1f / (Exp.exp(-u2) + 1f));
    }

    @Override
    public void l1Sign(ByteBuffer p, ByteBuffer out, int at, float[] t, int tOff, int from, int n, float scale,
            float[] acc) {
        for (int i = from; i < n; i++) {
            float d = p.getFloat(4 * (at + i)) - t[tOff + i];
            acc[i] = acc[i] + Math.abs(d);
            out.putFloat(4 * (at + i), L1Sign.sgn(d) * scale);
        }
    }

    @Override
    public void adamW(ByteBuffer p, ByteBuffer g, ByteBuffer m, ByteBuffer v, int from, int to, AdamWStep s) {
        for (int i = from; i < to; i++) {
            float gi = g.getFloat(4 * i) * s.gradScale();
            float mi = m.getFloat(4 * i);
            mi = mi + (gi - mi) * s.oneMinusB1();
            float vi = v.getFloat(4 * i) * s.b2() + (gi * gi) * s.oneMinusB2();
            m.putFloat(4 * i, mi);
            v.putFloat(4 * i, vi);
            float denom = (float) Math.sqrt(vi) / s.bc2() + s.eps();
            p.putFloat(4 * i, p.getFloat(4 * i) * s.decay() + (mi / denom) * s.negStep());
        }
    }

    @Override
    public void softmaxStats(ByteBuffer x, int from, int to, float[] stats) {
        stats[0] = Float.NEGATIVE_INFINITY;
        stats[1] = 0f;
        stats[2] = 0f;
        maxInto(x, from, to, stats);
        sumsInto(x, from, to, stats);
    }

    /** stats[0] ← max(stats[0], x[from, to)). */
    static void maxInto(ByteBuffer x, int from, int to, float[] stats) {
        for (int i = from; i < to; i++) {
            stats[0] = Math.max(stats[0], x.getFloat(4 * i));
        }
    }

    /** stats[1] += Σ e^(x − stats[0]) and stats[2] += Σ x over [from, to). */
    static void sumsInto(ByteBuffer x, int from, int to, float[] stats) {
        for (int i = from; i < to; i++) {
            float v = x.getFloat(4 * i);
            stats[1] += Exp.exp(v - stats[0]);
            stats[2] += v;
        }
    }

    @Override
    public void scaledExp(ByteBuffer x, ByteBuffer out, int from, int to, float shift, float scale, float minus) {
        for (int i = from; i < to; i++) {
            out.putFloat(4 * i, scale * Exp.exp(x.getFloat(4 * i) - shift) - minus);
        }
    }

    static float decode(short s, boolean f16) {
        return f16 ? Half.toFloat(s) : Float.intBitsToFloat((s & 0xFFFF) << 16);
    }

    @Override
    public void widenRow(ByteBuffer w, int off, int cols, boolean f16, float[] dst, int at) {
        for (int c = 0; c < cols; c++) {
            dst[at + c] = decode(w.getShort(off + 2 * c), f16);
        }
    }

    @Override
    public int quantizeQ8(float[] row, int cols, byte[] q, int qOff, float[] scales, int sOff) {
        for (int c0 = 0; c0 < cols; c0 += BLOCK) {
            int bad = quantizeBlock(row, c0, Math.min(cols, c0 + BLOCK), q, qOff, scales, sOff + c0 / BLOCK);
            if (bad >= 0) {
                return bad;
            }
        }
        return -1;
    }

    /** {@link #quantizeQ8} for the one block [c0, c1): -1, or the column of its first non-finite value. */
    static int quantizeBlock(float[] row, int c0, int c1, byte[] q, int qOff, float[] scales, int s) {
        float amax = 0;
        for (int c = c0; c < c1; c++) {
            float v = row[c];
            if (!Float.isFinite(v)) {
                return c;
            }
            amax = Math.max(amax, Math.abs(v));
        }
        float d = amax / 127f;
        float id = d != 0 ? 1f / d : 0f;
        scales[s] = d;
        for (int c = c0; c < c1; c++) {
            q[qOff + c] = (byte) Math.round(row[c] * id);
        }
        return -1;
    }

    @Override
    public void int8(byte[] q, float[] scales, int quads, float[] x, int n, float[] y, int yStride, int yOff, int p0,
            int p1) {
        int blocks = quads * 4 / BLOCK;
        int width = 4 * quads;
        for (int p = p0; p < p1; p++) {
            for (int i = 0; i < Int8Panels.P; i++) {
                for (int r = 0; r < n; r++) {
                    float acc = 0;
                    for (int b = 0; b < blocks; b++) {
                        float s = 0;
                        for (int c = b * BLOCK; c < (b + 1) * BLOCK; c++) {
                            s += q[Int8Panels.valueAt(Int8Panels.P * p + i, c, quads)] * x[r * width + c];
                        }
                        acc += s * scales[Int8Panels.scaleAt(Int8Panels.P * p + i, b, blocks)];
                    }
                    y[r * yStride + yOff + Int8Panels.P * (p - p0) + i] = acc;
                }
            }
        }
    }

    @Override
    public void widenHalf(ByteBuffer w, int off, int cols, boolean f16, float[] dst, int at) {
        for (int c = 0; c < cols; c++) {
            dst[at + PanelOrder.pair(c, cols)] = decode(w.getShort(off + 2 * c), f16);
        }
    }

    @Override
    public void panel(float[] w, int m, int len, float[] x, int xOff, int n, float[] y, int yStride, int o) {
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < m; k++) {
                float acc = 0;
                for (int j = 0; j < len; j++) {
                    acc += w[k * len + j] * x[xOff + r * len + j];
                }
                y[r * yStride + o + k] += acc;
            }
        }
    }
}
