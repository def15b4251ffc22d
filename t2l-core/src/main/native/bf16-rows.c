/*
 * Products of bfloat16 weights used in place with a few activation rows: decode, batched decode and short prompts
 * (ai.t2l.compute.Bf16Rows, called by HalfMatrix), in two forms of one register tile:
 *   - float32 (the default): the arithmetic of the Java kernels (VectorKernels.half), each weight widened exactly to
 *     float32 (bf16 is a float32's top half), float32 fused multiply-adds, float32 activations; only the order of the
 *     sums differs;
 *   - dot (`--products bf16dot`, optional): activations rounded to bfloat16, the weights' int pairs given to
 *     `vdpbf16ps` as loaded (two products per lane, no widening).
 *
 * Why native, measured (docs/WEIGHTS.md, "Few rows of bf16 weights in C"): at 8 activation rows the Java kernel ran
 * 63-68 G multiply-adds/s on a 14,336 × 4,096 matrix streamed from memory (two Zen 4 cores, peak 113), this one
 * 91-95. Two things the Java Vector API cannot express make the difference: a software prefetch of the next weight
 * rows into L2 while the current ones are multiplied (without it 68-74 G/s: the cores stall on memory when they also
 * compute), and a tile of 3 weight rows × 8 activation rows in 24 named registers, which C2 does not keep in
 * registers (a 2 × 8 Java tile ran slower than the 4 × 4 one, docs/WEIGHTS.md).
 *
 * Layout: weights are row-major bfloat16, `cols` to a row. Activations come packed in blocks of 32 columns, ROW_BYTES
 * a row and block: block b of row r at byte (b·n + r)·ROW_BYTES.
 *   - float32 (Java, Bf16Rows.pack; 128 bytes): the block's 16 even columns first (2t at t), then its 16 odd ones
 *     (2t + 1 at 16 + t), zero past the row's end. An int load of 16 weight pairs gives the even columns as `v << 16`
 *     and the odd ones as `v & 0xFFFF0000`, two operations and no shuffle.
 *   - dot (dot_pack below; 64 bytes): int t holds columns 2t (low half) and 2t + 1 rounded to bfloat16, zero past the
 *     row's end.
 * Per lane and block: float32, acc = fma(odd, fma(even, acc)); dot, Intel's VDPBF16PS (acc + odd product, then + even
 * product, each product exact). Then the lanes by sum16. Bf16RowsTest repeats both orders bit for bit.
 * Output y[r·yStride + y0 + o].
 *
 * Java checks every index before a call (Bf16Rows); this file trusts them. It writes only y (and xb in dot_pack).
 */
#include <jni.h>
#include <immintrin.h>
#include <stdint.h>

#include "bf16-convert.h"
#include "jni-critical.h"

#define ZERO _mm512_setzero_ps()

/* Bytes of one activation row's block of 32 columns: 32 floats, or 16 ints of bf16 pairs. */
#define ROW_BYTES(DOT) ((DOT) ? 64 : 128)

/* Activation row i of the group against the tile's weight rows. float32: an FMA for the even columns, one for the
 * odd; dot: one vdpbf16ps. */
#define ACT(i)                                                                                      \
    if (R > i) {                                                                                    \
        const char *xi = xs + (i) * ROW_BYTES(DOT);                                                 \
        if (DOT) {                                                                                  \
            const __m512bh x = (__m512bh)_mm512_loadu_si512((const void *)xi);                      \
            a##i = _mm512_dpbf16_ps(a##i, x, (__m512bh)v0);                                         \
            if (WR > 1) {                                                                           \
                b##i = _mm512_dpbf16_ps(b##i, x, (__m512bh)v1);                                     \
                c##i = _mm512_dpbf16_ps(c##i, x, (__m512bh)v2);                                     \
            }                                                                                       \
        } else {                                                                                    \
            __m512 e = _mm512_loadu_ps((const float *)xi), d = _mm512_loadu_ps((const float *)xi + 16); \
            if (R > 4) {                                                                            \
                __asm__("" : "+v"(e), "+v"(d)); /* in registers: see BLOCK */                       \
            }                                                                                       \
            a##i = _mm512_fmadd_ps(d0, d, _mm512_fmadd_ps(e0, e, a##i));                            \
            if (WR > 1) {                                                                           \
                b##i = _mm512_fmadd_ps(d1, d, _mm512_fmadd_ps(e1, e, b##i));                        \
                c##i = _mm512_fmadd_ps(d2, d, _mm512_fmadd_ps(e2, e, c##i));                        \
            }                                                                                       \
        }                                                                                           \
    }

/*
 * One block of 32 columns: the weight rows loaded by LOAD (a plain or a masked load), widened (float32 form), then
 * every activation row. Float32 above 4 activation rows: the 24 accumulators leave no register for a mask or a
 * reloaded operand, and gcc then folded every load into the instructions that use it (each weight vector read twice,
 * each activation three times), and the loads, not the FMAs, set the pace (74-78 against 91-96 G/s at 8 rows). Empty
 * asm statements keep the loaded values in registers there, and the odd columns are shifted down and up instead of
 * masked. Up to 4 rows the folded form was the faster one (at 1 row 39 against 35 GB/s), so it stays there.
 */
#define ODD(v) (R > 4 ? _mm512_slli_epi32(_mm512_srli_epi32(v, 16), 16) : _mm512_and_si512(v, hi))
#define BLOCK(LOAD)                                                                                              \
    do {                                                                                                         \
        __m512i v0 = LOAD(p), v1 = WR > 1 ? LOAD(p + stride) : v0, v2 = WR > 1 ? LOAD(p + 2 * stride) : v0;     \
        if (!DOT && R > 4) {                                                                                     \
            __asm__("" : "+v"(v0), "+v"(v1), "+v"(v2));                                                          \
        }                                                                                                        \
        const __m512 e0 = _mm512_castsi512_ps(_mm512_slli_epi32(v0, 16));                                       \
        const __m512 d0 = _mm512_castsi512_ps(ODD(v0));                                                          \
        const __m512 e1 = _mm512_castsi512_ps(_mm512_slli_epi32(v1, 16));                                       \
        const __m512 d1 = _mm512_castsi512_ps(ODD(v1));                                                          \
        const __m512 e2 = _mm512_castsi512_ps(_mm512_slli_epi32(v2, 16));                                       \
        const __m512 d2 = _mm512_castsi512_ps(ODD(v2));                                                          \
        ACT(0) ACT(1) ACT(2) ACT(3) ACT(4) ACT(5) ACT(6) ACT(7)                                                  \
    } while (0)

#define FULL(q) _mm512_loadu_si512((const void *)(q))
#define MASKED(q) _mm512_maskz_loadu_epi16(tail, (const void *)(q))

/* The 16 lanes' sum in a stated order (Bf16RowsTest repeats it): lane t + lane t + 8, then t + (t + 4), then
 * [0] + [2] and [1] + [3], then those two. Not _mm512_reduce_add_ps, whose order is each compiler's own. */
__attribute__((target("avx512f"), always_inline))
static inline float sum16(__m512 v) {
    const __m256 h = _mm256_add_ps(_mm512_castps512_ps256(v),
            _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    q = _mm_add_ss(q, _mm_movehdup_ps(q));
    return _mm_cvtss_f32(q);
}

#define STORE(i)                                                        \
    if (R > i) {                                                        \
        float *yr = y + (int64_t)(i) * yStride;                         \
        yr[0] = sum16(a##i);                                            \
        if (WR > 1) {                                                   \
            yr[1] = sum16(b##i);                                        \
            yr[2] = sum16(c##i);                                        \
        }                                                               \
    }

/*
 * WR (1 or 3) weight rows from w (`stride` shorts apart) against R (1-8) activation rows from xb (blocks
 * `blockBytes` apart); R, WR and DOT are constants in every caller, so the unused accumulators and branches vanish
 * (gcc -O2 left none of the 24 accumulators on the stack). With `prefetch`, the WR rows after these are asked into
 * L2, one line a row per block, a whole tile ahead: the hardware prefetcher alone leaves the cores waiting (see the
 * top of the file).
 */
__attribute__((target("avx512f,avx512bw,avx512bf16"), always_inline))
static inline void tile(const uint16_t *w, int64_t stride, int cols, const char *xb, int64_t blockBytes,
        const int R, const int WR, const int DOT, int prefetch, float *y, int64_t yStride) {
    const __m512i hi = _mm512_set1_epi32((int)0xFFFF0000);
    __m512 a0 = ZERO, a1 = ZERO, a2 = ZERO, a3 = ZERO, a4 = ZERO, a5 = ZERO, a6 = ZERO, a7 = ZERO;
    __m512 b0 = ZERO, b1 = ZERO, b2 = ZERO, b3 = ZERO, b4 = ZERO, b5 = ZERO, b6 = ZERO, b7 = ZERO;
    __m512 c0 = ZERO, c1 = ZERO, c2 = ZERO, c3 = ZERO, c4 = ZERO, c5 = ZERO, c6 = ZERO, c7 = ZERO;
    const int full = cols / 32;
    const char *xs = xb;
    const uint16_t *p = w;
    const int64_t ahead = WR * stride;
    for (int b = 0; b < full; b++, p += 32, xs += blockBytes) {
        if (prefetch) {
            _mm_prefetch((const char *)(p + ahead), _MM_HINT_T1);
            if (WR > 1) {
                _mm_prefetch((const char *)(p + ahead + stride), _MM_HINT_T1);
                _mm_prefetch((const char *)(p + ahead + 2 * stride), _MM_HINT_T1);
            }
        }
        BLOCK(FULL);
    }
    if (cols % 32 != 0) { /* the last columns: masked 16-bit loads never read past the row; their activations are 0 */
        const __mmask32 tail = (__mmask32)((1u << (cols % 32)) - 1);
        BLOCK(MASKED);
    }
    STORE(0) STORE(1) STORE(2) STORE(3) STORE(4) STORE(5) STORE(6) STORE(7)
}

/* The group's row count as a constant: one specialised copy of the tile per count, form and tile height. */
#define DISPATCH(WR, DOT, PREFETCH)                                                                   \
    switch (rows) {                                                                                   \
        case 1: tile(wo, cols, cols, xr, blockBytes, 1, WR, DOT, PREFETCH, yo, yStride); break;       \
        case 2: tile(wo, cols, cols, xr, blockBytes, 2, WR, DOT, PREFETCH, yo, yStride); break;       \
        case 3: tile(wo, cols, cols, xr, blockBytes, 3, WR, DOT, PREFETCH, yo, yStride); break;       \
        case 4: tile(wo, cols, cols, xr, blockBytes, 4, WR, DOT, PREFETCH, yo, yStride); break;       \
        case 5: tile(wo, cols, cols, xr, blockBytes, 5, WR, DOT, PREFETCH, yo, yStride); break;       \
        case 6: tile(wo, cols, cols, xr, blockBytes, 6, WR, DOT, PREFETCH, yo, yStride); break;       \
        case 7: tile(wo, cols, cols, xr, blockBytes, 7, WR, DOT, PREFETCH, yo, yStride); break;       \
        default: tile(wo, cols, cols, xr, blockBytes, 8, WR, DOT, PREFETCH, yo, yStride); break;      \
    }

/* `count` weight rows from w against all n activation rows: tiles of 3 weight rows (the last one or two alone), each
 * against groups of up to 8 activation rows; the first group of a tile prefetches the next tile's rows. */
#define PRODUCT(DOT)                                                                       \
    const int64_t blockBytes = (int64_t)n * ROW_BYTES(DOT);                                \
    int o = 0;                                                                             \
    for (; o + 3 <= count; o += 3) {                                                       \
        const uint16_t *wo = w + (int64_t)o * cols;                                        \
        for (int r0 = 0; r0 < n; r0 += 8) {                                                \
            const int rows = n - r0 < 8 ? n - r0 : 8;                                      \
            const char *xr = xb + (int64_t)r0 * ROW_BYTES(DOT);                            \
            float *yo = y + (int64_t)r0 * yStride + o;                                     \
            if (r0 == 0) {                                                                 \
                DISPATCH(3, DOT, 1)                                                        \
            } else {                                                                       \
                DISPATCH(3, DOT, 0)                                                        \
            }                                                                              \
        }                                                                                  \
    }                                                                                      \
    for (; o < count; o++) {                                                               \
        const uint16_t *wo = w + (int64_t)o * cols;                                        \
        for (int r0 = 0; r0 < n; r0 += 8) {                                                \
            const int rows = n - r0 < 8 ? n - r0 : 8;                                      \
            const char *xr = xb + (int64_t)r0 * ROW_BYTES(DOT);                            \
            float *yo = y + (int64_t)r0 * yStride + o;                                     \
            DISPATCH(1, DOT, 0)                                                            \
        }                                                                                  \
    }

__attribute__((target("avx512f,avx512bw,avx512bf16")))
static void product(const uint16_t *w, int cols, int count, const char *xb, int n, float *y, int64_t yStride,
        int dot) {
    if (dot) {
        PRODUCT(1)
    } else {
        PRODUCT(0)
    }
}

/* Weight rows [0, count) from `offset` bytes into the direct buffer `weights` against the packed activations xb (a
 * float[] or, for the dot form, an int[]): y[r·yStride + y0 + o]. */
static void call(JNIEnv *env, jobject weights, jlong offset, jint cols, jint count, jarray xb, jint n, jfloatArray y,
        jint yStride, jint y0, int dot) {
    const uint8_t *base = (*env)->GetDirectBufferAddress(env, weights);
    if (base == NULL) {
        return; /* Java passes direct buffers only */
    }
    void *x, *out;
    if (!hold_in_out(env, xb, &x, y, &out)) {
        return;
    }
    product((const uint16_t *)(base + offset), cols, count, x, n, (float *)out + y0, yStride, dot);
    release_in_out(env, xb, x, y, out);
}

JNIEXPORT void JNICALL Java_ai_t2l_compute_Bf16Rows_productUnchecked(JNIEnv *env, jclass cls, jobject weights,
        jlong offset, jint cols, jint count, jfloatArray xb, jint n, jfloatArray y, jint yStride, jint y0) {
    (void)cls;
    call(env, weights, offset, cols, count, xb, n, y, yStride, y0, 0);
}

JNIEXPORT void JNICALL Java_ai_t2l_compute_Bf16Rows_dotUnchecked(JNIEnv *env, jclass cls, jobject weights,
        jlong offset, jint cols, jint count, jintArray xb, jint n, jfloatArray y, jint yStride, jint y0) {
    (void)cls;
    call(env, weights, offset, cols, count, xb, n, y, yStride, y0, 1);
}

/* x ((n, cols) row-major) rounded to bfloat16 (bf16_block) into the dot form's layout. */
__attribute__((target("avx512f,avx512bf16")))
static void dot_pack(const float *x, int n, int cols, int32_t *xb) {
    for (int r = 0; r < n; r++) {
        const float *row = x + (int64_t)r * cols;
        for (int k = 0, b = 0; k < cols; k += 32, b++) {
            _mm512_storeu_si512((void *)(xb + ((int64_t)b * n + r) * 16), bf16_block(row + k, cols - k));
        }
    }
}

JNIEXPORT void JNICALL Java_ai_t2l_compute_Bf16Rows_dotPackUnchecked(JNIEnv *env, jclass cls, jfloatArray x, jint n,
        jint cols, jintArray xb) {
    (void)cls;
    void *xs, *out;
    if (!hold_in_out(env, x, &xs, xb, &out)) {
        return;
    }
    dot_pack(xs, n, cols, out);
    release_in_out(env, x, xs, xb, out);
}
