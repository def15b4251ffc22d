package ai.t2l.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.t2l.io.FloatTensor;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.io.SafetensorsWriter;
import ai.t2l.miniature.MiniTokenizer;
import ai.t2l.model.RandomModelFolder;
import ai.t2l.model.Transformer;
import ai.t2l.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An SFR embedding-model folder as Hugging Face ships it (a bare MistralModel: no "model." prefix, no lm_head) embeds
 * like the reference: {@code apply_sfr_template} instead of add_full_stop, the tokenizer's specials, last-token
 * pooling of the final-norm hidden state, L2 × √hidden (issue 12 item 11; hm/utils/preprocessing.py).
 */
class SfrEmbedderTest {
    @TempDir
    Path tmp;

    @Test
    void sfrFolderUsesTheInstructionPrefixAndLastTokenPooling() throws Exception {
        Path full = tmp.resolve("full");
        var cfg = RandomModelFolder.llamaConfig(MiniTokenizer.vocabSize(), 32, 2, 4, 2, 64).put("model_type", "mistral")
                .put("bos_token_id", 1).put("eos_token_id", 2);
        RandomModelFolder.write(full, cfg, 11, 0.5);
        MiniTokenizer.write(full);
        // the same weights in the bare AutoModel layout, in a folder whose name says SFR
        Path sfr = Files.createDirectories(tmp.resolve("SFR-Embedding-tiny"));
        Map<String, FloatTensor> bare = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(full.resolve("model.safetensors"))) {
            for (String n : f.names()) {
                if (!n.equals("lm_head.weight")) {
                    bare.put(n.substring("model.".length()), f.read(n));
                }
            }
        }
        SafetensorsWriter.write(sfr.resolve("model.safetensors"), bare, Map.of("format", "pt"));
        Files.copy(full.resolve("config.json"), sfr.resolve("config.json"));
        MiniTokenizer.write(sfr);

        String description = "  sort the words  ";
        float[] want;
        try (Transformer m = Transformer.load(full); Tokenizer tok = Tokenizer.open(full)) {
            BaseModelTaskEmbedder ref = new BaseModelTaskEmbedder(m, tok);
            // no strip, no full stop: the template replaces add_full_stop
            int[] ids = tok.encode("Instruct: Retrieve semantically similar text.\nQuery: " + description, true);
            want = TaskText.normalize(ref.pooled(ids));
        }
        try (TaskEmbedder e = TaskEmbedders.open(sfr.toString(), OnnxTaskEmbedder.Pooling.CLS, () -> null)) {
            assertEquals(BaseModelTaskEmbedder.Template.SFR, ((BaseModelTaskEmbedder) e).template());
            TaskEmbedding got = e.embed(description);
            assertEquals("Instruct: Retrieve semantically similar text.\nQuery: " + description, got.text());
            assertArrayEquals(want, got.vector(), 1e-5f);
        }
    }
}
