package ai.t2l.cli.train;

import ai.t2l.io.AtomicFiles;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import ai.t2l.train.TrainListener;
import ai.t2l.train.run.RunFolder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * What every {@code t2l train} subcommand shares: config file + overrides → {@link Settings}; --dry-run prints the
 * resolved settings, parameter counts and memory, and stops; otherwise the run folder is opened (refused when it
 * holds another run, unless --resume) and the subclass trains with a progress bar.
 */
abstract class TrainRun implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML or JSON settings")
    Path config;

    @Option(names = "--out", paramLabel = "RUN_DIR", description = "Run folder (config, metrics, checkpoints, outputs)")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint")
    boolean resume;

    @Option(names = "--dry-run", description = "Print the resolved settings, parameter counts and memory; train nothing")
    boolean dryRun;

    @Unmatched
    List<String> overrides = new ArrayList<>();

    /** The run kind written into run.json, e.g. "lora". */
    abstract String kind();

    abstract Map<String, Object> defaults();

    /** Parameter counts and memory estimate, without loading weights. */
    abstract void estimate(Settings s, PrintWriter out);

    abstract void train(Settings s, RunFolder run, TrainListener listener, PrintWriter out);

    /** Inputs whose checksums go into the run's provenance. */
    Map<String, Path> inputs(Settings s) {
        Map<String, Path> in = new LinkedHashMap<>();
        if (s.path("model") != null) {
            in.put("model", s.path("model"));
        }
        try {
            // recon has no 'tasks' setting at all (asking for it threw IllegalArgumentException, not caught here)
            for (Path p : s.json().has("tasks") ? TaskInputs.taskFiles(s) : List.<Path>of()) {
                in.put("task:" + TaskInputs.taskName(p), p); // (several files may be called train.jsonl)
            }
        } catch (T2lException e) {
            // the commands that need task files fail later with the message
        }
        if (s.path("descriptions_file") != null) {
            in.put("descriptions_file", s.path("descriptions_file"));
        }
        return in;
    }

    /**
     * The settings this command reads, with their defaults, for {@code --help} (issue 10 item 17): every key of
     * {@link #defaults()}, in order, as {@code key: default}; "" shows as (unset).
     */
    String keysHelp() {
        Map<String, Object> d = defaults();
        int w = d.keySet().stream().mapToInt(String::length).max().orElse(8);
        StringBuilder sb = new StringBuilder("%nSettings (keys of --config FILE, or --key value; defaults shown):%n");
        d.forEach((k, v) -> {
            String shown = v instanceof List<?> l ? (l.isEmpty() ? "[]" : "[" + String.join(", ",
                    l.stream().map(String::valueOf).toList()) + "]")
                    : "".equals(v) ? "(unset)" : String.valueOf(v);
            sb.append(String.format(java.util.Locale.ROOT, "  %-" + w + "s  %s%%n", k, shown.replace("%", "%%")));
        });
        sb.append("%nExample configs that run on the embedded miniature: examples/train/ (see docs/TRAINING.md).%n");
        return sb.toString();
    }

    private static String yaml(Settings s) {
        try {
            return Json.YAML.writeValueAsString(s.json()).replaceFirst("^---\\n", "");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        Settings s = Settings.resolve(defaults(), config, overrides);
        SettingRanges.check(kind(), s);
        if (dryRun) {
            stdout.println("# resolved settings of t2l train " + kind());
            stdout.print(yaml(s));
            estimate(s, stdout);
            stdout.flush();
            return 0;
        }
        if (out == null) {
            throw new T2lException("--out RUN_DIR is required (or --dry-run)");
        }
        boolean existed = Files.exists(out);
        RunFolder run = RunFolder.open(out, kind(), s.json(), inputs(s), resume);
        try (ProgressListener progress = new ProgressListener(System.err)) {
            train(s, run, progress, stdout);
        } catch (RuntimeException e) {
            removeFailedStart(run, existed);
            throw e;
        }
        stdout.flush();
        return 0;
    }

    /**
     * A run that fails before its first checkpoint (a missing model, a bad task file) leaves nothing worth keeping:
     * remove what this call created, so the next attempt does not find "a run" in the folder (issue 10 item 10).
     * A folder that existed before (empty, or a run being resumed) and any run with a checkpoint are kept.
     */
    private void removeFailedStart(RunFolder run, boolean existed) {
        if (resume || run.latestCheckpoint().isPresent()) {
            return;
        }
        if (!existed) {
            AtomicFiles.deleteRecursively(out);
            return;
        }
        try (var children = Files.list(out)) {
            children.forEach(AtomicFiles::deleteRecursively); // it was empty before: empty it again
        } catch (IOException ignored) {
            // already failing with the real error
        }
    }
}
