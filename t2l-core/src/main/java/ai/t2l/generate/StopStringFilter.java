package ai.t2l.generate;

import java.util.List;

/**
 * Streams generated text without ever showing a stop string: text that could still be the start of one is held back
 * until the next chunk decides, and everything from the first stop string on is dropped.
 */
public final class StopStringFilter {
    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    public StopStringFilter(List<String> stops) {
        this.stops = List.copyOf(stops);
    }

    /** Adds decoded text; returns what may be shown now. */
    public String push(String chunk) {
        if (stopped) {
            return "";
        }
        held.append(chunk);
        int first = -1;
        for (String s : stops) {
            int i = held.indexOf(s);
            if (i >= 0 && (first < 0 || i < first)) {
                first = i;
            }
        }
        if (first >= 0) {
            stopped = true;
            String out = held.substring(0, first);
            held.setLength(0);
            return out;
        }
        int keep = 0; // longest tail of the held text that begins some stop string
        for (String s : stops) {
            for (int n = Math.min(s.length() - 1, held.length()); n > keep; n--) {
                if (s.startsWith(held.substring(held.length() - n))) {
                    keep = n;
                    break;
                }
            }
        }
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** At the end of generation: the held-back text, which turned out not to be a stop string. */
    public String flush() {
        String out = stopped ? "" : held.toString();
        held.setLength(0);
        return out;
    }

    public boolean stopped() {
        return stopped;
    }
}
