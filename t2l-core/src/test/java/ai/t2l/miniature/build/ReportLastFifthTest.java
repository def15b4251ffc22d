package ai.t2l.miniature.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.t2l.io.Json;
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
    }

    @Test
    void trainingTwentiethsWhenTheRunDidNotValidate() {
        List<Double> train = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            train.add(i < 75 ? 2.0 : i < 80 ? 1.0 : 1.1); // twentieths: ... 16th = 1.0, 20th = 1.1
        }
        assertEquals("+10.0% (train)", Report.lastFifth(MiniatureBuild.curve(train, List.of())));
        assertEquals("–", Report.lastFifth(Json.MAPPER.createObjectNode()));
    }
}
