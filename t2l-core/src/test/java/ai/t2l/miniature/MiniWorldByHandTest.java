package ai.t2l.miniature;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The task world's functions against answers worked out by hand from their definition in docs/MINIATURE-WORLD.md
 * (families table and formats), never by calling the code: a world function that is wrong is caught here, whereas
 * the other world tests only compare the code with itself (issue 13.5). At least one row per family, parameter and
 * format; held-out parameters (shift-3, first-3, last-3, rotate-left-3) included.
 */
class MiniWorldByHandTest {
    static final TaskWorld WORLD = TaskWorld.standard();

    // Worked by hand for "planet" (p l a n e t; vowels a, e), "zebra" (z wraps round in a Caesar shift) and
    // "banana" (repeated letters). Separator formats put the separator between every two characters of the answer.
    @ParameterizedTest(name = "{0}({1}) = {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "reverse_plain             | planet | tenalp",
        "reverse_brackets          | planet | [tenalp]",
        "case-upper_parens         | planet | (PLANET)",
        "case-capitalize_stars     | planet | *Planet*",
        "case-capitalize_dashes    | planet | P-l-a-n-e-t",
        "case-alternating_plain    | planet | PlAnEt",
        "sort-ascending_dashes     | planet | a-e-l-n-p-t",
        "sort-ascending_plain      | banana | aaabnn",
        "sort-descending_plain     | planet | tpnlea",
        "shift-1_plain             | planet | qmbofu",
        "shift-1_plain             | zebra  | afcsb",
        "shift-2_parens            | zebra  | (bgdtc)",
        "shift-3_brackets          | planet | [sodqhw]",
        "shift-4_quotes            | planet | \"tperix\"",
        "shift-5_parens            | zebra  | (ejgwf)",
        "filter-consonants_quotes  | planet | \"plnt\"",
        "filter-vowels_spaces      | planet | a e",
        "filter-vowels_plain       | banana | aaa",
        "repeat-2_spaces           | planet | p p l l a a n n e e t t",
        "repeat-3_quotes           | planet | \"ppplllaaannneeettt\"",
        "first-1_brackets          | planet | [p]",
        "first-2_dashes            | planet | p-l",
        "first-3_parens            | planet | (pla)",
        "first-4_spaces            | planet | p l a n",
        "last-1_stars              | planet | *t*",
        "last-2_spaces             | planet | e t",
        "last-3_plain              | planet | net",
        "last-4_dashes             | planet | a-n-e-t",
        "rotate-left-1_quotes      | planet | \"lanetp\"",
        "rotate-left-2_plain       | planet | anetpl",
        "rotate-left-3_plain       | planet | netpla",
        "rotate-right-1_dashes     | planet | t-p-l-a-n-e",
        "rotate-right-2_stars      | planet | *etplan*",
        "count-letters_stars       | planet | *6*",
        "count-vowels_brackets     | planet | [2]",
        "count-vowels_plain        | banana | 3",
        "count-consonants_plain    | planet | 4",
        "alternate-odd_spaces      | planet | p a e",
        "alternate-even_plain      | planet | lnt",
        "swap_brackets             | planet | [lpnate]",
        "mirror_quotes             | planet | \"planettenalp\"",
    })
    void answersMatchTheDefinition(String task, String input, String expected) {
        assertEquals(expected, WORLD.task(task).answer(input), task + " of '" + input + "'");
    }

    /** The table above covers every family and format of the world, so a new family cannot slip past it. */
    @Test
    void theTableCoversEveryFamilyAndFormat() {
        Set<String> families = new TreeSet<>(WORLD.families());
        assertEquals(new TreeSet<>(Set.of("reverse", "case", "sort", "shift", "filter", "repeat", "first", "last",
                "rotate", "count", "alternate", "swap", "mirror")), families, "the families of MINIATURE-WORLD.md");
        Set<String> formats = new TreeSet<>();
        WORLD.tasks().forEach(t -> formats.add(t.name().substring(t.name().lastIndexOf('_') + 1)));
        assertEquals(new TreeSet<>(Set.of("plain", "brackets", "parens", "quotes", "stars", "dashes", "spaces")), formats,
                "the formats of MINIATURE-WORLD.md");
    }
}
