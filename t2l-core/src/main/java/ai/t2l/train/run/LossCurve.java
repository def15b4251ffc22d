package ai.t2l.train.run;

import java.util.List;
import java.util.Locale;

/** A small self-contained SVG of training loss (line) and validation loss (dots) against the step. */
public final class LossCurve {
    private LossCurve() {}

    public record Point(double step, double loss) {}

    public static String svg(String title, List<Point> train, List<Point> validation) {
        int w = 640;
        int h = 360;
        int pad = 50;
        double maxStep = 1;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (List<Point> l : List.of(train, validation)) {
            for (Point p : l) {
                maxStep = Math.max(maxStep, p.step());
                if (Double.isFinite(p.loss())) {
                    lo = Math.min(lo, p.loss());
                    hi = Math.max(hi, p.loss());
                }
            }
        }
        if (!Double.isFinite(lo)) {
            lo = 0;
            hi = 1;
        }
        if (hi - lo < 1e-9) {
            hi = lo + 1;
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n", w, h));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", w, h));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\">%s</text>%n", pad, escape(title)));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                pad, h - pad, w - pad, h - pad));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                pad, pad, pad, h - pad));
        sb.append(String.format(Locale.ROOT, "<text x=\"5\" y=\"%d\">%.3g</text><text x=\"5\" y=\"%d\">%.3g</text>%n",
                pad + 4, hi, h - pad, lo));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">step %d</text>%n", w - pad - 60, h - pad + 30,
                (long) maxStep));
        StringBuilder line = new StringBuilder();
        for (Point p : train) {
            if (Double.isFinite(p.loss())) {
                line.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(p.step(), maxStep, w, pad),
                        y(p.loss(), lo, hi, h, pad)));
            }
        }
        sb.append("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"").append(line.toString().trim())
                .append("\"/>\n");
        for (Point p : validation) {
            if (Double.isFinite(p.loss())) {
                sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#d62728\"/>%n",
                        x(p.step(), maxStep, w, pad), y(p.loss(), lo, hi, h, pad)));
            }
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#1f77b4\">train loss</text>"
                + "<text x=\"%d\" y=\"%d\" fill=\"#d62728\">validation loss</text>%n", pad + 10, h - 10, pad + 110, h - 10));
        return sb.append("</svg>\n").toString();
    }

    private static double x(double step, double maxStep, int w, int pad) {
        return pad + step / maxStep * (w - 2 * pad);
    }

    private static double y(double loss, double lo, double hi, int h, int pad) {
        return h - pad - (loss - lo) / (hi - lo) * (h - 2 * pad);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
