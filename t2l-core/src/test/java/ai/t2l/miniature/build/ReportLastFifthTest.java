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
    }
}
