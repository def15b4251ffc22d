package ai.t2l.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The commit a run was made from, for provenance records. */
public final class GitCommit {
    private GitCommit() {}

    /**
     * The 12-digit commit of the git work tree at {@code dir}, with "-dirty" when tracked files have uncommitted
     * changes (then the commit alone does not say what code ran), or "unknown" outside a work tree or without git.
     */
    public static String of(Path dir) {
        try {
            Process p = new ProcessBuilder("git", "describe", "--always", "--dirty", "--abbrev=12", "--exclude", "*")
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "unknown";
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 && out.matches("[0-9a-f]{12}(-dirty)?") ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
