package ai.t2l.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Description normalisation and adapter ids: the one place that decides what counts as "the same adapter". */
final class AdapterIds {
    /** Ids are also folder names in the persistence folder: this pattern keeps them from ever leaving it. */
    static final Pattern ID = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?");
    static final String PREFIX = "t2l-";

    private AdapterIds() {}

    /** Trimmed, with every run of whitespace (including newlines) collapsed to one space. */
    static String normalize(String description) {
        return description.strip().replaceAll("\\s+", " ");
    }

    /** Stable across restarts and machines: SHA-256 of the checkpoint id and the normalised description. */
    static String idFor(String normalizedDescription, String checkpointId) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(checkpointId.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0); // separator: ("ab","c") and ("a","bc") must differ
            sha.update(normalizedDescription.getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(sha.digest(), 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Normalises a client's description and checks it is non-empty and within {@code maxChars}. */
    static String checkedDescription(String raw, int maxChars, String param) {
        if (raw == null) {
            throw ApiException.badRequest(param, "missing required field '" + param + "' (a task description)");
        }
        String d = normalize(raw);
        if (d.isEmpty()) {
            throw ApiException.badRequest(param, "the task description is empty");
        }
        if (d.length() > maxChars) {
            throw ApiException.badRequest(param, "the task description has " + d.length()
                    + " characters; this server accepts at most " + maxChars);
        }
        return d;
    }

    static boolean isValid(String id) {
        return id != null && ID.matcher(id).matches();
    }

    static String requireValid(String id) {
        if (!isValid(id)) {
            throw ApiException.badRequest("id", "invalid adapter id '" + abbreviate(id)
                    + "': ids are 1-64 characters of a-z, 0-9 and '-'");
        }
        return id;
    }

    /** Keeps error messages short when a client sends something huge. */
    static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
