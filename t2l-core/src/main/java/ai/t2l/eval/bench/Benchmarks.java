package ai.t2l.eval.bench;

import ai.t2l.io.T2lException;
import ai.t2l.train.data.SniFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.function.Supplier;

/** The ten benchmarks by name, in the column order of the paper's table (spec §11). */
public final class Benchmarks {
    private static final Map<String, Supplier<Benchmark>> ALL = new LinkedHashMap<>();

    static {
        ALL.put("arc_challenge", ArcChallenge::new);
        ALL.put("arc_easy", ArcEasy::new);
        ALL.put("boolq", BoolQ::new);
        ALL.put("gsm8k", Gsm8k::new);
        ALL.put("hellaswag", HellaSwag::new);
        ALL.put("openbookqa", OpenBookQa::new);
        ALL.put("piqa", Piqa::new);
        ALL.put("winogrande", Winogrande::new);
        ALL.put("humaneval", HumanEval::new);
        ALL.put("mbpp", Mbpp::new);
    }

    private Benchmarks() {}

    public static List<String> names() {
        return List.copyOf(ALL.keySet());
    }

    public static Benchmark byName(String name) {
        Supplier<Benchmark> s = ALL.get(name);
        if (s == null) {
            throw new T2lException("unknown task \"" + name + "\"; known tasks: " + String.join(", ", names())
                    + ", or a Super-NaturalInstructions task (lol_NNN with --sni-dir DIR, or a taskNNN_*.json path)");
        }
        return s.get();
    }

    /** Parses "a,b,c" (or "all"); every name must be known; the order given is kept, duplicates dropped. */
    public static List<Benchmark> parse(String list) {
        return parse(list, null);
    }

    /**
     * As {@link #parse(String)}, where a task may also be a Super-NaturalInstructions task (issue 12 item 10): a
     * reference name {@code lol_NNN} looked up in {@code sniDir} (natural-instructions' tasks/ folder; may be null),
     * or the path of an SNI task file {@code taskNNN_*.json}; those are scored with ROUGE-L ({@link SniBenchmark}).
     */
    public static List<Benchmark> parse(String list, Path sniDir) {
        List<Benchmark> out = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        Map<String, Path> sniIndex = null; // the SNI folder is listed once, and only if a lol_ task is asked for
        for (String raw : list.split(",")) {
            String n = raw.strip();
            if (n.isEmpty() || seen.contains(n)) {
                continue;
            }
            if (n.equals("all")) {
                for (String a : names()) {
                    if (!seen.contains(a)) {
                        seen.add(a);
                        out.add(byName(a));
                    }
                }
                continue;
            }
            if (n.startsWith("lol_") && sniDir != null && sniIndex == null) {
                sniIndex = SniFolder.index(sniDir);
            }
            Benchmark b = ALL.containsKey(n) ? byName(n) : sni(n, sniDir, sniIndex);
            if (seen.contains(b.name())) {
                continue;
            }
            out.add(b);
            seen.add(b.name());
        }
        if (out.isEmpty()) {
            throw new T2lException("no task given; known tasks: " + String.join(", ", names()));
        }
        return out;
    }

    private static Benchmark sni(String n, Path sniDir, Map<String, Path> sniIndex) {
        if (n.endsWith(".json")) {
            Path f = Path.of(n);
            if (!Files.isRegularFile(f)) {
                throw new T2lException("task " + n + ": no such SNI task file");
            }
            return new SniBenchmark(f);
        }
        if (n.startsWith("lol_")) {
            if (sniDir == null) {
                throw new T2lException("task " + n + " is a Super-NaturalInstructions task: pass --sni-dir DIR (the"
                        + " natural-instructions tasks/ folder with task" + n.substring(4) + "_*.json), or give the"
                        + " task file's path");
            }
            Path f = sniIndex.get(n);
            if (f == null) {
                throw new T2lException("task " + n + ": no task" + n.substring(4) + "_*.json in " + sniDir);
            }
            return new SniBenchmark(f);
        }
        return byName(n); // the unknown-task error with the known names
    }

    /** A task's position in the paper's column order; unknown names sort last. */
    public static int order(String name) {
        int i = names().indexOf(name);
        return i < 0 ? Integer.MAX_VALUE : i;
    }
}
