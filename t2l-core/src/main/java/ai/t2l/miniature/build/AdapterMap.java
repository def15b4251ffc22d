package ai.t2l.miniature.build;

import ai.t2l.lora.LoraWeights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A 2-D picture of generated adapters (issue 14 item 5, after the paper's figure of T2L's LoRAs): every adapter is
 * flattened (A then B of each site, in site order), centred, and projected on the first two principal components,
 * one dot per adapter coloured by its task's family. Similar descriptions should give nearby dots.
 *
 * <p>Principal components by power iteration on the Gram matrix of the centred rows (n adapters × n, n in the
 * hundreds, instead of the d × d covariance with d in the thousands), deflating after the first; the start vector is
 * fixed, so the picture is a pure function of the adapters. Signs of the axes are arbitrary, as in any PCA.
 */
final class AdapterMap {
    private AdapterMap() {}

    /** One point: the family it is coloured by, and its two coordinates. */
    record Point(String family, double x, double y) {}

    static float[] flatten(LoraWeights w) {
        int n = 0;
        for (LoraWeights.Pair p : w.pairs().values()) {
            n += p.a().data().length + p.b().data().length;
        }
        float[] out = new float[n];
        int o = 0;
        for (LoraWeights.Pair p : new java.util.TreeMap<>(w.pairs()).values()) {
            System.arraycopy(p.a().data(), 0, out, o, p.a().data().length);
            o += p.a().data().length;
            System.arraycopy(p.b().data(), 0, out, o, p.b().data().length);
            o += p.b().data().length;
        }
        return out;
    }

    /** The first two principal-component coordinates of each row (rows of equal length). */
    static double[][] project(List<float[]> rows) {
        int n = rows.size();
        int d = rows.get(0).length;
        double[] mean = new double[d];
        for (float[] r : rows) {
            for (int j = 0; j < d; j++) {
                mean[j] += r[j] / (double) n;
            }
        }
        double[][] gram = new double[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = a; b < n; b++) {
                double s = 0;
                float[] ra = rows.get(a);
                float[] rb = rows.get(b);
                for (int j = 0; j < d; j++) {
                    s += (ra[j] - mean[j]) * (rb[j] - mean[j]);
                }
                gram[a][b] = s;
                gram[b][a] = s;
            }
        }
        double[][] coords = new double[n][2];
        for (int c = 0; c < 2; c++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = 1.0 + (i % 7) * 0.1; // fixed, not orthogonal to any component in practice
            }
            double lambda = 0;
            for (int it = 0; it < 500; it++) {
                double[] nv = new double[n];
                for (int i = 0; i < n; i++) {
                    double s = 0;
                    for (int k = 0; k < n; k++) {
                        s += gram[i][k] * v[k];
                    }
                    nv[i] = s;
                }
                double norm = Math.sqrt(dot(nv, nv));
                if (norm == 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    nv[i] /= norm;
                }
                lambda = norm;
                v = nv;
            }
            // the Gram eigenvector u with eigenvalue lambda gives scores sqrt(lambda) * u
            for (int i = 0; i < n; i++) {
                coords[i][c] = Math.sqrt(Math.max(lambda, 0)) * v[i];
            }
            for (int a = 0; a < n; a++) {
                for (int b = 0; b < n; b++) {
                    gram[a][b] -= lambda * v[a] * v[b];
                }
            }
        }
        return coords;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#ad494a", "#637939", "#843c39", "#5254a3"};

    /** A scatter plot of the points, one colour per family (legend in first-seen order). */
    static String svg(List<Point> points, String title) {
        Map<String, String> colour = new LinkedHashMap<>();
        for (Point p : points) {
            colour.computeIfAbsent(p.family(), f -> COLOURS[colour.size() % COLOURS.length]);
        }
        double minX = points.stream().mapToDouble(Point::x).min().orElse(0);
        double maxX = points.stream().mapToDouble(Point::x).max().orElse(1);
        double minY = points.stream().mapToDouble(Point::y).min().orElse(0);
        double maxY = points.stream().mapToDouble(Point::y).max().orElse(1);
        int size = 480;
        int left = 20;
        int top = 40;
        StringBuilder sb = Svg.start(left + size + 180, top + size + 40, title);
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
                + " stroke=\"#ccc\"/>%n", left, top, size, size));
        for (Point p : points) {
            double x = left + 8 + (size - 16) * (p.x() - minX) / Math.max(1e-12, maxX - minX);
            double y = top + 8 + (size - 16) * (maxY - p.y()) / Math.max(1e-12, maxY - minY);
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\""
                    + " fill-opacity=\"0.8\"/>%n", x, y, colour.get(p.family())));
        }
        int i = 0;
        for (var e : colour.entrySet()) {
            int y = top + 10 + i++ * 18;
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", left + size + 20, y, e.getValue(), left + size + 32,
                    y + 4, e.getKey()));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">principal component 1"
                + "</text>%n", left + size / 2, top + size + 20));
        sb.append("</svg>\n");
        return sb.toString();
    }

    /** Points from adapters and their families, in the same order. */
    static List<Point> points(List<float[]> flat, List<String> families) {
        double[][] c = project(flat);
        List<Point> out = new ArrayList<>();
        for (int i = 0; i < c.length; i++) {
            out.add(new Point(families.get(i), c[i][0], c[i][1]));
        }
        return out;
    }
}
