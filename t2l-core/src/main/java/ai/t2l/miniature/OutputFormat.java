package ai.t2l.miniature;

import java.util.List;

/**
 * How a task writes its answer. Every task is an operation followed by one of these, so a description must name
 * both and a model that only sees the input cannot tell which format is wanted.
 *
 * <p>{@code imperative} phrases finish "…and ___"; {@code adjectival} phrases finish "The answer should be ___" or
 * "Write the result ___". Both kinds are used by every template family, so wording varies in structure as well as
 * in vocabulary.
 */
public enum OutputFormat {
    PLAIN("plain", false, "plain",
            List.of("give the result as plain text with nothing around it",
                    "write the answer plainly, without any decoration",
                    "output it as is, with no brackets or separators",
                    "leave the result undecorated",
                    "return just the characters, nothing around them"),
            List.of("in plain text", "free of extra symbols", "left bare, without brackets or separators",
                    "as is", "with no punctuation added")),
    BRACKETS("brackets", false, "in brackets",
            List.of("put the result in square brackets",
                    "wrap the answer in [ and ]",
                    "enclose the output in square brackets",
                    "bracket the answer with [ ]",
                    "add an opening [ before the result and a closing ] after it"),
            List.of("enclosed in square brackets", "wrapped in [ and ]", "inside square brackets",
                    "in square braces", "between [ and ]")),
    PARENS("parens", false, "in parens",
            List.of("put the result in parentheses",
                    "wrap the answer in round brackets",
                    "enclose the output in ( and )",
                    "parenthesise the answer",
                    "add an opening ( before the result and a closing ) after it"),
            List.of("inside parentheses", "wrapped in round brackets", "enclosed in ( and )",
                    "in parens", "between ( and )")),
    QUOTES("quotes", false, "in quotes",
            List.of("put the result in double quotes",
                    "wrap the answer in quotation marks",
                    "surround the output with \" characters",
                    "quote the answer with double quotation marks",
                    "put a \" before and after the result"),
            List.of("in double quotes", "wrapped in quotation marks", "enclosed in \" marks",
                    "in speech marks", "quoted")),
    STARS("stars", false, "in stars",
            List.of("put an asterisk on each side of the result",
                    "wrap the answer in stars",
                    "surround the output with a * at both ends",
                    "star the answer on both sides",
                    "add a * before the result and another one after it"),
            List.of("between two asterisks", "wrapped in stars", "framed by an asterisk on each side",
                    "in asterisks", "starred at both ends")),
    DASHES("dashes", true, "with dashes",
            List.of("put a dash between consecutive characters",
                    "separate the characters of the answer with hyphens",
                    "join the output characters with -",
                    "hyphenate every character of the result",
                    "insert a - between each pair of neighbouring characters"),
            List.of("separated by dashes", "hyphen-separated, one character at a time",
                    "joined with a dash between characters", "with hyphens between the characters",
                    "dash-separated")),
    SPACES("spaces", true, "with spaces",
            List.of("put a space between consecutive characters",
                    "separate the characters of the answer with spaces",
                    "spread the output out with one space between characters",
                    "space out every character of the result",
                    "insert a blank between each pair of neighbouring characters"),
            List.of("separated by spaces", "space-separated, one character at a time",
                    "spelled out with a single space between characters", "with blanks between the characters",
                    "spaced out letter by letter"));

    private final String id;
    private final boolean separates;
    private final String cue;
    private final List<String> imperative;
    private final List<String> adjectival;

    OutputFormat(String id, boolean separates, String cue, List<String> imperative, List<String> adjectival) {
        this.id = id;
        this.separates = separates;
        this.cue = cue;
        this.imperative = imperative;
        this.adjectival = adjectival;
    }

    public String id() {
        return id;
    }

    /** True for formats that put a character between letters; they are meaningless on one-character answers. */
    public boolean separates() {
        return separates;
    }

    /**
     * How a prompt that carries evidence of what is wanted names this format ({@link Task#inputCue()}): short and
     * fixed, one per format, like a benchmark prompt's "answer with the letter".
     */
    String cue() {
        return cue;
    }

    List<String> imperative() {
        return imperative;
    }

    List<String> adjectival() {
        return adjectival;
    }

    public String apply(String raw) {
        return switch (this) {
            case PLAIN -> raw;
            case BRACKETS -> "[" + raw + "]";
            case PARENS -> "(" + raw + ")";
            case QUOTES -> "\"" + raw + "\"";
            case STARS -> "*" + raw + "*";
            case DASHES -> String.join("-", raw.split(""));
            case SPACES -> String.join(" ", raw.split(""));
        };
    }

    /** The formats a one-character answer can take without two formats giving the same task. */
    static List<OutputFormat> wrappers() {
        return List.of(PLAIN, BRACKETS, PARENS, QUOTES, STARS);
    }

    static List<OutputFormat> all() {
        return List.of(PLAIN, BRACKETS, PARENS, QUOTES, STARS, DASHES, SPACES);
    }
}
