package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.cli.TinyWorld.Run;
import ai.t2l.io.Json;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The paper's baselines through the CLI on a tiny random model (issue 12 item 13): a one-hot T2L and a Hyperdecoder
 * trained for a few steps by {@code t2l train sft}, evaluated by {@code t2l eval run --t2l} with the protocol their
 * checkpoints call for, and reported side by side by {@code t2l eval report}.
 */
class BaselinesEndToEndTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path piqa;
    static Path upper;

    @BeforeAll
    static void world() throws IOException {
        model = TinyWorld.model(tmp.resolve("model"), 21);
        // a task named after a benchmark, so that a one-hot T2L has an id for it
        piqa = tmp.resolve("piqa.jsonl");
        upper = tmp.resolve("upper.jsonl");
        StringBuilder a = new StringBuilder();
        StringBuilder b = new StringBuilder();
        for (String w : List.of("cat", "dog", "sun", "map", "pen", "cup", "hat", "box")) {
            a.append("{\"prompt\": \"Pick for ").append(w).append("\", \"response\": \"0\"}\n");
            b.append("{\"prompt\": \"").append(w).append("\", \"response\": \"").append(w.toUpperCase()).append("\"}\n");
        }
        Files.writeString(piqa, a);
        Files.writeString(upper, b);
    }

    static void ok(Run r) {
        assertEquals(0, r.code(), r.out() + r.err());
    }

    static Run train(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "sft", "--model", model.toString(), "--tasks",
                piqa + "," + upper, "--out", out.toString(), "--max_steps", "3", "--tasks_per_batch", "2",
                "--latent_size", "16", "--head_in_size", "32", "--checkpoint_every", "3", "--val_every", "3",
                "--val_tasks", "all", "--lr", "1e-2",
                // the one-hot protocol evaluates trained tasks only, so the tiny world trains on piqa on purpose
                "--contaminated_tasks", "warn"));
        if (!List.of(extra).contains("--cache_dir")) {
            a.addAll(List.of("--cache_dir", ""));
        }
        a.addAll(List.of(extra));
        return TinyWorld.run(a.toArray(String[]::new));
    }

    static Run eval(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("eval", "run", "--model", model.toString(), "--max-new-tokens", "4",
                "--data", EvalRunEndToEndTest.SHARED.resolve("benchmarks").toString(), "--out", out.toString()));
        args.addAll(List.of(more));
        return TinyWorld.run(args.toArray(String[]::new));
    }

    @Test
    @Timeout(600)
    void oneHotAndHyperdecoderTrainEvaluateAndShowInTheReport() throws IOException {
        // one-hot T2L: no descriptions needed, the task table travels in t2l_config.json
        Path oneHotRun = tmp.resolve("one-hot-run");
        ok(train(oneHotRun, "--task_encoder", "one_hot"));
        JsonNode cfg = Json.read(oneHotRun.resolve("t2l/t2l_config.json")).get("hypernet");
        assertEquals("one_hot", cfg.get("encoder_type").asText());
        assertEquals(List.of("piqa", "upper"), List.of(cfg.get("task_names").get(0).asText(),
                cfg.get("task_names").get(1).asText()));
        assertEquals(2, cfg.get("task_emb_dim").asInt());

        Path oneHotEval = tmp.resolve("one-hot-eval");
        ok(eval(oneHotEval, "--t2l", oneHotRun.resolve("t2l").toString(), "--tasks", "piqa", "--limit", "2"));
        String md = Files.readString(oneHotEval.resolve("results.md"));
        for (String row : List.of("One-hot T2L (train_descs: own task id)",
                "One-hot T2L (other_train_descs: another task's id)", "One-hot T2L (random_descs: Dirichlet mixtures)")) {
            assertTrue(md.contains(row), row + " in\n" + md);
        }
        // the adapter of the task's own id is what generate --one-hot-task writes
        Path own = tmp.resolve("own-adapter");
        ok(TinyWorld.run("generate", "--t2l", oneHotRun.resolve("t2l").toString(), "--model", model.toString(),
                "--one-hot-task", "piqa", "--out", own.toString()));
        LoraWeights viaGenerate = PeftAdapter.read(own);
        LoraWeights viaEval = PeftAdapter.read(oneHotEval.resolve("generated_loras/piqa/train_descs/lora_0"));
        viaGenerate.pairs().forEach((site, p) ->
                assertArrayEquals(p.b().data(), viaEval.pairs().get(site).b().data(), "B of " + site));
        Run described = TinyWorld.run("generate", "--t2l", oneHotRun.resolve("t2l").toString(), "--model",
                model.toString(), "--description", "Pick the right answer.", "--out", tmp.resolve("y").toString());
        assertEquals(1, described.code());
        assertTrue(described.err().contains("use --one-hot-task NAME (its tasks: piqa, upper)"), described.err());
        Run ran = TinyWorld.run("run", "--model", model.toString(), "--t2l", oneHotRun.resolve("t2l").toString(),
                "--description", "Pick the right answer.", "--prompt", "cat");
        assertEquals(1, ran.code());
        assertTrue(ran.err().contains("is a one-hot T2L"), ran.err());
        Run summary = TinyWorld.run("inspect", oneHotRun.resolve("t2l").toString());
        ok(summary);
        assertTrue(summary.out().contains("one-hot over the training tasks piqa, upper"), summary.out());
        // reconstruction with one-hot inputs: the library's tasks become the table, no descriptions needed
        Path other = tmp.resolve("upper-adapter");
        ok(TinyWorld.run("generate", "--t2l", oneHotRun.resolve("t2l").toString(), "--model", model.toString(),
                "--one-hot-task", "upper", "--out", other.toString()));
        Path recon = tmp.resolve("recon-one-hot");
        ok(TinyWorld.run("train", "recon", "--model", model.toString(), "--library", own + "," + other,
                "--library_tasks", "piqa,upper", "--task_encoder", "one_hot", "--out", recon.toString(),
                "--max_steps", "3", "--latent_size", "16", "--head_in_size", "32", "--checkpoint_every", "3"));
        JsonNode rc = Json.read(recon.resolve("t2l/t2l_config.json")).get("hypernet");
        assertEquals("one_hot", rc.get("encoder_type").asText());
        assertEquals("[\"piqa\",\"upper\"]", rc.get("task_names").toString());
        // a benchmark it was not trained on has no one-hot id
        Run unseen = eval(tmp.resolve("unseen"), "--t2l", oneHotRun.resolve("t2l").toString(), "--tasks", "arc_easy",
                "--limit", "1");
        assertEquals(1, unseen.code(), unseen.err());
        assertTrue(unseen.err().contains("\"arc_easy\" is not one of its 2 training tasks"), unseen.err());
        Run unknown = TinyWorld.run("generate", "--t2l", oneHotRun.resolve("t2l").toString(), "--model",
                model.toString(), "--one-hot-task", "gsm8k", "--out", tmp.resolve("x").toString());
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("'gsm8k' is not one of the 2 training tasks"), unknown.err());

        // Hyperdecoders: each example's input is its description; evaluation makes one adapter per item
        Path hdRun = tmp.resolve("hd-run");
        Run trained = train(hdRun, "--use_inp_as_desc", "true");
        ok(trained);
        assertTrue(trained.err().contains("embedded 16 example inputs as their descriptions"), trained.err());
        assertTrue(Json.read(hdRun.resolve("t2l/t2l_config.json")).get("hypernet").get("input_as_description")
                .asBoolean());
        Path hdEval = tmp.resolve("hd-eval");
        ok(eval(hdEval, "--t2l", hdRun.resolve("t2l").toString(), "--tasks", "piqa", "--limit", "3",
                "--batch-size", "3"));
        JsonNode items = Json.read(hdEval.resolve("results/hyperdecoder/base/piqa.json")).get("items");
        assertEquals(3, items.size());
        // item 1 answered in a batch of 3 equals item 1 answered alone with the adapter of its own prompt
        Path adapter1 = tmp.resolve("item-1-adapter");
        ok(TinyWorld.run("generate", "--t2l", hdRun.resolve("t2l").toString(), "--model", model.toString(),
                "--description", items.get(1).get("user").asText(), "--out", adapter1.toString()));
        Path adapter0 = tmp.resolve("item-0-adapter");
        ok(TinyWorld.run("generate", "--t2l", hdRun.resolve("t2l").toString(), "--model", model.toString(),
                "--description", items.get(0).get("user").asText(), "--out", adapter0.toString()));
        LoraWeights w0 = PeftAdapter.read(adapter0);
        LoraWeights w1 = PeftAdapter.read(adapter1);
        var site = w1.pairs().keySet().iterator().next();
        float maxB = 0;
        for (float x : w1.pairs().get(site).b().data()) {
            maxB = Math.max(maxB, Math.abs(x));
        }
        assertTrue(maxB > 0, "training moved B off Bias-HyperInit's zero, so the adapters matter");
        assertTrue(!java.util.Arrays.equals(w0.pairs().get(site).b().data(), w1.pairs().get(site).b().data()),
                "two items, two prompts, two adapters");
        Path alone = tmp.resolve("item-1-alone");
        ok(eval(alone, "--adapter", adapter1.toString(), "--tasks", "piqa", "--limit", "2", "--batch-size", "1"));
        JsonNode aloneItems = EvalRunEndToEndTest.single(alone.resolve("results"), "piqa.json").get("items");
        assertEquals(aloneItems.get(1).get("output").asText(), items.get(1).get("output").asText());

        // both baselines side by side
        Path report = tmp.resolve("report");
        Run r = TinyWorld.run("eval", "report", oneHotEval.toString(), hdEval.toString(), "--out", report.toString());
        ok(r);
        assertTrue(r.out().contains("Hyperdecoders (one adapter per item)"), r.out());
        assertTrue(r.out().contains("One-hot T2L (train_descs: own task id)"), r.out());
        assertTrue(Files.readString(report.resolve("results.csv")).contains("Hyperdecoders (one adapter per item)"));
    }

    /** The example-input embeddings are cached in cache_dir, as the reference caches them; a rerun reads them. */
    @Test
    void hyperdecoderInputEmbeddingsAreCachedAndAReRunGivesTheSameWeights() throws IOException {
        Path cache = tmp.resolve("cache");
        Run first = train(tmp.resolve("hd-cache-1"), "--use_inp_as_desc", "true", "--cache_dir", cache.toString());
        ok(first);
        assertTrue(first.err().contains("embedded 16 example inputs"), first.err());
        Run second = train(tmp.resolve("hd-cache-2"), "--use_inp_as_desc", "true", "--cache_dir", cache.toString());
        ok(second);
        assertTrue(second.err().contains("embedded 0 example inputs as their descriptions with")
                && second.err().contains("(16 more read from the cache)"), second.err());
        assertArrayEquals(Files.readAllBytes(tmp.resolve("hd-cache-1/t2l/weights.safetensors")),
                Files.readAllBytes(tmp.resolve("hd-cache-2/t2l/weights.safetensors")));
    }

    @Test
    void oneHotAndInputAsDescriptionExcludeEachOtherAndSelectionIsRefused() {
        Run both = train(tmp.resolve("both"), "--task_encoder", "one_hot", "--use_inp_as_desc", "true");
        assertEquals(1, both.code());
        assertTrue(both.err().contains("exclude each other"), both.err());
        Run bad = train(tmp.resolve("bad-encoder"), "--task_encoder", "softmax");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("setting 'task_encoder' must be linear or one_hot, found 'softmax'"), bad.err());
        Run dry = train(tmp.resolve("dry"), "--task_encoder", "one_hot", "--dry-run");
        ok(dry);
        assertTrue(dry.out().contains("task embedding 2 (one-hot over 2 training tasks)"), dry.out());
        Run sel = train(tmp.resolve("sel"), "--task_encoder", "one_hot", "--select_tasks", "piqa");
        assertEquals(1, sel.code());
        assertTrue(sel.err().contains("setting 'select_tasks'"), sel.err());
    }
}
