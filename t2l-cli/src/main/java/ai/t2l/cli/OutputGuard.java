package ai.t2l.cli;

import ai.t2l.io.T2lException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Checks an output folder before a command touches anything (issue 10 item 10): never a filesystem root, never a
 * file, and never a folder that holds one of the command's own inputs, since {@code --overwrite} replaces the whole
 * folder (e.g. {@code --out .} run from inside the model folder would delete the model). Paths are compared after
 * resolving symbolic links, so a link cannot hide that two names are one folder.
 */
final class OutputGuard {
    private OutputGuard() {}

    /** @param inputs option name (e.g. "--t2l") -> the path it names; null paths are skipped */
    static void check(String option, Path out, Map<String, Path> inputs) {
        Path abs = real(out);
        if (abs.getParent() == null) {
            throw new T2lException(option + " " + out + " is a filesystem root; choose a new folder to write into");
        }
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new T2lException(option + " " + out + " exists and is not a folder");
        }
        Path cwd = real(Path.of(""));
        if (cwd.startsWith(abs)) {
            throw new T2lException(option + " " + out + " holds the current folder; choose a new folder to write into");
        }
        for (Map.Entry<String, Path> in : inputs.entrySet()) {
            if (in.getValue() != null && real(in.getValue()).startsWith(abs)) {
                throw new T2lException(option + " " + out + " holds the input " + in.getKey() + " " + in.getValue()
                        + "; writing there (or --overwrite) would replace it: choose another folder");
            }
        }
    }

    /** The absolute path with links resolved as far as the path exists (the rest may not exist yet). */
    static Path real(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(abs)).normalize();
        } catch (IOException e) {
            return abs;
        }
    }
}
