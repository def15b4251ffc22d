package ai.t2l.train.data;

import ai.t2l.io.T2lException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A folder of Super-NaturalInstructions task files ({@code natural-instructions/tasks/}, which users download
 * themselves), looked up by the reference's task names: {@code lol_022} is {@code task022_<slug>.json}.
 */
public final class SniFolder {
    /** How many missing names an error or warning lists. */
    static final int SHOWN = 5;

    private SniFolder() {}

    /** The task files of {@code dir} by reference name, sorted by file name. */
    public static Map<String, Path> index(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new T2lException(dir + ": no such folder (expected the natural-instructions tasks/ folder with"
                    + " taskNNN_*.json files)");
        }
        Map<String, Path> out = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.sorted().toList()) {
                String n = f.getFileName().toString();
                if (n.matches("task\\d+_.*\\.json") && Files.isRegularFile(f)) {
                    out.putIfAbsent(SniTasks.taskName(f), f);
                }
            }
        } catch (IOException e) {
            throw new T2lException(dir + ": cannot list the folder: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * The files of {@code names}, in list order. Names without a file are an error that says how many and names the
     * first few; with {@code skipMissing} they are left out and {@code warn} receives the same count and names.
     */
    public static List<Path> resolve(Path dir, List<String> names, boolean skipMissing, Consumer<String> warn) {
        Map<String, Path> index = index(dir);
        List<Path> out = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            Path p = index.get(n);
            if (p == null) {
                missing.add(n);
            } else {
                out.add(p);
            }
        }
        if (!missing.isEmpty()) {
            String msg = missing.size() + " of the " + names.size() + " listed tasks have no task file in " + dir
                    + ": " + String.join(", ", missing.subList(0, Math.min(SHOWN, missing.size())).stream()
                            .map(n -> n + " (task" + n.substring(n.indexOf('_') + 1) + "_*.json)").toList())
                    + (missing.size() > SHOWN ? ", ..." : "");
            if (!skipMissing) {
                throw new T2lException(msg + "; point sni_dir at natural-instructions' tasks/ folder, or set"
                        + " missing_tasks: skip to train without them");
            }
            warn.accept(msg + "; skipped (missing_tasks: skip)");
        }
        if (out.isEmpty()) {
            throw new T2lException("none of the " + names.size() + " listed tasks has a task file in " + dir);
        }
        return out;
    }
}
