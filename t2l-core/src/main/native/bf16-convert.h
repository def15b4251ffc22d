/*
 * Up to 32 float32 values from x (`left` of them, at most 32 read) rounded to bfloat16 by the CPU (VCVTNE2PS2BF16:
 * nearest even, as torch's cast; NaN stays NaN; a subnormal becomes zero, as the dot product reads one): int t of the
 * result holds value 2t in its low half and 2t + 1 in its high half, zeros past `left`. Masked loads never read past
 * x + left. Shared by bf16-dot.c and bf16-rows.c.
 */
#ifndef T2L_BF16_CONVERT_H
#define T2L_BF16_CONVERT_H

#include <immintrin.h>

__attribute__((target("avx512f,avx512bf16"), always_inline))
static inline __m512i bf16_block(const float *x, int left) {
    const __mmask16 lo = (__mmask16)(left >= 16 ? 0xFFFF : (1u << left) - 1);
    const __mmask16 hi = (__mmask16)(left >= 32 ? 0xFFFF : left <= 16 ? 0 : (1u << (left - 16)) - 1);
    return (__m512i)_mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(hi, x + 16), _mm512_maskz_loadu_ps(lo, x));
}

#endif
