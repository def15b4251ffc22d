package ai.t2l.eval.report;

import java.util.List;
import java.util.Locale;

/**
 * The combined table as a grouped bar chart in plain SVG: one group per benchmark (and AVG), one bar per
 * row, a legend below. Hand-written so reports need no plotting library.
 */
public final class BarChart {
    private static final String[] COLORS = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
        "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

    private BarChart() {}

    public static String svg(CombinedTable t) {
        List<String> groups = new java.util.ArrayList<>(t.columns());
        groups.add("AVG");
        int rows = Math.max(1, t.rows().size());
        int bar = 10;
        int groupWidth = rows * bar + 16;
        int left = 50;
        int top = 20;
        int plotH = 260;
        int width = left + groups.size() * groupWidth + 20;
        int legendH = 18 * rows + 10;
        int height = top + plotH + 40 + legendH;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n", width, height, width, height));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        for (int y = 0; y <= 100; y += 20) {
            double py = top + plotH - plotH * y / 100.0;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>\n", left, py, width - 20, py, left - 6, py + 4, y));
        }
        for (int g = 0; g < groups.size(); g++) {
            int gx = left + g * groupWidth + 8;
            for (int r = 0; r < t.rows().size(); r++) {
                CombinedTable.Row row = t.rows().get(r);
                Double v = g < t.columns().size() ? row.cells().get(g) : row.average();
                if (v == null || v.isNaN()) {
                    continue;
                }
                double h = plotH * Math.max(0, Math.min(100, v)) / 100.0;
                sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\">"
                        + "<title>%s %s: %.2f</title></rect>\n", gx + r * bar, top + plotH - h, bar - 1, h,
                        COLORS[r % COLORS.length], esc(row.label()), esc(groups.get(g)), v));
            }
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                    gx + rows * bar / 2, top + plotH + 16, esc(groups.get(g))));
        }
        for (int r = 0; r < t.rows().size(); r++) {
            int ly = top + plotH + 40 + r * 18;
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>\n", left, ly, COLORS[r % COLORS.length], left + 18, ly + 10,
                    esc(t.rows().get(r).label())));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
