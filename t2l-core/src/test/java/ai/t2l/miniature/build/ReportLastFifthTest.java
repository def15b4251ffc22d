package ai.t2l.miniature.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.t2l.io.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The "last fifth" column of docs/MINIATURE.md's training curves: how far a curve still fell at its end. */
class ReportLastFifthTest {
    @Test
    void validationPointsFromEightyPercentToTheEnd() {
        List<double[]> val = new ArrayList<>();
        for (int i = 0; i <= 10; i++) { // step 0, 1000, ..., 10000; loss 1.0 then falling to 0.5
            val.add(new double[] {i * 1000, i < 8 ? 1.0 : i == 8 ? 0.8 : i == 9 ? 0.7 : 0.6});
        }
        List<Double> train = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            train.add(1.0);
        }
        // from the point at step 8000 (0.8) to the last (0.6): -25%
        assertEquals("-25.0% (val.)", Report.lastFifth(MiniatureBuild.curve(train, val)));
        // the whole fall is 1.0 -> 0.6, the last fifth 0.8 -> 0.6: half of it
        assertEquals("50.0%", Report.lastFifthShare(MiniatureBuild.curve(train, val)));
    }

    @Test
    void trainingTwentiethsWhenTheRunDidNotValidate() {
        List<Double> train = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            train.add(i < 75 ? 2.0 : i < 80 ? 1.0 : 1.1); // twentieths: ... 16th = 1.0, 20th = 1.1
        }
        assertEquals("+10.0% (train)", Report.lastFifth(MiniatureBuild.curve(train, List.of())));
        assertEquals("–", Report.lastFifth(Json.MAPPER.createObjectNode()));
        // 2.0 -> 1.1 in all, 1.0 -> 1.1 over the last fifth: it rose by a ninth of the whole fall
        assertEquals("-11.1%", Report.lastFifthShare(MiniatureBuild.curve(train, List.of())));
        List<Double> rising = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            rising.add(1.0 + i / 100.0);
        }
        assertEquals("–", Report.lastFifthShare(MiniatureBuild.curve(rising, List.of())), "no fall to share");
    }

    @Test
    void aLossNearZeroFallsByMuchOfItselfButLittleOfTheWhole() {
        List<double[]> val = new ArrayList<>();
        double[] loss = {0.92, 0.42, 0.23, 0.18, 0.137, 0.116, 0.105, 0.094, 0.083, 0.077, 0.072};
        for (int i = 0; i < loss.length; i++) {
            val.add(new double[] {i * 1000, loss[i]});
        }
        JsonNode c = MiniatureBuild.curve(List.of(1.0, 0.5), val);
        assertEquals("-13.3% (val.)", Report.lastFifth(c)); // 0.083 -> 0.072
        assertEquals("1.3%", Report.lastFifthShare(c)); // 0.011 of 0.848
        assertEquals("yes", Report.flat(c), "1.3% of the fall is at most 5%");
    }

    @Test
    void flatMeansTheLastFifthBringsAtMostFivePercentOfTheFall() {
        // 1.0 -> 0.5 in all; the last fifth brings 0.03 (6%) or 0.02 (4%) of that 0.5
        assertEquals("no", Report.flat(validated(1.0, 0.53, 0.5)));
        assertEquals("yes", Report.flat(validated(1.0, 0.52, 0.5)));
        assertEquals("yes", Report.flat(validated(1.0, 0.5, 0.5)), "no fall at all at the end");
        assertEquals("–", Report.flat(Json.MAPPER.createObjectNode()));
    }

    @Test
    void theCurveChartDrawsEveryValidatedStageAndNothingWithoutThem() {
        java.util.Map<String, JsonNode> curves = new java.util.LinkedHashMap<>();
        curves.put("sft-L", validated(1.0, 0.6, 0.5));
        curves.put("multitask", validated(0.8, 0.7, 0.65));
        curves.put("oracle", MiniatureBuild.curve(List.of(1.0, 0.5), List.of()));
        String svg = CurveChart.svg(curves);
        assertEquals(2, svg.split("<polyline").length - 1, "one line per validated stage");
        assertEquals(true, svg.contains(">sft-L<") && svg.contains(">multitask<") && !svg.contains(">oracle<"));
        // y axis from 0 to the highest loss rounded up to a quarter: 1.0 sits on the top line at y = 40
        assertEquals(true, svg.contains("60.0,40.0 "), svg);
        assertEquals(null, CurveChart.svg(java.util.Map.of("oracle", curves.get("oracle"))));
        assertEquals(svg, CurveChart.svg(curves), "byte-stable");
    }

    /** Eleven validation points over 10,000 steps: {@code first} at step 0, {@code atFifth} at 8,000, {@code end}. */
    private static JsonNode validated(double first, double atFifth, double end) {
        List<double[]> val = new ArrayList<>();
        for (int i = 0; i <= 10; i++) {
            double loss = i <= 8 ? first + (atFifth - first) * i / 8 : atFifth + (end - atFifth) * (i - 8) / 2;
            val.add(new double[] {i * 1000, loss});
        }
        return MiniatureBuild.curve(List.of(1.0, 0.5), val);
    }
}
