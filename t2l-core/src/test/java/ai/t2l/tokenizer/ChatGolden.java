package ai.t2l.tokenizer;

import ai.t2l.Shared;
import ai.t2l.io.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The case files of fixtures/golden/chat/<template>/ (all but template.json), with the format each belongs to. */
final class ChatGolden {
    record Case(String folder, String format, Path file, JsonNode json) {
        List<ChatMessage> messages() {
            return ChatMessage.parseList(json.get("messages"), file.toString());
        }

        boolean addGenerationPrompt() {
            return json.get("add_generation_prompt").asBoolean();
        }

        @Override
        public String toString() {
            return folder + "/" + file.getFileName();
        }
    }

    static final List<String[]> FOLDERS = List.of(
            new String[] {"mistral", "mistral"}, new String[] {"llama3_1", "llama3"},
            new String[] {"gemma2", "gemma2"});

    private ChatGolden() {}

    static Stream<Case> cases() {
        return FOLDERS.stream().flatMap(f -> cases(f[0], f[1]));
    }

    static Stream<Case> cases(String folder, String format) {
        Path dir = Shared.golden("chat", folder);
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".json"))
                    .filter(p -> !p.getFileName().toString().equals("template.json"))
                    .sorted()
                    .map(p -> new Case(folder, format, p, Json.read(p)))
                    .toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
