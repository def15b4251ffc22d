package ai.t2l.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Rendered Llama-3.1 prompts tokenized with add_special_tokens=False give the fixtures' ids. */
class ChatTokenIdsTest {
    static Tokenizer llama;

    @BeforeAll
    static void open() {
        llama = Tokenizer.open(TokenizerFiles.folder(TokenizerFiles.LLAMA3_1));
    }

    @AfterAll
    static void close() {
        llama.close();
    }

    static Stream<ChatGolden.Case> cases() {
        return ChatGolden.cases("llama3_1", "llama3").filter(c -> c.json().has("rendered"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void llamaTokenIds(ChatGolden.Case c) {
        String rendered = ChatFormat.byName("llama3").render(c.messages(), c.addGenerationPrompt());
        int[] ids = llama.encode(rendered, false);
        assertArrayEquals(TokenizerTest.ints(c.json().get("token_ids")), ids, c.toString());
        assertEquals(rendered, llama.decode(ids, false), c + ": decode round trip");
        if (c.json().has("engine_prompt_token_ids")) {
            String engine = rendered + c.json().get("prefill_text").asText();
            assertArrayEquals(TokenizerTest.ints(c.json().get("engine_prompt_token_ids")),
                    llama.encode(engine, false), c + ": engine prompt");
        }
    }
}
