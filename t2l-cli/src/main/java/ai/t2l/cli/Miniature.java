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
    /**
     * The T2L checkpoints used when the user names none, in order: trained by SFT, L first (the reference's SFT
     * variant, spec §7, and the miniature's best: docs/MINIATURE.md), then M and S.
     */
    static final List<String> PREFERRED_T2L = List.of("sft-L", "sft-M", "sft-S");

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

    /** The default checkpoint of the embedded miniature ({@link #checkpointIn} its {@code t2l/} folder). */
    static Path t2l() {
        return checkpointIn(model().getParent().resolve("t2l"));
    }

    /** The first of {@link #PREFERRED_T2L} under {@code root}, else its only checkpoint folder, else a clear error. */
    static Path checkpointIn(Path root) {
        for (String name : PREFERRED_T2L) {
            if (Files.isDirectory(root.resolve(name))) {
                return root.resolve(name);
            }
        }
        List<Path> all;
        try (Stream<Path> s = Files.isDirectory(root) ? Files.list(root) : Stream.empty()) {
            all = s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new T2lException(root + ": cannot list: " + e.getMessage(), e);
        }
        if (all.size() != 1) {
            throw new T2lException(root + ": expected one of " + PREFERRED_T2L + " or a single T2L checkpoint folder,"
                    + " found " + all.size() + (all.isEmpty() ? "" : " " + all.stream()
                            .map(p -> p.getFileName().toString()).toList()) + "; pass --t2l DIR");
        }
        return all.get(0);
    }

    private static String where() {
        String home = System.getProperty("t2l.home");
        return home == null ? "t2l.home is not set; the ./t2l launcher sets it"
                : "expected " + Paths.get(home).resolve("miniature").resolve("model");
    }
}
