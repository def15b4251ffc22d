package ai.t2l.compute;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The head tile in AVX512_BF16 dot products, through the native library {@code t2l-core/src/main/native/bf16-dot.c}:
 * 8 activation rows × 32 outputs from bfloat16 weights and bfloat16 activations, two products per lane and
 * instruction, summed in float32. Used by {@link HeadProduct} for the optional {@link ProductPrecision#BF16_DOT}.
 *
 * <p>Why native: the instruction doubles the multiply-adds a core runs per second over float32 FMAs (114–116 against
 * 55–58 G/s on one Zen 4 core, docs/bf16-dot-tile.c), the only way past the float32 peak on these CPUs, and neither
 * DJL nor the Vector API issues it (docs/PERFORMANCE.md, "Beyond the float32 peak"). The {@code ./t2l} launcher
 * builds the library where the CPU has AVX512_BF16 and a C compiler is installed, and names it in
 * {@code -Dt2l.native.bf16dot}; {@link #load} takes any path (the tests build their own). The library asks the CPU
 * itself before it is used, so a library copied to a machine without the instructions is refused, never run.
 */
public final class Bf16Dot {
    /** The system property naming the library, set by the launcher. */
    public static final String PROPERTY = "t2l.native.bf16dot";

    private static boolean loaded;
    private static String unavailable;

    private Bf16Dot() {}

    /** Whether the native tile runs here: the library is loaded (or loads now from {@link #PROPERTY}) and the CPU has it. */
    public static synchronized boolean available() {
        if (!loaded && unavailable == null) {
            String path = System.getProperty(PROPERTY);
            if (path == null || path.isEmpty()) {
                unavailable = "no native library: -D" + PROPERTY + " is not set (the ./t2l launcher sets it where the"
                        + " CPU has AVX512_BF16 and a C compiler and the JDK's jni.h are installed)";
            } else {
                load(Path.of(path));
            }
        }
        return loaded;
    }

    /** Why {@link #available} is false (null when it is true). */
    public static synchronized String whyUnavailable() {
        available();
        return loaded ? null : unavailable;
    }

    /**
     * Loads the library at {@code lib}; true when it loaded and this CPU runs its instructions. A second call after a
     * successful one does nothing (a JVM loads a JNI library once).
     */
    public static synchronized boolean load(Path lib) {
        if (loaded) {
            return true;
        }
        if (!Files.isRegularFile(lib)) {
            unavailable = "native library " + lib + " does not exist";
            return false;
        }
        try {
            System.load(lib.toAbsolutePath().toString());
        } catch (UnsatisfiedLinkError e) {
            unavailable = "native library " + lib + " did not load: " + e.getMessage();
            return false;
        }
        try {
            if (!supported()) {
                unavailable = "this CPU (or its operating system) does not run AVX512_BF16 instructions";
                return false;
            }
        } catch (UnsatisfiedLinkError e) {
            unavailable = "native library " + lib + " is not the bf16 dot library: " + e.getMessage();
            return false;
        }
        loaded = true;
        unavailable = null;
        return true;
    }

    /**
     * {@code tiles} register tiles: {@code out[t·256 + i·32 + f]} = Σ_q (x[i][2q+1]·w[f][2q+1] + x[i][2q]·w[f][2q]) for
     * the panel whose outputs 0–15 start at {@code panels[first]} and 16–31 at {@code panels[second]} (16 ints per
     * column pair each, low half column 2q, high half 2q + 1) and the activation tiles from {@code xb[x0]}
     * ({@link #packTile}: 8 rows of {@code pairs} ints each, {@code xb[x0 + t·8·pairs + i·pairs + q]}). Every index is
     * checked here: the native side trusts them.
     */
    static void tiles(int[] panels, int first, int second, int pairs, int[] xb, int x0, int tiles, float[] out) {
        if (!loaded) {
            throw new IllegalStateException("bf16 dot products: " + whyUnavailable());
        }
        if (pairs <= 0 || tiles < 0) {
            throw new IllegalArgumentException("bf16 dot products: " + pairs + " column pairs, " + tiles + " tiles");
        }
        long span = 16L * pairs;
        Objects.checkFromIndexSize(first, span, panels.length);
        Objects.checkFromIndexSize(second, span, panels.length);
        Objects.checkFromIndexSize(x0, 8L * pairs * tiles, xb.length);
        Objects.checkFromIndexSize(0, 256L * tiles, out.length);
        tilesUnchecked(panels, first, second, pairs, xb, x0, tiles, out);
    }

    /**
     * Rows [row0, row0 + rows) of x ((·, cols) row-major, 1 to 8 rows) as one activation tile at {@code xb[at]}: row i
     * as its values rounded to bfloat16 in order, {@code (cols + 1) / 2} ints from {@code at + i·pairs} (an odd last
     * value paired with zero), rows past {@code rows} zeros. Rounded by the CPU (VCVTNE2PS2BF16: nearest even, as
     * torch's cast; NaN stays NaN; a subnormal becomes zero, which is how the dot product reads one anyway).
     */
    static void packTile(float[] x, int row0, int rows, int cols, int[] xb, int at) {
        if (!loaded) {
            throw new IllegalStateException("bf16 dot products: " + whyUnavailable());
        }
        if (rows < 1 || rows > 8 || cols < 1) {
            throw new IllegalArgumentException("bf16 dot products: a tile of " + rows + " rows × " + cols);
        }
        Objects.checkFromIndexSize((long) row0 * cols, (long) rows * cols, x.length);
        Objects.checkFromIndexSize(at, 8L * ((cols + 1) / 2), xb.length);
        packUnchecked(x, row0, rows, cols, xb, at);
    }

    private static native boolean supported();

    private static native void tilesUnchecked(int[] panels, int first, int second, int pairs, int[] xb, int x0,
            int tiles, float[] out);

    private static native void packUnchecked(float[] x, int row0, int rows, int cols, int[] xb, int at);
}
