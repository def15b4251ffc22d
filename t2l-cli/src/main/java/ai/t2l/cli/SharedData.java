package ai.t2l.cli;

import ai.t2l.io.T2lException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Finds ../shared/data beside the repository (or any parent of the working folder) when no path is given. */
public final class SharedData {
    private SharedData() {}

    public static Path locate(Path given, String sub, String option) {
        if (given != null) {
            if (!Files.isDirectory(given)) {
                throw new T2lException(given + ": no such folder (" + option + ")");
            }
            return given;
        }
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolveSibling("shared").resolve("data").resolve(sub);
            if (Files.isDirectory(candidate)) {
                return candidate.normalize();
            }
            Path inside = p.resolve("shared").resolve("data").resolve(sub);
            if (Files.isDirectory(inside)) {
                return inside.normalize();
            }
        }
        throw new T2lException("cannot find shared/data/" + sub + " beside the repository; pass " + option + " DIR");
    }
}
