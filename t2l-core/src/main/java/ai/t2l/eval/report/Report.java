package ai.t2l.eval.report;

import ai.t2l.io.AtomicFiles;
import java.nio.file.Path;
import java.util.List;

/** Rebuilds the combined report of result folders: results.md, results.csv and results.svg. */
public final class Report {
    private Report() {}

    /** Writes the three files into {@code outDir} and returns the table. */
    public static CombinedTable write(List<Path> resultDirs, Path outDir) {
        CombinedTable t = CombinedTable.of(ResultFiles.read(resultDirs));
        AtomicFiles.writeString(outDir.resolve("results.md"), Formats.markdown(t));
        AtomicFiles.writeString(outDir.resolve("results.csv"), Formats.csv(t));
        AtomicFiles.writeString(outDir.resolve("results.svg"), BarChart.svg(t));
        return t;
    }
}
