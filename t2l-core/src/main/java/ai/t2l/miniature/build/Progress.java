package ai.t2l.miniature.build;

/** Where the build reports what it is doing; the CLI draws progress bars, tests stay quiet. */
public interface Progress {
    /** A stage starts (or is skipped when {@code total} is 0). */
    void start(String stage, long total);

    void step(long done, String detail);

    void end(String summary);

    Progress QUIET = new Progress() {
        @Override
        public void start(String stage, long total) {}

        @Override
        public void step(long done, String detail) {}

        @Override
        public void end(String summary) {}
    };
}
