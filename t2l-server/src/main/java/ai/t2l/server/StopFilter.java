package ai.t2l.server;

import ai.t2l.server.ChatEngine.TokenSink;
import java.util.List;

/**
 * Applies OpenAI's {@code stop} strings to streamed text: text is passed on only once it can no longer be the start
 * of a stop string, and when one matches, everything before it is passed on and generation is cancelled. The stop
 * string itself is never sent, as in OpenAI's API.
 */
final class StopFilter implements TokenSink {
    private final List<String> stops;
    private final TokenSink downstream;
    private final StringBuilder pending = new StringBuilder();
    private final StringBuilder emitted = new StringBuilder();
    private boolean matched;
    private boolean downstreamGone;

    StopFilter(List<String> stops, TokenSink downstream) {
        this.stops = stops;
        this.downstream = downstream;
    }

    @Override
    public boolean onToken(String text) {
        if (matched || downstreamGone) {
            return false;
        }
        pending.append(text);
        int at = firstStop();
        if (at >= 0) {
            matched = true;
            pass(pending.substring(0, at));
            pending.setLength(0);
            return false;
        }
        int keep = longestStopPrefixSuffix();
        if (keep < pending.length()) {
            String safe = pending.substring(0, pending.length() - keep);
            pending.delete(0, pending.length() - keep);
            return pass(safe);
        }
        return true;
    }

    /** Passes on what was held back; call when the engine finished without a match. */
    void flush() {
        if (!matched && !downstreamGone && pending.length() > 0) {
            pass(pending.toString());
            pending.setLength(0);
        }
    }

    boolean matched() {
        return matched;
    }

    /** True when the downstream (the client) refused text: it went away. */
    boolean downstreamGone() {
        return downstreamGone;
    }

    /** Everything passed downstream so far: the completion's text. */
    String text() {
        return emitted.toString();
    }

    private boolean pass(String s) {
        if (s.isEmpty()) {
            return true;
        }
        emitted.append(s);
        if (!downstream.onToken(s)) {
            downstreamGone = true;
        }
        return !downstreamGone;
    }

    private int firstStop() {
        int best = -1;
        for (String s : stops) {
            int i = pending.indexOf(s);
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }

    /** Length of the longest tail of {@code pending} that some stop string starts with. */
    private int longestStopPrefixSuffix() {
        int best = 0;
        for (String s : stops) {
            for (int len = Math.min(s.length() - 1, pending.length()); len > best; len--) {
                if (endsWithPrefix(s, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }

    private boolean endsWithPrefix(String stop, int len) {
        int from = pending.length() - len;
        for (int i = 0; i < len; i++) {
            if (pending.charAt(from + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
