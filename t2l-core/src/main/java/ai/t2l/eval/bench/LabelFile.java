package ai.t2l.eval.bench;

import ai.t2l.io.T2lException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** A one-label-per-line file (PIQA, WinoGrande): every line must be one of the allowed labels. */
final class LabelFile {
    private LabelFile() {}

    static List<String> read(Path file, String... allowed) {
        Set<String> ok = Set.of(allowed);
        List<String> labels = new ArrayList<>();
        DataFiles.lines(file, (no, line) -> {
            String l = line.strip();
            if (l.isEmpty()) {
                return;
            }
            if (!ok.contains(l)) {
                throw new T2lException(file + ":" + no + ": expected one of " + ok + ", found \"" + line + "\"");
            }
            labels.add(l);
        });
        return labels;
    }
}
