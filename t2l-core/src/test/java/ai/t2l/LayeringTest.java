package ai.t2l;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The import rules of DESIGN.md §3: io and tokenizer know nothing of models; model knows nothing of the
 * hypernetwork; hypernet emits LoraWeights and never sees the transformer; train and eval sit on top; the library
 * never imports the CLI or the server.
 */
class LayeringTest {
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(ai\\.t2l\\.[\\w.]+|picocli\\.[\\w.]+);",
            Pattern.MULTILINE);

    /** package -> forbidden import prefixes. */
    private static final Map<String, List<String>> FORBIDDEN = Map.of(
            "io", List.of("ai.t2l.model", "ai.t2l.lora", "ai.t2l.hypernet", "ai.t2l.embed", "ai.t2l.tokenizer",
                    "ai.t2l.generate", "ai.t2l.train", "ai.t2l.eval", "ai.t2l.miniature"),
            "tokenizer", List.of("ai.t2l.model.Transformer", "ai.t2l.lora", "ai.t2l.hypernet", "ai.t2l.generate",
                    "ai.t2l.train", "ai.t2l.eval", "ai.t2l.miniature"),
            "model", List.of("ai.t2l.hypernet", "ai.t2l.embed", "ai.t2l.train", "ai.t2l.eval", "ai.t2l.miniature"),
            "lora", List.of("ai.t2l.hypernet", "ai.t2l.embed", "ai.t2l.train", "ai.t2l.eval", "ai.t2l.miniature"),
            "hypernet", List.of("ai.t2l.model.Transformer", "ai.t2l.generate", "ai.t2l.train", "ai.t2l.eval",
                    "ai.t2l.miniature"),
            "compute", List.of("ai.t2l.model", "ai.t2l.lora", "ai.t2l.hypernet", "ai.t2l.embed", "ai.t2l.tokenizer",
                    "ai.t2l.generate", "ai.t2l.train", "ai.t2l.eval", "ai.t2l.miniature"),
            "generate", List.of("ai.t2l.hypernet", "ai.t2l.train", "ai.t2l.eval", "ai.t2l.miniature"),
            "export", List.of("ai.t2l.hypernet", "ai.t2l.embed", "ai.t2l.generate", "ai.t2l.train", "ai.t2l.eval",
                    "ai.t2l.miniature", "ai.t2l.model.Transformer"));

    @Test
    void coreRespectsTheLayering() throws IOException {
        Path root = Paths.get("src/main/java/ai/t2l");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = root.relativize(f).getName(0).toString();
                String src = Files.readString(f);
                Matcher m = IMPORT.matcher(src);
                while (m.find()) {
                    String imp = m.group(1);
                    if (imp.startsWith("picocli") || imp.startsWith("ai.t2l.cli") || imp.startsWith("ai.t2l.server")) {
                        violations.add(f + " imports " + imp + " (the library never sees the CLI or server)");
                    }
                    for (String bad : FORBIDDEN.getOrDefault(pkg, List.of())) {
                        if (imp.startsWith(bad)) {
                            violations.add(f + " (package " + pkg + ") imports " + imp);
                        }
                    }
                }
            }
        }
        assertTrue(violations.isEmpty(), String.join("\n", violations));
    }
}
