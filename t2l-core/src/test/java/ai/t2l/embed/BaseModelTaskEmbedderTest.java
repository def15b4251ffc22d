package ai.t2l.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.t2l.TinyModel;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.io.T2lException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The base LLM as description encoder (T2L-SPEC §3 fallback) on a tiny random Llama. */
class BaseModelTaskEmbedderTest {
    @TempDir
    Path tmp;

    @Test
    void lastTokenFinalHiddenStateNormalisedToSqrtHidden() {
        Path dir = TinyModel.write(tmp.resolve("m"), 11);
        try (BaseModelTaskEmbedder e = BaseModelTaskEmbedder.open(dir);
                ai.t2l.model.Transformer m = ai.t2l.model.Transformer.load(dir);
                SafetensorsFile w = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            assertEquals(TinyModel.HIDDEN, e.dimension());
            TaskEmbedding a = e.embed("  Sort a list of numbers ");
            assertEquals("Sort a list of numbers.", a.text(), "add_full_stop after a final letter");
            assertEquals("Sort a list of numbers.".length(), a.tokens(), "one token per character, nothing added");
            double norm = 0;
            for (float v : a.vector()) {
                norm += v * v;
            }
            assertEquals(Math.sqrt(TinyModel.HIDDEN), Math.sqrt(norm), 1e-4, "norm of the embedding");
            assertArrayEquals(a.vector(), e.embed("Sort a list of numbers.").vector(), "the full stop is added once");
            assertFalse(Arrays.equals(a.vector(), e.embed("Reverse a word.").vector()), "different texts");

            // The pooled state is what the LM head reads at the last position: lm_head @ pooled = last logits.
            int[] ids = new int[a.tokens()];
            String text = a.text();
            for (int i = 0; i < ids.length; i++) {
                ids[i] = ai.t2l.miniature.MiniTokenizer.id(String.valueOf(text.charAt(i)));
            }
            float[] pooled = e.pooled(ids);
            FloatTensor head = w.read("lm_head.weight"); // (vocab, hidden)
            FloatTensor logits = m.logits(ids, null); // (seq, vocab)
            int vocab = (int) head.shape()[0];
            for (int v = 0; v < vocab; v++) {
                double dot = 0;
                for (int h = 0; h < pooled.length; h++) {
                    dot += (double) head.data()[v * pooled.length + h] * pooled[h];
                }
                assertEquals(logits.data()[(ids.length - 1) * vocab + v], dot, 1e-4, "logit " + v + " from the pooled state");
            }
            assertThrows(T2lException.class, () -> e.embed("   "));
        }
    }

    @Test
    void choosingTheEncoder() {
        assertEquals(TaskEmbedders.BASE, TaskEmbedders.defaultFor("base model", 384, 384));
        assertEquals(TaskEmbedders.BUNDLED, TaskEmbedders.defaultFor("bge-small-en-v1.5 (bundled)", 384, 32));
        assertEquals(TaskEmbedders.BUNDLED, TaskEmbedders.defaultFor("", 384, 4096));
        assertEquals(TaskEmbedders.BASE, TaskEmbedders.defaultFor("", 4096, 4096));
        T2lException bad = assertThrows(T2lException.class,
                () -> TaskEmbedders.open(tmp.resolve("nope").toString(), OnnxTaskEmbedder.Pooling.CLS, () -> null));
        assertEquals("--encoder " + tmp.resolve("nope") + ": expected 'bundled', 'base', an ONNX encoder folder "
                + "(model.onnx + tokenizer.json) or a Hugging Face gte-v1.5 folder (config.json + model.safetensors +"
                + " tokenizer.json); no such folder", bad.getMessage());
    }
}
