package ai.t2l;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates ../shared (fixtures, data, reference) beside the repository, read-only. */
public final class Shared {
    private Shared() {}

    public static Path root() {
        String prop = System.getProperty("t2l.shared");
        if (prop != null && Files.isDirectory(Paths.get(prop, "fixtures"))) {
            return Paths.get(prop).toAbsolutePath().normalize();
        }
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolveSibling("shared");
            if (Files.isDirectory(candidate.resolve("fixtures"))) {
                return candidate.normalize();
            }
        }
        throw new IllegalStateException("cannot find ../shared beside the repository (set -Dt2l.shared=DIR)");
    }

    public static Path golden(String... parts) {
        return Paths.get(root().resolve("fixtures").resolve("golden").toString(), parts);
    }

    public static Path data(String... parts) {
        return Paths.get(root().resolve("data").toString(), parts);
    }

    public static Path reference(String... parts) {
        return Paths.get(root().resolve("reference").toString(), parts);
    }
}
