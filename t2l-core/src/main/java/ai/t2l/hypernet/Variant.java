package ai.t2l.hypernet;

/**
 * The head variants of T2L-SPEC §2.6. The reference has no L/M/S flag: they are the combinations of
 * {@code shared_AB_head} and {@code autoreg_gen}. {@code L_AUTOREG} (one rank row at a time, no shared head) exists
 * in the reference but no paper model uses it.
 */
public enum Variant {
    L(false, false), M(true, false), S(true, true), L_AUTOREG(false, true);

    public final boolean sharedAbHead;
    public final boolean autoregGen;

    Variant(boolean sharedAbHead, boolean autoregGen) {
        this.sharedAbHead = sharedAbHead;
        this.autoregGen = autoregGen;
    }

    public static Variant of(boolean sharedAbHead, boolean autoregGen) {
        for (Variant v : values()) {
            if (v.sharedAbHead == sharedAbHead && v.autoregGen == autoregGen) {
                return v;
            }
        }
        throw new AssertionError();
    }
}
