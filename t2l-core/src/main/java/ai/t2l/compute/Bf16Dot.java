package ai.t2l.compute;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The packed products' tile in AVX512_BF16 dot products, through the native library
 * {@code t2l-core/src/main/native/bf16-dot.c}: 8 activation rows × 32 outputs from bfloat16 weights and bfloat16
 * activations, two products per lane and instruction, summed in float32. Used by {@link HeadProduct} for the optional
 * {@link ProductPrecision#BF16_DOT}.
 *
 * <p>Why native: the instruction doubles the multiply-adds a core runs per second over float32 FMAs (114–116 against
 * 55–58 G/s on one Zen 4 core, docs/bf16-dot-tile.c), the only way past the float32 peak on these CPUs, and neither
 * DJL nor the Vector API issues it (docs/PERFORMANCE.md, "Beyond the float32 peak"). The {@code ./t2l} launcher
 * builds the library where the CPU has AVX512_BF16 and a C compiler is installed, and names it in
 * {@code -Dt2l.native.bf16dot}; {@link #load} takes any path (the tests build their own). The library asks the CPU
 * itself before it is used, so a library copied to a machine without the instructions is refused, never run. The same
 * library holds the few-row products of {@link Bf16Rows}, and this class loads it for them.
 */
public final class Bf16Dot {
    /** The system property naming the library, set by the launcher. */
    public static final String PROPERTY = "t2l.native.bf16dot";

    /**
     * The library's version of its functions (bf16-dot.c's {@code abi}): a library built from older sources would load
     * and then fail at its first call to a function it lacks ({@link Bf16Rows}), so it is refused at load instead.
     */
    static final int ABI = 3;

    /** Written under the class lock; read without it by the compute threads before each call. */
    private static volatile boolean loaded;
    private static String unavailable;

    private Bf16Dot() {}

    /** Whether the native tile runs here: the library is loaded (now from {@link #PROPERTY}, or before) and can run. */
    public static synchronized boolean available() {
        if (!loaded && unavailable == null) {
            String path = System.getProperty(PROPERTY);
            if (path == null || path.isEmpty()) {
                unavailable = "no native library: -D" + PROPERTY + " is not set (the ./t2l launcher sets it where the"
                        + " CPU has AVX512_BF16 and a C compiler and the JDK's jni.h are installed)";
            } else {
                try {
                    load(Path.of(path));
                } catch (java.nio.file.InvalidPathException e) {
                    unavailable = "-D" + PROPERTY + " is not a path: " + e.getMessage();
                }
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
        String why = tryLoad(lib);
        loaded = why == null;
        unavailable = why;
        return loaded;
    }

    /** Loads {@code lib} into this JVM and asks the CPU: null when the tile runs here, else why not. */
    static String tryLoad(Path lib) {
        if (!Files.isRegularFile(lib)) {
            return "native library " + lib + " does not exist";
        }
        try {
            System.load(lib.toAbsolutePath().toString());
        } catch (UnsatisfiedLinkError e) {
            return "native library " + lib + " did not load: " + e.getMessage();
        }
        try {
            int abi = abi();
            if (abi != ABI) {
                return "native library " + lib + " has functions of version " + abi + ", this build needs " + ABI
                        + ": rebuild it (delete it; ./t2l builds it again)";
            }
            return supported() ? null : "this CPU (or its operating system) does not run AVX512_BF16 instructions";
        } catch (UnsatisfiedLinkError e) {
            return "native library " + lib + " is not this build's bf16 library (built from older sources, or another"
                    + " library): " + e.getMessage();
        }
    }

    /**
     * {@code tiles} register tiles: {@code out[t·256 + i·32 + f]} = Σ_q (x[i][2q+1]·w[f][2q+1] + x[i][2q]·w[f][2q]) for
     * the panel whose outputs 0–15 start at {@code panels[first]} and 16–31 at {@code panels[second]} (16 ints per
     * column pair each, low half column 2q, high half 2q + 1) and the activation tiles from {@code xb[x0]}
     * ({@link #packTile}: 8 rows of {@code pairs} ints each, {@code xb[x0 + t·8·pairs + i·pairs + q]}). Every index is
     * checked here: the native side trusts them.
     */
    static void tiles(int[] panels, int first, int second, int pairs, int[] xb, int x0, int tiles, float[] out) {
        requireLoaded("bf16 dot products");
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
     * One activation tile ({@code xb[0..]}) against {@code groups} panels in a row, group g's outputs 0–15 at
     * {@code panels[g·pairs·16]} and 16–31 at {@code panels[second + g·pairs·16]}: {@code out[g·256 + i·32 + f]}, as
     * {@link #tiles} for each group. For the dense form, whose tiles meet every panel of a small weight in turn.
     */
    static void acrossGroups(int[] panels, int second, int pairs, int groups, int[] xb, float[] out) {
        requireLoaded("bf16 dot products");
        if (pairs <= 0 || groups < 0) {
            throw new IllegalArgumentException("bf16 dot products: " + pairs + " column pairs, " + groups + " groups");
        }
        long span = 16L * pairs * groups;
        Objects.checkFromIndexSize(0, span, second);
        Objects.checkFromIndexSize(second, span, panels.length);
        Objects.checkFromIndexSize(0, 8L * pairs, xb.length);
        Objects.checkFromIndexSize(0, 256L * groups, out.length);
        acrossUnchecked(panels, second, pairs, groups, xb, out);
    }

    /**
     * Rows [row0, row0 + rows) of x ((·, cols) row-major, 1 to 8 rows) as one activation tile at {@code xb[at]}: row i
     * as its values rounded to bfloat16 in order, {@code (cols + 1) / 2} ints from {@code at + i·pairs} (an odd last
     * value paired with zero), rows past {@code rows} zeros. Rounded by the CPU (VCVTNE2PS2BF16: nearest even, as
     * torch's cast; NaN stays NaN; a subnormal becomes zero, which is how the dot product reads one anyway).
     */
    static void packTile(float[] x, int row0, int rows, int cols, int[] xb, int at) {
        requireLoaded("bf16 dot products");
        if (rows < 1 || rows > 8 || cols < 1) {
            throw new IllegalArgumentException("bf16 dot products: a tile of " + rows + " rows × " + cols);
        }
        Objects.checkFromIndexSize((long) row0 * cols, (long) rows * cols, x.length);
        Objects.checkFromIndexSize(at, 8L * ((cols + 1) / 2), xb.length);
        packUnchecked(x, row0, rows, cols, xb, at);
    }

    /**
     * Rows [xRow, xRow + m) of x ((·, cols) row-major) as ⌈m / 8⌉ activation tiles one after another ({@link
     * #packTile}: tile t at {@code t·8·pairs}), rounded on both cores; for {@link #tiles} with {@code x0 = t·8·pairs}.
     */
    static int[] packRows(float[] x, int xRow, int m, int cols) {
        int tiles = (m + 7) / 8;
        int tileInts = 8 * ((cols + 1) / 2);
        int[] xb = new int[Math.multiplyExact(tiles, tileInts)];
        ComputePool.forRange(tiles, (long) m * cols, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                packTile(x, xRow + 8 * t, Math.min(8, m - 8 * t), cols, xb, t * tileInts);
            }
        });
        return xb;
    }

    /**
     * For a setting that asks for the library ({@code what}, e.g. "--products bf16dot"): refused with the reason
     * where it does not run here, before anything is computed.
     *
     * @throws ai.t2l.io.T2lException naming {@code what} and why the library does not run
     */
    public static void require(String what) {
        if (!available()) {
            throw new ai.t2l.io.T2lException(what + ": " + whyUnavailable());
        }
    }

    /** For the code that calls into the library ({@code what} names it): a failed assumption, not a user's setting. */
    static void requireLoaded(String what) {
        if (!loaded && !available()) { // the volatile read first: this runs before every native call
            throw new IllegalStateException(what + ": " + whyUnavailable());
        }
    }

    private static native boolean supported();

    private static native int abi();

    private static native void tilesUnchecked(int[] panels, int first, int second, int pairs, int[] xb, int x0,
            int tiles, float[] out);

    private static native void acrossUnchecked(int[] panels, int second, int pairs, int groups, int[] xb,
            float[] out);

    private static native void packUnchecked(float[] x, int row0, int rows, int cols, int[] xb, int at);
}
