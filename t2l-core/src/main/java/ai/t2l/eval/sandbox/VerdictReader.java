package ai.t2l.eval.sandbox;

import ai.t2l.io.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Turns what the judge process left behind (its stdout bytes, whether it finished, its exit status) into one
 * item's {@link SandboxResult}. Total: every input, however empty, truncated, binary, huge or lying, gives a
 * result, and only a well-formed {@code T2L-VERDICT} line with status "passed" from a judge that exited 0
 * is a pass. A bad item is a failed item, never a failed run (issue 10.3).
 */
final class VerdictReader {
    static final String MARK = "T2L-VERDICT ";
    /** The judge's exit status when its own RLIMIT_CPU fires (SIGXCPU handler in judge.py). */
    static final int CPU_LIMIT_EXIT = 124;

    private VerdictReader() {}

    static SandboxResult read(byte[] stdout, boolean finished, int exitCode, boolean overflow, long millis) {
        String text = new String(stdout, StandardCharsets.UTF_8);
        if (overflow) {
            return new SandboxResult(SandboxResult.Status.OUTPUT_LIMIT, exitCode, tail(text) + "\n(the judge's output passed its cap)", millis);
        }
        if (!finished) {
            return new SandboxResult(SandboxResult.Status.TIMEOUT, -1, tail(text) + "\n(wall-clock limit)", millis);
        }
        if (exitCode == CPU_LIMIT_EXIT) {
            return new SandboxResult(SandboxResult.Status.TIMEOUT, exitCode, tail(text) + "\n(CPU time limit)", millis);
        }
        int at = text.lastIndexOf("\n" + MARK);
        if (at < 0) {
            return failed(exitCode, text, "the judge gave no verdict (exit " + exitCode + ")", millis);
        }
        int start = at + 1 + MARK.length();
        int end = text.indexOf('\n', start);
        String line = end < 0 ? text.substring(start) : text.substring(start, end);
        JsonNode v;
        try {
            v = Json.MAPPER.readTree(line);
        } catch (Exception e) {
            return failed(exitCode, text, "the judge's verdict is not valid JSON", millis);
        }
        if (v == null || !v.isObject() || !v.path("status").isTextual()) {
            return failed(exitCode, text, "the judge's verdict has no \"status\" text", millis);
        }
        String output = v.path("output").isTextual() ? v.path("output").asText() : "";
        String detail = v.path("detail").isTextual() ? v.path("detail").asText() : "";
        String shown = output.isEmpty() ? detail : output.endsWith("\n") ? output + detail : output + "\n" + detail;
        SandboxResult.Status status = switch (v.path("status").asText().toLowerCase(Locale.ROOT)) {
            case "passed" -> SandboxResult.Status.PASSED;
            case "timeout" -> SandboxResult.Status.TIMEOUT;
            case "output_limit" -> SandboxResult.Status.OUTPUT_LIMIT;
            case "failed" -> SandboxResult.Status.FAILED;
            default -> null;
        };
        if (status == null) {
            return failed(exitCode, text, "the judge's verdict has an unknown status", millis);
        }
        if (status == SandboxResult.Status.PASSED && (exitCode != 0 || end < 0 || !text.substring(end + 1).isEmpty())) {
            // the judge always exits 0 right after its one verdict line: anything else is not a pass
            return failed(exitCode, text, "the judge's verdict is not its last words (exit " + exitCode + ")", millis);
        }
        return new SandboxResult(status, exitCode, shown, millis);
    }

    private static SandboxResult failed(int exitCode, String text, String why, long millis) {
        return new SandboxResult(SandboxResult.Status.FAILED, exitCode, tail(text) + "\n(" + why + ")", millis);
    }

    /** The end of a long text: the last lines say what went wrong, and results files stay small. */
    static String tail(String text) {
        int max = 64 * 1024;
        return text.length() <= max ? text : "..." + text.substring(text.length() - max);
    }
}
