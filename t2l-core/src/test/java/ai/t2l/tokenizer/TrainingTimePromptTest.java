package ai.t2l.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client conversation without a system message (OpenAI API, {@code t2l run --chat}) is rendered in the
 * training-time format: the reference's empty system turn first, which is where the Llama 3.1, Mistral and Gemma 2
 * templates write bos (issue 12 item 12; spec §7.4, §7.5).
 */
class TrainingTimePromptTest {
    private static final List<ChatMessage> CLIENT = List.of(ChatMessage.user("What is 2+2?"));

    @ParameterizedTest
    @ValueSource(strings = {"mistral", "llama3", "gemma2"})
    void clientConversationStartsWithBosAsInTraining(String family) {
        ChatFormat f = ChatFormat.byName(family);
        String served = f.renderAsTrained(CLIENT, true);
        assertTrue(served.startsWith(f.bosToken()), family + ": served prompt must start with bos: " + served);
        assertEquals(f.render(List.of(ChatMessage.system(""), ChatMessage.user("What is 2+2?")), true), served,
                family + ": the training-time rendering [system '', user]");
        // what the templates give without the system turn: no bos at all (the defect this guards against)
        assertFalse(f.render(CLIENT, true).startsWith(f.bosToken()), family);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mistral", "llama3", "gemma2", "qwen2"})
    void clientSystemMessageIsKept(String family) {
        ChatFormat f = ChatFormat.byName(family);
        List<ChatMessage> withSystem = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"));
        assertEquals(f.render(withSystem, true), f.renderAsTrained(withSystem, true), family);
    }

    @org.junit.jupiter.api.Test
    void formatWithoutSystemTurnRendersTheConversationAsGiven() {
        ChatFormat noSystem = new ChatFormat() {
            public String name() {
                return "nosys";
            }

            public String templateName() {
                return "test";
            }

            public String bosToken() {
                return "<s>";
            }

            public String endOfTurn() {
                return "</s>";
            }

            public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
                StringBuilder b = new StringBuilder("<s>");
                for (ChatMessage m : messages) {
                    if (m.role().equals("system")) {
                        throw new ai.t2l.io.T2lException("no system turn");
                    }
                    b.append(m.content());
                }
                return b.toString();
            }
        };
        assertEquals("<s>What is 2+2?", noSystem.renderAsTrained(CLIENT, true));
    }
}
