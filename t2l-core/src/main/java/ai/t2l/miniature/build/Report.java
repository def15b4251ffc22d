package ai.t2l.miniature.build;

import ai.t2l.io.AtomicFiles;
import ai.t2l.miniature.Task;
import ai.t2l.miniature.TaskWorld;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The miniature's evaluation as docs/MINIATURE.md (tables) and docs/miniature.svg (bar chart). */
public record Report(TaskWorld world, List<MiniatureEval.Scores> rows, Map<String, MiniatureEval.Scores> controls,
        String bestT2l, Map<String, Double> validation, Map<String, Double> bestValidationPerTask, int testPerTask,
        long seed) {

    List<Task> seen() {
        return world.trainTasks();
    }

    List<Task> heldOut() {
        return world.heldOutTasks();
    }

    /** Tasks of a list that the scores cover (oracles may exist for only some held-out tasks). */
    static List<Task> covered(MiniatureEval.Scores s, List<Task> tasks) {
        return tasks.stream().filter(t -> s.perTask().containsKey(t.name())).toList();
    }

    static String pct(MiniatureEval.Scores s, List<Task> tasks) {
        List<Task> c = covered(s, tasks);
        return c.isEmpty() ? "–" : String.format(Locale.ROOT, "%.1f", s.mean(c));
    }

    public String summary() {
        StringBuilder sb = new StringBuilder(String.format("%-36s %8s %9s%n", "condition", "seen", "held-out"));
        for (MiniatureEval.Scores r : rows) {
            sb.append(String.format("%-36s %8s %9s%n", r.condition(), pct(r, seen()), pct(r, heldOut())));
        }
        sb.append("controls for T2L ").append(bestT2l).append(":\n");
        controls.forEach((k, r) -> sb.append(String.format("  %-34s %8s %9s%n", k, pct(r, seen()), pct(r, heldOut()))));
        // validation words only (training tasks: first training description; held-out: first evaluation one), so
        // that demo tasks can be picked without looking at test results
        sb.append("validation exact match per task, T2L ").append(bestT2l).append(" (8 val words each):\n");
        bestValidationPerTask.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %-28s %5.1f%s%n", k, 100 * v,
                world.task(k).role() == Task.Role.TRAIN ? "" : "  (held out)")));
        return sb.toString();
    }

    public void write(Path docs, String command) {
        AtomicFiles.writeString(docs.resolve("MINIATURE.md"), markdown(command));
        AtomicFiles.writeString(docs.resolve("miniature.svg"), Svg.bars(rows, seen(), heldOut()));
    }

    String markdown(String command) {
        StringBuilder md = new StringBuilder();
        md.append("# The miniature: results\n\n");
        md.append("Exact-match accuracy (%) of the embedded miniature (`miniature/`, DESIGN §4, issue 5), written by `")
                .append(command).append("`. Seed ").append(seed).append("; ").append(testPerTask)
                .append(" test words per task and condition (test split: words never used in training or"
                        + " validation). **Seen** = the ").append(seen().size()).append(" training tasks, asked with"
                        + " their 3 evaluation descriptions (sentence templates never used in training); **held-out**"
                        + " = the ").append(heldOut().size()).append(" tasks no trainer saw. T2L rows average"
                        + " over the 3 adapters generated from a task's 3 evaluation descriptions. How the world and"
                        + " the models are built: docs/MINIATURE-WORLD.md, `miniature/provenance.json`.\n\n");
        md.append("![accuracy per condition](miniature.svg)\n\n");
        md.append("| condition | seen tasks | held-out tasks | test answers |\n|---|---:|---:|---:|\n");
        for (MiniatureEval.Scores r : rows) {
            int n = r.perTask().values().stream().mapToInt(c -> c[1]).sum();
            md.append("| ").append(r.condition()).append(" | ").append(pct(r, seen())).append(" | ")
                    .append(pct(r, heldOut())).append(" | ").append(n).append(" |\n");
        }
        md.append("\nOracle LoRAs of held-out tasks were trained on those tasks' training words: an upper bound only,"
                + " never used by any T2L trainer.");
        rows.stream().filter(r -> r.condition().startsWith("oracle")).findFirst()
                .filter(r -> covered(r, seen()).size() < seen().size())
                .ifPresent(r -> md.append(" On seen tasks the oracle row covers the ").append(covered(r, seen()).size())
                        .append(" core training tasks, the only ones with an oracle (docs/MINIATURE-WORLD.md)."));
        md.append("\n\n");
        md.append("## Description controls (T2L ").append(bestT2l).append(")\n\n");
        md.append("The T2L model with the best mean exact match on validation words of the training tasks (adapters"
                + " from each task's first training description; no held-out or test data involved): ");
        validation.forEach((k, v) -> md.append(String.format(Locale.ROOT, "%s %.1f, ", k, 100 * v)));
        md.setLength(md.length() - 2);
        md.append(".\n\n| description given to T2L | seen tasks | held-out tasks |\n|---|---:|---:|\n");
        controls.forEach((k, r) -> md.append("| ").append(k).append(" | ").append(pct(r, seen())).append(" | ")
                .append(pct(r, heldOut())).append(" |\n"));
        md.append("\n## Per family: held-out tasks\n\n");
        familyTable(md, heldOut());
        md.append("\n## Per family: seen tasks\n\n");
        familyTable(md, seen());
        return md.toString();
    }

    private void familyTable(StringBuilder md, List<Task> tasks) {
        List<String> fams = world.families().stream()
                .filter(f -> tasks.stream().anyMatch(t -> t.family().equals(f))).toList();
        md.append("| condition |");
        fams.forEach(f -> md.append(' ').append(f).append(" (").append(tasks.stream()
                .filter(t -> t.family().equals(f)).count()).append(") |"));
        md.append("\n|---|");
        fams.forEach(f -> md.append("---:|"));
        md.append('\n');
        for (MiniatureEval.Scores r : rows) {
            md.append("| ").append(r.condition()).append(" |");
            for (String f : fams) {
                md.append(' ').append(pct(r, tasks.stream().filter(t -> t.family().equals(f)).toList())).append(" |");
            }
            md.append('\n');
        }
    }
}
