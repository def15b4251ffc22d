/*
 * Products of int8 weights (Q8_0 blocks in 16-row panels, ai.t2l.compute.Int8Panels) with activations quantized to
 * int8 blocks too: the optional `--products int8dot` (ai.t2l.compute.Int8Rows, called by Int8Matrix for every
 * product). llama.cpp's Q8_0 × Q8_0 (ggml_vec_dot_q8_0_q8_0): per block of 32 columns an exact integer dot
 * product of the two blocks' int8 values, scaled by both blocks' scales and summed in float32.
 *
 * Why: with weights widened to float32 (the default) an int8 batch of eight is bound by float32 multiply-adds (the
 * Java kernel's 76-84 G/s against a 113 G/s peak on two Zen 4 cores), not by memory. AVX512_VNNI's `vpdpbusd` does 64
 * byte products per instruction into int32 lanes, four times the multiplies of a float32 FMA, and there is no
 * widening (docs/WEIGHTS.md, "int8 on int8 activations").
 *
 * Arithmetic, per output (o) and activation row (r), Int8RowsTest repeats it bit for bit:
 *   isum_b = Σ_{c in block b} q[o][c] · a[r][c]           exact in int32 (|isum| ≤ 32 · 128 · 127 < 2^24, so its
 *                                                          float is exact too)
 *   f = fma((float) isum_b, s[o][b] · d[r][b], f)          for b = 0, 1, ... in order, f from 0; the product of the
 *                                                          two scales rounded once
 * `vpdpbusd` multiplies unsigned bytes by signed ones, so the weights go in as q + 128 (a flip of the top bit: every
 * int8 value, -128 included, maps to 0..255) and the activations as they are; Σ (q + 128) · a − 128 · Σ a is the
 * signed sum, and 128 · Σ a comes with each activation block.
 *
 * Layouts:
 *   - weights, Int8Panels: panel p's quad j (columns 4j..4j+3 of its 16 rows) is 64 bytes at (p · quads + j) · 64,
 *     byte c · 16 + i for row i, column 4j + c; `vpermb` turns it into row i's four columns in int lane i, the order
 *     `vpdpbusd` sums; the scales of block b at (p · blocks + b) · 16, one per row;
 *   - activations (Java, Int8Rows.quantize): one record of XA_INTS ints per row and block, block b of row r at
 *     (b · n + r) · XA_INTS: 8 ints holding the 32 int8 values (column 4j + k in byte k of int j), the scale's bits,
 *     then 128 · Σ of the values.
 * Output: panel p's 16 rows for activation row r at y[r · yStride + yOff + 16 · (p − p0) ..], as Kernels.int8.
 *
 * Java checks every index before a call (Int8Rows); this file trusts them. It writes only y.
 */
#include <jni.h>
#include <cpuid.h>
#include <immintrin.h>
#include <stdint.h>

#include "jni-critical.h"

/* Ints of one activation row's block: 8 of values, the scale, 128 · Σ values (Int8Rows.XA_INTS). */
#define XA_INTS 10

/* CPUID leaf 7, subleaf 0: AVX512BW (EBX bit 30), AVX512_VBMI (ECX bit 1), AVX512_VNNI (ECX bit 11). The ZMM state
 * and AVX512F are Bf16Dot_supported's checks, which run first (the library is not used without them). */
JNIEXPORT jboolean JNICALL Java_ai_t2l_compute_Int8Rows_supported(JNIEnv *env, jclass cls) {
    (void)env;
    (void)cls;
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        return JNI_FALSE;
    }
    return (b & (1u << 30)) && (c & (1u << 1)) && (c & (1u << 11)) ? JNI_TRUE : JNI_FALSE;
}

/*
 * How far ahead of the quad being multiplied its panel's bytes are asked into L2: 4 KB, eight blocks. Without it the
 * cores wait on memory while they also compute: at 8 rows on a 14,336 × 4,096 matrix streamed from memory (two Zen 4
 * cores) 94-112 G multiply-adds/s; 0.5, 1, 2, 4, 8 KB ahead: 108-116, 113-127, 122-148, 132-209, 119-156 (a scratch
 * harness, docs/WEIGHTS.md "int8 on int8 activations"; noisy rounds, 4 KB the best in each).
 */
#define AHEAD 4096

#define ZI _mm512_setzero_si512()
#define ZF _mm512_setzero_ps()

/* Activation row i against the quad w: 64 byte products into row i's 16 int lanes. */
#define DOT(i)                                                                       \
    if (R > i) {                                                                     \
        d##i = _mm512_dpbusd_epi32(d##i, w, _mm512_set1_epi32(xb[(i) * XA_INTS + j])); \
    }

/* Activation row i's block sum, its correction taken off, scaled and added: see the top of the file. */
#define SCALE(i)                                                                                            \
    if (R > i) {                                                                                            \
        const __m512i exact = _mm512_sub_epi32(d##i, _mm512_set1_epi32(xb[(i) * XA_INTS + 9]));             \
        const __m512 scale = _mm512_mul_ps(sw, _mm512_castsi512_ps(_mm512_set1_epi32(xb[(i) * XA_INTS + 8]))); \
        f##i = _mm512_fmadd_ps(_mm512_cvtepi32_ps(exact), scale, f##i);                                     \
        d##i = ZI;                                                                                          \
    }

#define STORE(i)                                                  \
    if (R > i) {                                                  \
        _mm512_storeu_ps(y + (int64_t)(i) * yStride, f##i);       \
    }

/*
 * One panel (q: its quads, s: its scales) against R (1-8, a constant in every caller) activation rows from xa (the
 * records of block b at xa + b · n · XA_INTS): 8 int32 and 8 float32 accumulators, named so that they stay in
 * registers.
 */
__attribute__((target("avx512f,avx512bw,avx512vnni,avx512vbmi"), always_inline))
static inline void panel(const int8_t *q, const float *s, int blocks, const int32_t *xa, int n, const int R, float *y,
        int64_t yStride) {
    /* byte 4i + c of the result is byte 16c + i of the quad: row i's four columns in int lane i */
    const __m512i order = _mm512_set_epi8(63, 47, 31, 15, 62, 46, 30, 14, 61, 45, 29, 13, 60, 44, 28, 12,
            59, 43, 27, 11, 58, 42, 26, 10, 57, 41, 25, 9, 56, 40, 24, 8,
            55, 39, 23, 7, 54, 38, 22, 6, 53, 37, 21, 5, 52, 36, 20, 4,
            51, 35, 19, 3, 50, 34, 18, 2, 49, 33, 17, 1, 48, 32, 16, 0);
    const __m512i flip = _mm512_set1_epi8((char)0x80);
    __m512i d0 = ZI, d1 = ZI, d2 = ZI, d3 = ZI, d4 = ZI, d5 = ZI, d6 = ZI, d7 = ZI;
    __m512 f0 = ZF, f1 = ZF, f2 = ZF, f3 = ZF, f4 = ZF, f5 = ZF, f6 = ZF, f7 = ZF;
    const int64_t blockInts = (int64_t)n * XA_INTS;
    for (int b = 0; b < blocks; b++) {
        const int32_t *xb = xa + b * blockInts;
        const int8_t *qb = q + (int64_t)b * 8 * 64;
#pragma GCC unroll 8
        for (int j = 0; j < 8; j++) {
            _mm_prefetch((const char *)(qb + 64 * j + AHEAD), _MM_HINT_T1);
            const __m512i w = _mm512_xor_si512(
                    _mm512_permutexvar_epi8(order, _mm512_loadu_si512((const void *)(qb + 64 * j))), flip);
            DOT(0) DOT(1) DOT(2) DOT(3) DOT(4) DOT(5) DOT(6) DOT(7)
        }
        const __m512 sw = _mm512_loadu_ps(s + (int64_t)b * 16);
        SCALE(0) SCALE(1) SCALE(2) SCALE(3) SCALE(4) SCALE(5) SCALE(6) SCALE(7)
    }
    STORE(0) STORE(1) STORE(2) STORE(3) STORE(4) STORE(5) STORE(6) STORE(7)
}

/*
 * Panels [p0, p0 + count) against activation rows [r0, r0 + rows) of the n in xa, in groups of up to 8 rows; each
 * output is computed whole by one group, so the split into calls and threads does not change a bit.
 */
__attribute__((target("avx512f,avx512bw,avx512vnni,avx512vbmi")))
static void product(const int8_t *q, const float *s, int quads, int p0, int count, const int32_t *xa, int n, int r0,
        int rows, float *y, int64_t yStride, int yOff) {
    const int blocks = quads / 8;
    for (int p = p0; p < p0 + count; p++) {
        const int8_t *qp = q + (int64_t)p * quads * 64;
        const float *sp = s + (int64_t)p * blocks * 16;
        for (int r = r0; r < r0 + rows; r += 8) {
            const int32_t *xr = xa + (int64_t)r * XA_INTS;
            float *yr = y + (int64_t)r * yStride + yOff + 16 * (p - p0);
            switch (r0 + rows - r < 8 ? r0 + rows - r : 8) {
                case 1: panel(qp, sp, blocks, xr, n, 1, yr, yStride); break;
                case 2: panel(qp, sp, blocks, xr, n, 2, yr, yStride); break;
                case 3: panel(qp, sp, blocks, xr, n, 3, yr, yStride); break;
                case 4: panel(qp, sp, blocks, xr, n, 4, yr, yStride); break;
                case 5: panel(qp, sp, blocks, xr, n, 5, yr, yStride); break;
                case 6: panel(qp, sp, blocks, xr, n, 6, yr, yStride); break;
                case 7: panel(qp, sp, blocks, xr, n, 7, yr, yStride); break;
                default: panel(qp, sp, blocks, xr, n, 8, yr, yStride); break;
            }
        }
    }
}

JNIEXPORT void JNICALL Java_ai_t2l_compute_Int8Rows_productUnchecked(JNIEnv *env, jclass cls, jbyteArray q,
        jfloatArray s, jint quads, jint p0, jint count, jintArray xa, jint n, jint r0, jint rows, jfloatArray y,
        jint yStride, jint yOff) {
    (void)cls;
    jarray arrays[4] = {q, s, xa, y};
    void *held[4];
    if (!hold_all(env, 4, arrays, held)) {
        return;
    }
    product(held[0], held[1], quads, p0, count, held[2], n, r0, rows, held[3], yStride, yOff);
    release_all(env, 4, arrays, held);
}
