package ai.t2l.eval;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One evaluated item as written to the per-benchmark JSON: everything needed to audit its verdict, and for a graded
 * metric (ROUGE-L of an SNI task) the item's value in [0, 1] ({@code score}; absent for right/wrong benchmarks).
 */
public record ItemResult(String id, String user, String prefill, String output, String extracted, boolean correct,
                         String detail, @JsonInclude(JsonInclude.Include.NON_NULL) Double score) {
    public ItemResult(String id, String user, String prefill, String output, String extracted, boolean correct,
                      String detail) {
        this(id, user, prefill, output, extracted, correct, detail, null);
    }
}
