/*
 * The packed products' register tile in AVX512_BF16 dot products (ai.t2l.compute.Bf16Dot: `--heads bf16dot`,
 * `--products bf16dot`): 8 activation rows × 32 outputs, each `vdpbf16ps` two bfloat16 products per lane into a
 * float32 sum; and the rounding of activation rows to bfloat16.
 *
 * Why native: on the CPUs this project measures (AMD EPYC Zen 4) one core runs 55-58 G float32 multiply-adds/s at
 * its peak and 114-116 G through `vdpbf16ps` (docs/bf16-dot-tile.c, docs/PERFORMANCE.md "Beyond the float32 peak"),
 * and neither DJL (a bfloat16 array aborts the JVM) nor the Java Vector API (no such operation) can issue it.
 *
 * Layout (Java packs it, ai.t2l.compute.HeadProduct): panels hold, per pair of columns (2q, 2q + 1), one int per
 * output with the weight of column 2q in its low 16 bits and 2q + 1 in its high 16: outputs 0-15 of a panel at
 * panels[first + q·16 + j], outputs 16-31 at panels[second + q·16 + j] (two memory streams per thread, as the
 * float32 panels). An activation tile is 8 rows, each its bfloat16 values in order (so int q holds columns 2q and
 * 2q + 1): xb[x0 + t·8·pairs + i·pairs + q] for row i of tile t (packUnchecked makes them). A tile's outputs:
 * out[i·32 + f] = Σ_q (x[i][2q+1]·w[f][2q+1] + x[i][2q]·w[f][2q]), accumulated in float32 in that order.
 *
 * Java checks every index before a call (Bf16Dot); this file trusts them. Nothing here allocates, keeps a reference
 * or calls back into the JVM, so the arrays are held as critical regions (no copies) for the microseconds of a call.
 */
#include <jni.h>
#include <cpuid.h>
#include <immintrin.h>
#include <stdint.h>

#include "bf16-convert.h"
#include "jni-critical.h"

/* CPUID leaf 7: AVX512F (subleaf 0, EBX bit 16), AVX512_BF16 (subleaf 1, EAX bit 5); XCR0 must enable the ZMM state
 * (bits 1, 2, 5, 6, 7), or the OS does not save the registers and the instructions fault. */
JNIEXPORT jboolean JNICALL Java_ai_t2l_compute_Bf16Dot_supported(JNIEnv *env, jclass cls) {
    (void)env;
    (void)cls;
    unsigned a, b, c, d;
    if (!__get_cpuid_count(1, 0, &a, &b, &c, &d) || !(c & (1u << 27))) { /* OSXSAVE */
        return JNI_FALSE;
    }
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0xE6) != 0xE6) {
        return JNI_FALSE;
    }
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & (1u << 16))) {
        return JNI_FALSE;
    }
    if (!__get_cpuid_count(7, 1, &a, &b, &c, &d) || !(a & (1u << 5))) {
        return JNI_FALSE;
    }
    return JNI_TRUE;
}

/* Which functions this library has (ai.t2l.compute.Bf16Dot.ABI): 2 since the float32 rows of bf16-rows.c, 3 since
 * the int8 products of int8-rows.c. A library built from older sources lacks this function or returns less, and is
 * refused at load rather than failing at its first call to a missing function. */
JNIEXPORT jint JNICALL Java_ai_t2l_compute_Bf16Dot_abi(JNIEnv *env, jclass cls) {
    (void)env;
    (void)cls;
    return 3;
}

/* The 16 accumulators are named, not an array, and the 8 rows written out, so that the tile lives in registers
 * whatever the compiler's optimisation level (gcc -O2 kept an array of them on the stack: half the speed). */
#define ROW(i, r0, r1)                                                \
    do {                                                              \
        __m512bh v = (__m512bh)_mm512_set1_epi32(x[(i) * pairs + q]); \
        r0 = _mm512_dpbf16_ps(r0, v, a);                              \
        r1 = _mm512_dpbf16_ps(r1, v, b);                              \
    } while (0)

__attribute__((target("avx512f,avx512bf16")))
static void tile8x32(const int32_t *w0, const int32_t *w1, const int32_t *x, int pairs, float *out) {
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    __m512 c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    for (int q = 0; q < pairs; q++) {
        __m512bh a = (__m512bh)_mm512_loadu_si512(w0 + q * 16);
        __m512bh b = (__m512bh)_mm512_loadu_si512(w1 + q * 16);
        ROW(0, c00, c01);
        ROW(1, c10, c11);
        ROW(2, c20, c21);
        ROW(3, c30, c31);
        ROW(4, c40, c41);
        ROW(5, c50, c51);
        ROW(6, c60, c61);
        ROW(7, c70, c71);
    }
    _mm512_storeu_ps(out, c00);
    _mm512_storeu_ps(out + 16, c01);
    _mm512_storeu_ps(out + 32, c10);
    _mm512_storeu_ps(out + 48, c11);
    _mm512_storeu_ps(out + 64, c20);
    _mm512_storeu_ps(out + 80, c21);
    _mm512_storeu_ps(out + 96, c30);
    _mm512_storeu_ps(out + 112, c31);
    _mm512_storeu_ps(out + 128, c40);
    _mm512_storeu_ps(out + 144, c41);
    _mm512_storeu_ps(out + 160, c50);
    _mm512_storeu_ps(out + 176, c51);
    _mm512_storeu_ps(out + 192, c60);
    _mm512_storeu_ps(out + 208, c61);
    _mm512_storeu_ps(out + 224, c70);
    _mm512_storeu_ps(out + 240, c71);
}

/* `tiles` activation tiles from xb[x0] against one panel: out[t·256 + ...]. */
JNIEXPORT void JNICALL Java_ai_t2l_compute_Bf16Dot_tilesUnchecked(JNIEnv *env, jclass cls, jintArray panels,
        jint first, jint second, jint pairs, jintArray xb, jint x0, jint tiles, jfloatArray out) {
    (void)cls;
    jarray arrays[3] = {panels, xb, out};
    void *held[3];
    if (!hold_all(env, 3, arrays, held)) {
        return;
    }
    const int32_t *p = held[0], *x = held[1];
    for (int t = 0; t < tiles; t++) {
        tile8x32(p + first, p + second, x + x0 + (int64_t)t * 8 * pairs, pairs, (float *)held[2] + (int64_t)t * 256);
    }
    release_all(env, 3, arrays, held);
}

/* One activation tile (xb[0..]) against `groups` panels in a row, group g's halves at panels[g·pairs·16] and
 * panels[second + g·pairs·16]: out[g·256 + ...]. */
JNIEXPORT void JNICALL Java_ai_t2l_compute_Bf16Dot_acrossUnchecked(JNIEnv *env, jclass cls, jintArray panels,
        jint second, jint pairs, jint groups, jintArray xb, jfloatArray out) {
    (void)cls;
    jarray arrays[3] = {panels, xb, out};
    void *held[3];
    if (!hold_all(env, 3, arrays, held)) {
        return;
    }
    const int32_t *p = held[0];
    for (int g = 0; g < groups; g++) {
        int64_t first = (int64_t)g * pairs * 16;
        tile8x32(p + first, p + second + first, held[1], pairs, (float *)held[2] + (int64_t)g * 256);
    }
    release_all(env, 3, arrays, held);
}

/* One row of float32 values to bfloat16 (bf16_block), 32 at a time; an odd last value is paired with zero, and
 * nothing past the row's last pair is written. */
__attribute__((target("avx512f,avx512bf16")))
static void row_to_bf16(const float *x, int cols, int32_t *out) {
    for (int k = 0; k < cols; k += 32) {
        const int left = cols - k;
        const __mmask16 pairs = (__mmask16)(left >= 32 ? 0xFFFF : (1u << ((left + 1) / 2)) - 1);
        _mm512_mask_storeu_epi32(out + k / 2, pairs, bf16_block(x + k, left));
    }
}

/* Rows [row0, row0 + rows) of x ((·, cols) row-major, rows ≤ 8) as one activation tile at xb[at]: 8 rows of
 * (cols + 1) / 2 ints, rows past `rows` zeros. */
JNIEXPORT void JNICALL Java_ai_t2l_compute_Bf16Dot_packUnchecked(JNIEnv *env, jclass cls, jfloatArray x, jint row0,
        jint rows, jint cols, jintArray xb, jint at) {
    (void)cls;
    void *xv, *ov;
    if (!hold_in_out(env, x, &xv, xb, &ov)) {
        return;
    }
    const float *xs = xv;
    int32_t *out = ov;
    int pairs = (cols + 1) / 2;
    for (int i = 0; i < 8; i++) {
        int32_t *o = out + at + (int64_t)i * pairs;
        if (i < rows) {
            row_to_bf16(xs + (int64_t)(row0 + i) * cols, cols, o);
        } else {
            for (int q = 0; q < pairs; q++) {
                o[q] = 0;
            }
        }
    }
    release_in_out(env, x, xv, xb, ov);
}
