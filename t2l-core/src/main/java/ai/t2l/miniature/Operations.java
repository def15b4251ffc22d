package ai.t2l.miniature;

import static ai.t2l.miniature.Words.count;
import static ai.t2l.miniature.Words.countWords;
import static ai.t2l.miniature.Words.isVowel;
import static ai.t2l.miniature.Words.number;

import java.util.Arrays;
import java.util.List;

/**
 * The catalogue of operations, one factory per family. A factory takes the parameter, so a held-out parameter value
 * (shift by 3) is built by exactly the same code and phrasing as the trained ones (shift by 1, 2, 4, 5).
 *
 * <p>Inputs are lower-case words of 4–8 letters with at least one vowel and one consonant (see {@link Inputs}), so
 * every operation below is defined and non-empty on every input.
 */
final class Operations {
    private Operations() {}

    private static final List<OutputFormat> ALL = OutputFormat.all();
    private static final List<OutputFormat> WRAPPERS = OutputFormat.wrappers();

    static Operation reverse() {
        return new Operation("reverse", "", s -> new StringBuilder(s).reverse().toString(), List.of(
                "reverse the word",
                "spell the word backwards",
                "write the letters in reverse order",
                "flip the order of the characters",
                "write out the word as read from right to left"), ALL);
    }

    static Operation letterCase(String mode) {
        return switch (mode) {
            case "upper" -> new Operation("case", mode, String::toUpperCase, List.of(
                    "convert the word to uppercase",
                    "write every letter as a capital",
                    "turn all the letters into upper case",
                    "rewrite the word in all caps",
                    "make each and every letter a capital letter"), ALL);
            case "capitalize" -> new Operation("case", mode, Words::capitalize, List.of(
                    "capitalise only the first letter of the word",
                    "make the first letter a capital and leave the rest in lower case",
                    "write the word with an initial capital letter",
                    "uppercase just the opening letter",
                    "turn the word into title case, with only its first letter capitalised"), ALL);
            case "alternating" -> new Operation("case", mode, Operations::alternatingCase, List.of(
                    "alternate the case of the letters, starting with a capital",
                    "write the letters alternately in upper and lower case, beginning with upper case",
                    "capitalise every other letter, starting with the first one",
                    "make the 1st, 3rd, 5th and so on letters capitals and keep the others lower case",
                    "switch between capital and small letters, the first letter being a capital"), ALL);
            default -> throw new IllegalArgumentException("case mode " + mode);
        };
    }

    static Operation sort(String order) {
        return switch (order) {
            case "ascending" -> new Operation("sort", order, s -> sorted(s, false), List.of(
                    "sort the letters alphabetically",
                    "arrange the letters in alphabetical order",
                    "put the characters in order from a to z",
                    "rearrange the letters so they run from A to Z",
                    "order the letters of the word alphabetically, ascending"), ALL);
            case "descending" -> new Operation("sort", order, s -> sorted(s, true), List.of(
                    "sort the letters in reverse alphabetical order",
                    "arrange the letters from z back to a",
                    "put the characters in descending alphabetical order",
                    "rearrange the letters so they run from Z down to A",
                    "order the letters of the word alphabetically, descending"), ALL);
            default -> throw new IllegalArgumentException("sort order " + order);
        };
    }

    static Operation shift(int k) {
        return new Operation("shift", Integer.toString(k), s -> caesar(s, k), List.of(
                "shift every letter " + count(k, "place") + " forward in the alphabet",
                "replace each letter with the one " + count(k, "position") + " later in the alphabet (z wraps around to a)",
                "apply a Caesar cipher with a shift of " + k,
                "move each character " + countWords(k, "step") + " along the alphabet",
                "encode the word with a Caesar shift of " + number(k)), ALL);
    }

    static Operation filter(String keep) {
        return switch (keep) {
            case "consonants" -> new Operation("filter", keep, s -> keep(s, false), List.of(
                    "remove all the vowels",
                    "delete every vowel from the word",
                    "keep only the consonants",
                    "strip out the letters a, e, i, o and u",
                    "drop the vowels and keep the other letters in order"), ALL);
            case "vowels" -> new Operation("filter", keep, s -> keep(s, true), List.of(
                    "remove all the consonants",
                    "keep only the vowels",
                    "delete every letter that is not a vowel",
                    "extract the vowels in the order they appear",
                    "write down just the letters a, e, i, o and u that occur in the word"), ALL);
            default -> throw new IllegalArgumentException("filter keep " + keep);
        };
    }

    static Operation repeat(int n) {
        String verb = n == 2 ? "double" : n == 3 ? "triple" : "repeat " + n + " times";
        // Three copies of eight letters with separators would pass 48 characters: wrappers only beyond two.
        return new Operation("repeat", Integer.toString(n), s -> stutter(s, n), List.of(
                "repeat each letter " + number(n) + " times",
                "write every character " + n + " times in a row",
                verb + " each letter",
                "stutter, writing each letter " + number(n) + " times before moving to the next",
                "copy every letter so that it appears " + n + " times consecutively"), n <= 2 ? ALL : WRAPPERS);
    }

    static Operation first(int k) {
        String letters = k == 1 ? "first letter" : "first " + k + " letters";
        String chars = k == 1 ? "first character" : "first " + number(k) + " characters";
        return new Operation("first", Integer.toString(k), s -> s.substring(0, k), List.of(
                "keep the " + letters,
                "take the " + chars + " of the word",
                "write only the opening " + count(k, "letter"),
                "output the prefix of length " + k,
                "cut the word down to its " + chars), k == 1 ? WRAPPERS : ALL);
    }

    static Operation last(int k) {
        String letters = k == 1 ? "last letter" : "last " + k + " letters";
        String chars = k == 1 ? "final character" : "final " + number(k) + " characters";
        return new Operation("last", Integer.toString(k), s -> s.substring(s.length() - k), List.of(
                "keep the " + letters,
                "take the " + chars + " of the word",
                "write only the closing " + count(k, "letter"),
                "output the suffix of length " + k,
                "cut the word down to its " + chars), k == 1 ? WRAPPERS : ALL);
    }

    static Operation rotate(String direction, int k) {
        boolean left = direction.equals("left");
        if (!left && !direction.equals("right")) {
            throw new IllegalArgumentException("rotate direction " + direction);
        }
        String moved = k == 1 ? "letter" : k + " letters";
        List<String> phrases = left
                ? List.of("rotate the word " + countWords(k, "place") + " to the left",
                        "move the first " + moved + " to the end",
                        "cyclically shift the letters left by " + k,
                        "take the first " + countWords(k, "character") + " off the front and append them at the back",
                        "rotate the string left by " + count(k, "position"))
                : List.of("rotate the word " + countWords(k, "place") + " to the right",
                        "move the last " + moved + " to the front",
                        "cyclically shift the letters right by " + k,
                        "take the last " + countWords(k, "character") + " off the end and put them at the start",
                        "rotate the string right by " + count(k, "position"));
        return new Operation("rotate", direction + "-" + k, s -> {
            int cut = left ? k : s.length() - k;
            return s.substring(cut) + s.substring(0, cut);
        }, phrases, ALL);
    }

    static Operation counting(String what) {
        return switch (what) {
            case "letters" -> new Operation("count", what, s -> Integer.toString(s.length()), List.of(
                    "count the letters in the word",
                    "give the length of the word",
                    "say how many characters the word has",
                    "output the number of letters",
                    "report how long the word is, in letters"), WRAPPERS);
            case "vowels" -> new Operation("count", what, s -> Long.toString(s.chars().filter(c -> isVowel((char) c)).count()),
                    List.of("count the vowels in the word",
                            "say how many vowels the word contains",
                            "output the number of vowels",
                            "report how many of the letters are a, e, i, o or u",
                            "tally up the vowels"), WRAPPERS);
            case "consonants" -> new Operation("count", what, s -> Long.toString(s.chars().filter(c -> !isVowel((char) c)).count()),
                    List.of("count the consonants in the word",
                            "say how many consonants the word contains",
                            "output the number of consonants",
                            "report how many of the letters are not vowels",
                            "tally up the consonants"), WRAPPERS);
            default -> throw new IllegalArgumentException("count what " + what);
        };
    }

    static Operation alternate(String positions) {
        return switch (positions) {
            case "odd" -> new Operation("alternate", positions, s -> everyOther(s, 0), List.of(
                    "keep every other letter, starting with the first",
                    "write the letters in odd positions (1st, 3rd, 5th and so on)",
                    "skip every second letter",
                    "take the first letter and then every second letter after it",
                    "drop the letters in even positions"), ALL);
            case "even" -> new Operation("alternate", positions, s -> everyOther(s, 1), List.of(
                    "keep every other letter, starting with the second",
                    "write the letters in even positions (2nd, 4th, 6th and so on)",
                    "keep only the 2nd, 4th, 6th and later even-numbered letters",
                    "take the second letter and then every second letter after it",
                    "drop the letters in odd positions"), ALL);
            default -> throw new IllegalArgumentException("alternate positions " + positions);
        };
    }

    static Operation swap() {
        return new Operation("swap", "", Operations::swapPairs, List.of(
                "swap each pair of adjacent letters",
                "exchange the 1st and 2nd letters, the 3rd and 4th, and so on",
                "switch neighbouring letters two at a time",
                "trade places within each consecutive pair of characters, leaving a final odd letter where it is",
                "swap the letters pairwise"), ALL);
    }

    static Operation mirror() {
        return new Operation("mirror", "", s -> s + new StringBuilder(s).reverse(), List.of(
                "write the word followed by its reverse",
                "turn the word into a palindrome by appending it backwards",
                "mirror the word: the word, then the same letters in reverse",
                "append the reversed word to the original",
                "echo the word and then spell it backwards right after"), ALL);
    }

    private static String alternatingCase(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(i % 2 == 0 ? Character.toUpperCase(c) : Character.toLowerCase(c));
        }
        return b.toString();
    }

    private static String sorted(String s, boolean descending) {
        char[] cs = s.toCharArray();
        Arrays.sort(cs);
        String up = new String(cs);
        return descending ? new StringBuilder(up).reverse().toString() : up;
    }

    private static String caesar(String s, int k) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append((char) ('a' + (c - 'a' + k) % 26));
        }
        return b.toString();
    }

    private static String keep(String s, boolean vowels) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (isVowel(c) == vowels) {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static String stutter(String s, int n) {
        StringBuilder b = new StringBuilder(s.length() * n);
        for (char c : s.toCharArray()) {
            b.append(String.valueOf(c).repeat(n));
        }
        return b.toString();
    }

    private static String everyOther(String s, int start) {
        StringBuilder b = new StringBuilder();
        for (int i = start; i < s.length(); i += 2) {
            b.append(s.charAt(i));
        }
        return b.toString();
    }

    private static String swapPairs(String s) {
        char[] cs = s.toCharArray();
        for (int i = 0; i + 1 < cs.length; i += 2) {
            char t = cs[i];
            cs[i] = cs[i + 1];
            cs[i + 1] = t;
        }
        return new String(cs);
    }
}
