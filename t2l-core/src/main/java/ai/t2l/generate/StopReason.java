package ai.t2l.generate;

public enum StopReason {
    /** an end-of-sequence id was generated (it is the last token) */
    EOS,
    /** the decoded continuation contains a stop string */
    STOP_STRING,
    /** max new tokens reached */
    MAX_TOKENS
}
