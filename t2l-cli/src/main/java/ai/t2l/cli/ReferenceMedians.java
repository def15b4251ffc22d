package ai.t2l.cli;

import java.util.Locale;

/**
 * The reference Python stack's medians from ../shared/BENCHMARKS-WORKLOADS.md (two paired rounds on 2026-12-02),
 * printed beside our figures. Set side by side with a number measured now they are UNPAIRED: the machine drifts
 * ±15% from minute to minute, so a ratio against this table is a hint, and only a paired run (BENCHMARKS.md) is a
 * comparison.
 */
enum ReferenceMedians {
    GENERATE_L(46.9, 49.3, "ms"),
    GENERATE_M(59.7, 57.2, "ms"),
    GENERATE_S(38.6, 44.3, "ms"),
    WRITE_FOLDER(10.1, 10.5, "ms"),
    SFT_STEP(1.12, 1.17, "s"),
    RECON_STEP(0.848, 0.791, "s"),
    // §2 (128-token prompt, 64 new tokens, batch 8): rates, higher is better
    PREFILL(782, 778, "tok/s"),
    PREFILL_LORA(762, 741, "tok/s"),
    DECODE_B1(18.7, 18.1, "tok/s"),
    DECODE_B1_LORA(18.8, 17.3, "tok/s"),
    DECODE_B8(95.3, 95.6, "tok/s"),
    DECODE_B8_LORA(94.8, 91.5, "tok/s");

    static final String LABEL = "unpaired: table, 2026-12-02";

    private final double round1;
    private final double round2;
    private final String unit;

    ReferenceMedians(double round1, double round2, String unit) {
        this.round1 = round1;
        this.round2 = round2;
        this.unit = unit;
    }

    /** The mean of the two rounds' medians. */
    double value() {
        return (round1 + round2) / 2;
    }

    /** "46.9 / 49.3 ms", as the table gives it. */
    String cell() {
        return String.format(Locale.ROOT, "%s / %s %s", trim(round1), trim(round2), unit);
    }

    /**
     * How many times faster we are, for a figure in this entry's unit: reference time ÷ ours, or for a rate (tok/s)
     * ours ÷ the reference's.
     */
    String speedup(double ours) {
        return String.format(Locale.ROOT, "%.2f×", unit.equals("tok/s") ? ours / value() : value() / ours);
    }

    /**
     * The §2 entry for a `bench decode` measure of the workload's default sizes (128-token prompt, 64 new tokens,
     * batch 8), or null (other sizes, merged LoRA: the table has no such row).
     */
    static ReferenceMedians decode(String measure, String variant) {
        boolean lora = variant.equals("LoRA unmerged");
        if (!lora && !variant.equals("base")) {
            return null;
        }
        return switch (measure) {
            case "prefill 128 tok, batch 1" -> lora ? PREFILL_LORA : PREFILL;
            case "decode 64 tok, batch 1" -> lora ? DECODE_B1_LORA : DECODE_B1;
            case "decode 64 tok, batch 8" -> lora ? DECODE_B8_LORA : DECODE_B8;
            default -> null;
        };
    }

    static ReferenceMedians generate(ai.t2l.hypernet.Variant v) {
        return switch (v) {
            case L -> GENERATE_L;
            case M -> GENERATE_M;
            case S -> GENERATE_S;
            default -> null;
        };
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : Double.toString(v);
    }
}
