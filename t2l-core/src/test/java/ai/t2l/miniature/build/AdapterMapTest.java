package ai.t2l.miniature.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdapterMapTest {
    /** Two clusters far apart along one direction of a 50-d space: the first component separates them. */
    @Test
    void theFirstComponentSeparatesTwoClustersAndTheSvgIsStable() {
        Random r = new Random(3);
        List<float[]> rows = new ArrayList<>();
        List<String> fams = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            float[] v = new float[50];
            for (int j = 0; j < 50; j++) {
                v[j] = (float) (0.1 * r.nextGaussian());
            }
            v[7] += i < 20 ? 5 : -5;
            rows.add(v);
            fams.add(i < 20 ? "a" : "b");
        }
        List<AdapterMap.Point> pts = AdapterMap.points(rows, fams);
        double signA = Math.signum(pts.get(0).x());
        for (AdapterMap.Point p : pts) {
            assertEquals(p.family().equals("a") ? signA : -signA, Math.signum(p.x()), 0.0, p.toString());
            assertTrue(Math.abs(p.x()) > 4 && Math.abs(p.y()) < 1, p.toString());
        }
        String svg = AdapterMap.svg(pts, "t");
        assertEquals(svg, AdapterMap.svg(AdapterMap.points(rows, fams), "t"));
        assertTrue(svg.startsWith("<svg") && svg.contains(">a</text>") && svg.contains(">b</text>"));
    }
}
