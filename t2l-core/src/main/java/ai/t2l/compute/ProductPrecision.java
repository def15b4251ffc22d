package ai.t2l.compute;

/**
 * What the packed products ({@link HeadProduct}) read and multiply: a hypernetwork's heads in generation
 * ({@code --heads}), and a base model's products, batched decode and prompts (int8 weights: every product)
 * ({@code --products}: {@link F32Matrix}, {@link HalfMatrix}, {@link Int8Matrix}). docs/PERFORMANCE.md and docs/WEIGHTS.md give each
 * option's measured error against the reference.
 */
public enum ProductPrecision {
    /** float32 weights and activations: the reference's numbers (the default). */
    F32("f32"),
    /** Weights rounded to bfloat16, widened exactly; activations and every sum float32. Half the bytes to stream. */
    BF16("bf16"),
    /**
     * Weights and activations rounded to bfloat16, multiplied by AVX512_BF16 dot products into float32 sums
     * ({@link Bf16Dot}, a native library): twice the multiply-adds per second of float32, the largest error.
     */
    BF16_DOT("bf16dot"),
    /**
     * int8 weights' products (every one, batch 1 too) on activations quantized to int8 blocks too (llama.cpp's Q8_0 ×
     * Q8_0), exact integer block sums by AVX512_VNNI ({@link Int8Rows}, the native library): at 8 rows 2.7–2.9 times
     * the multiply-adds per second of the float32 form. Only {@code --products}, and only int8 weights: other matrices
     * keep float32 products under it.
     */
    INT8_DOT("int8dot");

    private final String label;

    ProductPrecision(String label) {
        this.label = label;
    }

    /** The name the command line and {@code -Dt2l.hypernet.heads} use. */
    public String label() {
        return label;
    }

    /** f32, bf16, bf16dot or int8dot (null or empty: f32); {@code where} names the option in the error. */
    public static ProductPrecision parse(String label, String where) {
        if (label == null || label.isEmpty()) {
            return F32;
        }
        for (ProductPrecision p : values()) {
            if (p.label.equals(label)) {
                return p;
            }
        }
        throw new ai.t2l.io.T2lException(where + ": '" + label + "' is not one of f32, bf16, bf16dot, int8dot");
    }

    /**
     * The system property {@code name} as a precision (unset: f32): a default read at load, so bf16dot where the
     * native library does not run stops there, with the reason, not at the first product.
     */
    public static ProductPrecision fromProperty(String name) {
        ProductPrecision p = parse(System.getProperty(name), "-D" + name);
        if (p == BF16_DOT) {
            Bf16Dot.require("-D" + name + "=bf16dot");
        } else if (p == INT8_DOT) {
            Int8Rows.require("-D" + name + "=int8dot");
        }
        return p;
    }
}
