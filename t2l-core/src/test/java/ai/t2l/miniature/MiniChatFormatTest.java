package ai.t2l.miniature;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MiniChatFormatTest {
    private final MiniChatFormat chat = new MiniChatFormat();

    @Test
    void rendersTurnsWithMarkers() {
        assertEquals("<s><|user|>abcde<|end|>", chat.render("abcde", false));
        assertEquals("<s><|user|>abcde<|end|><|assistant|>", chat.render("abcde", true));
        assertEquals("<|assistant|>edcba<|end|>", chat.renderAssistant("edcba"));
    }

    @Test
    void promptAndResponseRenderedApartConcatenateToTheGenerationPromptPlusAnswer() {
        // The reference renders prompt and response separately (T2L-SPEC §7.4); both views must agree.
        assertEquals(chat.render("word", true) + "answer" + MiniChatFormat.END,
                chat.render("word", false) + chat.renderAssistant("answer"));
    }
}
