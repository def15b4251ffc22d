package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.cli.TinyWorld.Run;
import ai.t2l.eval.rouge.Rouge;
import ai.t2l.io.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code t2l eval run --tasks lol_NNN}: an SNI task's test part, generated and scored with ROUGE-L (issue 12 item 10). */
@Timeout(600)
class EvalSniEndToEndTest {
    static final Path SNI = Paths.get(System.getProperty("t2l.shared", "../../shared"), "data", "sni-sample");

    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void tiny() {
        model = TinyWorld.model(tmp.resolve("model"), 21);
    }

    static Run eval(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("eval", "run", "--model", model.toString(), "--max-new-tokens", "6",
                "--out", out.toString()));
        args.addAll(List.of(more));
        return TinyWorld.run(args.toArray(String[]::new));
    }

    @Test
    void anSniTaskFromTheSampleFolderReportsRougeL() throws Exception {
        Path out = tmp.resolve("sni");
        Run r = eval(out, "--tasks", "lol_1393", "--sni-dir", SNI.toString(), "--limit", "3");
        assertEquals(0, r.code(), r.err());
        JsonNode res = Json.read(out.resolve("results").resolve("base").resolve("lol_1393.json"));
        assertEquals("rougeL_fmeasure", res.get("metric").asText());
        assertEquals("lol_1393 R-L", res.get("column").asText());
        assertEquals(3, res.get("n").asInt());
        double sum = 0;
        for (JsonNode item : res.get("items")) {
            assertTrue(item.get("id").asText().startsWith("task1393-"), item.toString());
            assertTrue(item.get("user").asText().endsWith(" Please complete the task without any explanation.\n\n"
                    + item.get("user").asText().split("\n\n", 2)[1]), "LOL_TEMPLATE: " + item.get("user"));
            assertEquals("", item.get("prefill").asText());
            assertTrue(item.has("score"), "per-item ROUGE-L: " + item);
            sum += item.get("score").asDouble();
        }
        assertEquals(100.0 * sum / 3, res.get("score").asDouble(), 1e-12, "score = mean rougeL_fmeasure in percent");
        assertTrue(Files.readString(out.resolve("results.md")).contains("lol_1393 R-L"),
                Files.readString(out.resolve("results.md")));
        Run report = TinyWorld.run("eval", "report", out.toString());
        assertEquals(0, report.code(), report.err());
        assertTrue(report.out().contains("lol_1393 R-L"), report.out());
    }

    @Test
    void aGeneratedTaskFileIsScoredAgainstItsGoldAnswers() throws Exception {
        // 10 instances: Lots-of-LoRAs sizes give 8 train, 1 valid, 1 test
        StringBuilder inst = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            inst.append(i == 0 ? "" : ",").append("{\"id\":\"task9001-").append(i).append("\",\"input\":\"word ")
                    .append(i).append("\",\"output\":[\"the answer is ").append(i).append("\"]}");
        }
        Path f = tmp.resolve("task9001_generated.json");
        Files.writeString(f, "{\"Definition\":[\"Repeat.\"],\"Instances\":[" + inst + "]}");
        Path out = tmp.resolve("generated");
        Run r = eval(out, "--tasks", f.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode res = Json.read(out.resolve("results").resolve("base").resolve("lol_9001.json"));
        assertEquals(1, res.get("n").asInt());
        JsonNode item = res.get("items").get(0);
        String gold = "the answer is " + item.get("id").asText().substring("task9001-".length());
        double f1 = Rouge.score(gold, item.get("output").asText()).rougeL().fmeasure();
        assertEquals(f1, item.get("score").asDouble(), 0.0);
        assertEquals(100 * f1, res.get("score").asDouble(), 1e-12);
        assertTrue(item.get("detail").asText().startsWith("rougeL P="), item.toString());
    }

    @Test
    void anSniNameWithoutAFolderSaysWhatToPass() {
        Run r = eval(tmp.resolve("none"), "--tasks", "lol_035");
        assertFalse(r.code() == 0);
        assertTrue(r.err().startsWith("error: task lol_035 is a Super-NaturalInstructions task: pass --sni-dir DIR"),
                r.err());
    }

    @Test
    void predictionsOfAnSniTaskAreScoredWithRougeL() throws Exception {
        // the 50 test instances of lol_1393: 49 answered with their gold text (F = 1), one empty (F = 0): 98.0
        List<ai.t2l.train.data.SniTasks.Instance> test = ai.t2l.train.data.SniTasks.instances(
                SNI.resolve("task1393_superglue_copa_text_completion.json"), ai.t2l.train.data.SniSplit.Part.TEST);
        assertEquals(50, test.size());
        StringBuilder preds = new StringBuilder();
        for (int i = 0; i < test.size(); i++) {
            preds.append(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Json.MAPPER.createObjectNode().put("id", test.get(i).id())
                    .put("text", i == 0 ? "" : test.get(i).example().response()))).append('\n');
        }
        Path f = tmp.resolve("preds.jsonl");
        Files.writeString(f, preds);
        Run r = TinyWorld.run("eval", "score", "--task", "lol_1393", "--sni-dir", SNI.toString(), "--predictions",
                f.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("lol_1393 rougeL_fmeasure: 98.00 (49/50 items)"), r.out());
    }
}
