package ai.t2l.inspect;

import ai.t2l.hypernet.T2lSummary;
import java.nio.file.Path;

/** Summary of a T2L checkpoint folder (reference layout or ours), read without loading tensor data. */
final class T2lFolderSummary {
    private T2lFolderSummary() {}

    static String describe(Path p) {
        return "T2L checkpoint folder " + p + "\n" + T2lSummary.read(p).describe();
    }
}
