package ai.t2l.compute;

/**
 * e^x in float32 from nothing but IEEE multiplications, additions and bit moves (Cephes' expf: x = n·ln 2 + r with
 * |r| ≤ ln 2 / 2, a degree-5 polynomial for e^r, 2^n from the exponent bits), so that the plain-Java and the Vector
 * API versions give the same bits, in the interpreter and in compiled code alike. The Vector API's own EXP does not:
 * compiled it is the JIT's SVML routine, interpreted a loop of {@code Math.exp}, and generation's SiLU gave other
 * adapters after the JIT had warmed up (BENCHMARKS.md, issue 16, eleventh session). Within 2 ulp of
 * {@code Math.exp} on [−87.3, 88.3] (KernelsTest); below that range it returns 0 (e^x &lt; 1.2e-38 there), above it
 * infinity (e^x &gt; 2.1e38), so that SiLU's 1 / (1 + e^−x) is exactly 1 or 0 there, as in float32 it nearly is.
 */
final class Exp {
    static final float LO = -87.3f;
    static final float HI = 88.3f;
    static final float LOG2E = 1.44269504088896341f;
    /** ln 2 in two parts: C1 has few mantissa bits, so n·C1 is exact for the n that occur. */
    static final float C1 = 0.693359375f;
    static final float C2 = -2.12194440e-4f;
    /** 1.5·2^23: adding it rounds a float to the nearest integer, which then sits in the low mantissa bits. */
    static final float ROUND = 12582912f;
    static final int ROUND_BITS = 0x4B400000;
    static final float P0 = 1.9875691500e-4f;
    static final float P1 = 1.3981999507e-3f;
    static final float P2 = 8.3334519073e-3f;
    static final float P3 = 4.1665795894e-2f;
    static final float P4 = 1.6666665459e-1f;
    static final float P5 = 5.0000001201e-1f;

    private Exp() {}

    static float exp(float x) {
        if (x < LO) {
            return 0f;
        }
        if (x > HI) {
            return Float.POSITIVE_INFINITY;
        }
        float t = x * LOG2E + ROUND;
        float n = t - ROUND;
        float r = x - n * C1;
        r = r - n * C2;
        float p = P0 * r + P1;
        p = p * r + P2;
        p = p * r + P3;
        p = p * r + P4;
        p = p * r + P5;
        float y = p * (r * r) + r + 1f;
        return y * Float.intBitsToFloat((Float.floatToRawIntBits(t) - ROUND_BITS + 127) << 23);
    }
}
