package ai.t2l.inspect;

import java.nio.file.Path;

/** Summary of a T2L checkpoint folder; filled in by the hypernetwork package once it can read checkpoints. */
final class T2lFolderSummary {
    private T2lFolderSummary() {}

    static String describe(Path p) {
        return "T2L checkpoint folder " + p + "\n";
    }
}
