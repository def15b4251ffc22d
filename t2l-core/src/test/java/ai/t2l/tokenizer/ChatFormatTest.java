package ai.t2l.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import ai.t2l.model.Family;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ChatFormatTest {
    static Stream<ChatGolden.Case> cases() {
        return ChatGolden.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersExactlyWhatTheReferenceTemplateRenders(ChatGolden.Case c) {
        ChatFormat format = ChatFormat.byName(c.format());
        assertEquals(c.json().get("bos_token").asText(), format.bosToken(), c + ": bos token");
        if (c.json().has("error")) {
            T2lException e = assertThrows(T2lException.class,
                    () -> format.render(c.messages(), c.addGenerationPrompt()), c + ": the template raises");
            String expected = c.json().get("error").get("message").asText();
            assertTrue(e.getMessage().contains(expected), c + ": message '" + e.getMessage() + "' lacks '"
                    + expected + "'");
            return;
        }
        String rendered = format.render(c.messages(), c.addGenerationPrompt());
        assertEquals(c.json().get("rendered").asText(), rendered, c.toString());
        if (c.json().has("engine_prompt")) { // b2: the evaluation prompt is rendered + prefill
            assertEquals(c.json().get("engine_prompt").asText(), rendered + c.json().get("prefill_text").asText());
        }
    }

    @Test
    void everyFixtureFolderHasItsCasesAndTemplateTokens() {
        for (String[] f : ChatGolden.FOLDERS) {
            assertEquals(11, ChatGolden.cases(f[0], f[1]).count(), f[0] + ": cases a..i with b2 and f2");
            JsonNode vars = Json.read(Shared.golden("chat", f[0], "template.json")).get("template_variables");
            assertEquals(vars.get("bos_token").asText(), ChatFormat.byName(f[1]).bosToken(), f[0]);
        }
    }

    @Test
    void mistralRaisesForASystemMessageThatIsNotFirstNamingTheMessage() {
        var messages = List.of(ChatMessage.user("Hi"), ChatMessage.system("Be brief."));
        T2lException e = assertThrows(T2lException.class, () -> ChatFormat.byName("mistral").render(messages, true));
        assertEquals("mistral chat format: message 1 has role 'system': " + MistralFormat.ROLE_ERROR, e.getMessage());
    }

    @Test
    void emptyConversationRaisesWhereTheTemplateReadsTheFirstMessage() {
        for (String name : List.of("mistral", "llama3", "gemma2")) {
            assertThrows(T2lException.class, () -> ChatFormat.byName(name).render(List.of(), true), name);
        }
    }

    @Test
    void qwen2IsChatMlWithTheDefaultSystemTurn() {
        // expected strings written from Qwen/Qwen2-7B-Instruct's chat_template by hand
        ChatFormat q = ChatFormat.byName("qwen2");
        assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\n Hi \n<|im_end|>\n<|im_start|>assistant\n",
                q.render(List.of(ChatMessage.user(" Hi \n")), true));
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\nHello<|im_end|>\n",
                q.render(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"),
                        ChatMessage.assistant("Hello")), false));
    }

    @Test
    void llamaToolRoleContentIsJsonEncodedUntrimmed() {
        // the template applies tojson (json.dumps, ensure_ascii=False) to tool/ipython content, strings included
        String r = ChatFormat.byName("llama3").render(List.of(new ChatMessage("tool", " 42 \"x\"\n é")), false);
        assertEquals("<|start_header_id|>ipython<|end_header_id|>\n\n\" 42 \\\"x\\\"\\n é\"<|eot_id|>", r);
    }

    @Test
    void lookupByNameAndFamily() {
        assertEquals("mistral", ChatFormat.forFamily(Family.MISTRAL).name());
        assertEquals("llama3", ChatFormat.forFamily(Family.LLAMA).name());
        assertEquals("gemma2", ChatFormat.forFamily(Family.GEMMA2).name());
        assertEquals("qwen2", ChatFormat.forFamily(Family.QWEN2).name());
        for (String n : ChatFormat.NAMES) {
            assertEquals(n, ChatFormat.byName(n).name());
        }
        T2lException e = assertThrows(T2lException.class, () -> ChatFormat.byName("llama2"));
        assertEquals("unknown chat format 'llama2'; known: mistral, llama3, gemma2, qwen2, mini", e.getMessage());
    }

    @Test
    void pythonStripRemovesExactlyWhatStrIsspaceAccepts() {
        // [c for c in range(0x10000) if chr(c).isspace()] in CPython 3
        int[] python = {0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001,
            0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f,
            0x3000};
        int n = 0;
        for (int c = 0; c < 0x10000; c++) {
            boolean expected = n < python.length && python[n] == c;
            if (expected) {
                n++;
            }
            assertEquals(expected, PyStrings.isPySpace((char) c), String.format("U+%04X", c));
        }
        assertEquals("a\u200bb", PyStrings.strip("\u00a0\u3000a\u200bb\u0085\u2028"));
    }
}
