package ai.t2l.eval.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The combined table as a grouped bar chart in plain SVG: a title, a y axis "score (%)" from 0 to 100, one group
 * per benchmark (and AVG) with its name slanted so ten of them stay readable, one bar per row with its value
 * written above it, and a legend below. A score of 0 still shows (a dark line on the axis and "0.0"); a benchmark
 * a row did not run shows "n/a" instead of a bar, so a missing value never reads as a zero. Hand-written so
 * reports need no plotting library (the picture is a few dozen shapes).
 */
public final class BarChart {
    private static final String[] COLORS = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
        "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
    static final String TITLE = "Benchmark scores";

    private BarChart() {}

    public static String svg(CombinedTable t) {
        List<String> groups = new ArrayList<>(t.columns());
        groups.add("AVG");
        int rows = Math.max(1, t.rows().size());
        // wide bars carry a horizontal value label; narrow ones (many rows) a vertical one
        int bar = rows <= 2 ? 30 : rows <= 4 ? 20 : 14;
        boolean verticalValues = bar < 30;
        int groupWidth = rows * bar + 18;
        int left = 64;
        int top = 56;
        int plotH = 260;
        int plotW = groups.size() * groupWidth;
        int labelBand = 70; // slanted benchmark names
        int width = left + plotW + 24;
        int legendTop = top + plotH + labelBand + 24;
        int height = legendTop + 18 * rows + 12;
        StringBuilder sb = new StringBuilder();
        sb.append(fmt("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">\n", width, height, width, height));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append(fmt("<text x=\"%d\" y=\"24\" font-size=\"16\" font-weight=\"bold\">%s</text>\n", left, TITLE));
        sb.append(fmt("<text x=\"%d\" y=\"42\" fill=\"#555\">one bar per run; n/a = benchmark not evaluated</text>\n",
                left));
        // y grid and tick labels; the zero line is the dark x axis drawn last
        for (int y = 0; y <= 100; y += 20) {
            double py = yOf(y, top, plotH);
            sb.append(fmt("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>\n",
                    left, py, left + plotW, py, left - 6, py + 4, y));
        }
        sb.append(fmt("<text transform=\"translate(18 %d) rotate(-90)\" text-anchor=\"middle\">score (%%)</text>\n",
                top + plotH / 2));
        for (int g = 0; g < groups.size(); g++) {
            int gx = left + g * groupWidth + 9;
            for (int r = 0; r < t.rows().size(); r++) {
                CombinedTable.Row row = t.rows().get(r);
                Double v = g < t.columns().size() ? row.cells().get(g) : Double.valueOf(row.average());
                int x = gx + r * bar;
                double cx = x + (bar - 2) / 2.0;
                if (v == null || v.isNaN()) {
                    sb.append(fmt("<text transform=\"translate(%.1f %.1f) rotate(-90)\" font-size=\"10\" "
                            + "fill=\"#999\">n/a<title>%s %s: not evaluated</title></text>\n",
                            cx + 3, yOf(0, top, plotH) - 4, esc(row.label()), esc(groups.get(g))));
                    continue;
                }
                double clamped = Math.max(0, Math.min(100, v));
                double h = plotH * clamped / 100.0;
                double y0 = yOf(clamped, top, plotH);
                sb.append(fmt("<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\">"
                        + "<title>%s %s: %.2f</title></rect>\n", x, y0, bar - 2, h,
                        COLORS[r % COLORS.length], esc(row.label()), esc(groups.get(g)), v));
                if (clamped == 0) { // a zero-height bar would be invisible: mark it on the axis in the row's colour
                    sb.append(fmt("<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"3\" fill=\"%s\"/>\n",
                            x, y0 - 3, bar - 2, COLORS[r % COLORS.length]));
                }
                String value = fmt("%.1f", v);
                if (verticalValues) {
                    sb.append(fmt("<text transform=\"translate(%.1f %.1f) rotate(-90)\" font-size=\"10\">%s</text>\n",
                            cx + 3, y0 - 4, value));
                } else {
                    sb.append(fmt("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\">%s</text>\n",
                            cx, y0 - 4, value));
                }
            }
            // slanted group name, anchored at its end under the group's centre
            double nx = gx + rows * bar / 2.0;
            sb.append(fmt("<text transform=\"translate(%.1f %d) rotate(-35)\" text-anchor=\"end\"%s>%s</text>\n",
                    nx, top + plotH + 16, g == groups.size() - 1 ? " font-weight=\"bold\"" : "",
                    esc(groups.get(g))));
        }
        // axes: y on the left, the zero line dark so a zero score sits on something visible
        sb.append(fmt("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", left, top, left, top + plotH));
        sb.append(fmt("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n",
                left, top + plotH, left + plotW, top + plotH));
        sb.append(fmt("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">benchmark</text>\n",
                left + plotW / 2, top + plotH + labelBand + 8));
        for (int r = 0; r < t.rows().size(); r++) {
            int ly = legendTop + r * 18;
            sb.append(fmt("<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>\n", left, ly, COLORS[r % COLORS.length], left + 18, ly + 10,
                    esc(t.rows().get(r).label())));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static double yOf(double score, int top, int plotH) {
        return top + plotH - plotH * score / 100.0;
    }

    private static String fmt(String f, Object... args) {
        return String.format(Locale.ROOT, f, args);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
