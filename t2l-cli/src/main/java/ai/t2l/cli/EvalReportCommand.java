package ai.t2l.cli;

import ai.t2l.eval.report.CombinedTable;
import ai.t2l.eval.report.Formats;
import ai.t2l.eval.report.Report;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code t2l eval report}: rebuild the combined table from result folders. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Rebuild the combined table (markdown, CSV, SVG bar chart) from evaluation output folders.")
public final class EvalReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Evaluation output folders (holding results/).")
    List<Path> dirs;

    @Option(names = "--out", paramLabel = "DIR", description = "Where results.md/.csv/.svg go (default: the first DIR).")
    Path out;

    @Override
    public Integer call() {
        CombinedTable t = Report.write(dirs, out != null ? out : dirs.get(0));
        System.out.print(Formats.markdown(t));
        return 0;
    }
}
