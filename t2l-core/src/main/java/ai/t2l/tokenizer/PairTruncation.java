package ai.t2l.tokenizer;

/**
 * Hugging Face tokenizers' "longest_first" truncation of a pair (tokenizers/src/utils/truncation.rs,
 * {@code truncate_encodings}), which the reference gets from {@code tokenizer(prompt, response, truncation=True,
 * max_length=512)} with a fast tokenizer. With s the shorter and l the longer length and s + l > max: when
 * s <= max / 2 (roughly) only the longer is cut, to max - s; otherwise both are cut, the first-named one to
 * floor(max / 2) and the other to ceil(max / 2) (the shorter one gets the floor).
 */
final class PairTruncation {
    private PairTruncation() {}

    /** The lengths {first, second} are cut to; unchanged when they already fit. */
    static int[] lengths(int first, int second, int maxLength) {
        if (maxLength == 0) {
            return new int[] {0, 0};
        }
        if (first + second <= maxLength) {
            return new int[] {first, second};
        }
        boolean swap = first > second;
        int n1 = Math.min(first, second); // the shorter
        int n2 = n1 > maxLength ? n1 : Math.max(n1, maxLength - n1);
        if (n1 + n2 > maxLength) {
            n1 = maxLength / 2;
            n2 = n1 + maxLength % 2;
        }
        // Rust's Encoding::truncate(n) leaves a sequence of length <= n alone
        int a = swap ? n2 : n1;
        int b = swap ? n1 : n2;
        return new int[] {Math.min(first, a), Math.min(second, b)};
    }
}
