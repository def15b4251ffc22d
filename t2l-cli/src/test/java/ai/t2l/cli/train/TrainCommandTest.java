package ai.t2l.cli.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.cli.Main;
import ai.t2l.hypernet.T2lFolder;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import ai.t2l.miniature.MiniTokenizer;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.ModelConfigJson;
import ai.t2l.model.ModelFolder;
import ai.t2l.model.Transformer;
import ai.t2l.train.BaseModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** End to end on a tiny random Llama folder with the miniature's character tokenizer, made here. */
class TrainCommandTest {
    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    static Path model;
    static Path task1;
    static Path task2;
    static Path descriptions;

    static ModelConfig tiny() {
        var j = Json.MAPPER.createObjectNode().put("model_type", "llama").put("vocab_size", MiniTokenizer.vocabSize())
                .put("hidden_size", 32).put("intermediate_size", 64).put("num_hidden_layers", 2)
                .put("num_attention_heads", 4).put("num_key_value_heads", 2).put("max_position_embeddings", 512)
                .put("tie_word_embeddings", false).put("eos_token_id", 2).put("bos_token_id", 1);
        return ModelConfig.parse(j, "tiny llama");
    }

    @BeforeAll
    static void world() throws Exception {
        model = shared.resolve("tiny-llama");
        try (Transformer t = BaseModels.fresh(tiny(), 3)) {
            ModelFolder.write(model, t, null, null, false);
        }
        MiniTokenizer.write(model);
        task1 = shared.resolve("upper.jsonl");
        task2 = shared.resolve("reverse.jsonl");
        StringBuilder a = new StringBuilder();
        StringBuilder b = new StringBuilder();
        for (String w : List.of("cat", "dog", "sun", "map", "pen", "cup", "hat", "box")) {
            a.append("{\"prompt\": \"").append(w).append("\", \"response\": \"").append(w.toUpperCase()).append("\"}\n");
            b.append("{\"prompt\": \"").append(w).append("\", \"response\": \"")
                    .append(new StringBuilder(w).reverse()).append("\"}\n");
        }
        Files.writeString(task1, a);
        Files.writeString(task2, b);
        descriptions = shared.resolve("descriptions.jsonl");
        Files.writeString(descriptions, """
                {"task": "upper", "descriptions": ["Write the word in capital letters.", "Uppercase the input."]}
                {"task": "reverse", "descriptions": ["Spell the word backwards.", "Reverse the letters."]}
                """);
    }

    /** Runs the CLI, capturing stdout and stderr: {exit code, stdout, stderr}. */
    static Object[] run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.execute(args);
            return new Object[] {code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static String[] args(String... a) {
        return a;
    }

    private String[] lora(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "lora", "--model", model.toString(), "--tasks",
                task1.toString(), "--out", out.toString(), "--max-steps", "4", "--batch_size=4", "--val_every", "2",
                "--checkpoint_every", "2", "--cache_dir=", "--lr", "1e-3"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void trainLoraWritesAPeftFolderAndRefusesAnOccupiedRunFolder() {
        Path out = tmp.resolve("lora-run");
        Object[] r = run(lora(out));
        assertEquals(0, r[0], (String) r[2]);
        LoraWeights w = PeftAdapter.read(out.resolve("adapter"));
        assertEquals(8, w.config().r());
        assertEquals(4, w.pairs().size(), "2 layers x q_proj, v_proj");
        assertTrue(((String) r[2]).contains("train lora upper"), "progress bar on stderr: " + r[2]);
        // stderr is not a terminal here: no colour or cursor codes in it (issue 10 item 15)
        assertFalse(((String) r[2]).contains("\u001b") || ((String) r[2]).contains("\r"), (String) r[2]);

        r = run(lora(out));
        assertEquals(1, r[0]);
        assertTrue(((String) r[2]).contains("already holds a lora run") && ((String) r[2]).contains("--resume"),
                (String) r[2]);
        r = run(lora(out, "--resume"));
        assertEquals(0, r[0], (String) r[2]);
        // issue 10 item 19: resuming a run that already ended says so instead of drawing an empty bar
        assertTrue(((String) r[2]).contains("train lora upper is already finished (step 4 of 4)"), (String) r[2]);
    }

    /** Issue 10 item 10: --val_every 0 divided by zero in lora; ranges are checked before anything is made. */
    @Test
    void zeroOrNegativeCountsAreRefusedBeforeARunFolderIsMade() {
        Path out = tmp.resolve("never-made");
        for (String[] bad : List.of(args("--val_every", "0"), args("--batch_size", "0"), args("--lora_dropout", "1.5"),
                args("--lr", "NaN"), args("--max_steps", "-1"))) {
            List<String> a = new ArrayList<>(List.of("train", "lora", "--model", model.toString(), "--tasks",
                    task1.toString(), "--out", out.toString(), "--cache_dir="));
            a.addAll(List.of(bad));
            Object[] r = run(a.toArray(String[]::new));
            assertEquals(1, r[0], String.join(" ", bad));
            assertTrue(((String) r[2]).startsWith("error: setting '" + bad[0].substring(2) + "'"), (String) r[2]);
            assertFalse(Files.exists(out), "no run folder for " + String.join(" ", bad));
        }
    }

    /** Issue 10 item 10: a run that fails while starting leaves no half-made run folder behind. */
    @Test
    void aFailedStartLeavesNoRunFolder() throws Exception {
        Path broken = tmp.resolve("broken-model");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("config.json"), Files.readString(model.resolve("config.json")));
        // config.json but no weights: the run folder is opened, then loading the model fails
        Path out = tmp.resolve("failed-start");
        List<String> a = new ArrayList<>(List.of(lora(out)));
        a.set(a.indexOf(model.toString()), broken.toString());
        Object[] r = run(a.toArray(String[]::new));
        assertEquals(1, r[0], (String) r[2]);
        assertTrue(((String) r[2]).startsWith("error: " + broken), (String) r[2]);
        assertFalse(Files.exists(out), "the run folder of a failed start is removed");
        r = run(lora(out)); // and the next attempt does not find "a run" there
        assertEquals(0, r[0], (String) r[2]);
    }

    @Test
    void trainSftWritesAT2lFolderThatGenerateUses() {
        Path out = tmp.resolve("sft-run");
        Object[] r = run("train", "sft", "--model", model.toString(), "--tasks", task1 + "," + task2,
                "--descriptions_file", descriptions.toString(), "--out", out.toString(), "--max_steps", "3",
                "--tasks_per_batch", "2", "--latent_size", "16", "--head_in_size", "32", "--checkpoint_every", "3",
                "--val_every", "0", "--cache_dir", "");
        assertEquals(0, r[0], (String) r[2]);
        assertTrue(((String) r[1]).contains("wrote " + out.resolve("t2l")), (String) r[1]);
        Path adapter = tmp.resolve("generated");
        r = run("generate", "--t2l", out.resolve("t2l").toString(), "--model", model.toString(), "--description",
                "Write the word in capital letters.", "--out", adapter.toString());
        assertEquals(0, r[0], (String) r[2]);
        assertEquals(4, PeftAdapter.read(adapter).pairs().size());
    }

    private static String[] sft(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "sft", "--model", model.toString(), "--tasks",
                task1 + "," + task2, "--descriptions_file", descriptions.toString(), "--out", out.toString(),
                "--max_steps", "6", "--tasks_per_batch", "2", "--latent_size", "16", "--head_in_size", "32",
                "--checkpoint_every", "2", "--val_every", "2", "--val_fraction", "0.25",
                "--val_tasks", "all", "--cache_dir", "", "--lr", "1e-2")); // all: the kill waits for a validation
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    /**
     * Runs the CLI with a stderr that fails the run when a line starting with {@code killAt} is printed: the
     * validation message of a step, printed on the training thread before that step's checkpoint, so the run stops
     * in the middle as a killed process would (nothing after that point is written).
     */
    static Object[] runKilledAt(String killAt, String... args) {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8) {
            @Override
            public void println(String line) {
                if (line.startsWith(killAt)) {
                    throw new T2lException("killed at '" + line + "'");
                }
                super.println(line);
            }
        });
        try {
            return new Object[] {Main.execute(args), err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(oldErr);
        }
    }

    /** Issue 13.3: a `t2l train sft` run stopped after its step-2 checkpoint and resumed ends with identical bytes. */
    @Test
    @Timeout(600)
    void interruptedSftRunResumesToIdenticalBytes() throws Exception {
        Path full = tmp.resolve("sft-full");
        Object[] r = run(sft(full));
        assertEquals(0, r[0], (String) r[2]);

        Path killed = tmp.resolve("sft-killed");
        Object[] k = runKilledAt("step 4: validation loss", sft(killed));
        assertEquals(1, k[0], (String) k[1]);
        assertTrue(((String) k[1]).contains("error: killed at 'step 4: validation loss"), (String) k[1]);
        assertFalse(Files.exists(killed.resolve("t2l")), "the interrupted run wrote no hypernetwork");
        r = run(sft(killed, "--resume"));
        assertEquals(0, r[0], (String) r[2]);
        assertTrue(((String) r[1]).contains("(6 steps;"), (String) r[1]);

        for (String f : List.of("t2l/" + T2lFolder.WEIGHTS, "metrics.jsonl")) {
            assertArrayEquals(Files.readAllBytes(full.resolve(f)), Files.readAllBytes(killed.resolve(f)),
                    f + " of the resumed run differs from the uninterrupted run's");
        }
    }

    /** Issue 12 item 4: checkpoints scored through ai.t2l.eval, best kept, early stop, every score in the run folder. */
    @Test
    void trainSftSelectsTheCheckpointByBenchmarkScoreAndStopsEarly() throws Exception {
        Path out = tmp.resolve("sft-select");
        Object[] r = run("train", "sft", "--model", model.toString(), "--tasks", task1 + "," + task2,
                "--descriptions_file", descriptions.toString(), "--out", out.toString(), "--max_steps", "8",
                "--tasks_per_batch", "2", "--latent_size", "16", "--head_in_size", "32", "--checkpoint_every", "8",
                "--val_every", "1", "--cache_dir", "", "--select_tasks", "arc_easy", "--select_limit", "1",
                "--select_max_new_tokens", "3", "--select_patience", "2");
        assertEquals(0, r[0], (String) r[2]);
        JsonNode sel = Json.read(out.resolve("selection.json"));
        JsonNode scores = sel.get("checkpoints");
        long best = sel.get("best_step").asLong();
        // the run stops once 2 checkpoints after the best have not beaten it
        long lastStep = scores.get(scores.size() - 1).get("step").asLong();
        assertEquals(best + 2, lastStep, sel.toString());
        assertTrue(lastStep < 8 || best == 6, "stopped before the 8 scheduled steps unless the best came late: " + sel);
        assertEquals(0, scores.get(0).get("step").asLong(), "step 0 (the initial hypernetwork) is scored too");
        assertTrue(((String) r[1]).contains("selected step " + best), (String) r[1]);
        assertTrue(Files.isRegularFile(out.resolve("selection").resolve("it_0").resolve("cache.jsonl")),
                "each checkpoint's evaluation lives in the run folder");
        assertTrue(Files.isDirectory(out.resolve("t2l")));
    }

    /** The multi-task LoRA is selected the same way, by plain benchmark_avg (spec §9). */
    @Test
    void trainMtLoraSelectsItsCheckpointByBenchmarkScore() throws Exception {
        Path out = tmp.resolve("mt-select");
        Object[] r = run("train", "mt-lora", "--model", model.toString(), "--tasks", task1 + "," + task2,
                "--out", out.toString(), "--max_steps", "6", "--tasks_per_batch", "2", "--checkpoint_every", "6",
                "--val_every", "1", "--cache_dir", "", "--select_tasks", "arc_easy", "--select_limit", "1",
                "--select_max_new_tokens", "3", "--select_patience", "2");
        assertEquals(0, r[0], (String) r[2]);
        JsonNode sel = Json.read(out.resolve("selection.json"));
        JsonNode scores = sel.get("checkpoints");
        assertEquals(0, scores.get(0).get("step").asLong());
        long last = scores.get(scores.size() - 1).get("step").asLong();
        assertTrue(last == sel.get("best_step").asLong() + 2 || last == 6, sel.toString());
        assertTrue(((String) r[1]).contains("selected step " + sel.get("best_step").asLong()), (String) r[1]);
        assertTrue(Files.isRegularFile(out.resolve("adapter").resolve("adapter_model.safetensors")));
    }

    @Test
    void trainBaseWritesAModelFolderThatLoads() throws Exception {
        Path cfg = tmp.resolve("config.json");
        Files.writeString(cfg, Json.write(ModelConfigJson.of(tiny())));
        Path out = tmp.resolve("base-run");
        Object[] r = run("train", "base", "--model_config", cfg.toString(), "--tokenizer", model.toString(),
                "--tasks", task1 + "," + task2, "--out", out.toString(), "--max_steps", "3", "--batch_size", "4",
                "--length_pool", "2", "--cache_dir=");
        assertEquals(0, r[0], (String) r[2]);
        Object[] bad = run("train", "base", "--model_config", cfg.toString(), "--tokenizer", model.toString(),
                "--tasks", task1.toString(), "--out", tmp.resolve("never").toString(), "--length_pool", "0");
        assertEquals(1, bad[0]);
        assertTrue(((String) bad[2]).contains("'length_pool'"), (String) bad[2]);
        try (Transformer t = Transformer.load(out.resolve("model"))) {
            assertEquals(tiny(), t.config());
        }
        assertTrue(Files.exists(out.resolve("model").resolve("tokenizer.json")));
    }

    @Test
    void dryRunPrintsTheResolvedConfigAndCountsWithoutTraining() throws Exception {
        Path cfg = tmp.resolve("lora.yaml");
        Files.writeString(cfg, "lr: 2.0e-4\nlora_r: 4\ntarget_modules: [q_proj, v_proj]\nuse_rslora: false\n");
        Path out = tmp.resolve("never");
        Object[] r = run("train", "lora", "--config", cfg.toString(), "--model", model.toString(), "--lora_r", "8",
                "--out", out.toString(), "--dry-run");
        assertEquals(0, r[0], (String) r[2]);
        String s = (String) r[1];
        assertTrue(s.contains("lora_r: 8") && s.contains("use_rslora: false") && s.contains("lr: 2.0E-4"), s);
        // trainable: per layer r·(in+out) for q (32→32) and v (32→16): 8·64 + 8·48 = 896; 2 layers = 1,792
        // frozen: 2·V·32 embeddings/head + per layer (q 1024, k 512, v 512, o 1024, gate/up/down 3·2048, 2 norms 64)
        // = 9,280 per layer, + final norm 32
        long v = MiniTokenizer.vocabSize();
        long frozen = 2 * v * 32 + 2 * 9280 + 32;
        assertTrue(s.contains(String.format("parameters: 1,792 trainable, %,d frozen", frozen)), s);
        assertTrue(s.contains("estimated memory"), s);
        assertFalse(Files.exists(out), "a dry run creates no run folder");
    }

    @Test
    void unknownKeysAndBadValuesAreRefusedByName() throws Exception {
        Object[] r = run("train", "lora", "--model", model.toString(), "--lorra_r", "4", "--dry-run");
        assertEquals(1, r[0]);
        String e = (String) r[2];
        assertTrue(e.contains("unknown key 'lorra_r'") && e.contains("valid keys:") && e.contains("lora_r"), e);
        Path cfg = tmp.resolve("bad.yaml");
        Files.writeString(cfg, "epochz: 3\n");
        r = run("train", "sft", "--config", cfg.toString(), "--dry-run");
        assertTrue(((String) r[2]).contains(cfg + ": unknown key 'epochz'"), (String) r[2]);
        r = run("train", "lora", "--model", model.toString(), "--use_rslora", "yes", "--dry-run");
        assertTrue(((String) r[2]).contains("--use_rslora must be true or false, found 'yes'"), (String) r[2]);
        r = run("train", "lora", "--model", model.toString(), "--batch_size", "eight", "--dry-run");
        assertTrue(((String) r[2]).contains("--batch_size must be an integer, found 'eight'"), (String) r[2]);
    }
}
