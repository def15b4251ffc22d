package ai.t2l.eval.sandbox;

/** What happened to one program: only {@link Status#PASSED} counts as a pass. */
public record SandboxResult(Status status, int exitCode, String output, long millis) {
    public enum Status {
        PASSED,
        /** an exception, a failed assert, or an exit before the tests finished */
        FAILED,
        TIMEOUT,
        OUTPUT_LIMIT
    }

    public boolean passed() {
        return status == Status.PASSED;
    }

    /** One line for reports: the status and the last line of output (usually the exception). */
    public String summary() {
        String[] lines = output.strip().split("\n");
        String last = lines.length == 0 ? "" : lines[lines.length - 1];
        if (last.length() > 200) {
            last = last.substring(0, 200) + "...";
        }
        return status == Status.PASSED ? "passed"
                : status.name().toLowerCase(java.util.Locale.ROOT) + " (exit " + exitCode + "): " + last;
    }
}
