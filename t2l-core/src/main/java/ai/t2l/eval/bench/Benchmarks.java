package ai.t2l.eval.bench;

import ai.t2l.io.T2lException;
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
            throw new T2lException("unknown task \"" + name + "\"; known tasks: " + String.join(", ", names()));
        }
        return s.get();
    }

    /** Parses "a,b,c" (or "all"); every name must be known; the order given is kept, duplicates dropped. */
    public static List<Benchmark> parse(String list) {
        List<Benchmark> out = new ArrayList<>();
        List<String> seen = new ArrayList<>();
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
            out.add(byName(n));
            seen.add(n);
        }
        if (out.isEmpty()) {
            throw new T2lException("no task given; known tasks: " + String.join(", ", names()));
        }
        return out;
    }

    /** A task's position in the paper's column order; unknown names sort last. */
    public static int order(String name) {
        int i = names().indexOf(name);
        return i < 0 ? Integer.MAX_VALUE : i;
    }
}
