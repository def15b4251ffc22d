package ai.t2l.tokenizer;

/**
 * The two Python string operations the reference's chat templates apply to message text, with Python's exact
 * semantics: jinja2's {@code trim} filter is {@code str.strip()}, and transformers' {@code tojson} filter is
 * {@code json.dumps(x, ensure_ascii=False)}.
 */
public final class PyStrings {
    private PyStrings() {}

    /**
     * Python {@code str.isspace()} for one char: the code points CPython's {@code _PyUnicode_IsWhitespace} accepts
     * (bidirectional class WS, B or S, or category Zs). Unlike Java's {@code Character.isWhitespace} it includes the
     * no-break spaces U+00A0, U+2007, U+202F and NEL U+0085; unlike {@code String.trim()} it stops at U+0020 for
     * controls other than U+0009..U+000D and U+001C..U+001F. All of these are BMP chars, so a UTF-16 char test is
     * exact (a surrogate is never whitespace).
     */
    public static boolean isPySpace(char c) {
        return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
                || c == 0x3000;
    }

    /** Python {@code s.strip()} with no argument (jinja2 {@code trim}, jinja2 3.1.2 {@code do_trim}). */
    public static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isPySpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isPySpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /**
     * Python {@code json.dumps(s, ensure_ascii=False)} of a string: quotes, backslash, and the C0 controls are
     * escaped ({@code \n \r \t \b \f} by name, the rest as backslash-u with 4 lowercase hex digits); everything
     * else, non-ASCII included, is copied.
     */
    static String jsonDumps(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
