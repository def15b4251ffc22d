package ai.t2l.eval.report;

import java.util.Locale;

/** The combined table as markdown (the paper's layout) and CSV; numbers with 2 decimals, "-" for none. */
public final class Formats {
    private Formats() {}

    public static String markdown(CombinedTable t) {
        StringBuilder sb = new StringBuilder();
        sb.append("| Model |");
        t.columns().forEach(c -> sb.append(' ').append(c).append(" |"));
        sb.append(" AVG |\n|---|");
        t.columns().forEach(c -> sb.append("---|"));
        sb.append("---|\n");
        for (CombinedTable.Row r : t.rows()) {
            sb.append("| ").append(r.label().replace("|", "\\|")).append(" |");
            r.cells().forEach(v -> sb.append(' ').append(num(v)).append(" |"));
            sb.append(' ').append(num(r.average()));
            if (r.cellsPresent() < t.columns().size()) {
                sb.append(" (").append(r.cellsPresent()).append('/').append(t.columns().size()).append(')');
            }
            sb.append(" |\n");
        }
        return sb.toString();
    }

    public static String csv(CombinedTable t) {
        StringBuilder sb = new StringBuilder("model");
        t.tasks().forEach(c -> sb.append(',').append(c));
        sb.append(",avg\n");
        for (CombinedTable.Row r : t.rows()) {
            sb.append(quote(r.label()));
            r.cells().forEach(v -> sb.append(',').append(v == null ? "" : num(v)));
            sb.append(',').append(num(r.average())).append('\n');
        }
        return sb.toString();
    }

    static String num(Double v) {
        return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    static String quote(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
