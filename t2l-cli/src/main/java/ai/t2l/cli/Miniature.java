package ai.t2l.cli;

import ai.t2l.io.T2lException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The embedded miniature (DESIGN.md §4) as a default: {@code miniature/} under the {@code t2l.home} system property
 * that the ./t2l launcher sets, holding {@code model/} (the base model folder) and {@code t2l/<name>/} checkpoints.
 */
final class Miniature {
    /** The T2L checkpoint used when the user names none: the SFT-trained M variant, the paper's main one. */
    static final List<String> PREFERRED_T2L = List.of("sft-M", "sft-L", "sft-S");

    private Miniature() {}

    static Optional<Path> dir() {
        String home = System.getProperty("t2l.home");
        if (home == null) {
            return Optional.empty();
        }
        Path d = Paths.get(home).resolve("miniature");
        return Files.isDirectory(d.resolve("model")) ? Optional.of(d) : Optional.empty();
    }

    static Path model() {
        return dir().map(d -> d.resolve("model")).orElseThrow(() -> new T2lException("no model given: pass --model DIR "
                + "(a Hugging Face model folder) or --t2l DIR; the embedded miniature was not found either ("
                + where() + ")"));
    }

    /** The default checkpoint: the first of {@link #PREFERRED_T2L} present, else the first folder of t2l/. */
    static Path t2l() {
        Path root = model().getParent().resolve("t2l");
        for (String name : PREFERRED_T2L) {
            if (Files.isDirectory(root.resolve(name))) {
                return root.resolve(name);
            }
        }
        try (Stream<Path> s = Files.isDirectory(root) ? Files.list(root) : Stream.empty()) {
            return s.filter(Files::isDirectory).sorted().findFirst().orElseThrow(() -> new T2lException(
                    "--description needs a T2L checkpoint: pass --t2l DIR; the miniature has none under " + root));
        } catch (IOException e) {
            throw new T2lException(root + ": cannot list: " + e.getMessage(), e);
        }
    }

    private static String where() {
        String home = System.getProperty("t2l.home");
        return home == null ? "t2l.home is not set; the ./t2l launcher sets it"
                : "expected " + Paths.get(home).resolve("miniature").resolve("model");
    }
}
