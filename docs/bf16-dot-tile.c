// How fast one core multiplies our head kernel's tile in float32 FMAs and in AVX512_BF16 dot products
// (docs/PERFORMANCE.md, "Beyond the float32 peak"). Not part of the build.
//   gcc -O3 -march=x86-64-v4 -mavx512bf16 -o bf16-dot-tile docs/bf16-dot-tile.c && ./bf16-dot-tile [tiles]
// A tile: 8 activation rows x 32 outputs x K columns, 16 accumulators, as compute/VectorHeadKernel. `tiles` panels
// are walked in turn (16: 1 MB of float32 panels, in L2; 256: 16 MB, from L3). The values are arbitrary: only the
// rate is measured. `out` is global and a compiler barrier follows each tile, so that no tile is optimised away.
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define K 512
float out[256];

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// panel: per column k, 32 floats (outputs 0..31); x: per column k, 8 floats (the rows)
static void tile_f32(const float *p, const float *x) {
    __m512 a[16];
    for (int i = 0; i < 16; i++) a[i] = _mm512_setzero_ps();
    for (int k = 0; k < K; k++) {
        __m512 w0 = _mm512_loadu_ps(p + k * 32), w1 = _mm512_loadu_ps(p + k * 32 + 16);
        for (int r = 0; r < 8; r++) {
            __m512 b = _mm512_set1_ps(x[k * 8 + r]);
            a[2 * r] = _mm512_fmadd_ps(b, w0, a[2 * r]);
            a[2 * r + 1] = _mm512_fmadd_ps(b, w1, a[2 * r + 1]);
        }
    }
    for (int i = 0; i < 16; i++) _mm512_storeu_ps(out + 16 * i, a[i]);
}

// panel: per column pair, two vectors of 16 outputs x 2 bfloat16; x: per column pair, 8 rows x 2 bfloat16
static void tile_bf16(const __m512bh *p, const unsigned *x) {
    __m512 a[16];
    for (int i = 0; i < 16; i++) a[i] = _mm512_setzero_ps();
    for (int k = 0; k < K / 2; k++) {
        __m512bh w0 = p[2 * k], w1 = p[2 * k + 1];
        for (int r = 0; r < 8; r++) {
            __m512bh b = (__m512bh)_mm512_set1_epi32(x[k * 8 + r]);
            a[2 * r] = _mm512_dpbf16_ps(a[2 * r], b, w0);
            a[2 * r + 1] = _mm512_dpbf16_ps(a[2 * r + 1], b, w1);
        }
    }
    for (int i = 0; i < 16; i++) _mm512_storeu_ps(out + 16 * i, a[i]);
}

int main(int argc, char **argv) {
    int tiles = argc > 1 ? atoi(argv[1]) : 16;
    float *pf = aligned_alloc(64, (size_t)tiles * K * 32 * 4);
    float *x = aligned_alloc(64, K * 8 * 4);
    char *pb = aligned_alloc(64, (size_t)tiles * K * 32 * 2);
    unsigned *xb = aligned_alloc(64, K / 2 * 8 * 4);
    for (size_t i = 0; i < (size_t)tiles * K * 32; i++) pf[i] = (float)(rand() % 100) / 100.f;
    for (int i = 0; i < K * 8; i++) x[i] = (float)(rand() % 100) / 100.f;
    memset(pb, 0x3f, (size_t)tiles * K * 32 * 2); // bfloat16 0x3f3f, about 0.75
    for (int i = 0; i < K / 2 * 8; i++) xb[i] = 0x3f803f80u; // two bfloat16 ones
    double macs = (double)tiles * K * 32 * 8;
    for (int round = 0; round < 3; round++) {
        int reps = (int)(2e10 / macs);
        double t = now();
        for (int r = 0; r < reps; r++)
            for (int i = 0; i < tiles; i++) {
                tile_f32(pf + (size_t)i * K * 32, x);
                __asm__ volatile("" ::: "memory");
            }
        double f = macs * reps / (now() - t) / 1e9;
        t = now();
        for (int r = 0; r < reps; r++)
            for (int i = 0; i < tiles; i++) {
                tile_bf16((const __m512bh *)(pb + (size_t)i * K * 32 * 2), xb);
                __asm__ volatile("" ::: "memory");
            }
        double b = macs * reps / (now() - t) / 1e9;
        printf("tiles %d: float32 FMA %.1f G multiply-adds/s, bf16 dot %.1f (%.2fx)\n", tiles, f, b, b / f);
    }
    return 0;
}
