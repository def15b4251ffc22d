package ai.t2l.miniature.build;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The validation curves of the stages that validate (issue 14 item 2, "show the curves"), one line per stage on
 * linear axes (step, loss from 0), so that how flat each has become is seen rather than read. No dependencies,
 * byte-stable output.
 */
final class CurveChart {
    private CurveChart() {}

    private static final List<String> COLOURS = List.of("#4878b0", "#e08a3c", "#55a868", "#c44e52", "#8172b2",
            "#937860", "#da8bc3", "#8c8c8c");

    /** The curves the chart draws: those with at least two validation points. */
    static List<Map.Entry<String, JsonNode>> drawn(Map<String, JsonNode> curves) {
        return curves.entrySet().stream().filter(e -> e.getValue().path("val_loss").size() >= 2).toList();
    }

    /** The chart of every {@link #drawn} curve; null when there is none. */
    static String svg(Map<String, JsonNode> curves) {
        List<Map.Entry<String, JsonNode>> lines = drawn(curves);
        if (lines.isEmpty()) {
            return null;
        }
        double maxStep = 0;
        double maxLoss = 0;
        for (var e : lines) {
            for (JsonNode p : e.getValue().path("val_loss")) {
                maxStep = Math.max(maxStep, p.get(0).asDouble());
                maxLoss = Math.max(maxLoss, p.get(1).asDouble());
            }
        }
        double yTop = Math.max(0.1, Math.ceil(maxLoss * 4) / 4); // a round top, in quarters
        int left = 60;
        int top = 40;
        int w = 520;
        int h = 300;
        StringBuilder sb = Svg.start(left + w + 170, top + h + 50, "Miniature: validation loss during training");
        for (int i = 0; i <= 4; i++) {
            double v = yTop * i / 4;
            double y = top + h - h * v / yTop;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>%n", left, y, left + w, y, left - 6,
                    y + 4, v));
        }
        for (int i = 0; i <= 4; i++) {
            double x = left + w * i / 4.0;
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n", x,
                    top + h + 16, Math.round(maxStep * i / 4)));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">step</text>%n",
                left + w / 2, top + h + 36));
        for (int i = 0; i < lines.size(); i++) {
            String colour = COLOURS.get(i % COLOURS.size());
            StringBuilder pts = new StringBuilder();
            for (JsonNode p : lines.get(i).getValue().path("val_loss")) {
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + w * p.get(0).asDouble() / maxStep,
                        top + h - h * p.get(1).asDouble() / yTop));
            }
            sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\""
                    + " points=\"%s\"/>%n", colour, pts.toString().strip()));
            int ly = top + 10 + 20 * i;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\""
                    + " stroke-width=\"2\"/><text x=\"%d\" y=\"%d\">%s</text>%n", left + w + 15, ly, left + w + 40,
                    ly, colour, left + w + 46, ly + 4, lines.get(i).getKey()));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }
}
