package ai.t2l.miniature;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Descriptions written out by hand, not produced by the world's templates or phrase lists (issue 14 item 5): two per
 * held-out task and two for one seen task of each family. They test whether T2L reads the language or only the
 * templates' wording, the way a person would ask through {@code t2l serve}.
 *
 * <p>No trainer can see them: they are not part of a {@link Task}'s training or evaluation descriptions, the
 * trainers' view {@link TrainTasks} has no way to them, and the build embeds only training and evaluation
 * descriptions (tested). Only {@code t2l miniature eval} reads them, through {@link TaskWorld#freeFormDescriptions}.
 * They were written once, before any result with them was seen, and are not to be tuned on results.
 */
final class FreeFormDescriptions {
    private FreeFormDescriptions() {}

    static final Map<String, List<String>> HELD_OUT = ordered(
            "reverse_brackets", List.of(
                    "Write the word back to front and put square brackets around it.",
                    "I'd like the word reversed, please, inside [ ]."),
            "case-upper_parens", List.of(
                    "Shout the word in capitals and wrap it in parentheses.",
                    "All caps, then round brackets around the whole thing."),
            "sort-ascending_dashes", List.of(
                    "Put the letters into alphabetical order and link them with hyphens.",
                    "Alphabetise the letters; show them as a-b-c with dashes in between."),
            "shift-1_plain", List.of(
                    "Swap every letter for the next one in the alphabet (a becomes b, z becomes a), no extra symbols.",
                    "Caesar-encode it by one step and just print the result."),
            "filter-consonants_stars", List.of(
                    "Drop all the vowels, keep the consonants, and put a star at each end.",
                    "Remove a, e, i, o and u from the word, then surround what is left with asterisks."),
            "repeat-2_spaces", List.of(
                    "Say every letter twice, with spaces between all the characters.",
                    "Double each character and space the result out, one space between characters."),
            "count-vowels_brackets", List.of(
                    "How many vowels does the word have? Reply with the number in square brackets.",
                    "Tell me the vowel count as a digit, bracketed like [2]."),
            "alternate-odd_plain", List.of(
                    "Keep the 1st, 3rd, 5th letters and so on, dropping the ones in between; plain output.",
                    "Take every second letter starting from the first one, nothing around it."),
            "swap_parens", List.of(
                    "Exchange each pair of neighbouring letters (1st with 2nd, 3rd with 4th...) and put it in parentheses.",
                    "Pairwise swap the letters, then wrap the answer in ( )."),
            "mirror_quotes", List.of(
                    "Write the word followed by its reverse, all inside double quotes.",
                    "Make a palindrome: the word and then the word backwards, quoted with \"."),
            "shift-3_plain", List.of(
                    "Move each letter three places down the alphabet, wrapping z round to c, and print it bare.",
                    "Classic Caesar cipher with key 3, no decoration."),
            "shift-3_brackets", List.of(
                    "Encrypt with a Caesar shift of three and give it in square brackets.",
                    "Replace each letter by the one 3 after it in the alphabet; answer inside [ ]."),
            "first-3_brackets", List.of(
                    "Give me only the first three letters, in square brackets.",
                    "Cut the word down to its opening 3 characters and bracket them."),
            "first-3_parens", List.of(
                    "Just the first 3 letters of the word, in round brackets.",
                    "Keep the beginning of the word, three letters long, and put parentheses around it."),
            "last-3_plain", List.of(
                    "Only the final three letters, nothing else.",
                    "What are the last 3 characters of the word? Write them plainly."),
            "rotate-left-3_plain", List.of(
                    "Take the first three letters off the front and stick them on the end.",
                    "Rotate the word 3 places to the left, with no brackets."));

    /** One seen task per family, to compare with the same tasks' template-written evaluation descriptions. */
    static final Map<String, List<String>> SEEN = ordered(
            "reverse_plain", List.of(
                    "Write the word back to front, nothing else.",
                    "Give me the word spelled in reverse."),
            "case-upper_brackets", List.of(
                    "Capitalise every letter and put square brackets around it.",
                    "All caps inside [ ], please."),
            "sort-descending_plain", List.of(
                    "Put the letters in reverse alphabetical order, z first, plain output.",
                    "Order the letters from the end of the alphabet to the start and print them bare."),
            "shift-2_parens", List.of(
                    "Caesar-encode it with key 2 and wrap it in round brackets.",
                    "Move each letter two places down the alphabet; answer in parentheses."),
            "filter-vowels_brackets", List.of(
                    "Throw away the consonants and keep only the vowels, in square brackets.",
                    "Which vowels does the word contain, in order? Answer inside [ ]."),
            "repeat-3_plain", List.of(
                    "Say every letter three times, nothing around it.",
                    "Triple each character of the word and print the result bare."),
            "first-2_quotes", List.of(
                    "Just the first two letters, in double quotes.",
                    "Cut the word down to its opening 2 characters and quote them."),
            "last-4_plain", List.of(
                    "Only the final four letters, nothing else.",
                    "What are the last 4 characters of the word? Write them plainly."),
            "rotate-right-1_brackets", List.of(
                    "Take the last letter off the end and put it at the front, then bracket it with [ ].",
                    "Rotate the word one place to the right and wrap it in square brackets."),
            "count-letters_quotes", List.of(
                    "How long is the word? Reply with the number of letters in double quotes.",
                    "Tell me the letter count as a digit, quoted like \"5\"."),
            "alternate-even_plain", List.of(
                    "Keep the 2nd, 4th, 6th letters and so on, dropping the others; plain output.",
                    "Take every second letter starting from the second one, nothing around it."),
            "swap_brackets", List.of(
                    "Exchange each pair of neighbouring letters (1st with 2nd, 3rd with 4th...) and bracket it with [ ].",
                    "Pairwise swap the letters, then put the answer in square brackets."),
            "mirror_plain", List.of(
                    "Write the word followed by its reverse, no extra symbols.",
                    "Make a palindrome: the word and then the word backwards, printed plainly."));

    private static Map<String, List<String>> ordered(Object... kv) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<String> v = (List<String>) kv[i + 1];
            m.put((String) kv[i], List.copyOf(v));
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
