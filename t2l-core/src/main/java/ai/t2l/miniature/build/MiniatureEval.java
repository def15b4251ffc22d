package ai.t2l.miniature.build;

import ai.djl.ndarray.NDManager;
import ai.t2l.embed.TaskEmbedder;
import ai.t2l.hypernet.HypernetCheckpoint;
import ai.t2l.hypernet.T2lFolder;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import ai.t2l.miniature.ControlDescriptions;
import ai.t2l.miniature.Example;
import ai.t2l.miniature.Prompts;
import ai.t2l.miniature.Split;
import ai.t2l.miniature.Task;
import ai.t2l.miniature.TaskWorld;
import ai.t2l.model.Transformer;
import ai.t2l.tokenizer.ChatFormat;
import ai.t2l.tokenizer.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code t2l miniature eval}: exact-match accuracy of every condition of issue 5 on seen tasks (test words, unseen
 * evaluation descriptions) and held-out tasks. T2L conditions average over a task's 3 evaluation descriptions (one
 * adapter each), as the reference's eval_descs split (spec §8.3). The one choice made here, which T2L model gets
 * the description controls, is made on validation words of training tasks with training descriptions.
 */
public final class MiniatureEval {
    public static final List<String> T2L_MODELS = List.of("recon-M", "sft-L", "sft-M", "sft-S");
    /** The paper's main model: the one asked with hand-written descriptions and drawn in the adapter map. */
    static final String FREE_FORM_MODEL = "sft-L";
    static final String RECON_LIBRARY = "T2L recon-M, library tasks, training descriptions";
    static final String FREE_FORM_T2L = "T2L sft-L, hand-written descriptions";
    static final String FREE_FORM_BASE = "base + hand-written description in prompt";
    static final int VAL_EXAMPLES = 8;

    private final Path dir;
    private final TaskEmbedder embedder;
    private final int nTest;
    private final Progress progress;
    private final TaskWorld world = TaskWorld.standard();
    private long seed;
    /** Descriptions repeat across the T2L models: embed each once. */
    private final Map<String, float[]> embedded = new java.util.HashMap<>();

    private ai.t2l.lora.LoraScale scale = ai.t2l.lora.LoraScale.ADAPTER;

    public MiniatureEval(Path dir, TaskEmbedder embedder, int testExamplesPerTask, Progress progress) {
        this.dir = dir;
        this.embedder = embedder;
        this.nTest = testExamplesPerTask;
        this.progress = progress;
    }

    /** Applies every adapter with {@code s} (issue 12 item 7: the reference's vLLM 0.5.4 used alpha/r). */
    public MiniatureEval withLoraScale(ai.t2l.lora.LoraScale s) {
        this.scale = s;
        return this;
    }

    /** One condition's result: per task, correct answers out of the examples asked (summed over adapters). */
    public record Scores(String condition, Map<String, int[]> perTask) {
        double mean(List<Task> tasks) {
            double s = 0;
            for (Task t : tasks) {
                int[] c = perTask.get(t.name());
                s += (double) c[0] / c[1];
            }
            return 100 * s / tasks.size();
        }
    }

    /** One query: a user text for one task's example through one adapter (null: base). */
    private record Query(Task task, Example example, String user, LoraWeights adapter) {}

    public Report run() {
        Path prov = dir.resolve(MiniLayout.PROVENANCE);
        if (!Files.exists(prov)) {
            throw new T2lException(dir + ": no " + MiniLayout.PROVENANCE + " (build the miniature first: t2l miniature build)");
        }
        seed = Json.read(prov).path("seed").asLong(42);
        Path modelDir = dir.resolve(MiniLayout.MODEL);
        List<Scores> rows = new ArrayList<>();
        String best;
        Map<String, Scores> controls = new LinkedHashMap<>();
        Map<String, Double> bestVal = new LinkedHashMap<>();
        Map<String, Scores> extra = new LinkedHashMap<>();
        String adapterMap = null;
        try (Transformer model = Transformer.load(modelDir);
                Tokenizer tok = Tokenizer.open(modelDir.resolve("tokenizer.json"));
                NDManager m = NDManager.newBaseManager("PyTorch")) {
            ChatFormat format = ChatFormat.forModel(modelDir);
            Runner run = (name, qs) -> score(name, model, tok, format, qs);
            List<Task> all = world.tasks();
            rows.add(run.apply("base", queries(all, t -> List.of(""), t -> null)));
            // the base was taught both prompt kinds on its training tasks (Prompts; issue 14 item 1); asked here with
            // the same 3 evaluation descriptions as T2L
            rows.add(run.apply("base + description in prompt", promptQueries(all,
                    t -> t.evalDescriptions(), (t, d, e) -> Prompts.withDescription(d, e))));
            rows.add(run.apply("base + 3 in-context examples", promptQueries(all, t -> List.of(""),
                    (t, d, e) -> Prompts.withExamples(world.examples(t, Split.TRAIN, 3, seed + 99), e))));
            LoraWeights mt = PeftAdapter.read(dir.resolve(MiniLayout.MULTITASK));
            rows.add(run.apply("multi-task LoRA", queries(all, t -> List.of(""), t -> mt)));
            Map<String, LoraWeights> oracles = new LinkedHashMap<>();
            for (Task t : all) {
                Path p = dir.resolve(MiniLayout.ORACLE).resolve(t.name());
                if (Files.exists(p)) {
                    oracles.put(t.name(), PeftAdapter.read(p));
                }
            }
            List<Task> withOracle = all.stream().filter(t -> oracles.containsKey(t.name())).toList();
            rows.add(run.apply("oracle LoRA (upper bound)", queries(withOracle, t -> List.of(""),
                    t -> oracles.get(t.name()))));
            Map<String, Double> val = new LinkedHashMap<>();
            for (String name : T2L_MODELS) {
                try (HypernetCheckpoint ck = T2lFolder.load(dir.resolve(MiniLayout.t2l(name)), m)) {
                    rows.add(run.apply("T2L " + name, t2lQueries(ck, all, this::evalDescriptions)));
                    val.put(name, validation(ck, model, tok, format));
                    if (name.equals("recon-M")) {
                        // the paper's compression claim: reconstruction on exactly the tasks of its library, asked
                        // with the training descriptions it reconstructed them from (its first 3), next to the oracle
                        extra.put(RECON_LIBRARY, run.apply(RECON_LIBRARY, t2lQueries(ck, world.coreTrainTasks(),
                                t -> t.trainDescriptions().subList(0, 3))));
                    }
                    if (name.equals(FREE_FORM_MODEL)) {
                        extra.put(FREE_FORM_T2L, run.apply(FREE_FORM_T2L, t2lQueries(ck, world.freeFormTasks(),
                                world::freeFormDescriptions)));
                        adapterMap = adapterMap(ck, all);
                    }
                }
            }
            extra.put(FREE_FORM_BASE, run.apply(FREE_FORM_BASE, promptQueries(world.freeFormTasks(),
                    world::freeFormDescriptions, (t, d, e) -> Prompts.withDescription(d, e))));
            best = val.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            try (HypernetCheckpoint ck = T2lFolder.load(dir.resolve(MiniLayout.t2l(best)), m)) {
                bestVal.putAll(validationPerTask(ck, model, tok, format, world.trainTasks(),
                        t -> t.trainDescriptions().get(0)));
                bestVal.putAll(validationPerTask(ck, model, tok, format, world.heldOutTasks(),
                        t -> t.evalDescriptions().get(0)));
                controls.put("aligned (evaluation descriptions)", rows.stream()
                        .filter(r -> r.condition().equals("T2L " + best)).findFirst().orElseThrow());
                controls.put("description of another task", run.apply("other", t2lQueries(ck, all,
                        t -> ControlDescriptions.otherTask(world, t, 3, seed))));
                controls.put("random strings", run.apply("random", t2lQueries(ck, all,
                        t -> ControlDescriptions.random(3, seed))));
            }
            return new Report(world, rows, controls, best, val, bestVal, nTest, seed, extra, adapterMap,
                    curves(Json.read(prov)));
        }
    }

    private interface Runner {
        Scores apply(String condition, List<Query> qs);
    }

    private Scores score(String condition, Transformer model, Tokenizer tok, ChatFormat format, List<Query> qs) {
        progress.start(condition, 0);
        List<String> answers = MiniGenerate.answers(model, tok, format, qs.stream().map(Query::user).toList(),
                qs.stream().map(q -> q.adapter() == null ? null : scale.apply(q.adapter())).toList());
        Map<String, int[]> per = new LinkedHashMap<>();
        int ok = 0;
        for (int i = 0; i < qs.size(); i++) {
            Query q = qs.get(i);
            int[] c = per.computeIfAbsent(q.task().name(), k -> new int[2]);
            boolean right = TaskWorld.score(q.task(), answers.get(i), q.example());
            c[0] += right ? 1 : 0;
            c[1]++;
            ok += right ? 1 : 0;
        }
        progress.end(String.format("%d/%d exact", ok, qs.size()));
        return new Scores(condition, per);
    }

    private float[] embed(String description) {
        return embedded.computeIfAbsent(description, d -> embedder.embed(d).vector());
    }

    private List<String> evalDescriptions(Task t) {
        return t.evalDescriptions();
    }

    /** A user turn built from a task, one of its texts (a description, or "") and the example. */
    private interface PromptBuilder {
        String build(Task task, String text, Example e);
    }

    /** Base-model queries whose user turn is built from one of the task's texts and the example (no adapter). */
    private List<Query> promptQueries(List<Task> tasks, java.util.function.Function<Task, List<String>> texts,
            PromptBuilder prompt) {
        List<Query> qs = new ArrayList<>();
        for (Task t : tasks) {
            for (String text : texts.apply(t)) {
                for (Example e : test(t)) {
                    qs.add(new Query(t, e, prompt.build(t, text, e), null));
                }
            }
        }
        return qs;
    }

    /** sft-L's adapters for every task's evaluation descriptions, projected on 2 principal components (SVG). */
    private String adapterMap(HypernetCheckpoint ck, List<Task> tasks) {
        List<float[]> flat = new ArrayList<>();
        List<String> fams = new ArrayList<>();
        for (Task t : tasks) {
            for (String d : t.evalDescriptions()) {
                flat.add(AdapterMap.flatten(ck.hypernet().generate(embed(d))));
                fams.add(t.family());
            }
        }
        return AdapterMap.svg(AdapterMap.points(flat, fams), "T2L " + FREE_FORM_MODEL + " adapters of "
                + tasks.size() + " tasks x 3 evaluation descriptions, PCA, by family");
    }

    /** Each stage's loss curve from provenance.json (training loss in twentieths, validation points). */
    private static Map<String, JsonNode> curves(JsonNode prov) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        prov.path("stages").fields().forEachRemaining(e -> {
            if (e.getValue().path("result").has("mean_loss_per_twentieth")) {
                out.put(e.getKey(), e.getValue().path("result"));
            }
        });
        return out;
    }

    private List<Example> test(Task t) {
        return world.examples(t, Split.TEST, nTest, seed);
    }

    private List<Query> queries(List<Task> tasks, java.util.function.Function<Task, List<String>> prefixes,
            java.util.function.Function<Task, LoraWeights> adapter) {
        List<Query> qs = new ArrayList<>();
        for (Task t : tasks) {
            for (String prefix : prefixes.apply(t)) {
                for (Example e : test(t)) {
                    qs.add(new Query(t, e, prefix + e.prompt(), adapter.apply(t)));
                }
            }
        }
        return qs;
    }

    private List<Query> t2lQueries(HypernetCheckpoint ck, List<Task> tasks,
            java.util.function.Function<Task, List<String>> descriptions) {
        List<Query> qs = new ArrayList<>();
        for (Task t : tasks) {
            for (String d : descriptions.apply(t)) {
                LoraWeights w = ck.hypernet().generate(embed(d));
                for (Example e : test(t)) {
                    qs.add(new Query(t, e, e.prompt(), w));
                }
            }
        }
        return qs;
    }

    /** Mean exact match on validation words of training tasks, adapters from each task's first training description. */
    private double validation(HypernetCheckpoint ck, Transformer model, Tokenizer tok, ChatFormat format) {
        Map<String, Double> per = validationPerTask(ck, model, tok, format, world.trainTasks(),
                t -> t.trainDescriptions().get(0));
        return per.values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    /**
     * Exact match per task on validation words (never test words) with one description per task. Besides choosing
     * the best T2L model, this is what {@code t2l demo}'s built-in tasks are picked from (printed by the eval).
     */
    private Map<String, Double> validationPerTask(HypernetCheckpoint ck, Transformer model, Tokenizer tok,
            ChatFormat format, List<Task> tasks, java.util.function.Function<Task, String> description) {
        List<String> users = new ArrayList<>();
        List<LoraWeights> ws = new ArrayList<>();
        List<Example> exs = new ArrayList<>();
        List<Task> owners = new ArrayList<>();
        for (Task t : tasks) {
            LoraWeights w = ck.hypernet().generate(embed(description.apply(t)));
            for (Example e : world.examples(t, Split.VAL, VAL_EXAMPLES, seed)) {
                users.add(e.prompt());
                ws.add(w);
                exs.add(e);
                owners.add(t);
            }
        }
        List<String> answers = MiniGenerate.answers(model, tok, format, users, ws.stream().map(scale::apply).toList());
        Map<String, Double> per = new LinkedHashMap<>();
        for (int i = 0; i < answers.size(); i++) {
            boolean ok = TaskWorld.score(owners.get(i), answers.get(i), exs.get(i));
            per.merge(owners.get(i).name(), ok ? 1.0 / VAL_EXAMPLES : 0.0, Double::sum);
        }
        return per;
    }
}
