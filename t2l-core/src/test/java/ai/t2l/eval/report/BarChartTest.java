package ai.t2l.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Issue 10 item 13: the report chart of runs that cover different benchmarks, and what the chart must show. */
class BarChartTest {
    private static ResultFiles.Summary result(String row, String task, double score) {
        return new ResultFiles.Summary(Path.of(row, task + ".json"), task, task, row, score, 10);
    }

    private static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> texts(Document d) {
        List<String> out = new ArrayList<>();
        NodeList n = d.getElementsByTagName("text");
        for (int i = 0; i < n.getLength(); i++) {
            out.add(n.item(i).getFirstChild() == null ? "" : n.item(i).getFirstChild().getNodeValue().trim());
        }
        return out;
    }

    @Test
    void runsCoveringDifferentBenchmarksChartWithMissingValuesShownAsSuch() throws Exception {
        // run A did arc_easy and gsm8k, run B only boolq: every row misses a cell (was a NullPointerException)
        CombinedTable t = CombinedTable.of(List.of(result("A", "arc_easy", 61.25), result("A", "gsm8k", 0),
                result("B", "boolq", 73.5)));
        Document d = parse(BarChart.svg(t));
        List<String> texts = texts(d);
        assertTrue(texts.contains(BarChart.TITLE), "a title: " + texts);
        assertTrue(texts.contains("score (%)") && texts.contains("benchmark"), "axis labels: " + texts);
        assertTrue(texts.contains("61.3") && texts.contains("73.5"), "values written on the bars: " + texts);
        assertTrue(texts.contains("0.0"), "a zero score is labelled, not left blank: " + texts);
        // A lacks boolq, B lacks arc_easy and gsm8k: 3 "n/a" marks, none drawn as a bar
        assertEquals(3, texts.stream().filter("n/a"::equals).count(), texts.toString());
        int bars = 0;
        NodeList rects = d.getElementsByTagName("rect");
        for (int i = 0; i < rects.getLength(); i++) {
            if (((Element) rects.item(i)).getElementsByTagName("title").getLength() > 0) {
                bars++;
            }
        }
        assertEquals(3 + 2, bars, "3 scores and 2 row averages");
    }

    @Test
    void tenBenchmarkNamesAreSlantedSoTheyDoNotOverlap() throws Exception {
        List<ResultFiles.Summary> all = new ArrayList<>();
        for (String task : List.of("arc_challenge", "arc_easy", "boolq", "gsm8k", "hellaswag", "openbookqa", "piqa",
                "winogrande", "humaneval", "mbpp")) {
            all.add(result("T2L", task, 50));
            all.add(result("base", task, 40));
        }
        Document d = parse(BarChart.svg(CombinedTable.of(all)));
        NodeList n = d.getElementsByTagName("text");
        int slanted = 0;
        for (int i = 0; i < n.getLength(); i++) {
            Element e = (Element) n.item(i);
            if (e.getAttribute("transform").contains("rotate(-35)")) {
                slanted++;
            }
        }
        assertEquals(11, slanted, "10 benchmarks and AVG");
    }
}
