package ai.t2l.miniature;

/** Example splits. Disjoint by input word for every task at once (see {@link Inputs#splitOf}). */
public enum Split {
    TRAIN("train"), VAL("val"), TEST("test");

    private final String id;

    Split(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}
