package ai.t2l.miniature.build;

import ai.t2l.miniature.Task;
import java.util.List;
import java.util.Locale;

/** A plain SVG bar chart: one pair of bars (seen, held-out) per condition. No dependencies, byte-stable output. */
final class Svg {
    private Svg() {}

    static String bars(List<MiniatureEval.Scores> rows, List<Task> seen, List<Task> held) {
        int labelW = 250;
        int barW = 400;
        int rowH = 34;
        int top = 40;
        int h = top + rows.size() * rowH + 40;
        StringBuilder sb = start(labelW + barW + 80, h, "Miniature: exact match (%)");
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"10\" width=\"12\" height=\"12\" fill=\"#4878b0\"/>"
                + "<text x=\"%d\" y=\"20\">seen tasks</text>%n", labelW + 120, labelW + 136));
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"10\" width=\"12\" height=\"12\" fill=\"#e08a3c\"/>"
                + "<text x=\"%d\" y=\"20\">held-out tasks</text>%n", labelW + 220, labelW + 236));
        for (int i = 0; i < rows.size(); i++) {
            MiniatureEval.Scores r = rows.get(i);
            int y = top + i * rowH;
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                    labelW - 8, y + 18, escape(r.condition())));
            bar(sb, r, seen, labelW, y + 2, barW, "#4878b0");
            bar(sb, r, held, labelW, y + 16, barW, "#e08a3c");
        }
        int axisY = top + rows.size() * rowH + 4;
        for (int p = 0; p <= 100; p += 25) {
            int x = labelW + p * barW / 100;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ccc\"/>"
                    + "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>%n", x, top, x, axisY, x, axisY + 14, p));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    /** An SVG document of the given size on a white ground, with its title at the top left (escaped). */
    static StringBuilder start(int width, int height, String title) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n", width, height));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append("<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">").append(escape(title))
                .append("</text>\n");
        return sb;
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;");
    }

    private static void bar(StringBuilder sb, MiniatureEval.Scores r, List<Task> tasks, int x, int y, int w,
            String color) {
        List<Task> c = Report.covered(r, tasks);
        if (c.isEmpty()) {
            return;
        }
        double v = r.mean(c);
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"12\" fill=\"%s\"/>"
                + "<text x=\"%.1f\" y=\"%d\">%.1f</text>%n", x, y, v * w / 100, color, x + v * w / 100 + 4, y + 10, v));
    }
}
