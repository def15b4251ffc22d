package ai.t2l.eval;

/** One evaluated item as written to the per-benchmark JSON: everything needed to audit its verdict. */
public record ItemResult(String id, String user, String prefill, String output, String extracted, boolean correct,
                         String detail) {}
