package ai.t2l.train.data;

import java.util.Arrays;

/**
 * The reference tokenises (prompt, response) as a pair with truncation=True, max_length, truncation side left
 * (spec §7.4). That is the HF tokenizers LongestFirst rule for pairs (tokenizers/src/utils/truncation.rs): with
 * n1 ≤ n2, keep n1 and cut n2 to max−n1 when that suffices, otherwise both to max/2 (the longer gets the odd
 * token); tokens are removed from the left of each part.
 */
public final class Truncation {
    private Truncation() {}

    /** Builds ids and labels (−100 on the prompt); {@code truncated[0]} is set when tokens were cut. */
    public static TokenizedExample apply(int[] prompt, int[] response, int maxLength, boolean[] truncated) {
        int n1 = prompt.length;
        int n2 = response.length;
        int keepPrompt = n1;
        int keepResponse = n2;
        if (n1 + n2 > maxLength) {
            boolean swap = n1 > n2;
            int a = Math.min(n1, n2);
            int b;
            if (a > maxLength) {
                b = a;
            } else {
                b = Math.max(a, maxLength - a);
            }
            if (a + b > maxLength) {
                a = maxLength / 2;
                b = a + maxLength % 2;
            }
            keepPrompt = swap ? b : a;
            keepResponse = swap ? a : b;
            keepPrompt = Math.min(keepPrompt, n1);
            keepResponse = Math.min(keepResponse, n2);
            truncated[0] = true;
        }
        int[] p = Arrays.copyOfRange(prompt, n1 - keepPrompt, n1);
        int[] r = Arrays.copyOfRange(response, n2 - keepResponse, n2);
        int[] ids = new int[p.length + r.length];
        int[] labels = new int[ids.length];
        System.arraycopy(p, 0, ids, 0, p.length);
        System.arraycopy(r, 0, ids, p.length, r.length);
        Arrays.fill(labels, 0, p.length, -100);
        System.arraycopy(r, 0, labels, p.length, r.length);
        return new TokenizedExample(ids, labels);
    }
}
