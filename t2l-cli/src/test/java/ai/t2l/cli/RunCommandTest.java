package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.cli.TinyWorld.Run;
import ai.t2l.embed.BaseModelTaskEmbedder;
import ai.t2l.hypernet.TrainingTask;
import ai.t2l.io.Json;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.lora.PeftAdapter;
import ai.t2l.miniature.MiniTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code t2l run} on a tiny random model: determinism, seeded sampling, adapters, the T2L path, clear errors. */
class RunCommandTest {
    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void tiny() {
        model = TinyWorld.model(tmp.resolve("model"), 3);
    }

    static Run ok(String... args) {
        Run r = TinyWorld.run(args);
        assertEquals(0, r.code(), r.err());
        return r;
    }

    @Test
    void greedyIsDeterministicAndSeededSamplingReproducible() {
        String m = model.toString();
        Run a = ok("run", "--model", m, "--chat", "--prompt", "Reverse the word cat", "--max-new-tokens", "12");
        Run b = ok("run", "--model", m, "--chat", "--prompt", "Reverse the word cat", "--max-new-tokens", "12");
        assertEquals(a.out(), b.out(), "greedy output of two runs");
        assertTrue(a.err().contains("[24 prompt tokens, "), a.err()); // <s> <|user|> 20 characters <|end|> <|assistant|>
        Run raw = ok("run", "--model", m, "--prompt", "Reverse the word cat", "--max-new-tokens", "12");
        assertNotEquals(a.out(), raw.out(), "without --chat the prompt is not wrapped");

        String[] sample = {"run", "--model", m, "--prompt", "abc", "--max-new-tokens", "16", "--temperature", "1.5",
            "--top-p", "0.95", "--seed", "9"};
        Run s1 = ok(sample);
        Run s2 = ok(sample);
        assertEquals(s1.out(), s2.out(), "same seed, same sample");
        sample[sample.length - 1] = "10";
        assertNotEquals(s1.out(), ok(sample).out(), "another seed, another sample");
    }

    @Test
    void stopStringEndsTheOutputBeforeIt() {
        String full = ok("run", "--model", model.toString(), "--prompt", "hello", "--max-new-tokens", "16").out();
        String body = full.substring(0, full.length() - 1); // println's newline
        assertTrue(body.length() >= 6, "need some output: '" + body + "'");
        String stop = body.substring(3, 5);
        int at = body.indexOf(stop);
        Run r = ok("run", "--model", model.toString(), "--prompt", "hello", "--max-new-tokens", "16", "--stop", stop);
        assertEquals(body.substring(0, at) + "\n", r.out(), "text up to the first '" + stop + "'");
        assertTrue(r.err().contains("stop_string"), r.err());
    }

    @Test
    void freshT2lAdapterLeavesTheOutputUnchanged() {
        Path t2l = TinyWorld.freshT2l(tmp.resolve("t2l"), model);
        Run base = ok("run", "--model", model.toString(), "--chat", "--prompt", "Sort: b a c", "--max-new-tokens", "10");
        Run adapted = ok("run", "--t2l", t2l.toString(), "--description", "Sort the letters alphabetically",
                "--prompt", "Sort: b a c", "--max-new-tokens", "10");
        assertEquals(base.out(), adapted.out(), "Bias-HyperInit: a fresh SFT hypernetwork generates B = 0");
        assertTrue(adapted.err().contains("adapter from \"Sort the letters alphabetically.\""), adapted.err());
        Run wrongWidth = TinyWorld.run("run", "--t2l", t2l.toString(), "--encoder", "base", "--description", "Sort",
                "--prompt", "x");
        assertEquals(1, wrongWidth.code());
        assertTrue(wrongWidth.err().contains("expects 384-d task embeddings") && wrongWidth.err().contains("gives 32"),
                wrongWidth.err());
    }

    @Test
    void baseModelEncoderInGenerate() throws Exception {
        Path t2l = TinyWorld.t2l(tmp.resolve("t2l-base"), model, 32, TrainingTask.RECON, "base");
        Path viaEncoder = tmp.resolve("adapter-base");
        ok("generate", "--t2l", t2l.toString(), "--model", model.toString(), "--encoder", "base", "--description",
                "Reverse the word", "--out", viaEncoder.toString());
        // The same adapter from the pooled state handed over as a precomputed embedding (normalised by generate).
        float[] pooled;
        try (BaseModelTaskEmbedder e = BaseModelTaskEmbedder.open(model)) {
            pooled = e.pooled("Reverse the word.".chars().map(ch -> MiniTokenizer.id(String.valueOf((char) ch))).toArray());
        }
        Path emb = tmp.resolve("pooled.json");
        Files.writeString(emb, Json.write(pooled));
        Path viaFile = tmp.resolve("adapter-file");
        ok("generate", "--t2l", t2l.toString(), "--model", model.toString(), "--task-embedding", emb.toString(),
                "--out", viaFile.toString());
        try (SafetensorsFile a = SafetensorsFile.open(viaEncoder.resolve(PeftAdapter.WEIGHTS));
                SafetensorsFile b = SafetensorsFile.open(viaFile.resolve(PeftAdapter.WEIGHTS))) {
            assertEquals(a.names(), b.names());
            for (String k : a.names()) {
                float[] x = a.read(k).data();
                float[] y = b.read(k).data();
                for (int i = 0; i < x.length; i++) {
                    assertEquals(y[i], x[i], 1e-5, k + "[" + i + "]");
                }
            }
        }
        Run other = ok("generate", "--t2l", t2l.toString(), "--model", model.toString(), "--encoder", "base",
                "--description", "Sort the letters", "--out", tmp.resolve("adapter-other").toString());
        try (SafetensorsFile a = SafetensorsFile.open(viaEncoder.resolve(PeftAdapter.WEIGHTS));
                SafetensorsFile b = SafetensorsFile.open(tmp.resolve("adapter-other").resolve(PeftAdapter.WEIGHTS))) {
            String k = a.names().iterator().next();
            assertFalse(java.util.Arrays.equals(a.read(k).data(), b.read(k).data()), "another description, another " + k);
        }
        assertTrue(other.out().startsWith("wrote "), other.out());
        Run run = ok("run", "--t2l", t2l.toString(), "--encoder", "base", "--description", "Reverse the word",
                "--prompt", "abc", "--max-new-tokens", "4");
        assertTrue(run.err().contains("base model (llama, last-token pooling)"), run.err());
    }

    @Test
    void missingModelsAreClearErrors() {
        Run r = TinyWorld.run("run", "--model", tmp.resolve("nope").toString(), "--prompt", "x");
        assertEquals(1, r.code());
        assertEquals("error: " + tmp.resolve("nope") + ": no such model folder (--model)\n", r.err());
        String home = System.getProperty("t2l.home");
        System.setProperty("t2l.home", tmp.resolve("empty-home").toString());
        try {
            r = TinyWorld.run("run", "--prompt", "x");
        } finally {
            if (home == null) {
                System.clearProperty("t2l.home");
            } else {
                System.setProperty("t2l.home", home);
            }
        }
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: no model given: pass --model DIR (a Hugging Face model folder) or --t2l DIR;"
                + " the embedded miniature was not found either (expected " + tmp.resolve("empty-home/miniature/model")), r.err());
    }
}
