package ai.t2l.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.eval.bench.Benchmark;
import ai.t2l.eval.bench.Benchmarks;
import ai.t2l.eval.bench.Item;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Prompts for real items, written out by hand from the data files and the templates of spec §8.2 /
 * eval_prompts.json, and the ICL / task-description rules of spec §8.3.
 */
class EvalPromptsTest {
    private static final Path DATA = Shared.data("benchmarks");

    private static Item item(String task, String id) {
        return Benchmarks.byName(task).load(DATA).stream().filter(i -> i.id().equals(id)).findFirst().orElseThrow();
    }

    private static ChatPrompt base(String task, String id) {
        return PromptOptions.BASE.build(Benchmarks.byName(task), item(task, id));
    }

    @Test
    void theShippedPromptStringsAreTheReferenceFile() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/ai/t2l/eval/eval_prompts.json")) {
            assertArrayEquals(Files.readAllBytes(Shared.reference("eval_prompts.json")), in.readAllBytes());
        }
    }

    @Test
    void arcPadsThreeChoicesAndShowsOnlyFourOfFive() {
        assertEquals(new ChatPrompt("Answer the question below by choosing the correct choice.\n\n"
                + "When a rock is placed in a graduated cylinder containing water, the height of the water will\n\n"
                + "A: decrease\nB: increase\nC: remain the same\nD: N/A\n\n"
                + "You must respond with the letter corresponding to the correct choice without any explanation.", ""),
                base("arc_easy", "NYSEDREGENTS_2008_4_6"));
        assertEquals("Answer the question below by choosing the correct choice.\n\n"
                + "What gas in the air do we need to breathe in order to live?\n\n"
                + "A: nitrogen\nB: oxygen\nC: carbon dioxide\nD: hydrogen\n\n"
                + "You must respond with the letter corresponding to the correct choice without any explanation.",
                base("arc_easy", "TIMSS_2003_4_pg35").user());
    }

    @Test
    void boolqDropsTheTitleAndAddsAQuestionMark() {
        String u = base("boolq", "0").user();
        assertEquals("All biomass goes through at least some of these steps", u.substring(0, 53));
        assertEquals("\n\nQuestion: does ethanol take more energy make that produces?\n\n"
                + "Please answer with either `true` or `false` without any explanation.", u.substring(u.indexOf("\n\nQuestion:")));
    }

    @Test
    void openbookqaPiqaWinograndeHellaswag() {
        assertEquals("Complete the following passage or answer the question by choosing the correct choice.\n\n"
                + "A person wants to start saving money so that they can afford a nice vacation at the end of the year. After "
                + "looking over their budget and expenses, they decide the best way to save money is to\n\n"
                + "A: make more phone calls\nB: quit eating lunch out\nC: buy less with monopoly money\nD: have lunch with friends\n\n"
                + "You must respond with the letter corresponding to the correct choice (A,B,C,D) without any explanation.",
                base("openbookqa", "8-343").user());
        assertEquals("Choose the option that either answers the question, completes the sentence, or solves the problem. Pay "
                + "attention to the properties of the objects in the question and how they interact with each other. If both "
                + "options are correct, choose the one that is more convenient or more common.\n\n"
                + "\"\"\"How do I ready a guinea pig cage for it's new occupants?\"\"\"\n\n"
                + "0: Provide the guinea pig with a cage full of a few inches of bedding made of ripped paper strips, you will also "
                + "need to supply it with a water bottle and a food dish.\n"
                + "1: Provide the guinea pig with a cage full of a few inches of bedding made of ripped jeans material, you will "
                + "also need to supply it with a water bottle and a food dish.\n\n"
                + "You must respond with either `0` or `1` without any explanation.", base("piqa", "0").user());
        assertEquals("Given the following situation:\n\nSarah was a much better surgeon than Maria so _ always got the easier cases."
                + "\n\nWhich option is correct?\n\nOption 1: Sarah\n\nOption 2: Maria\n\n"
                + "You must respond with either `1` or `2` without any explanation.", base("winogrande", "0").user());
        assertEquals("You are provided with an incomplete passage below as well as 4 choices of continuation with only one of "
                + "them being the correct ending. Treat the endings as being labelled 0, 1, 2, 3 in order.\n\n"
                + "Passage: A man is sitting on a roof. he\n\n0: is using wrap to wrap a pair of skis.\n1: is ripping level tiles off."
                + "\n2: is holding a rubik's cube.\n3: starts pulling up roofing on a roof.\n\n"
                + "You must respond with the only number corresponding to the correct ending (0,1,2,3) for the passage without "
                + "any explanation.", base("hellaswag", "0").user());
    }

    @Test
    void codePromptsAndPrefills() {
        ChatPrompt he = base("humaneval", "HumanEval/0");
        String sig = "from typing import List\n\n\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n";
        assertTrue(he.user().startsWith("Write a solution to the following problem:\n```python\n" + sig), he.user());
        assertTrue(he.user().endsWith("    True\n    \"\"\"\n```"), he.user());
        assertTrue(he.prefill().startsWith("```python\n" + sig), he.prefill());
        assertTrue(he.prefill().endsWith("    True\n    \"\"\""), "prompt.strip(): no trailing newline");
        assertEquals(new ChatPrompt("Write a python function to remove first and last occurrence of a given character from the "
                + "string. Your code should satisfy the following assertion:\n```python\nassert remove_Occ(\"hello\",\"l\") == \"heo\"\n```",
                "```python"), base("mbpp", "11"));
    }

    @Test
    void iclAndTaskDescriptionPrefixesAndPrefills() {
        PromptOptions icl = new PromptOptions(true, false);
        PromptOptions desc = new PromptOptions(false, true);
        PromptOptions both = new PromptOptions(true, true);
        for (String task : Benchmarks.names()) {
            Benchmark b = Benchmarks.byName(task);
            Item it = b.load(DATA).get(0);
            ChatPrompt plain = PromptOptions.BASE.build(b, it);
            ChatPrompt withIcl = icl.build(b, it);
            ChatPrompt withDesc = desc.build(b, it);
            assertEquals(withIcl, both.build(b, it), task + ": ICL wins over the description");
            String shots = ai.t2l.eval.bench.EvalPrompts.inContextExamples(task);
            String description = ai.t2l.eval.bench.EvalPrompts.taskDescription(task);
            switch (task) {
                case "gsm8k" -> {
                    // reference QUIRK: prefix built, never used
                    assertEquals(plain, withIcl);
                    assertEquals(plain, withDesc);
                }
                case "humaneval" -> {
                    assertEquals(plain, withIcl, "empty ICL block: 0-shot");
                    assertEquals(new ChatPrompt(description + "\n\n" + plain.user(), plain.prefill()), withDesc);
                }
                case "mbpp" -> {
                    assertEquals(new ChatPrompt(shots + "\n\n" + plain.user(), "```python"), withIcl);
                    assertEquals(new ChatPrompt(description + "\n\n" + plain.user(), "```python"), withDesc);
                }
                default -> {
                    assertEquals(new ChatPrompt(shots + "\n\n" + plain.user(), "Answer:"), withIcl, task);
                    assertEquals(new ChatPrompt(description + "\n\n" + plain.user(), ""), withDesc, task);
                }
            }
        }
        assertEquals(List.of("arc_challenge", "arc_easy", "boolq", "gsm8k", "hellaswag", "openbookqa", "piqa", "winogrande",
                "humaneval", "mbpp"), Benchmarks.names());
    }
}
