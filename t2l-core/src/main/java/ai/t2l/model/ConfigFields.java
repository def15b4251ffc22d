package ai.t2l.model;

import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Typed, range-checked reads of config.json fields, so a bad value is refused by name before anything is computed
 * from it (issue 10 item 7: 10^9 layers hung building the tensor list, a zero rope_theta gave all-NaN logits).
 * Each field has a JSON type (an integer is not "8" or 8.5) and a range; upper bounds sit well above every
 * released model and exist because a larger value can only be an error, and the message says the bound.
 */
record ConfigFields(JsonNode j, String source) {
    /** A required integer in [lo, hi]. */
    int integer(String name, int lo, int hi) {
        JsonNode n = j.get(name);
        if (n == null || n.isNull()) {
            throw new T2lException(source + ": missing field '" + name + "' (an integer in [" + lo + ", " + hi + "])");
        }
        return check(name, n, lo, hi);
    }

    /** An optional integer in [lo, hi], {@code dflt} when absent or null. */
    Integer integer(String name, int lo, int hi, Integer dflt) {
        JsonNode n = j.get(name);
        return n == null || n.isNull() ? dflt : Integer.valueOf(check(name, n, lo, hi));
    }

    static int check(String name, JsonNode n, int lo, int hi, String source) {
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < lo || n.asLong() > hi) {
            throw new T2lException(source + ": field '" + name + "' must be an integer in [" + lo + ", " + hi
                    + "], found " + n);
        }
        return n.asInt();
    }

    private int check(String name, JsonNode n, int lo, int hi) {
        return check(name, n, lo, hi, source);
    }

    /** An optional finite number > 0 (strictly) and at most {@code hi}; {@code dflt} when absent or null. */
    Double positive(String name, double hi, Double dflt) {
        JsonNode n = j.get(name);
        if (n == null || n.isNull()) {
            return dflt;
        }
        return positive(name, n, hi, source);
    }

    static double positive(String name, JsonNode n, double hi, String source) {
        if (!n.isNumber() || !Double.isFinite(n.asDouble()) || n.asDouble() <= 0 || n.asDouble() > hi) {
            throw new T2lException(source + ": field '" + name + "' must be a number > 0 and <= " + hi
                    + ", found " + n);
        }
        return n.asDouble();
    }

    boolean bool(String name, boolean dflt) {
        JsonNode n = j.get(name);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw new T2lException(source + ": field '" + name + "' must be true or false, found " + n);
        }
        return n.asBoolean();
    }

    String text(String name, String dflt) {
        JsonNode n = j.get(name);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isTextual()) {
            throw new T2lException(source + ": field '" + name + "' must be a string, found " + n);
        }
        return n.asText();
    }
}
